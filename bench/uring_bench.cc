// io_uring through liburing: the cost of the ring itself (a no-op, alone and
// in batches, to show how one io_uring_enter is shared by many operations)
// and of a send and recv of one small message through it, to set beside the
// same pair as plain system calls in loopback_bench.cc.
//
// Compiled only where CMake found liburing. The kernel may still refuse a
// ring (io_uring disabled by sysctl or a seccomp filter); then every
// benchmark here skips, saying so.
#include <benchmark/benchmark.h>
#include <liburing.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "bench/bench_support.h"
#include "common/io_status.h"

namespace c10k {

namespace {

constexpr unsigned kRingEntries = 64;

// One ring, torn down with the benchmark.
class Ring {
 public:
  Ring() : status_(io_uring_queue_init(kRingEntries, &ring_, 0)) {}
  ~Ring() {
    if (status_ == 0) io_uring_queue_exit(&ring_);
  }
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // Skips the benchmark, saying why, when the kernel refused the ring.
  bool Check(benchmark::State& state) {
    if (status_ == 0) return true;
    state.SkipWithError(("io_uring_queue_init: " + ErrnoText(-status_)).c_str());
    return false;
  }

  io_uring* Get() { return &ring_; }

  // Submits what was queued, waits for `count` completions and marks them
  // seen; false when any of them failed or `expected` does not match a result
  // (expected < 0: any non-negative result will do).
  bool SubmitAndReap(unsigned count, int expected) {
    if (io_uring_submit_and_wait(&ring_, count) != static_cast<int>(count)) return false;
    io_uring_cqe* completions[kRingEntries];
    unsigned reaped = io_uring_peek_batch_cqe(&ring_, completions, count);
    bool ok = reaped == count;
    for (unsigned i = 0; i < reaped; ++i) {
      int result = completions[i]->res;
      if (result < 0 || (expected >= 0 && result != expected)) ok = false;
    }
    io_uring_cq_advance(&ring_, reaped);
    return ok;
  }

 private:
  io_uring ring_{};
  int status_;
};

// `batch` no-ops per io_uring_enter: the fixed cost of one trip into the
// kernel shared by every operation in the batch.
void BM_UringNop(benchmark::State& state) {
  unsigned batch = static_cast<unsigned>(state.range(0));
  Ring ring;
  if (!ring.Check(state)) return;
  for (auto _ : state) {
    for (unsigned i = 0; i < batch; ++i) io_uring_prep_nop(io_uring_get_sqe(ring.Get()));
    if (!ring.SubmitAndReap(batch, -1)) {
      state.SkipWithError("an io_uring no-op failed or did not complete");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_UringNop)->ArgsProduct({{1, 32}})->ArgNames({"batch"})->UseRealTime();

// A send on one end linked to a recv on the other, submitted together: one
// io_uring_enter where loopback_bench.cc makes two system calls.
void BM_UringSendRecv(benchmark::State& state, Transport transport) {
  size_t size = static_cast<size_t>(state.range(0));
  Ring ring;
  if (!ring.Check(state)) return;
  MessagePair pair;
  if (!OpenMessagePair(state, transport, size, &pair)) return;
  for (auto _ : state) {
    io_uring_sqe* send = io_uring_get_sqe(ring.Get());
    io_uring_prep_send(send, pair.sender.Get(), pair.message.data(), size, MSG_NOSIGNAL);
    // Linked, so the recv starts only after the send completed and finds
    // the bytes there instead of arming a poll.
    send->flags |= IOSQE_IO_LINK;
    io_uring_prep_recv(io_uring_get_sqe(ring.Get()), pair.receiver.Get(), pair.received.data(),
                       size, MSG_WAITALL);
    if (!ring.SubmitAndReap(2, static_cast<int>(size))) {
      state.SkipWithError("an io_uring send or recv failed or was short");
      break;
    }
  }
  SetMessagesProcessed(state, size);
}
BENCHMARK_CAPTURE(BM_UringSendRecv, tcp, Transport::kTcp)->Apply(MessageSizeArguments);
BENCHMARK_CAPTURE(BM_UringSendRecv, socketpair, Transport::kSocketpair)
    ->Apply(MessageSizeArguments);

}  // namespace

}  // namespace c10k
