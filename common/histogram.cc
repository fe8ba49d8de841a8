#include "common/histogram.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace c10k {

Histogram::Histogram(int precision_bits)
    : precision_bits_(precision_bits),
      linear_bits_(precision_bits + 1),
      half_(uint64_t{1} << precision_bits),
      linear_limit_(uint64_t{1} << (precision_bits + 1)) {
  if (precision_bits < 1 || precision_bits > 16) {
    throw std::invalid_argument("histogram precision must be 1..16 bits");
  }
  counts_.assign(IndexOf(static_cast<uint64_t>(kMaxTrackableNanos)) + 1, 0);
}

int64_t Histogram::LowestEquivalent(size_t index) const {
  if (index < linear_limit_) return static_cast<int64_t>(index);
  size_t above = index - linear_limit_;
  int shift = static_cast<int>(above / half_) + 1;
  uint64_t sub = half_ + above % half_;
  return static_cast<int64_t>(sub << shift);
}

int64_t Histogram::HighestEquivalent(size_t index) const {
  if (index < linear_limit_) return static_cast<int64_t>(index);
  size_t above = index - linear_limit_;
  int shift = static_cast<int>(above / half_) + 1;
  return LowestEquivalent(index) + static_cast<int64_t>((uint64_t{1} << shift) - 1);
}

void Histogram::RecordMany(int64_t nanos, uint64_t count) {
  if (count == 0) return;
  if (nanos < 0) nanos = 0;
  if (nanos > kMaxTrackableNanos) {
    nanos = kMaxTrackableNanos;
    overflow_ += count;
  }
  counts_[IndexOf(static_cast<uint64_t>(nanos))] += count;
  total_ += count;
  sum_ += static_cast<uint64_t>(nanos) * count;
  max_ = std::max(max_, nanos);
  min_ = std::min(min_, nanos);
}

void Histogram::Merge(const Histogram& other) {
  if (other.total_ == 0) return;
  if (other.precision_bits_ == precision_bits_) {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  } else {
    for (size_t i = 0; i < other.counts_.size(); ++i) {
      if (other.counts_[i]) counts_[IndexOf(other.LowestEquivalent(i))] += other.counts_[i];
    }
  }
  total_ += other.total_;
  overflow_ += other.overflow_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
}

void Histogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = overflow_ = sum_ = 0;
  max_ = 0;
  min_ = INT64_MAX;
}

int64_t Histogram::Percentile(double percentile) const {
  if (total_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  // The rank of the sample we want, 1-based: p0 is the first sample.
  uint64_t rank = static_cast<uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(total_)));
  rank = std::clamp<uint64_t>(rank, 1, total_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return std::clamp(HighestEquivalent(i), min_, max_);
    }
  }
  return max_;
}

std::vector<std::pair<int64_t, uint64_t>> Histogram::NonEmptyBuckets() const {
  std::vector<std::pair<int64_t, uint64_t>> buckets;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i]) buckets.emplace_back(HighestEquivalent(i), counts_[i]);
  }
  return buckets;
}

}  // namespace c10k
