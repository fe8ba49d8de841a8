// busypoll: no readiness API at all. Every registered descriptor is reported
// ready for whatever it is interested in, on every call, without sleeping, so
// the reactor tries a nonblocking read (or write) on each one and mostly gets
// EAGAIN back. That is phase 02 of the C10K story: nonblocking sockets let one
// thread serve many clients, but finding out which are ready costs a system
// call per descriptor per lap.
//
// The ceiling: 100% of a core even when every client is idle, and a lap that
// grows with the number of connections. The stop signal's pipe is reported
// too, so the loop still ends promptly.
#include <algorithm>
#include <cerrno>

#include "servers/poller.h"

namespace c10k {

namespace {

class BusyPoller final : public Poller {
 public:
  std::string_view Name() const override { return "busypoll"; }

  bool Add(int fd, uint8_t interest) override {
    if (fd < 0) {
      errno = EBADF;
      return false;
    }
    if (static_cast<size_t>(fd) >= position_.size()) position_.resize(fd + 1024, -1);
    position_[fd] = static_cast<int>(entries_.size());
    entries_.push_back({fd, interest});
    return true;
  }

  bool Modify(int fd, uint8_t interest) override {
    if (fd < 0 || static_cast<size_t>(fd) >= position_.size() || position_[fd] < 0) {
      errno = ENOENT;
      return false;
    }
    entries_[position_[fd]].interest = interest;
    return true;
  }

  void Remove(int fd) override {
    if (fd < 0 || static_cast<size_t>(fd) >= position_.size() || position_[fd] < 0) return;
    int at = position_[fd];
    entries_[at] = entries_.back();
    position_[entries_[at].fd] = at;
    entries_.pop_back();
    position_[fd] = -1;
  }

  int Wait(std::vector<FiredEvent>& fired, int /*timeout_ms*/) override {
    fired.clear();
    for (const Entry& entry : entries_) {
      if (entry.interest == kNoInterest) continue;
      fired.push_back({entry.fd, (entry.interest & kReadable) != 0,
                       (entry.interest & kWritable) != 0, false});
    }
    return static_cast<int>(fired.size());
  }

 private:
  struct Entry {
    int fd;
    uint8_t interest;
  };
  std::vector<Entry> entries_;
  std::vector<int> position_;  // fd -> index in entries_, -1 if absent
};

}  // namespace

std::unique_ptr<Poller> MakeBusyPoller() { return std::make_unique<BusyPoller>(); }

}  // namespace c10k
