#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace c10k {

// A log-linear latency histogram in the style of HdrHistogram: values (in
// nanoseconds) below 2^(precision_bits+1) are counted exactly; above that, each
// power-of-two range is split into 2^precision_bits equal buckets, so the
// relative error of any recorded value is below 2^-precision_bits.
//
// The default (10 bits) keeps 3 significant digits (error < 0.098%) from 1 us
// to 100 s in 28,672 counters (224 KiB). The per-second time series uses
// 7 bits (2 significant digits, < 0.8%) to stay small.
//
// Values above 100 s are clamped to 100 s and counted as overflow. Record is a
// few shifts and one increment: it is on the load generator's hot path.
class Histogram {
 public:
  static constexpr int64_t kMaxTrackableNanos = 100'000'000'000;  // 100 s
  static constexpr int kDefaultPrecisionBits = 10;

  explicit Histogram(int precision_bits = kDefaultPrecisionBits);

  void Record(int64_t nanos) {
    if (nanos < 0) nanos = 0;
    if (nanos > kMaxTrackableNanos) {
      nanos = kMaxTrackableNanos;
      ++overflow_;
    }
    ++counts_[IndexOf(static_cast<uint64_t>(nanos))];
    ++total_;
    sum_ += static_cast<uint64_t>(nanos);
    if (nanos > max_) max_ = nanos;
    if (nanos < min_) min_ = nanos;
  }

  // Adds every sample of `other`. Histograms of different precision merge
  // bucket by bucket through each bucket's representative value.
  void Merge(const Histogram& other);

  // Adds `count` samples of value `nanos` (used to rebuild from sparse form).
  void RecordMany(int64_t nanos, uint64_t count);

  void Reset();

  // The value at or below which `percentile` (0..100) of samples fall, as the
  // highest value equivalent to that bucket, clamped to the exact max.
  // 0 when empty.
  int64_t Percentile(double percentile) const;

  uint64_t Count() const { return total_; }
  uint64_t Overflow() const { return overflow_; }
  int64_t Max() const { return total_ ? max_ : 0; }
  int64_t Min() const { return total_ ? min_ : 0; }
  double Mean() const { return total_ ? static_cast<double>(sum_) / total_ : 0.0; }
  int PrecisionBits() const { return precision_bits_; }
  // The counters' memory, which depends on the precision alone.
  size_t MemoryBytes() const { return counts_.size() * sizeof(uint64_t); }

  // Non-empty buckets as (highest equivalent value in ns, count), ascending.
  // Feeding these back through RecordMany reproduces the same buckets.
  std::vector<std::pair<int64_t, uint64_t>> NonEmptyBuckets() const;

 private:
  size_t IndexOf(uint64_t value) const {
    // Values below 2^(precision_bits+1) have their own bucket. Above, the shift
    // keeps the top precision_bits+1 bits of the value.
    int shift = std::bit_width(value) - linear_bits_;
    if (shift <= 0) return static_cast<size_t>(value);
    return linear_limit_ + static_cast<size_t>(shift - 1) * half_ +
           static_cast<size_t>((value >> shift) - half_);
  }
  int64_t LowestEquivalent(size_t index) const;
  int64_t HighestEquivalent(size_t index) const;

  int precision_bits_;
  int linear_bits_;      // precision_bits + 1
  uint64_t half_;        // 2^precision_bits: buckets per power of two
  uint64_t linear_limit_;  // 2^(precision_bits+1): values counted exactly below this
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  uint64_t overflow_ = 0;
  uint64_t sum_ = 0;
  int64_t max_ = 0;
  int64_t min_ = INT64_MAX;
};

}  // namespace c10k
