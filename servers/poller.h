#pragma once

#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace c10k {

// Interest bits a connection registers with a poller.
enum Interest : uint8_t {
  kNoInterest = 0,
  kReadable = 1,
  kWritable = 2,
};

// One descriptor the kernel reported, translated from the backend's own
// flags. `hangup` covers HUP and ERR: the next read or write says which.
struct FiredEvent {
  int fd = -1;
  bool readable = false;
  bool writable = false;
  bool hangup = false;
};

// The readiness backend of the reactor, in the manner of Redis's ae_*.c: one
// short file per kernel API, all reporting into the same fired-event list.
class Poller {
 public:
  virtual ~Poller() = default;
  virtual std::string_view Name() const = 0;

  // Registers `fd` (never registered before) with `interest`. False with errno
  // set when the kernel refuses.
  virtual bool Add(int fd, uint8_t interest) = 0;
  // Changes the interest of a registered fd.
  virtual bool Modify(int fd, uint8_t interest) = 0;
  // Forgets `fd`; call before closing it.
  virtual void Remove(int fd) = 0;
  // Waits up to `timeout_ms` (-1: no limit) and replaces `fired` with what is
  // ready. Returns the number of events, or -1 with errno (EINTR included).
  virtual int Wait(std::vector<FiredEvent>& fired, int timeout_ms) = 0;

  // Edge-triggered backends report readiness once per change: the reactor
  // must then read and write until EAGAIN.
  virtual bool EdgeTriggered() const { return false; }
  // The largest descriptor number this backend can watch (select: FD_SETSIZE-1).
  virtual int MaxFd() const { return INT_MAX; }
};

// The backend called `name` ("epoll", ...), or nullptr with `error` set to a
// sentence that lists the backends compiled in.
std::unique_ptr<Poller> MakePoller(std::string_view name, std::string* error);

// Names of the readiness backends compiled on this platform.
std::vector<std::string_view> PollerNames();

}  // namespace c10k
