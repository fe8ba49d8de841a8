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
#include "servers/dense_fd_list.h"
#include "servers/poller.h"

namespace c10k {

namespace {

class BusyPoller final : public Poller {
 public:
  std::string_view Name() const override { return "busypoll"; }

  bool Add(int fd, uint8_t interest) override { return entries_.Add({fd, interest}); }

  bool Modify(int fd, uint8_t interest) override {
    Entry* entry = entries_.Find(fd);
    if (entry) entry->interest = interest;
    return entry != nullptr;
  }

  void Remove(int fd) override { entries_.Remove(fd); }

  int Wait(std::vector<FiredEvent>& fired, int /*timeout_ms*/) override {
    fired.clear();
    for (const Entry& entry : entries_.Entries()) {
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
  DenseFdList<Entry> entries_;
};

}  // namespace

std::unique_ptr<Poller> MakeBusyPoller() { return std::make_unique<BusyPoller>(); }

}  // namespace c10k
