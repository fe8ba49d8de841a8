#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "common/histogram.h"

namespace c10k {

// 2 significant digits is plenty for a time series (about 31 KiB a histogram).
inline constexpr int kTimeSeriesPrecisionBits = 7;

// One second of the measured window over every worker: the requests (line:
// deliveries) completed in it, and their p99 latency.
struct SecondSummary {
  uint64_t requests = 0;
  int64_t p99_ns = 0;
};

// Builds the per-second series while the run goes on, so that its memory does
// not grow with the window: a latency histogram per second per worker, kept
// to the end, would cost 31 KiB a second each (2.6 GiB per thread for a day).
// Instead each worker records into one histogram, for the second it is in
// (CurrentSecond), and hands it over here when it moves on. The collector
// merges the workers' histograms of a second and, once every worker has moved
// past it, keeps only its summary. Workers call in about once a second each,
// under one mutex: nothing on the per-request path is shared.
class SecondsCollector {
 public:
  SecondsCollector(int workers, size_t seconds);

  size_t Seconds() const { return seconds_; }

  // Worker `worker` has moved on to second `next`: `latency` holds its
  // samples of second `second` (< next; it may be empty).
  void HandOver(int worker, size_t second, const Histogram& latency, size_t next);

  // One summary per second of the window; complete once every worker has
  // handed over its last second (CurrentSecond::Finish).
  std::vector<SecondSummary> Summaries() const;

  // Merged histograms held now, for seconds some worker has not yet passed.
  size_t OpenSeconds() const;

  // The most the series holds at once: a histogram per worker for the second
  // it is in, about as many merged for seconds not yet passed by every worker
  // (workers hand over within 20 ms of each other), and a summary per second.
  static double MemoryBytes(int workers, double seconds);

 private:
  void CloseSecondsBefore(size_t limit);  // with mutex_ held

  mutable std::mutex mutex_;
  size_t seconds_;
  std::vector<size_t> next_;           // per worker: the second it is in
  std::map<size_t, Histogram> open_;   // merged so far, for seconds not yet closed
  std::vector<SecondSummary> closed_;  // seconds 0 .. closed_.size() - 1
};

// One worker's side of the series: the histogram of the second it is in.
class CurrentSecond {
 public:
  CurrentSecond(SecondsCollector& collector, int worker);

  // A sample completed in `second` of the window (clamped to its last). A
  // worker's clock only moves forward, so an earlier second than the current
  // one cannot come; it would be counted in the current one.
  void Record(size_t second, int64_t nanos) {
    if (second > second_) MoveTo(second);
    latency_.Record(nanos);
  }

  // Hands the current second over if `second` is later. Workers call it from
  // their timers too, so that a second in which they completed nothing
  // closes without waiting for their next reply.
  void MoveTo(size_t second);

  // The worker is done: hands over what it still holds. Idempotent.
  void Finish();

  const Histogram& Latency() const { return latency_; }

 private:
  SecondsCollector& collector_;
  int worker_;
  size_t second_ = 0;
  bool finished_ = false;
  Histogram latency_{kTimeSeriesPrecisionBits};
};

}  // namespace c10k
