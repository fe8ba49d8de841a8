// Per-message costs on this machine, the floors under every model's
// throughput: moving one small message through the kernel (TCP on loopback
// against an AF_UNIX socketpair, to show what the IP stack adds), and one
// thread handing control to another (what the threads model pays per request
// when connections outnumber cores).
#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_support.h"
#include "common/io_status.h"
#include "common/loopback.h"

#if defined(__linux__)
#include <sys/eventfd.h>
#endif

namespace c10k {

namespace {

// One send of `size` bytes on one end and one recv of them on the other, in
// one thread: on loopback the bytes are queued at the receiver before send
// returns, so this times the two system calls and the copy, with no wakeup.
void BM_SendRecv(benchmark::State& state, Transport transport) {
  size_t size = static_cast<size_t>(state.range(0));
  MessagePair pair;
  if (!OpenMessagePair(state, transport, size, &pair)) return;
  for (auto _ : state) {
    ssize_t sent = send(pair.sender.Get(), pair.message.data(), size, MSG_NOSIGNAL);
    ssize_t got = sent == static_cast<ssize_t>(size)
                      ? recv(pair.receiver.Get(), pair.received.data(), size, MSG_WAITALL)
                      : -1;
    if (got != static_cast<ssize_t>(size)) {
      state.SkipWithError(("send+recv: " + ErrnoText(errno)).c_str());
      break;
    }
  }
  SetMessagesProcessed(state, size);
}
BENCHMARK_CAPTURE(BM_SendRecv, tcp, Transport::kTcp)->Apply(MessageSizeArguments);
BENCHMARK_CAPTURE(BM_SendRecv, socketpair, Transport::kSocketpair)->Apply(MessageSizeArguments);

// A blocking wake-up channel between two threads: an eventfd on Linux, a
// pipe elsewhere.
class Channel {
 public:
  bool Open(std::string* error) {
#if defined(__linux__)
    read_end_.Reset(eventfd(0, EFD_CLOEXEC));
    if (!read_end_) *error = "cannot open an eventfd: " + ErrnoText(errno);
    return read_end_.Valid();
#else
    int ends[2];
    if (pipe(ends) != 0) {
      *error = "cannot open a pipe: " + ErrnoText(errno);
      return false;
    }
    read_end_.Reset(ends[0]);
    write_end_.Reset(ends[1]);
    return true;
#endif
  }
  bool Signal() {
    uint64_t one = 1;
    return write(WriteFd(), &one, sizeof one) == static_cast<ssize_t>(sizeof one);
  }
  // Blocks until signalled once.
  bool Wait() {
    uint64_t value = 0;
    return read(read_end_.Get(), &value, sizeof value) == static_cast<ssize_t>(sizeof value);
  }

 private:
  int WriteFd() const { return write_end_ ? write_end_.Get() : read_end_.Get(); }

  UniqueFd read_end_;
  UniqueFd write_end_;
};

enum class Placement { kSameCpu, kTwoCpus };

// Restores the calling thread's CPU affinity when the benchmark ends, so that
// pinning for one benchmark does not follow the thread into the next.
class AffinityGuard {
 public:
  AffinityGuard() { saved_ = pthread_getaffinity_np(pthread_self(), sizeof set_, &set_) == 0; }
  ~AffinityGuard() {
    if (saved_) pthread_setaffinity_np(pthread_self(), sizeof set_, &set_);
  }
  AffinityGuard(const AffinityGuard&) = delete;
  AffinityGuard& operator=(const AffinityGuard&) = delete;

  // The allowed CPUs in order, so pinning picks CPUs this process may use.
  std::vector<int> AllowedCpus() const {
    std::vector<int> cpus;
    for (int cpu = 0; saved_ && cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set_)) cpus.push_back(cpu);
    }
    return cpus;
  }

 private:
  cpu_set_t set_{};
  bool saved_ = false;
};

// Two threads ping-ponging over two channels. Each iteration is one round
// trip: pinned to one CPU that is two context switches (the waker blocks, the
// woken thread runs); on two CPUs it is two cross-CPU wake-ups instead, which
// is what threads on an idle multi-core machine actually see.
void BM_ContextSwitch(benchmark::State& state, Placement placement) {
  AffinityGuard affinity;
  std::vector<int> cpus = affinity.AllowedCpus();
  size_t needed = placement == Placement::kSameCpu ? 1 : 2;
  if (cpus.size() < needed) {
    state.SkipWithError(("needs " + std::to_string(needed) + " CPUs, this thread may use " +
                         std::to_string(cpus.size()))
                            .c_str());
    return;
  }
  int main_cpu = cpus[0];
  int partner_cpu = placement == Placement::kSameCpu ? cpus[0] : cpus[1];
  Channel ping, pong;
  std::string error;
  if (!ping.Open(&error) || !pong.Open(&error) || !PinThisThread(main_cpu)) {
    state.SkipWithError(error.empty() ? "cannot pin the benchmark thread" : error.c_str());
    return;
  }

  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::thread partner([&] {
    bool ok = PinThisThread(partner_cpu);
    while (ok && ping.Wait() && !stop.load(std::memory_order_acquire)) ok = pong.Signal();
    if (!stop.load(std::memory_order_acquire)) {
      // Whatever went wrong, wake the benchmark thread so it can stop.
      failed.store(true, std::memory_order_release);
      pong.Signal();
    }
  });

  for (auto _ : state) {
    if (!ping.Signal() || !pong.Wait() || failed.load(std::memory_order_acquire)) {
      state.SkipWithError("the ping-pong partner failed (pinning or eventfd I/O)");
      break;
    }
  }
  stop.store(true, std::memory_order_release);
  ping.Signal();
  partner.join();
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK_CAPTURE(BM_ContextSwitch, same_cpu, Placement::kSameCpu)->UseRealTime();
BENCHMARK_CAPTURE(BM_ContextSwitch, two_cpus, Placement::kTwoCpus)->UseRealTime();

}  // namespace

}  // namespace c10k
