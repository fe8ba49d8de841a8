// poll(2): select without the bitmap (System V, 1986).
//
// The interest list is an array of pollfd structs of any length, so there is
// no FD_SETSIZE ceiling. But the whole array is still copied into the kernel
// and scanned on every call, and scanned again by us for revents: the cost
// of a wait grows with the number of registered descriptors, ready or not.
// With 100 busy connections and 9,900 idle ones, every wait pays for 10,000.
//
// Quirks: POLLHUP and POLLERR are reported whether asked for or not; an entry
// with fd -1 is ignored, but we keep the array dense instead (swap-remove),
// so the scan is exactly as long as the registered set.
#include <poll.h>

#include <cerrno>

#include "servers/poller.h"

namespace c10k {

namespace {

class PollPoller final : public Poller {
 public:
  std::string_view Name() const override { return "poll"; }

  bool Add(int fd, uint8_t interest) override {
    if (fd < 0) {
      errno = EBADF;
      return false;
    }
    if (static_cast<size_t>(fd) >= position_.size()) position_.resize(fd + 1024, -1);
    position_[fd] = static_cast<int>(entries_.size());
    entries_.push_back({fd, Events(interest), 0});
    return true;
  }

  bool Modify(int fd, uint8_t interest) override {
    if (fd < 0 || static_cast<size_t>(fd) >= position_.size() || position_[fd] < 0) {
      errno = ENOENT;
      return false;
    }
    entries_[position_[fd]].events = Events(interest);
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

  int Wait(std::vector<FiredEvent>& fired, int timeout_ms) override {
    fired.clear();
    int n = poll(entries_.data(), entries_.size(), timeout_ms);
    if (n <= 0) return n;
    for (const pollfd& entry : entries_) {
      if (entry.revents == 0) continue;
      fired.push_back({entry.fd, (entry.revents & POLLIN) != 0, (entry.revents & POLLOUT) != 0,
                       (entry.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0});
      if (static_cast<int>(fired.size()) == n) break;
    }
    return static_cast<int>(fired.size());
  }

 private:
  static short Events(uint8_t interest) {
    short events = 0;
    if (interest & kReadable) events |= POLLIN;
    if (interest & kWritable) events |= POLLOUT;
    return events;
  }

  std::vector<pollfd> entries_;  // dense: exactly the registered descriptors
  std::vector<int> position_;    // fd -> index in entries_, -1 if absent
};

}  // namespace

std::unique_ptr<Poller> MakePollPoller() { return std::make_unique<PollPoller>(); }

}  // namespace c10k
