// Registration cost: what each model pays to tell the kernel what it is
// interested in. epoll pays once per change, with an epoll_ctl system call
// into a red-black tree (O(log registered)); select and poll pay nothing per
// change but rebuild or resend the whole interest set on every wait, which is
// the user-space half of their O(registered) cost (the kernel half is in
// wait_bench.cc).
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

namespace c10k {

namespace {

// Opens `count` idle descriptors, or skips the benchmark saying why.
bool OpenIdle(benchmark::State& state, size_t count, std::vector<UniqueFd>* fds) {
  std::string error;
  if (!FitsFileLimit(count, &error) ||
      (*fds = OpenIdleDescriptors(count, &error)).size() != count) {
    state.SkipWithError(error.c_str());
    return false;
  }
  return true;
}

#if defined(C10K_HAVE_EPOLL)
enum class EpollOp { kAdd, kModify, kDelete };

// Descriptors added, modified or deleted in turn on top of the registered
// ones; a pause to undo them every kSpare calls costs a few ns per call.
constexpr size_t kSpare = 1000;

bool Control(int epoll_fd, int op, int fd, uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.fd = fd;
  return epoll_ctl(epoll_fd, op, fd, &event) == 0;
}

// Registers or removes every spare descriptor, outside the timed region.
bool ControlAll(int epoll_fd, int op, const std::vector<int>& fds) {
  for (int fd : fds) {
    if (!Control(epoll_fd, op, fd, EPOLLIN)) return false;
  }
  return true;
}

// One epoll_ctl call per iteration, with `registered` idle descriptors
// already in the set, to show that a change costs the same however many
// connections the server holds.
void BM_EpollCtl(benchmark::State& state, EpollOp op) {
  size_t registered = static_cast<size_t>(state.range(0));
  std::vector<UniqueFd> base, spare;
  if (!OpenIdle(state, registered + kSpare, &base)) return;
  for (size_t i = 0; i < kSpare; ++i) {
    spare.push_back(std::move(base.back()));
    base.pop_back();
  }
  UniqueFd epoll_fd(epoll_create1(EPOLL_CLOEXEC));
  std::vector<int> spare_fds = DescriptorNumbers(spare);
  if (!epoll_fd || !ControlAll(epoll_fd.Get(), EPOLL_CTL_ADD, DescriptorNumbers(base)) ||
      (op != EpollOp::kAdd && !ControlAll(epoll_fd.Get(), EPOLL_CTL_ADD, spare_fds))) {
    state.SkipWithError(("cannot set up the epoll set: " + ErrnoText(errno)).c_str());
    return;
  }

  size_t next = 0;
  uint32_t modified_events = EPOLLIN;
  for (auto _ : state) {
    if (next == kSpare) {
      // Every spare descriptor has been added (or deleted): undo that
      // untimed, so the set never grows past registered + kSpare.
      state.PauseTiming();
      bool undone = op == EpollOp::kModify ||
                    ControlAll(epoll_fd.Get(), op == EpollOp::kAdd ? EPOLL_CTL_DEL : EPOLL_CTL_ADD,
                               spare_fds);
      state.ResumeTiming();
      if (!undone) {
        state.SkipWithError(("epoll_ctl undo: " + ErrnoText(errno)).c_str());
        break;
      }
      next = 0;
      // Modify alternates what it asks for on each pass; neither is ever
      // ready on an idle eventfd, so no call changes the ready list.
      modified_events ^= EPOLLRDHUP;
    }
    int fd = spare_fds[next++];
    bool ok = op == EpollOp::kAdd      ? Control(epoll_fd.Get(), EPOLL_CTL_ADD, fd, EPOLLIN)
              : op == EpollOp::kModify ? Control(epoll_fd.Get(), EPOLL_CTL_MOD, fd, modified_events)
                                       : Control(epoll_fd.Get(), EPOLL_CTL_DEL, fd, 0);
    if (!ok) {
      state.SkipWithError(("epoll_ctl: " + ErrnoText(errno)).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void EpollCtlArguments(benchmark::internal::Benchmark* benchmark) {
  benchmark->ArgsProduct({{16, 1000, 16384}})->ArgNames({"registered"})->UseRealTime();
}
BENCHMARK_CAPTURE(BM_EpollCtl, add, EpollOp::kAdd)->Apply(EpollCtlArguments);
BENCHMARK_CAPTURE(BM_EpollCtl, mod, EpollOp::kModify)->Apply(EpollCtlArguments);
BENCHMARK_CAPTURE(BM_EpollCtl, del, EpollOp::kDelete)->Apply(EpollCtlArguments);
#endif

// What a select loop does before every call: clear the set and add every
// connection it holds. FD_SET is range-checked in a fortified build, which is
// part of what this costs there.
void BM_SelectRebuild(benchmark::State& state) {
  size_t count = static_cast<size_t>(state.range(0));
  std::vector<UniqueFd> fds;
  if (!OpenIdle(state, count, &fds)) return;
  std::vector<int> numbers = DescriptorNumbers(fds);
  for (int fd : numbers) {
    if (fd >= FD_SETSIZE) {
      state.SkipWithError(
          ("descriptor " + std::to_string(fd) + " is not below FD_SETSIZE").c_str());
      return;
    }
  }
  fd_set set;
  for (auto _ : state) {
    FD_ZERO(&set);
    for (int fd : numbers) FD_SET(fd, &set);
    benchmark::DoNotOptimize(&set);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(count));
}
BENCHMARK(BM_SelectRebuild)->ArgsProduct({{16, 256, 1000}})->ArgNames({"descriptors"});

// What a poll loop does when it rebuilds its array from the connection list
// before every call (a loop that keeps the array between calls skips this,
// but the kernel still copies all of it in and out, see wait_bench.cc).
void BM_PollRebuild(benchmark::State& state) {
  size_t count = static_cast<size_t>(state.range(0));
  std::vector<UniqueFd> fds;
  if (!OpenIdle(state, count, &fds)) return;
  std::vector<int> numbers = DescriptorNumbers(fds);
  std::vector<pollfd> interest(count);
  for (auto _ : state) {
    for (size_t i = 0; i < count; ++i) interest[i] = {numbers[i], POLLIN, 0};
    benchmark::DoNotOptimize(interest.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(count));
}
BENCHMARK(BM_PollRebuild)->ArgsProduct({{16, 256, 1000, 4096, 16384}})->ArgNames({"descriptors"});

}  // namespace

}  // namespace c10k
