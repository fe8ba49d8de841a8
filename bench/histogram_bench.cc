// The latency histogram's costs: Record sits on the load generator's hot path
// once per reply, so it must stay a few nanoseconds; Percentile is a scan of
// every bucket, paid a few times per report, never per request.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "common/histogram.h"

namespace c10k {

namespace {

// A power of two, so the walk wraps with a mask; 32 KiB of samples stays in
// L1 next to the histogram's hot buckets.
constexpr size_t kSamples = 4096;

// Latencies spread log-uniformly from 10 us to 100 ms: every power of two in
// the range gets samples, so Record takes every path and Percentile scans a
// realistically populated table rather than one hot bucket.
std::vector<int64_t> LatencySamples(size_t count) {
  std::mt19937_64 random(42);
  std::uniform_real_distribution<double> exponent(std::log(10e3), std::log(100e6));
  std::vector<int64_t> samples(count);
  for (int64_t& sample : samples) sample = static_cast<int64_t>(std::exp(exponent(random)));
  return samples;
}

void BM_HistogramRecord(benchmark::State& state) {
  Histogram histogram(static_cast<int>(state.range(0)));
  std::vector<int64_t> samples = LatencySamples(kSamples);
  size_t next = 0;
  for (auto _ : state) {
    histogram.Record(samples[next]);
    next = (next + 1) & (kSamples - 1);
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(histogram.Count());
  state.SetItemsProcessed(state.iterations());
}
// 7 bits is the per-second time series' histogram, 10 the run's.
BENCHMARK(BM_HistogramRecord)->ArgsProduct({{7, 10}})->ArgNames({"bits"});

void BM_HistogramPercentile(benchmark::State& state) {
  Histogram histogram(static_cast<int>(state.range(0)));
  for (int64_t sample : LatencySamples(1 << 20)) histogram.Record(sample);
  // The argument is in tenths of a percent, so p99.9 is 999.
  double percentile = static_cast<double>(state.range(1)) / 10.0;
  for (auto _ : state) benchmark::DoNotOptimize(histogram.Percentile(percentile));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramPercentile)
    ->ArgsProduct({{7, 10}, {500, 990, 999}})
    ->ArgNames({"bits", "permille"});

// What merging the load generator's per-thread histograms costs, once per
// thread per report.
void BM_HistogramMerge(benchmark::State& state) {
  Histogram from(static_cast<int>(state.range(0)));
  for (int64_t sample : LatencySamples(1 << 16)) from.Record(sample);
  Histogram into(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    into.Merge(from);
    benchmark::DoNotOptimize(into.Count());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramMerge)->ArgsProduct({{7, 10}})->ArgNames({"bits"});

}  // namespace

}  // namespace c10k
