#pragma once

#include <atomic>
#include <cstdint>

namespace c10k {

// The few things the main thread and the workers share: when traffic starts
// (after every worker has finished connecting) and whether to stop. Workers
// read these a few times per loop iteration; no counter is shared.
struct RunClock {
  std::atomic<int> workers_connected{0};
  std::atomic<int64_t> traffic_start_ns{0};  // 0 until every worker has connected
  std::atomic<bool> stop{false};             // end now (interrupted or failed)
};

// What a worker publishes for the live progress line, at most every 100 ms.
struct WorkerProgress {
  std::atomic<uint64_t> established{0};
  std::atomic<uint64_t> requests{0};  // completed in the measured window
  std::atomic<int64_t> p99_ns{0};     // of the current second
};

}  // namespace c10k
