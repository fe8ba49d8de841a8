#include "common/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace c10k {
namespace {

// The exact percentile of sorted samples with the same rank rule as the
// histogram: the ceil(p/100 * n)-th smallest value.
int64_t ExactPercentile(const std::vector<int64_t>& sorted, double percentile) {
  size_t rank = static_cast<size_t>(std::ceil(percentile / 100.0 * sorted.size()));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

// Within the stated relative error: below 2^-precision_bits of the true value.
void ExpectWithinError(int64_t actual, int64_t expected, int precision_bits) {
  double tolerance = std::max(1.0, static_cast<double>(expected) / (1 << precision_bits));
  EXPECT_NEAR(static_cast<double>(actual), static_cast<double>(expected), tolerance)
      << "expected " << expected << " got " << actual;
}

std::vector<int64_t> LogUniformSamples(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  // 1 us .. 100 s, log-uniform: every decade gets samples.
  std::uniform_real_distribution<double> exponent(3.0, 11.0);
  std::vector<int64_t> samples(count);
  for (auto& sample : samples) sample = static_cast<int64_t>(std::pow(10.0, exponent(rng)));
  return samples;
}

TEST(HistogramTest, EmptyHistogramReportsZero) {
  Histogram histogram;
  EXPECT_EQ(histogram.Count(), 0u);
  EXPECT_EQ(histogram.Percentile(50), 0);
  EXPECT_EQ(histogram.Max(), 0);
  EXPECT_EQ(histogram.Mean(), 0.0);
}

TEST(HistogramTest, PercentilesMatchSortedSamplesWithinRelativeError) {
  auto samples = LogUniformSamples(200'000, 42);
  Histogram histogram;
  for (int64_t sample : samples) histogram.Record(sample);
  std::sort(samples.begin(), samples.end());
  for (double percentile : {0.0, 0.001, 1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    SCOPED_TRACE(percentile);
    ExpectWithinError(histogram.Percentile(percentile), ExactPercentile(samples, percentile), 10);
  }
  EXPECT_EQ(histogram.Count(), samples.size());
  EXPECT_EQ(histogram.Max(), samples.back());
  EXPECT_EQ(histogram.Min(), samples.front());
}

TEST(HistogramTest, ExtremesAreExactAndOverflowIsClamped) {
  Histogram histogram;
  histogram.Record(1'000);                        // 1 us, the low end
  histogram.Record(Histogram::kMaxTrackableNanos);  // 100 s, the high end
  EXPECT_EQ(histogram.Percentile(0), 1'000);
  EXPECT_EQ(histogram.Percentile(100), Histogram::kMaxTrackableNanos);
  histogram.Record(500 * Histogram::kMaxTrackableNanos);
  EXPECT_EQ(histogram.Overflow(), 1u);
  EXPECT_EQ(histogram.Max(), Histogram::kMaxTrackableNanos);
  // Values below 2048 ns are counted exactly.
  Histogram small;
  for (int64_t v = 0; v < 2048; ++v) small.Record(v);
  EXPECT_EQ(small.Percentile(50), 1023);
}

TEST(HistogramTest, MeanIsExact) {
  Histogram histogram;
  histogram.Record(1'000);
  histogram.Record(2'000);
  histogram.Record(6'000);
  EXPECT_DOUBLE_EQ(histogram.Mean(), 3'000.0);
}

TEST(HistogramTest, MergeOfSeveralEqualsOneHistogramOfAllSamples) {
  auto samples = LogUniformSamples(90'000, 7);
  Histogram whole;
  std::vector<Histogram> parts(3);
  for (size_t i = 0; i < samples.size(); ++i) {
    whole.Record(samples[i]);
    parts[i % 3].Record(samples[i]);
  }
  Histogram merged;
  for (const auto& part : parts) merged.Merge(part);
  EXPECT_EQ(merged.Count(), whole.Count());
  EXPECT_EQ(merged.Max(), whole.Max());
  EXPECT_DOUBLE_EQ(merged.Mean(), whole.Mean());
  for (double percentile : {50.0, 90.0, 99.0, 99.9}) {
    EXPECT_EQ(merged.Percentile(percentile), whole.Percentile(percentile)) << percentile;
  }
  std::sort(samples.begin(), samples.end());
  ExpectWithinError(merged.Percentile(99), ExactPercentile(samples, 99), 10);
}

TEST(HistogramTest, MergingCoarserPrecisionKeepsItsError) {
  auto samples = LogUniformSamples(50'000, 9);
  Histogram coarse(7);
  for (int64_t sample : samples) coarse.Record(sample);
  Histogram fine;
  fine.Merge(coarse);
  std::sort(samples.begin(), samples.end());
  ExpectWithinError(fine.Percentile(99), ExactPercentile(samples, 99), 6);
}

TEST(HistogramTest, NonEmptyBucketsRoundTrip) {
  auto samples = LogUniformSamples(10'000, 3);
  Histogram original;
  for (int64_t sample : samples) original.Record(sample);
  Histogram rebuilt;
  for (auto [value, count] : original.NonEmptyBuckets()) rebuilt.RecordMany(value, count);
  EXPECT_EQ(rebuilt.Count(), original.Count());
  EXPECT_EQ(rebuilt.NonEmptyBuckets(), original.NonEmptyBuckets());
  for (double percentile : {50.0, 99.0, 99.9}) {
    EXPECT_EQ(rebuilt.Percentile(percentile), original.Percentile(percentile));
  }
}

}  // namespace
}  // namespace c10k
