#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdint>

#include "common/fd.h"

namespace c10k {

// The few things the main thread and the workers share: when traffic starts
// (after every worker has finished connecting) and whether to stop. Workers
// read these once per loop iteration; no counter is shared but the one
// --requests needs.
struct RunClock {
  std::atomic<int> workers_connected{0};
  std::atomic<int64_t> traffic_start_ns{0};  // 0 until every worker has connected
  std::atomic<bool> stop{false};             // end now (interrupted or failed)
  // An eventfd the main thread signals when traffic starts or the run stops,
  // so workers blocked in epoll wake at once instead of at their next tick
  // (an open-loop schedule that starts late would be measured as latency).
  UniqueFd wake;

  // Signals `wake`: traffic starts, or the run stops.
  void WakeWorkers() const {
    if (!wake) return;
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = write(wake.Get(), &one, sizeof one);
  }
  // Every worker ends its run at once, whatever phase it is in.
  void StopWorkers() {
    stop.store(true);
    WakeWorkers();
  }

  // Line: once a worker's window closes it adds the messages its senders sent
  // for the window and counts itself done; when all are done, every worker
  // knows how many deliveries to wait for.
  std::atomic<uint64_t> window_messages{0};
  std::atomic<int> senders_done{0};

  // --requests: the replies every worker has counted in the window, on a
  // cache line of its own (it changes with each reply; `stop` above is read
  // on every loop iteration), and when the last one that counts came (0: not
  // yet), which ends every worker's window.
  alignas(64) std::atomic<uint64_t> window_requests{0};
  std::atomic<int64_t> requests_done_ns{0};
};

// What a worker publishes for the live progress line, at most every 20 ms; a
// cache line of its own, so that workers publishing never contend.
struct alignas(64) WorkerProgress {
  std::atomic<uint64_t> established{0};
  std::atomic<uint64_t> requests{0};  // completed since traffic began (warm-up too)
  std::atomic<int64_t> p99_ns{0};     // of the current second
};

}  // namespace c10k
