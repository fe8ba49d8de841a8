// The time a sweep's progress line says is left.
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

}  // namespace
}  // namespace c10k
