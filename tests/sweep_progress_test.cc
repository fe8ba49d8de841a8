// What a sweep tells the person watching it: the time left, and each point's
// numbers as it ends.
#include <gtest/gtest.h>

#include "common/clock.h"
#include "runner/sweep.h"

namespace c10k {
namespace {

constexpr int64_t kSecond = kNanosPerSecond;

TEST(SweepProgressTest, BeforeAnyPointTheNominalPaceIsAllThereIs) {
  EXPECT_EQ(SweepTimeLeft({}, 50, 2 * kSecond), 100 * kSecond);
}

TEST(SweepProgressTest, ABlockingServersTimeoutsDoNotInflateTheRest) {
  // The quick C10K curve begins with blocking: 1.5 s points, then two that
  // wait out connect timeouts. The other 45 points take about 1.6 s each,
  // so about 72 s are left; the mean pace (4.5 s) would say 3m22s.
  std::vector<int64_t> taken = {3 * kSecond / 2, 8 * kSecond / 5, 8 * kSecond / 5, 6 * kSecond,
                                13 * kSecond};
  EXPECT_EQ(SweepTimeLeft(taken, 45, 2 * kSecond), 45 * 8 * kSecond / 5);
}

TEST(SweepProgressTest, NothingLeftIsNoTime) {
  EXPECT_EQ(SweepTimeLeft({kSecond}, 0, kSecond), 0);
  EXPECT_EQ(SweepTimeLeft({kSecond}, -1, kSecond), 0);
}

nlohmann::json PointRun(const char* protocol, int active) {
  return {{"protocol", protocol},
          {"params", {{"connections", 1000}, {"active", active}}},
          {"throughput", {{"requests_per_s", 999000.4}}},
          {"latency_us", {{"p99", 8126.2}}},
          {"cpu", {{"server_cpu_pct", 97.4}}}};
}

TEST(SweepProgressTest, APointsLineSaysWhatItMeasured) {
  EXPECT_EQ(PointNumbers(PointRun("echo", 1000)), "999000 req/s, p99 8126 us, server CPU 97%");
  // A line is delivered to every other connection: deliveries, not requests.
  EXPECT_EQ(PointNumbers(PointRun("line", 10)), "999000 deliveries/s, p99 8126 us, server CPU 97%");
  // An idle point has no requests to count, only the CPU the server burns.
  EXPECT_EQ(PointNumbers(PointRun("echo", 0)), "all idle, server CPU 97%");
  nlohmann::json unsampled = PointRun("echo", 1000);
  unsampled.erase("cpu");
  EXPECT_EQ(PointNumbers(unsampled), "999000 req/s, p99 8126 us");
}

TEST(SweepProgressTest, APointWithNoRepliesHasNoP99) {
  // A model past its ceiling can complete nothing: its p99 is null, not 0.
  nlohmann::json nothing = PointRun("echo", 1000);
  nothing["throughput"]["requests_per_s"] = 0.0;
  nothing["latency_us"]["p99"] = nullptr;
  EXPECT_EQ(PointNumbers(nothing), "0 req/s, server CPU 97%");
}

}  // namespace
}  // namespace c10k
