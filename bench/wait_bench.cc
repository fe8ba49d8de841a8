// Wait cost per call with N registered idle descriptors and one ready one: the
// O(registered) against O(ready) curve behind the select, poll and epoll
// models.
//
// select and poll hand the kernel the whole interest set on every call, and
// the kernel polls every entry to find the one that is ready, so a call costs
// time in proportion to N. epoll and kqueue keep the interest set in the kernel
// and a ready descriptor on a ready list, so a call costs the same at 16 idle
// descriptors as at 16,384.
//
// Every call uses a zero timeout and returns exactly the one ready descriptor
// (a readable eventfd nobody reads), so what is timed is the scan and the
// copies in and out of the kernel, never sleeping. A call that returns
// anything else stops the benchmark with an error rather than time the wrong
// thing.
#include <benchmark/benchmark.h>
#include <poll.h>
#include <sys/select.h>

#include <cerrno>
#include <string>
#include <vector>

#include "bench/bench_support.h"
#include "common/io_status.h"

#if defined(C10K_HAVE_EPOLL)
#include <sys/epoll.h>
#endif
#if defined(C10K_HAVE_KQUEUE)
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>
#endif

namespace c10k {

namespace {

// Room for every fired event a call could report, though each reports one.
constexpr int kMaxEvents = 64;

// N from a few connections to past C10K; 1,000 is the last select can take and
// 16,384 stays under a 20,000 open-file limit with room to spare.
void WaitArguments(benchmark::internal::Benchmark* benchmark) {
  benchmark->ArgsProduct({{16, 64, 256, 1000, 4096, 16384}})->ArgNames({"idle"})->UseRealTime();
}

// The idle descriptors and the ready one, all open until the benchmark ends.
struct WaitSet {
  std::vector<UniqueFd> idle;
  ReadyDescriptor ready;
};

// Opens `idle` idle descriptors and one ready one; false (the benchmark
// skipped, saying why) when they do not fit or cannot be opened.
bool OpenWaitSet(benchmark::State& state, size_t idle, WaitSet* set) {
  std::string error;
  if (!FitsFileLimit(idle + 2, &error) ||
      (set->idle = OpenIdleDescriptors(idle, &error)).size() != idle) {
    state.SkipWithError(error.c_str());
    return false;
  }
  set->ready = OpenReadyDescriptor(&error);
  if (!set->ready.read_end) {
    state.SkipWithError(error.c_str());
    return false;
  }
  state.counters["registered"] = static_cast<double>(idle + 1);
  return true;
}

// Stops the benchmark when a wait returned something other than the one ready
// descriptor.
bool CheckOneReady(benchmark::State& state, const char* api, int returned) {
  if (returned == 1) return true;
  std::string error = std::string(api) + " returned " + std::to_string(returned) + " instead of 1" +
                      (returned < 0 ? ": " + ErrnoText(errno) : "");
  state.SkipWithError(error.c_str());
  return false;
}

void BM_WaitSelect(benchmark::State& state) {
  size_t idle = static_cast<size_t>(state.range(0));
  // Checked before anything is opened: an fd_set has room for descriptors
  // below FD_SETSIZE only, and FD_SET beyond it writes past the set (a
  // fortified build aborts). This is the select model's ceiling.
  if (idle + 1 > FD_SETSIZE) {
    std::string error = "select cannot watch " + std::to_string(idle + 1) +
                        " descriptors: an fd_set holds descriptors below FD_SETSIZE (" +
                        std::to_string(FD_SETSIZE) + ")";
    state.SkipWithError(error.c_str());
    return;
  }
  WaitSet set;
  if (!OpenWaitSet(state, idle, &set)) return;
  std::vector<int> fds = DescriptorNumbers(set.idle);
  fds.push_back(set.ready.read_end.Get());
  int max_fd = 0;
  for (int fd : fds) max_fd = fd > max_fd ? fd : max_fd;
  if (max_fd >= FD_SETSIZE) {
    std::string error = "descriptor " + std::to_string(max_fd) + " is not below FD_SETSIZE (" +
                        std::to_string(FD_SETSIZE) + "): too many descriptors were already open";
    state.SkipWithError(error.c_str());
    return;
  }
  fd_set interest;
  FD_ZERO(&interest);
  for (int fd : fds) FD_SET(fd, &interest);

  for (auto _ : state) {
    // select overwrites its sets with the result, so every call starts from a
    // copy of the interest set, as every select loop must.
    fd_set readable = interest;
    timeval zero{};
    if (!CheckOneReady(state, "select", select(max_fd + 1, &readable, nullptr, nullptr, &zero))) {
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WaitSelect)->Apply(WaitArguments);

void BM_WaitPoll(benchmark::State& state) {
  size_t idle = static_cast<size_t>(state.range(0));
  WaitSet set;
  if (!OpenWaitSet(state, idle, &set)) return;
  std::vector<pollfd> interest;
  interest.reserve(idle + 1);
  for (const UniqueFd& fd : set.idle) interest.push_back({fd.Get(), POLLIN, 0});
  interest.push_back({set.ready.read_end.Get(), POLLIN, 0});

  for (auto _ : state) {
    // The kernel rewrites only revents, so the array is reused as it is.
    if (!CheckOneReady(state, "poll", poll(interest.data(), interest.size(), 0))) break;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WaitPoll)->Apply(WaitArguments);

#if defined(C10K_HAVE_EPOLL)
void BM_WaitEpoll(benchmark::State& state) {
  size_t idle = static_cast<size_t>(state.range(0));
  WaitSet set;
  if (!OpenWaitSet(state, idle, &set)) return;
  UniqueFd epoll_fd(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_fd) {
    state.SkipWithError(("epoll_create1: " + ErrnoText(errno)).c_str());
    return;
  }
  std::vector<int> fds = DescriptorNumbers(set.idle);
  fds.push_back(set.ready.read_end.Get());
  for (int fd : fds) {
    epoll_event event{};
    event.events = EPOLLIN;  // level-triggered, so the ready one fires on every call
    event.data.fd = fd;
    if (epoll_ctl(epoll_fd.Get(), EPOLL_CTL_ADD, fd, &event) != 0) {
      state.SkipWithError(("epoll_ctl add: " + ErrnoText(errno)).c_str());
      return;
    }
  }
  epoll_event fired[kMaxEvents];

  for (auto _ : state) {
    if (!CheckOneReady(state, "epoll_wait", epoll_wait(epoll_fd.Get(), fired, kMaxEvents, 0))) {
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WaitEpoll)->Apply(WaitArguments);
#endif

#if defined(C10K_HAVE_KQUEUE)
// kqueue, like epoll, keeps the interest set in the kernel. Quirks that matter
// here: a kqueue descriptor is not inherited across fork; EVFILT_READ is level
// style unless EV_CLEAR is given, so the ready pipe fires on every call; and
// EV_SET's udata is a pointer on macOS and FreeBSD but an integer on older
// NetBSD, so it is given as a plain 0.
void BM_WaitKqueue(benchmark::State& state) {
  size_t idle = static_cast<size_t>(state.range(0));
  WaitSet set;
  if (!OpenWaitSet(state, idle, &set)) return;
  UniqueFd kqueue_fd(kqueue());
  if (!kqueue_fd) {
    state.SkipWithError(("kqueue: " + ErrnoText(errno)).c_str());
    return;
  }
  std::vector<int> fds = DescriptorNumbers(set.idle);
  fds.push_back(set.ready.read_end.Get());
  for (int fd : fds) {
    struct kevent change;
    EV_SET(&change, fd, EVFILT_READ, EV_ADD, 0, 0, 0);
    // Registered one at a time, so that a failure names its errno instead of
    // arriving as an EV_ERROR event in a list nobody reads.
    if (kevent(kqueue_fd.Get(), &change, 1, nullptr, 0, nullptr) != 0) {
      state.SkipWithError(("kevent add: " + ErrnoText(errno)).c_str());
      return;
    }
  }
  struct kevent fired[kMaxEvents];

  for (auto _ : state) {
    timespec zero{};
    if (!CheckOneReady(state, "kevent",
                       kevent(kqueue_fd.Get(), nullptr, 0, fired, kMaxEvents, &zero))) {
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WaitKqueue)->Apply(WaitArguments);
#endif

}  // namespace

}  // namespace c10k
