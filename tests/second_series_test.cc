// The per-second time series: built while the run goes on from every worker's
// current second, exact as if each second's samples had been merged at the
// end, and holding no histogram for a second every worker has passed.
#include "loadgen/second_series.h"

#include <gtest/gtest.h>

#include "common/clock.h"

namespace c10k {
namespace {

constexpr int64_t kMilli = kNanosPerMilli;

TEST(SecondSeriesTest, ASecondsP99IsOverEveryWorkersSamples) {
  SecondsCollector collector(2, 3);
  CurrentSecond fast(collector, 0);
  CurrentSecond slow(collector, 1);
  // Second 0: 97 fast replies at 1 ms, 3 slow ones at 50 ms. Neither worker
  // alone has the p99 of the two together (fast: 1 ms, slow: 50 ms with 3
  // samples; together the 99th of 100 samples is a slow one).
  for (int i = 0; i < 97; ++i) fast.Record(0, 1 * kMilli);
  for (int i = 0; i < 3; ++i) slow.Record(0, 50 * kMilli);
  // Second 1: only the fast worker completes anything, 10 at 2 ms.
  for (int i = 0; i < 10; ++i) fast.Record(1, 2 * kMilli);
  // Second 2: 99 at 3 ms and one at 80 ms: the p99 is 3 ms.
  for (int i = 0; i < 99; ++i) slow.Record(2, 3 * kMilli);
  fast.Record(2, 80 * kMilli);
  fast.Finish();
  slow.Finish();

  std::vector<SecondSummary> seconds = collector.Summaries();
  ASSERT_EQ(seconds.size(), 3u);
  EXPECT_EQ(seconds[0].requests, 100u);
  EXPECT_NEAR(seconds[0].p99_ns, 50 * kMilli, 50 * kMilli / 100);
  EXPECT_EQ(seconds[1].requests, 10u);
  EXPECT_NEAR(seconds[1].p99_ns, 2 * kMilli, 2 * kMilli / 100);
  EXPECT_EQ(seconds[2].requests, 100u);
  EXPECT_NEAR(seconds[2].p99_ns, 3 * kMilli, 3 * kMilli / 100);
}

TEST(SecondSeriesTest, ASecondClosesOnlyWhenEveryWorkerHasPassedIt) {
  SecondsCollector collector(2, 10);
  CurrentSecond first(collector, 0);
  CurrentSecond second(collector, 1);
  first.Record(0, kMilli);
  first.MoveTo(3);
  EXPECT_TRUE(collector.Summaries().empty());  // the second worker is still in second 0
  EXPECT_EQ(collector.OpenSeconds(), 1u);
  second.Record(0, kMilli);
  second.MoveTo(1);  // a timer tick: nothing completed, but second 0 is done
  std::vector<SecondSummary> seconds = collector.Summaries();
  ASSERT_EQ(seconds.size(), 1u);
  EXPECT_EQ(seconds[0].requests, 2u);
  EXPECT_EQ(collector.OpenSeconds(), 0u);
}

TEST(SecondSeriesTest, MemoryStaysFlatOverALongWindow) {
  // An hour's window, two workers a second apart: at most the seconds between
  // them are ever open, where a histogram per second per worker kept to the
  // end would be 7,200 of them (220 MiB).
  constexpr size_t kHour = 3'600;
  SecondsCollector collector(2, kHour);
  CurrentSecond ahead(collector, 0);
  CurrentSecond behind(collector, 1);
  size_t most_open = 0;
  for (size_t s = 0; s < kHour; ++s) {
    ahead.Record(s, kMilli);
    if (s > 0) behind.Record(s - 1, 2 * kMilli);
    most_open = std::max(most_open, collector.OpenSeconds());
  }
  ahead.Finish();
  behind.Finish();
  EXPECT_LE(most_open, 2u);
  EXPECT_EQ(collector.OpenSeconds(), 0u);
  std::vector<SecondSummary> seconds = collector.Summaries();
  ASSERT_EQ(seconds.size(), kHour);
  EXPECT_EQ(seconds[0].requests, 2u);
  EXPECT_EQ(seconds[kHour - 1].requests, 1u);  // `behind` never reached the last second
}

TEST(SecondSeriesTest, SamplesPastTheWindowCountInItsLastSecond) {
  SecondsCollector collector(1, 2);
  CurrentSecond only(collector, 0);
  only.Record(0, kMilli);
  only.Record(5, kMilli);  // a late timer: clamped to second 1
  only.Record(1, kMilli);
  only.Finish();
  only.Finish();  // a second Finish hands nothing over twice
  std::vector<SecondSummary> seconds = collector.Summaries();
  ASSERT_EQ(seconds.size(), 2u);
  EXPECT_EQ(seconds[0].requests, 1u);
  EXPECT_EQ(seconds[1].requests, 2u);
}

TEST(SecondSeriesTest, AnInterruptedRunLeavesTheSecondsNeverReachedEmpty) {
  SecondsCollector collector(1, 5);
  CurrentSecond only(collector, 0);
  only.Record(0, kMilli);
  only.Record(1, kMilli);
  only.Finish();
  std::vector<SecondSummary> seconds = collector.Summaries();
  ASSERT_EQ(seconds.size(), 5u);
  EXPECT_EQ(seconds[1].requests, 1u);
  EXPECT_EQ(seconds[2].requests, 0u);
  EXPECT_EQ(seconds[2].p99_ns, 0);
}

}  // namespace
}  // namespace c10k
