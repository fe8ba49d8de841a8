// kqueue(2) (FreeBSD 4.1, 2000; macOS): the BSD answer to the same problem
// epoll solves on Linux. Interest is registered once in the kernel as
// (descriptor, filter) pairs and kevent returns only what fired: O(ready).
//
// Quirks: reading and writing are separate filters (EVFILT_READ,
// EVFILT_WRITE), so one descriptor can come back as two events, and changing
// interest means adding or disabling each filter. We never delete a filter we
// may not have added (that fails with ENOENT); we add it disabled instead.
// EV_EOF on the read filter means the peer closed its side, possibly with
// data still to read; EV_ERROR carries an errno in `data`. Compiled only where
// <sys/event.h> exists.
#include <sys/event.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/fd.h"
#include "servers/poller.h"

namespace c10k {

namespace {

class KqueuePoller final : public Poller {
 public:
  explicit KqueuePoller(UniqueFd kq) : kq_(std::move(kq)), events_(1024) {}

  std::string_view Name() const override { return "kqueue"; }

  bool Add(int fd, uint8_t interest) override { return Apply(fd, interest); }
  bool Modify(int fd, uint8_t interest) override { return Apply(fd, interest); }

  void Remove(int fd) override {
    // Closing the descriptor would remove its filters too, but Remove's
    // contract does not say a close follows. One change per call: a batch
    // stops at its first failure (ENOENT for a filter never added).
    struct kevent changes[2];
    EV_SET(&changes[0], fd, EVFILT_READ, EV_DELETE, 0, 0, nullptr);
    EV_SET(&changes[1], fd, EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
    for (auto& change : changes) kevent(kq_.Get(), &change, 1, nullptr, 0, nullptr);
  }

  int Wait(std::vector<FiredEvent>& fired, int timeout_ms) override {
    fired.clear();
    timespec timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
    int n = kevent(kq_.Get(), nullptr, 0, events_.data(), static_cast<int>(events_.size()),
                   timeout_ms < 0 ? nullptr : &timeout);
    for (int i = 0; i < n; ++i) {
      const struct kevent& event = events_[i];
      int fd = static_cast<int>(event.ident);
      bool hangup = (event.flags & (EV_EOF | EV_ERROR)) != 0;
      fired.push_back({fd, event.filter == EVFILT_READ, event.filter == EVFILT_WRITE, hangup});
    }
    return n;
  }

 private:
  bool Apply(int fd, uint8_t interest) {
    struct kevent changes[2];
    EV_SET(&changes[0], fd, EVFILT_READ, EV_ADD | ((interest & kReadable) ? EV_ENABLE : EV_DISABLE),
           0, 0, nullptr);
    EV_SET(&changes[1], fd, EVFILT_WRITE,
           EV_ADD | ((interest & kWritable) ? EV_ENABLE : EV_DISABLE), 0, 0, nullptr);
    return kevent(kq_.Get(), changes, 2, nullptr, 0, nullptr) == 0;
  }

  UniqueFd kq_;
  std::vector<struct kevent> events_;
};

}  // namespace

std::unique_ptr<Poller> MakeKqueuePoller() {
  UniqueFd kq(kqueue());
  if (!kq) return nullptr;
  return std::make_unique<KqueuePoller>(std::move(kq));
}

}  // namespace c10k
