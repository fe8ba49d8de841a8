#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/byte_size.h"
#include "common/clock.h"
#include "common/net.h"
#include "common/proc_sample.h"
#include "common/quotable.h"
#include "servers/server_counters.h"

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

TEST(QuotableTest, KeepsTheLineAndTheTerminalIntact) {
  EXPECT_EQ(Quotable("HTTP/1.1 400\r\nX", 48), "HTTP/1.1 400\\r\\nX");
  EXPECT_EQ(Quotable(std::string_view("a\0b\x1b[2J\x7f\xff", 9), 48), "a\\x00b\\x1b[2J\\x7f\\xff");
  // Each byte of a UTF-8 character, and a backslash that is not an escape.
  EXPECT_EQ(Quotable("caf\xc3\xa9 C:\\x", 48), "caf\\xc3\\xa9 C:\\\\x");
  EXPECT_EQ(Quotable("abcdef", 3), "abc...");
  EXPECT_EQ(Quotable("abc", 3), "abc");
}

TEST(ServerCountersTest, TheSummaryNamesTheFirstProtocolError) {
  ServerCounters counters;
  counters.accepted = counters.closed = 3;
  EXPECT_EQ(counters.Summary(), "c10k serve: stopped: 3 accepted, 3 closed");
  ServerCounters thread;  // as the reuseport model merges its loops' counters
  thread.CountProtocolError("malformed HTTP request");
  thread.CountProtocolError("request head too large");
  counters.Add(thread);
  counters.CountProtocolError(kNoMessageBoundary);
  EXPECT_EQ(counters.Summary(),
            "c10k serve: stopped: 3 accepted, 3 closed, 3 closed for protocol errors (the first: "
            "malformed HTTP request)");
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

TEST(AddressTest, LocalhostIsTheLoopbackAddressThatAccepts) {
  EXPECT_TRUE(IsLocalhost("localhost:80"));
  EXPECT_FALSE(IsLocalhost("127.0.0.1:80"));
  EXPECT_FALSE(IsLocalhost("localhost.example:80"));
  for (const char* host : {"127.0.0.1", "::1"}) {
    std::string error;
    UniqueFd listener = ListenTcp(*ParseAddress(host, 0), false, false, &error);
    ASSERT_TRUE(listener) << error;
    auto bound = LocalAddress(listener.Get());
    ASSERT_TRUE(bound);
    // Whichever of the two listens, localhost finds it.
    EXPECT_EQ(LocalhostThatAccepts(bound->Port(), AF_UNSPEC).ToString(), bound->ToString());
    listener.Reset();
    // Nothing listens: 127.0.0.1 (or, asked for IPv6, ::1), to be refused.
    EXPECT_EQ(LocalhostThatAccepts(bound->Port(), AF_UNSPEC).HostText(), "127.0.0.1");
    EXPECT_EQ(LocalhostThatAccepts(bound->Port(), AF_INET6).HostText(), "::1");
  }
}

ProcSample Sample(double user_s, double sys_s, int64_t cpu_ns) {
  ProcSample sample;
  sample.user_s = user_s;
  sample.sys_s = sys_s;
  sample.cpu_ns = cpu_ns;
  sample.threads = cpu_ns >= 0 ? 1 : 4;
  return sample;
}

TEST(ProcSampleTest, ThePreciseTotalIsSplitAsTheTicksSplitIt) {
  // Ticks say 0.25 s user + 0.75 s system; schedstat says 0.98 s in all.
  CpuSeconds used = CpuBetween(Sample(1.0, 2.0, 5'000'000'000), Sample(1.25, 2.75, 5'980'000'000));
  EXPECT_DOUBLE_EQ(used.Total(), 0.98);
  EXPECT_DOUBLE_EQ(used.user_s, 0.245);
  // No tick fell in the window: all of it is counted as system time.
  used = CpuBetween(Sample(1.0, 2.0, 5'000'000'000), Sample(1.0, 2.0, 5'004'000'000));
  EXPECT_DOUBLE_EQ(used.user_s, 0);
  EXPECT_DOUBLE_EQ(used.sys_s, 0.004);
  // A multi-threaded process has ticks only.
  used = CpuBetween(Sample(1.0, 2.0, -1), Sample(1.25, 2.75, -1));
  EXPECT_DOUBLE_EQ(used.Total(), 1.0);
  used = CpuBetween(Sample(1.0, 2.0, 5'000'000'000), Sample(1.25, 2.75, -1));
  EXPECT_DOUBLE_EQ(used.Total(), 1.0);
}

TEST(ProcSampleTest, ASingleThreadedProcessIsTimedToTheNanosecond) {
  // A child (one thread: fork copies only the caller) that burns 50 ms of
  // its own CPU time, then waits to be killed.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    timespec used{};
    do {
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &used);
    } while (used.tv_sec == 0 && used.tv_nsec < 50'000'000);
    pause();
    _exit(0);
  }
  auto before = SampleProcess(child);
  ASSERT_TRUE(before);
  std::optional<ProcSample> after;
  do {
    usleep(10'000);
    after = SampleProcess(child);
    ASSERT_TRUE(after);
  } while (after->cpu_ns < 50'000'000 && MonotonicNanos() - before->at_ns < 10 * kNanosPerSecond);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(before->threads, 1);
  EXPECT_GE(before->cpu_ns, 0);
  EXPECT_GE(after->cpu_ns, 50'000'000);
  EXPECT_NEAR(CpuBetween(*before, *after).Total(),
              static_cast<double>(after->cpu_ns - before->cpu_ns) / kNanosPerSecond, 1e-9);
}

}  // namespace
}  // namespace c10k
