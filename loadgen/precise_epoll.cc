#include "loadgen/precise_epoll.h"

#include <sys/timerfd.h>

#include <cerrno>
#include <ctime>

#include "common/clock.h"

namespace c10k {

bool PreciseEpoll::Open() {
  epoll_.Reset(epoll_create1(EPOLL_CLOEXEC));
  return epoll_.Valid();
}

int PreciseEpoll::Wait(epoll_event* events, int max_events, int64_t deadline_ns, int64_t now_ns) {
  if (have_pwait2_) {
    int64_t wait_ns = deadline_ns > now_ns ? deadline_ns - now_ns : 0;
    timespec timeout{static_cast<time_t>(wait_ns / kNanosPerSecond),
                     static_cast<long>(wait_ns % kNanosPerSecond)};
    int n = epoll_pwait2(epoll_.Get(), events, max_events, &timeout, nullptr);
    if (n >= 0) return n;
    if (errno != ENOSYS) return 0;
    have_pwait2_ = false;
  }
  return WaitWithTimer(events, max_events, deadline_ns);
}

int PreciseEpoll::WaitWithTimer(epoll_event* events, int max_events, int64_t deadline_ns) {
  if (!timer_) {
    timer_.Reset(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u32 = kTimerToken;
    epoll_ctl(epoll_.Get(), EPOLL_CTL_ADD, timer_.Get(), &event);
  }
  if (deadline_ns != armed_ns_) {
    // An absolute deadline of 0 would disarm the timer; 1 ns is in the past
    // and fires at once.
    int64_t at = deadline_ns > 0 ? deadline_ns : 1;
    itimerspec spec{};
    spec.it_value = {static_cast<time_t>(at / kNanosPerSecond),
                     static_cast<long>(at % kNanosPerSecond)};
    timerfd_settime(timer_.Get(), TFD_TIMER_ABSTIME, &spec, nullptr);
    armed_ns_ = deadline_ns;
  }
  int n = epoll_wait(epoll_.Get(), events, max_events, -1);
  if (n < 0) return 0;
  int kept = 0;
  for (int i = 0; i < n; ++i) {
    if (events[i].data.u32 == kTimerToken) {
      uint64_t expirations = 0;
      [[maybe_unused]] ssize_t ignored = read(timer_.Get(), &expirations, sizeof expirations);
      armed_ns_ = -1;
      continue;
    }
    events[kept++] = events[i];
  }
  return kept;
}

}  // namespace c10k
