#pragma once

#include <sys/epoll.h>

#include <cstdint>

#include "common/fd.h"

namespace c10k {

// An epoll instance whose waits end at an absolute CLOCK_MONOTONIC deadline
// with sub-millisecond resolution, which an open-loop schedule at thousands of
// requests per second needs (epoll_wait's timeout is whole milliseconds).
// Uses epoll_pwait2 (Linux 5.11+); where the kernel lacks it, a timerfd in the
// same epoll set does the same job at the cost of re-arming it.
class PreciseEpoll {
 public:
  // `allow_pwait2` false forces the timerfd path (for its tests).
  explicit PreciseEpoll(bool allow_pwait2 = true) : have_pwait2_(allow_pwait2) {}

  // False (errno set) when the epoll instance cannot be created.
  bool Open();
  int Fd() const { return epoll_.Get(); }

  // Waits for up to `max_events` events until `deadline_ns` (MonotonicNanos
  // scale). Returns the number of events, 0 on timeout or a signal.
  int Wait(epoll_event* events, int max_events, int64_t deadline_ns, int64_t now_ns);

  // The event token the timerfd fallback uses; callers never see it.
  static constexpr uint32_t kTimerToken = 0xFFFFFFFEu;

 private:
  int WaitWithTimer(epoll_event* events, int max_events, int64_t deadline_ns);

  UniqueFd epoll_;
  UniqueFd timer_;
  bool have_pwait2_;
  int64_t armed_ns_ = -1;
};

}  // namespace c10k
