// Small parts of the load generator on their own: --source-addrs parsing, the
// open loop's timer heap, the limit checks and the verdict.
#include <gtest/gtest.h>
#include <sys/eventfd.h>

#include <cerrno>

#include "common/clock.h"
#include "common/fd.h"
#include "loadgen/load_generator.h"
#include "loadgen/load_report.h"
#include "loadgen/precise_epoll.h"
#include "loadgen/send_schedule.h"
#include "loadgen/source_addrs.h"

namespace c10k {
namespace {

std::vector<std::string> Texts(const std::vector<SocketAddress>& addresses) {
  std::vector<std::string> texts;
  for (const auto& address : addresses) texts.push_back(address.ToString());
  return texts;
}

TEST(SourceAddrsTest, RangesAndLists) {
  std::string error;
  auto range = ParseSourceAddrs("127.0.0.1-127.0.0.3", &error);
  ASSERT_TRUE(range) << error;
  EXPECT_EQ(Texts(*range), (std::vector<std::string>{"127.0.0.1:0", "127.0.0.2:0", "127.0.0.3:0"}));
  auto mixed = ParseSourceAddrs("127.0.0.9,127.0.1.255-127.0.2.0", &error);
  ASSERT_TRUE(mixed) << error;
  EXPECT_EQ(Texts(*mixed),
            (std::vector<std::string>{"127.0.0.9:0", "127.0.1.255:0", "127.0.2.0:0"}));
  auto v6 = ParseSourceAddrs("::1", &error);
  ASSERT_TRUE(v6) << error;
  EXPECT_EQ(v6->front().Family(), AF_INET6);
}

TEST(SourceAddrsTest, RejectsWhatIsNotAnAddressList) {
  std::string error;
  for (const char* bad : {"", "127.0.0.3-127.0.0.1", "localhostt", "127.0.0.1,::1", "::1-::2",
                          "127.0.0.0-127.255.255.255", "127.0.0.1,", "127.0.0.1,127.0.0.1",
                          "127.0.0.1-127.0.0.3,127.0.0.2"}) {
    EXPECT_FALSE(ParseSourceAddrs(bad, &error)) << bad;
    EXPECT_NE(error.find("--source-addrs"), std::string::npos) << error;
  }
  ParseSourceAddrs("127.0.0.1-127.0.0.3,127.0.0.2", &error);
  EXPECT_EQ(error, "--source-addrs: 127.0.0.2 is listed twice");
}

TEST(SourceAddrsTest, AnAddressThatIsNotThisMachinesIsNamed) {
  std::string error;
  // All of 127.0.0.0/8 is local on Linux; 192.0.2.0/24 is documentation-only.
  auto local = ParseSourceAddrs("127.0.0.2-127.0.0.4", &error);
  ASSERT_TRUE(local) << error;
  EXPECT_EQ(CheckSourceAddrsAreLocal(*local), "");
  auto foreign = ParseSourceAddrs("127.0.0.2,192.0.2.7,192.0.2.8", &error);
  ASSERT_TRUE(foreign) << error;
  EXPECT_EQ(CheckSourceAddrsAreLocal(*foreign),
            "--source-addrs: 192.0.2.7 is not an address of this machine");
}

TEST(SendScheduleTest, PopsInTimeOrderOnlyWhenDue) {
  SendSchedule schedule;
  schedule.Reserve(4);
  schedule.Push(300, 3);
  schedule.Push(100, 1);
  schedule.Push(200, 2);
  EXPECT_EQ(schedule.NextDue(), 100);
  uint32_t connection = 0;
  EXPECT_FALSE(schedule.PopDue(99, &connection));
  ASSERT_TRUE(schedule.PopDue(250, &connection));
  EXPECT_EQ(connection, 1u);
  ASSERT_TRUE(schedule.PopDue(250, &connection));
  EXPECT_EQ(connection, 2u);
  EXPECT_FALSE(schedule.PopDue(250, &connection));
  EXPECT_EQ(schedule.NextDue(), 300);
}

TEST(LoadLimitsTest, TooManyConnectionsNameTheLimit) {
  LoadConfig config;
  config.connections = 10;
  EXPECT_EQ(CheckLoadLimits(config), "");
  config.connections = 5'000'000;
  std::string reason = CheckLoadLimits(config);
  EXPECT_NE(reason.find("RLIMIT_NOFILE"), std::string::npos) << reason;
}

TEST(LoadLimitsTest, AWindowLargerThanMemoryNamesTheProductAndWhatIsAvailable) {
  constexpr uint64_t kGiB = 1ull << 30;
  LoadConfig config;
  config.connections = 100;
  config.depth = 4096;
  config.message_size = 64 << 20;
  // 100 x 4096 x 64 MiB = 25 TiB of requests, buffered up to twice.
  EXPECT_EQ(CheckLoadMemory(config, 16 * kGiB),
            "100 active connections x 4096 requests in flight x 67108864 B can hold 50.0 TiB in "
            "the load generator's buffers, more than the 16.0 GiB of memory available "
            "(MemAvailable); use fewer connections, a smaller depth or a smaller message size");
  EXPECT_EQ(CheckLoadMemory(config, 0), "") << "unknown memory refuses nothing";
  config.active = 1;
  config.depth = 60;  // 1 x 60 x 64 MiB = 3.75 GiB, twice 7.5 GiB
  EXPECT_EQ(CheckLoadMemory(config, 8 * kGiB), "");
  EXPECT_NE(CheckLoadMemory(config, 7 * kGiB), "");
  // The size sets no payload for http, nor for resp's PING; it does for SET.
  config.protocol = Protocol::kHttp;
  EXPECT_EQ(CheckLoadMemory(config, kGiB), "");
  config.protocol = Protocol::kResp;
  EXPECT_EQ(CheckLoadMemory(config, kGiB), "");
  config.keys = 10;
  EXPECT_NE(CheckLoadMemory(config, kGiB), "");
}

TEST(LoadLimitsTest, AWindowTooLongForItsTimeSeriesNamesTheDuration) {
  constexpr uint64_t kGiB = 1ull << 30;
  LoadConfig config;
  config.threads = 2;
  // A day: 16 B a second and a few histograms. (A histogram per second per
  // thread, kept to the end, would be 7.9 GiB.)
  config.duration_ns = 86'400 * kNanosPerSecond;
  EXPECT_EQ(CheckLoadMemory(config, 1 * kGiB), "");
  config.duration_ns = int64_t{1'000'000} * 3600 * kNanosPerSecond;  // 1,000,000 h
  std::string reason = CheckLoadMemory(config, 16 * kGiB);
  EXPECT_EQ(reason,
            "a 3600000000 s window keeps a 16 B summary of every second: 53.6 GiB, more than the "
            "16.0 GiB of memory available (MemAvailable); use a shorter duration");
}

TEST(LoadLimitsTest, MoreConnectionsThanPortsNameTheRange) {
  PortRange ports{32768, 60999};
  EXPECT_EQ(CheckPortLimit(28232, 0, ports), "");
  std::string reason = CheckPortLimit(28233, 0, ports);
  EXPECT_NE(reason.find("ip_local_port_range 32768-60999 gives 28232 per source address x 1"),
            std::string::npos)
      << reason;
  EXPECT_NE(reason.find("--source-addrs"), std::string::npos);
  EXPECT_EQ(CheckPortLimit(100000, 4, ports), "");
  EXPECT_NE(CheckPortLimit(200000, 4, ports), "");
}

// A run in which every one of `connections` opened and 10 requests completed:
// clean unless a test adds a problem.
struct CleanRun {
  explicit CleanRun(int connections) {
    config.connections = connections;
    result.stats.established = static_cast<uint64_t>(connections);
    result.stats.requests = 10;
  }
  LoadConfig config;
  LoadResult result;
};

TEST(JudgeLoadTest, AnInterruptedConnectPhaseIsNotBlamedOnTheServer) {
  CleanRun run(100);
  auto& [config, result] = run;
  result.stats.established = 40;
  result.stats.requests = 0;
  result.interrupted = true;
  EXPECT_EQ(JudgeLoad(config, result).reason,
            "interrupted while connecting, 40 of 100 connections established");
  // Connects that did fail are named instead, interrupted or not.
  result.stats.errors.refused = 3;
  EXPECT_EQ(JudgeLoad(config, result).reason, "40 of 100 connections established (3 refused)");
  result.stats.errors.refused = 0;
  result.interrupted = false;
  EXPECT_EQ(JudgeLoad(config, result).reason, "40 of 100 connections established");
}

TEST(JudgeLoadTest, MissingLineDeliveriesAreAnError) {
  CleanRun run(2);
  auto& [config, result] = run;
  result.stats.expected_deliveries = 12;
  result.stats.delivered = 10;
  LoadVerdict verdict = JudgeLoad(config, result);
  EXPECT_EQ(verdict.status, "error");
  EXPECT_NE(verdict.reason.find("2 of 12 line deliveries missing"), std::string::npos)
      << verdict.reason;
  result.stats.delivered = 12;
  EXPECT_EQ(JudgeLoad(config, result).status, "ok");
}

TEST(JudgeLoadTest, ErrorRepliesAreAnErrorThatQuotesTheFirst) {
  CleanRun run(1);
  auto& [config, result] = run;
  result.stats.error_replies = 4;
  result.stats.first_error_reply = "-OOM command not allowed";
  LoadVerdict verdict = JudgeLoad(config, result);
  EXPECT_EQ(verdict.status, "error");
  EXPECT_EQ(verdict.reason,
            "4 error replies from the server, the first \"-OOM command not allowed\"");
  // Merged from several workers, the counts add and the first kept is the first seen.
  WorkerStats other;
  other.error_replies = 1;
  other.first_error_reply = "-ERR later";
  result.stats.Merge(other);
  EXPECT_EQ(result.stats.error_replies, 5u);
  EXPECT_EQ(result.stats.first_error_reply, "-OOM command not allowed");
}

TEST(JudgeLoadTest, TheAcceptQueueIsNamedOnlyWhenNoConnectionWasReopened) {
  CleanRun run(2);
  auto& [config, result] = run;
  result.stats.errors.closed_by_server = 1;
  result.unaccepted_at_end = 1;
  EXPECT_EQ(JudgeLoad(config, result).reason,
            "1 connections closed by the server; 1 connections were never accepted (still in the "
            "server's accept queue at the end)");
  result.stats.reconnects = 40;
  EXPECT_EQ(JudgeLoad(config, result).reason, "1 connections closed by the server");
}

// The summary's "reconnected N times: WHY" line.
std::string ReconnectLine(const LoadConfig& config, const LoadResult& result) {
  std::string summary = LoadSummaryText(config, result, JudgeLoad(config, result));
  size_t start = summary.find("  reconnected ");
  if (start == std::string::npos) return "";
  return summary.substr(start, summary.find('\n', start) - start);
}

TEST(LoadSummaryTest, ReconnectsSayWhoClosedTheConnections) {
  CleanRun run(4);
  auto& [config, result] = run;
  config.protocol = Protocol::kHttp;
  EXPECT_EQ(ReconnectLine(config, result), "");
  result.stats.reconnects = 12;
  EXPECT_EQ(ReconnectLine(config, result),
            "  reconnected 12 times: the server closes connections after a reply that says "
            "\"Connection: close\" (nginx: keepalive_requests)");
  config.requests_per_connection = 1;
  result.stats.reconnects_by_client = 12;
  EXPECT_EQ(ReconnectLine(config, result),
            "  reconnected 12 times: each connection is closed and opened again once it has "
            "carried 1 request (--requests-per-connection)");
  // Both: the server's HTTP/1.0 closes come before the generator's count.
  config.requests_per_connection = 3;
  result.stats.reconnects = 20;
  result.stats.reconnects_after_http10 = 8;
  EXPECT_EQ(ReconnectLine(config, result),
            "  reconnected 20 times: 12 because each connection is closed and opened again once "
            "it has carried 3 requests (--requests-per-connection); 8 because the server answers "
            "in HTTP/1.0, which closes after each reply unless it says \"Connection: keep-alive\"");
}

TEST(JudgeLoadTest, ProtocolErrorsQuoteTheFirst) {
  CleanRun run(1);
  auto& [config, result] = run;
  result.stats.errors.protocol = 3;
  EXPECT_EQ(JudgeLoad(config, result).reason, "3 protocol errors");
  result.stats.first_protocol_error = "not resp: \"HTTP/1.1 400\"";
  EXPECT_EQ(JudgeLoad(config, result).reason,
            "3 protocol errors, the first not resp: \"HTTP/1.1 400\"");
}

// Both ways of waiting: epoll_pwait2, and the timerfd kept for older kernels.
class PreciseEpollTest : public ::testing::TestWithParam<bool> {};

TEST_P(PreciseEpollTest, WakesAtTheDeadlineOrForAnEvent) {
  PreciseEpoll epoll(GetParam());
  ASSERT_TRUE(epoll.Open());
  epoll_event events[4];
  for (int64_t wait_ns : {2 * kNanosPerMilli, 300 * kNanosPerMicro}) {
    int64_t start = MonotonicNanos();
    EXPECT_EQ(epoll.Wait(events, 4, start + wait_ns, start), 0);
    EXPECT_GE(MonotonicNanos() - start, wait_ns);
  }
  int64_t now = MonotonicNanos();
  EXPECT_EQ(epoll.Wait(events, 4, now - kNanosPerSecond, now), 0);  // a deadline in the past
  UniqueFd ready(eventfd(1, EFD_CLOEXEC));
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u32 = 7;
  ASSERT_EQ(epoll_ctl(epoll.Fd(), EPOLL_CTL_ADD, ready.Get(), &event), 0);
  now = MonotonicNanos();
  ASSERT_EQ(epoll.Wait(events, 4, now + 10 * kNanosPerSecond, now), 1);
  EXPECT_EQ(events[0].data.u32, 7u);
}

INSTANTIATE_TEST_SUITE_P(Waits, PreciseEpollTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Pwait2" : "Timerfd";
                         });

TEST(LocalPortsTest, ARangeOutsideTheSystemsIsRefusedNamingIt) {
  // The kernel narrows IP_LOCAL_PORT_RANGE to net.ipv4.ip_local_port_range,
  // and ignores a range outside it: the run used 32768-60999 and recorded
  // "1000-1004".
  PortRange system{32768, 60999};
  EXPECT_EQ(CheckLocalPortsInRange({40000, 40999}, system), "");
  EXPECT_EQ(CheckLocalPortsInRange(system, system), "");
  EXPECT_EQ(CheckLocalPortsInRange({1000, 1004}, system),
            "--local-ports 1000-1004 is not inside net.ipv4.ip_local_port_range 32768-60999, the "
            "only ports the kernel draws from (it would ignore the rest of the flag's range "
            "without an error); give a range inside it");
  EXPECT_NE(CheckLocalPortsInRange({32000, 33000}, system), "") << "partly below";
  EXPECT_NE(CheckLocalPortsInRange({60000, 61000}, system), "") << "partly above";
}

TEST(JudgeLoadTest, ErrorsOfNoNamedKindQuoteTheFirstErrno) {
  // "N failed otherwise" alone left ENOPROTOOPT (--local-ports before Linux
  // 6.3) to be guessed.
  CleanRun run(10);
  auto& [config, result] = run;
  result.stats.established = 8;
  WorkerStats first, second;
  first.errors.Count(ENOPROTOOPT);
  second.errors.Count(EACCES);
  result.stats.Merge(first);
  result.stats.Merge(second);
  EXPECT_EQ(JudgeLoad(config, result).reason,
            "8 of 10 connections established (2 failed otherwise, the first ENOPROTOOPT "
            "(Protocol not available))");
  // Once every connection opened, they are errors of the run.
  result.stats.established = 10;
  EXPECT_EQ(JudgeLoad(config, result).reason,
            "2 socket errors, the first ENOPROTOOPT (Protocol not available)");
}

TEST(LoadLimitsTest, LinesBufferNoDepth) {
  // --depth does not apply to line (its messages are not answered), yet it
  // multiplied line's buffers: a large one refused a run for a flag that did
  // nothing.
  constexpr uint64_t kGiB = 1ull << 30;
  LoadConfig config;
  config.protocol = Protocol::kLine;
  config.connections = 100;
  config.depth = 4096;
  config.message_size = 64 << 20;
  // 100 x 64 MiB, buffered up to twice: 12.5 GiB.
  EXPECT_EQ(CheckLoadMemory(config, 16 * kGiB), "");
  EXPECT_EQ(CheckLoadMemory(config, 8 * kGiB),
            "100 active connections x 67108864 B can hold 12.5 GiB in the load generator's "
            "buffers, more than the 8.0 GiB of memory available (MemAvailable); use fewer "
            "connections or a smaller message size");
}

TEST(LoadConfigTest, AWindowPastWhatInt64HoldsNeverEndsInsteadOfWrapping) {
  // --warmup and --duration may each be up to 2500000h (9e18 ns): their sum
  // overflowed, signed, into a window that ended before it began.
  LoadConfig config;
  config.warmup_ns = *ParseDuration("2500000h");
  config.duration_ns = *ParseDuration("2500000h");
  int64_t start = MonotonicNanos();
  EXPECT_EQ(config.MeasureStartNs(start), start + config.warmup_ns);
  EXPECT_EQ(config.MeasureEndNs(start), INT64_MAX);
  config.warmup_ns = 2 * kNanosPerSecond;
  config.duration_ns = 10 * kNanosPerSecond;
  EXPECT_EQ(config.MeasureStartNs(start), start + 2 * kNanosPerSecond);
  EXPECT_EQ(config.MeasureEndNs(start), start + 12 * kNanosPerSecond);
}

}  // namespace
}  // namespace c10k
