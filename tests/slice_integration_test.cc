// The first end-to-end slice: `c10k serve --model epoll --protocol echo` as a
// child process on port 0, driven by `c10k load`, checked through the JSON.
#include <gtest/gtest.h>
#include <signal.h>

#include "common/clock.h"
#include "common/result_json.h"
#include "tests/test_support.h"

namespace c10k {
namespace {

using testing::ReadFile;
using testing::RunC10k;
using testing::SchemaComplaint;
using testing::StartServer;
using testing::TempDir;

TEST(SliceIntegrationTest, LoadAgainstEpollEchoFillsTheDocument) {
  auto server = StartServer("epoll", "echo");
  ASSERT_TRUE(server);
  std::string json = TempDir() + "/load.json";
  auto load = RunC10k({"load", "--target", server->address_text, "--connections", "100",
                       "--duration", "2s", "--warmup", "500ms", "--server-pid",
                       std::to_string(server->process.Pid()), "--json", json, "--label", "epoll"});
  EXPECT_TRUE(load.status.Clean()) << load.status.Describe() << "\n" << load.out;

  nlohmann::json document = ReadJsonFile(json);
  EXPECT_EQ(document["schema_version"], kSchemaVersion);
  EXPECT_EQ(document["interrupted"], false);
  ASSERT_EQ(document["runs"].size(), 1u);
  const auto& run = document["runs"][0];
  EXPECT_EQ(run["model"], "epoll");
  EXPECT_EQ(run["protocol"], "echo");
  EXPECT_EQ(run["status"], "ok") << run["reason"];
  EXPECT_EQ(run["connections"]["requested"], 100);
  EXPECT_EQ(run["connections"]["established"], 100);
  EXPECT_EQ(run["verify"]["mismatches"], 0);
  EXPECT_GT(run["throughput"]["requests"].get<uint64_t>(), 0u);
  EXPECT_GT(run["throughput"]["requests_per_s"].get<double>(), 0.0);
  // Latency is measured: ordered percentiles, a histogram holding every request.
  const auto& latency = run["latency_us"];
  EXPECT_GT(latency["p50"].get<double>(), 0.0);
  EXPECT_LE(latency["p50"].get<double>(), latency["p99"].get<double>());
  EXPECT_LE(latency["p99"].get<double>(), latency["max"].get<double>());
  uint64_t in_histogram = 0;
  for (const auto& bucket : run["latency_histogram"]) in_histogram += bucket[1].get<uint64_t>();
  EXPECT_EQ(in_histogram, run["throughput"]["requests"].get<uint64_t>());
  // The server was sampled from /proc; it did real work.
  EXPECT_GT(run["cpu"]["server_cpu_pct"].get<double>(), 0.0);
  EXPECT_GT(run["cpu"]["server_rss_kib"].get<long>(), 0);
  EXPECT_EQ(run["cpu"]["server_threads"], 1);
  EXPECT_GE(run["timeseries"].size(), 2u);
  // The kernel's side: one request and one reply are a segment each at
  // least (other tests running beside this one only add segments).
  ASSERT_TRUE(run.contains("tcp"));
  EXPECT_EQ(run["tcp"]["scope"], "host");
  EXPECT_GE(run["tcp"]["segments_per_request"].get<double>(), 1.5);
  for (const char* key : {"refused", "reset", "timeout", "protocol"}) {
    EXPECT_EQ(run["errors"][key], 0) << key;
  }

  ExitStatus stopped = server->process.Stop(SIGTERM, 10 * kNanosPerSecond);
  EXPECT_TRUE(stopped.Clean()) << stopped.Describe();
}

TEST(SliceIntegrationTest, InterruptedServerStopsCleanlyOnSigint) {
  auto server = StartServer("epoll", "echo");
  ASSERT_TRUE(server);
  ExitStatus stopped = server->process.Stop(SIGINT, 10 * kNanosPerSecond);
  EXPECT_TRUE(stopped.Clean()) << stopped.Describe();
}

TEST(SliceIntegrationTest, ConnectionsLeftWithoutRepliesAreReported) {
  // The blocking model serves one connection until it closes: the other nine
  // wait the whole window, which must not pass for a clean run.
  auto server = StartServer("blocking", "echo");
  ASSERT_TRUE(server);
  std::string json = TempDir() + "/starved.json";
  auto load = RunC10k({"load", "--target", server->address_text, "-c", "10", "-d", "1s",
                       "--warmup", "200ms", "--json", json});
  EXPECT_EQ(load.status.code, 1) << load.out;
  auto run = ReadJsonFile(json)["runs"][0];
  EXPECT_EQ(run["status"], "error");
  EXPECT_EQ(run["connections"]["starved"], 9);
  EXPECT_NE(run["reason"].get<std::string>().find("9 of 10 active connections got no reply"),
            std::string::npos)
      << run["reason"];
  // The nine were never even accepted: the reason tells that from a server
  // that took them and served others instead.
  EXPECT_EQ(run["connections"]["unaccepted_at_end"], 9);
  EXPECT_NE(run["reason"].get<std::string>().find(
                "; 9 connections were never accepted (still in the server's accept queue at the "
                "end)"),
            std::string::npos)
      << run["reason"];
  EXPECT_TRUE(server->process.Stop(SIGTERM, 10 * kNanosPerSecond).Clean());
}

TEST(SliceIntegrationTest, AnOpenLoopTooSlowToReachEveryConnectionIsNotStarvation) {
  // 4 requests/s over 10 connections: each sends every 2.5 s, so in a 1 s
  // window most send nothing. Idle by schedule is not starved by the server.
  auto server = StartServer("epoll", "echo");
  ASSERT_TRUE(server);
  std::string json = TempDir() + "/sparse.json";
  auto load = RunC10k({"load", "--target", server->address_text, "-c", "10", "--rate", "4", "-d",
                       "1s", "--warmup", "0s", "--json", json});
  EXPECT_EQ(load.status.code, 0) << load.out;
  auto run = ReadJsonFile(json)["runs"][0];
  EXPECT_EQ(run["status"], "ok") << run["reason"];
  EXPECT_EQ(run["connections"]["starved"], 0);
  EXPECT_GT(run["throughput"]["requests"].get<uint64_t>(), 0u);
  EXPECT_LT(run["throughput"]["requests"].get<uint64_t>(), 10u);
  EXPECT_TRUE(server->process.Stop(SIGTERM, 10 * kNanosPerSecond).Clean());
}

TEST(SliceIntegrationTest, RefusedTargetIsAnErrorWithExitOne) {
  // Bind a port, then free it: nothing listens there now.
  auto server = StartServer("epoll", "echo");
  ASSERT_TRUE(server);
  std::string target = server->address_text;
  server->process.Stop(SIGTERM, 10 * kNanosPerSecond);
  std::string json = TempDir() + "/refused.json";
  auto load = RunC10k({"load", "--target", target, "-c", "5", "-d", "1s", "--warmup", "0s",
                       "--json", json});
  EXPECT_EQ(load.status.code, 1) << load.status.Describe();
  auto run = ReadJsonFile(json)["runs"][0];
  EXPECT_EQ(run["status"], "error");
  EXPECT_EQ(run["errors"]["refused"], 5);
  EXPECT_NE(run["reason"].get<std::string>().find("0 of 5 connections established"),
            std::string::npos)
      << run["reason"];
  // Nothing connected or completed, so no latency was measured: null, not 0.
  for (const char* percentile : {"p50", "p90", "p99", "p999", "max", "mean"}) {
    EXPECT_TRUE(run["latency_us"][percentile].is_null()) << run["latency_us"];
  }
  EXPECT_TRUE(run["connections"]["connect_p99_us"].is_null()) << run["connections"];
  // Nothing connected, so no second was measured (a measured second with no
  // reply is null too: StoppedServerYieldsTimeoutsAndTheRunEndsOnTime).
  EXPECT_TRUE(run["timeseries"].empty()) << run["timeseries"];
  EXPECT_NE(load.out.find("no connection established"), std::string::npos) << load.out;
  EXPECT_NE(load.out.find("latency us: none: no request completed"), std::string::npos) << load.out;
  EXPECT_EQ(load.out.find("p50 0.0"), std::string::npos) << load.out;
  EXPECT_EQ(SchemaComplaint(json), "");
}

// Bad input: one clear line on stderr, exit 2, no JSON written.
struct BadInput {
  std::string name;
  std::vector<std::string> args;
  std::string expected_in_message;
  friend void PrintTo(const BadInput& input, std::ostream* out) { *out << input.name; }
};

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, OneLineAndExitTwo) {
  std::string dir = TempDir();
  std::string err = dir + "/stderr";
  std::vector<std::string> args = GetParam().args;
  for (auto& arg : args) {
    if (arg == "JSON") arg = dir + "/out.json";
  }
  auto result = RunC10k(args, 30, err);
  EXPECT_TRUE(result.status.exited);
  EXPECT_EQ(result.status.code, 2) << result.status.Describe();
  std::string message = ReadFile(err);
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << message;
  EXPECT_NE(message.find(GetParam().expected_in_message), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(dir + "/out.json"));
}

INSTANTIATE_TEST_SUITE_P(
    Cli, BadInputTest,
    ::testing::Values(
        BadInput{"UnknownModel", {"serve", "--model", "nosuch"}, "unknown model \"nosuch\""},
        BadInput{"UnknownProtocol",
                 {"serve", "--model", "epoll", "--protocol", "smtp"},
                 "unknown protocol \"smtp\""},
        BadInput{"UnknownFlag", {"serve", "--model", "epoll", "--bogus"}, "--bogus"},
        BadInput{
            "BadMaxFrame", {"serve", "--model", "epoll", "--max-frame", "lots"}, "--max-frame"},
        // Near 2^64, a server's buffer arithmetic on it wrapped.
        BadInput{"MaxFrameAboveOneGiB",
                 {"serve", "--model", "epoll", "--max-frame", "18446744073709551615"},
                 "--max-frame must be from 1 byte to 1 GiB"},
        BadInput{"OutputLimitAboveOneGiB",
                 {"serve", "--model", "epoll", "--output-limit", "2GiB"},
                 "--output-limit must be from 1 byte to 1 GiB"},
        BadInput{"NoMaxFrame",
                 {"serve", "--model", "epoll", "--max-frame", "0"},
                 "--max-frame must be from 1 byte to 1 GiB"},
        BadInput{"BadHost", {"serve", "--model", "epoll", "--host", "127.0.0.300"}, "--host"},
        BadInput{"ThreadsForOneLoop",
                 {"serve", "--model", "epoll", "--threads", "4"},
                 "--threads applies to --model reuseport only"},
        BadInput{"MaxThreadsForAReactor",
                 {"serve", "--model", "poll", "--max-threads", "5"},
                 "--max-threads applies to --model threads only"},
        BadInput{"BadDuration",
                 {"load", "--target", "127.0.0.1:1", "-d", "ten", "--json", "JSON"},
                 "--duration: \"ten\" is not a duration"},
        BadInput{"TargetWithoutPort",
                 {"load", "--target", "127.0.0.1", "--json", "JSON"},
                 "is not HOST:PORT: has no :PORT"},
        BadInput{"TargetPortOutOfRange",
                 {"load", "--target", "127.0.0.1:99999", "--json", "JSON"},
                 "port \"99999\" is not a number from 0 to 65535"},
        BadInput{"TargetHostName",
                 {"load", "--target", "example.com:80", "--json", "JSON"},
                 "host \"example.com\" is not a numeric address or localhost"},
        BadInput{"TargetIpv6WithoutBrackets",
                 {"load", "--target", "::1:80", "--json", "JSON"},
                 "an IPv6 address needs brackets"},
        BadInput{"AboveFileLimit",
                 {"load", "--target", "127.0.0.1:1", "-c", "100000", "--json", "JSON"},
                 "RLIMIT_NOFILE"},
        BadInput{"ActiveAboveConnections",
                 {"load", "--target", "127.0.0.1:1", "-c", "5", "--active", "6", "--json", "JSON"},
                 "--active 6 is more than --connections 5"},
        BadInput{
            "NoSuchServerPid",
            // Above any pid_max (4194304 at most): no process has it.
            {"load", "--target", "127.0.0.1:1", "--server-pid", "1073741823", "--json", "JSON"},
            "--server-pid 1073741823: no such process"},
        BadInput{"UnknownCommand", {"frobnicate"}, "unknown command \"frobnicate\""}),
    [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; });

TEST(BadInputPortTest, PortInUseIsOneLineAndExitTwo) {
  auto server = StartServer("epoll", "echo");
  ASSERT_TRUE(server);
  std::string err = TempDir() + "/stderr";
  auto result = RunC10k({"serve", "--model", "epoll", "--port",
                         std::to_string(server->address.Port())},
                        30, err);
  EXPECT_EQ(result.status.code, 2) << result.status.Describe();
  std::string message = ReadFile(err);
  EXPECT_NE(message.find("EADDRINUSE"), std::string::npos) << message;
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << message;
}

// Load flags that were once accepted and then ignored or not bounded.
INSTANTIATE_TEST_SUITE_P(
    LoadFlags, BadInputTest,
    ::testing::Values(
        // Not a regular file, it has no size to check: /dev/zero was read
        // until 512 MiB, past the 64 MiB bound.
        BadInput{"BodyFileWithoutEnd",
                 {"load", "--target", "127.0.0.1:1", "--protocol", "http", "--body-file",
                  "/dev/zero", "--json", "JSON"},
                 "--body-file /dev/zero is more than 67108864 bytes; a request body can be at "
                 "most 64 MiB (67108864 bytes)"},
        // The kernel ignores a range outside net.ipv4.ip_local_port_range.
        BadInput{"LocalPortsOutsideTheSystemRange",
                 {"load", "--target", "127.0.0.1:1", "-c", "5", "--local-ports", "1000-1004",
                  "--json", "JSON"},
                 "--local-ports 1000-1004 is not inside net.ipv4.ip_local_port_range "},
        BadInput{"DepthForLine",
                 {"load", "--target", "127.0.0.1:1", "--protocol", "line", "--rate", "10", "-c",
                  "2", "--depth", "4", "--json", "JSON"},
                 "--depth does not apply to --protocol line: its messages are broadcast, not "
                 "answered, so none is in flight; --rate sets the pace"}),
    [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; });

}  // namespace
}  // namespace c10k
