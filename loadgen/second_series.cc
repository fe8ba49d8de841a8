#include "loadgen/second_series.h"

#include <algorithm>

namespace c10k {

SecondsCollector::SecondsCollector(int workers, size_t seconds)
    : seconds_(std::max<size_t>(seconds, 1)), next_(static_cast<size_t>(std::max(workers, 1)), 0) {}

void SecondsCollector::HandOver(int worker, size_t second, const Histogram& latency, size_t next) {
  std::lock_guard lock(mutex_);
  if (latency.Count() > 0) {
    open_.try_emplace(second, kTimeSeriesPrecisionBits).first->second.Merge(latency);
  }
  size_t& mine = next_[static_cast<size_t>(worker)];
  mine = std::max(mine, next);
  CloseSecondsBefore(std::min(*std::min_element(next_.begin(), next_.end()), seconds_));
}

void SecondsCollector::CloseSecondsBefore(size_t limit) {
  while (closed_.size() < limit) {
    SecondSummary summary;
    auto merged = open_.find(closed_.size());
    if (merged != open_.end()) {
      summary.requests = merged->second.Count();
      summary.p99_ns = merged->second.Percentile(99);
      open_.erase(merged);
    }
    closed_.push_back(summary);
  }
}

std::vector<SecondSummary> SecondsCollector::Summaries() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

size_t SecondsCollector::OpenSeconds() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

double SecondsCollector::MemoryBytes(int workers, double seconds) {
  static const double kHistogram =
      static_cast<double>(Histogram(kTimeSeriesPrecisionBits).MemoryBytes());
  return 2.0 * std::max(workers, 1) * kHistogram + seconds * sizeof(SecondSummary);
}

CurrentSecond::CurrentSecond(SecondsCollector& collector, int worker)
    : collector_(collector), worker_(worker) {}

void CurrentSecond::MoveTo(size_t second) {
  second = std::min(second, collector_.Seconds() - 1);
  if (second <= second_ || finished_) return;
  collector_.HandOver(worker_, second_, latency_, second);
  latency_.Reset();
  second_ = second;
}

void CurrentSecond::Finish() {
  if (finished_) return;
  finished_ = true;
  collector_.HandOver(worker_, second_, latency_, collector_.Seconds());
  latency_.Reset();
}

}  // namespace c10k
