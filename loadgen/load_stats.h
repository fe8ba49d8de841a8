#pragma once

#include <cstdint>
#include <vector>

#include "common/histogram.h"

namespace c10k {

// Failures by kind, the categories of the results schema.
struct ErrorCounts {
  uint64_t refused = 0;           // connect refused (nothing listening, backlog full)
  uint64_t reset = 0;             // ECONNRESET, EPIPE
  uint64_t timeout = 0;           // connect or request timed out
  uint64_t protocol = 0;          // a reply that could not be parsed
  uint64_t closed_by_server = 0;  // the server closed an open connection
  uint64_t other = 0;             // any other socket error

  void Add(const ErrorCounts& other);
  uint64_t Total() const;
};

// One second of the measured window.
struct IntervalStats {
  uint64_t requests = 0;
  Histogram latency{7};  // 2 significant digits is plenty for a time series
};

// What one worker thread measured; merged after the run. Nothing here is
// shared between threads while the run is on.
struct WorkerStats {
  uint64_t requests = 0;         // completed in the measured window
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t mismatches = 0;
  uint64_t established = 0;
  uint64_t failed = 0;           // connections that never opened
  ErrorCounts errors;
  Histogram latency;             // corrected (from intended send time)
  Histogram latency_uncorrected; // from actual send time
  Histogram connect_latency;
  std::vector<IntervalStats> timeseries;

  // Clears what the warmup measured; connection counts are kept.
  void ResetWindow();
  void Merge(const WorkerStats& other);
};

}  // namespace c10k
