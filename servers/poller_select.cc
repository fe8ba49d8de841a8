// select(2), the first readiness API (4.2BSD, 1983).
//
// The interest set is a bitmap of FD_SETSIZE bits (1024 on Linux, fixed when
// glibc was built), handed to the kernel in full on every call and
// overwritten with the result, so it is rebuilt from a master copy each time
// and the whole range 0..max_fd is scanned twice: by the kernel and by us.
// That is O(highest descriptor), not O(ready).
//
// The ceiling: FD_SET on a descriptor >= FD_SETSIZE writes past the end of
// the fd_set, silent memory corruption (a fortified build aborts instead).
// MaxFd() tells the reactor, which closes such connections the moment they
// are accepted and logs it; Add refuses them too, as a second guard.
#include <sys/select.h>

#include <cerrno>

#include "servers/poller.h"

namespace c10k {

namespace {

class SelectPoller final : public Poller {
 public:
  SelectPoller() {
    FD_ZERO(&read_interest_);
    FD_ZERO(&write_interest_);
  }

  std::string_view Name() const override { return "select"; }
  int MaxFd() const override { return FD_SETSIZE - 1; }

  bool Add(int fd, uint8_t interest) override { return Modify(fd, interest); }

  bool Modify(int fd, uint8_t interest) override {
    if (fd < 0 || fd >= FD_SETSIZE) {
      errno = EINVAL;
      return false;
    }
    if (interest & kReadable) {
      FD_SET(fd, &read_interest_);
    } else {
      FD_CLR(fd, &read_interest_);
    }
    if (interest & kWritable) {
      FD_SET(fd, &write_interest_);
    } else {
      FD_CLR(fd, &write_interest_);
    }
    registered_[fd] = true;
    if (fd > max_fd_) max_fd_ = fd;
    return true;
  }

  void Remove(int fd) override {
    if (fd < 0 || fd >= FD_SETSIZE) return;
    FD_CLR(fd, &read_interest_);
    FD_CLR(fd, &write_interest_);
    registered_[fd] = false;
    while (max_fd_ >= 0 && !registered_[max_fd_]) --max_fd_;
  }

  int Wait(std::vector<FiredEvent>& fired, int timeout_ms) override {
    fired.clear();
    // select overwrites its arguments, so it gets copies.
    fd_set readable = read_interest_;
    fd_set writable = write_interest_;
    timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int n = select(max_fd_ + 1, &readable, &writable, nullptr, timeout_ms < 0 ? nullptr : &timeout);
    if (n <= 0) return n;
    for (int fd = 0; fd <= max_fd_; ++fd) {
      bool can_read = FD_ISSET(fd, &readable);
      bool can_write = FD_ISSET(fd, &writable);
      if (can_read || can_write) fired.push_back({fd, can_read, can_write, false});
    }
    return static_cast<int>(fired.size());
  }

 private:
  fd_set read_interest_;
  fd_set write_interest_;
  bool registered_[FD_SETSIZE] = {};
  int max_fd_ = -1;
};

}  // namespace

std::unique_ptr<Poller> MakeSelectPoller() { return std::make_unique<SelectPoller>(); }

}  // namespace c10k
