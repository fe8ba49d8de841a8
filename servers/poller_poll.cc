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

#include "servers/dense_fd_list.h"
#include "servers/poller.h"

namespace c10k {

namespace {

class PollPoller final : public Poller {
 public:
  std::string_view Name() const override { return "poll"; }

  bool Add(int fd, uint8_t interest) override { return entries_.Add({fd, Events(interest), 0}); }

  bool Modify(int fd, uint8_t interest) override {
    pollfd* entry = entries_.Find(fd);
    if (entry) entry->events = Events(interest);
    return entry != nullptr;
  }

  void Remove(int fd) override { entries_.Remove(fd); }

  int Wait(std::vector<FiredEvent>& fired, int timeout_ms) override {
    fired.clear();
    std::vector<pollfd>& entries = entries_.Entries();
    int n = poll(entries.data(), entries.size(), timeout_ms);
    if (n <= 0) return n;
    for (const pollfd& entry : entries) {
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

  DenseFdList<pollfd> entries_;  // exactly the registered descriptors
};

}  // namespace

std::unique_ptr<Poller> MakePollPoller() { return std::make_unique<PollPoller>(); }

}  // namespace c10k
