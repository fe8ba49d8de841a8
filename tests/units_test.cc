#include <gtest/gtest.h>

#include "common/byte_size.h"
#include "common/clock.h"
#include "common/net.h"

namespace c10k {
namespace {

TEST(DurationTest, ParsesEveryUnit) {
  EXPECT_EQ(ParseDuration("500ms"), 500 * kNanosPerMilli);
  EXPECT_EQ(ParseDuration("10s"), 10 * kNanosPerSecond);
  EXPECT_EQ(ParseDuration("10"), 10 * kNanosPerSecond);
  EXPECT_EQ(ParseDuration("2m"), 120 * kNanosPerSecond);
  EXPECT_EQ(ParseDuration("1.5s"), 1'500 * kNanosPerMilli);
  EXPECT_EQ(ParseDuration("250us"), 250 * kNanosPerMicro);
  EXPECT_EQ(ParseDuration("1h"), 3600 * kNanosPerSecond);
}

TEST(DurationTest, RejectsMalformedText) {
  for (const char* bad : {"", "s", "10 s", "-1s", "10x", "ten", "1e3s", "1..2s", "99999999999999h"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

TEST(DurationTest, FormatsForMessages) {
  EXPECT_EQ(FormatDuration(2 * kNanosPerSecond), "2s");
  EXPECT_EQ(FormatDuration(1'500 * kNanosPerMilli), "1.5s");
  EXPECT_EQ(FormatDuration(250 * kNanosPerMilli), "250ms");
}

TEST(ByteSizeTest, ParsesBinaryUnits) {
  EXPECT_EQ(ParseByteSize("4096"), 4096u);
  EXPECT_EQ(ParseByteSize("64KiB"), 65536u);
  EXPECT_EQ(ParseByteSize("1M"), 1048576u);
  EXPECT_EQ(ParseByteSize("2GiB"), 2147483648u);
  for (const char* bad : {"", "MiB", "1.5M", "-1", "1 MiB", "1TiB"}) {
    EXPECT_FALSE(ParseByteSize(bad).has_value()) << bad;
  }
  EXPECT_EQ(FormatBytes(1 << 20), "1 MiB");
  EXPECT_EQ(FormatBytes(1500), "1500 B");
  EXPECT_EQ(FormatBytesRounded(541'000'000), "515.9 MiB");
  EXPECT_EQ(FormatBytesRounded(1023), "1023.0 B");
  EXPECT_EQ(FormatBytesRounded(50.0 * (1ull << 40)), "50.0 TiB");
  EXPECT_EQ(FormatBytesRounded(3.0 * (1ull << 50)), "3072.0 TiB");
}

TEST(AddressTest, ParsesHostPortForms) {
  auto v4 = ParseHostPort("127.0.0.1:8080");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->Port(), 8080);
  EXPECT_EQ(v4->ToString(), "127.0.0.1:8080");
  auto v6 = ParseHostPort("[::1]:9000");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->Family(), AF_INET6);
  EXPECT_EQ(v6->ToString(), "[::1]:9000");
  EXPECT_TRUE(ParseHostPort("localhost:80"));
  for (const char* bad : {"127.0.0.1", ":80", "127.0.0.1:", "127.0.0.1:70000", "::1:80",
                          "example.com:80", "127.0.0.1:8x"}) {
    EXPECT_FALSE(ParseHostPort(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace c10k
