// Faults a benchmarking tool must survive and report, not crash or hang on:
// clients that reset or trickle, a results file killed mid-write, and every
// limit that runs out (descriptors, threads, ephemeral ports), each named in
// words where a person reads it. All on loopback, bounded, stopped by pid.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <vector>

#include "common/clock.h"
#include "common/net.h"
#include "common/result_json.h"
#include "servers/models.h"
#include "tests/test_client.h"
#include "tests/test_support.h"

namespace c10k {
namespace {

namespace fs = std::filesystem;
using testing::TestClient;

std::vector<std::string> CompiledModels(bool event_driven_only) {
  std::vector<std::string> models;
  for (const auto& model : ServerModels()) {
    if (!model.compiled) continue;
    if (event_driven_only && (model.name == "blocking" || model.name == "threads")) continue;
    models.emplace_back(model.name);
  }
  return models;
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

// A fresh client gets its echo: the server is alive and serving.
void ExpectServes(const testing::ServerProcess& server, const std::string& message) {
  TestClient client(server.address);
  ASSERT_TRUE(client.Connected());
  ASSERT_TRUE(client.Send(message));
  EXPECT_EQ(client.Read(message.size()), message);
}

class ResetStormTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ResetStormTest, ServerSurvivesFiveThousandResets) {
  ASSERT_GE(RaiseFileLimit(), 1000u);
  auto server = testing::StartServer(GetParam(), "echo");
  ASSERT_TRUE(server);
  // In waves of 250: connect, send, and close with SO_LINGER 0, so the
  // server meets RST on connections it has or has not accepted yet.
  for (int wave = 0; wave < 20; ++wave) {
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 250; ++i) {
      clients.push_back(std::make_unique<TestClient>(server->address, 5000));
      ASSERT_TRUE(clients.back()->Connected()) << "wave " << wave << " client " << i;
      clients.back()->Send("a request that will never be read back");
    }
    for (auto& client : clients) client->Reset();
  }
  ExpectServes(*server, "still here");
  EXPECT_TRUE(server->process.Running());
  ExitStatus status = server->process.Stop(SIGTERM, 10 * kNanosPerSecond);
  EXPECT_TRUE(status.Clean()) << status.Describe();
}

INSTANTIATE_TEST_SUITE_P(Models, ResetStormTest, ::testing::ValuesIn(CompiledModels(false)), TestName);

class SlowlorisTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SlowlorisTest, TricklingClientsDoNotStopANormalOne) {
  ASSERT_GE(RaiseFileLimit(), 6000u);
  std::string model = GetParam();
  // select can hold fewer than FD_SETSIZE connections at all.
  int count = model == "select" ? 900 : 5000;
  for (const char* protocol : {"http", "framed"}) {
    SCOPED_TRACE(protocol);
    auto server = testing::StartServer(model, protocol);
    ASSERT_TRUE(server);
    std::string partial = std::string(protocol) == "http"
                              ? "GET / HTTP/1.1\r\nHost: slowloris\r\nX-Padding: abcdefgh"
                              : std::string("\0\0\1\0", 4) + "abcdefgh";  // a 256-byte frame
    std::vector<std::unique_ptr<TestClient>> loris;
    for (int i = 0; i < count; ++i) {
      loris.push_back(std::make_unique<TestClient>(server->address, 5000));
      ASSERT_TRUE(loris.back()->Connected()) << "slow client " << i;
    }
    std::string normal_request = std::string(protocol) == "http"
                                     ? "GET / HTTP/1.1\r\nHost: normal\r\n\r\n"
                                     : std::string("\0\0\0\5", 4) + "hello";
    // One byte from every slow client every 200 ms, three times, with a
    // normal exchange after each round.
    for (int round = 0; round < 3; ++round) {
      int64_t round_start = MonotonicNanos();
      for (auto& client : loris) client->Send(partial.substr(round, 1));
      TestClient normal(server->address, 5000);
      ASSERT_TRUE(normal.Send(normal_request));
      if (std::string(protocol) == "http") {
        auto head = normal.ReadUntil("\r\n");
        EXPECT_EQ(head.value_or("(nothing)"), "HTTP/1.1 200 OK\r\n") << "round " << round;
      } else {
        EXPECT_EQ(normal.Read(normal_request.size()), normal_request) << "round " << round;
      }
      int64_t left = round_start + 200 * kNanosPerMilli - MonotonicNanos();
      if (left > 0) usleep(static_cast<useconds_t>(left / kNanosPerMicro));
    }
    loris.clear();
    ExitStatus status = server->process.Stop(SIGTERM, 10 * kNanosPerSecond);
    EXPECT_TRUE(status.Clean()) << status.Describe();
  }
}

INSTANTIATE_TEST_SUITE_P(Models, SlowlorisTest, ::testing::ValuesIn(CompiledModels(true)), TestName);

TEST(FaultInjectionTest, AWriterKilledInTheMiddleOfItsJsonLeavesThePreviousResultsIntact) {
  auto server = testing::StartServer("epoll", "echo");
  ASSERT_TRUE(server);
  std::string dir = testing::TempDir();
  std::string json = dir + "/results.json";
  auto first = testing::RunC10k({"load", "--target", server->address_text, "-c", "5", "-d",
                                 "200ms", "--warmup", "0s", "--json", json});
  ASSERT_TRUE(first.status.Clean()) << first.out;
  std::string original = testing::ReadFile(json);
  ASSERT_GT(original.size(), 8192u);
  // The next run dies inside write(2), 4 KiB into its document: the kernel
  // sends SIGXFSZ at the file size limit. That is the moment a writer that
  // replaced the file in place would leave half a document behind.
  ChildOptions options;
  options.argv = {testing::kBinary,
                  "load",
                  "--target",
                  server->address_text,
                  "-c",
                  "5",
                  "-d",
                  "200ms",
                  "--warmup",
                  "0s",
                  "--json",
                  json};
  options.file_size_limit = 4096;
  std::string error;
  auto load = ChildProcess::Start(options, &error);
  ASSERT_TRUE(load) << error;
  while (load->ReadLine(30 * kNanosPerSecond)) {
  }
  auto status = load->WaitExit(30 * kNanosPerSecond);
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->exited) << status->Describe();
  EXPECT_EQ(status->signal, SIGXFSZ) << status->Describe();
  EXPECT_TRUE(testing::ReadFile(json) == original) << "the previous results were changed";
  EXPECT_TRUE(server->process.Stop(SIGTERM, 10 * kNanosPerSecond).Clean());
}

TEST(FaultInjectionTest, LoadGeneratorWithTooFewDescriptorsSaysSoBeforeConnecting) {
  ChildOptions options;
  options.argv = {testing::kBinary, "load", "--target", "127.0.0.1:9", "-c", "100"};
  options.nofile_limit = 64;
  options.stderr_path = testing::TempDir() + "/stderr";
  std::string error;
  auto load = ChildProcess::Start(options, &error);
  ASSERT_TRUE(load) << error;
  auto status = load->WaitExit(30 * kNanosPerSecond);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, 2);
  std::string message = testing::ReadFile(options.stderr_path);
  EXPECT_NE(message.find("RLIMIT_NOFILE (hard limit) is 64"), std::string::npos) << message;
}

TEST(FaultInjectionTest, OutOfEphemeralPortsIsNamedInTheReason) {
  auto server = testing::StartServer("epoll", "echo");
  ASSERT_TRUE(server);
  // Hold every port of a small range, then ask for connections from it.
  std::vector<UniqueFd> held;
  for (int port = 0; port < 200 && held.size() < 4; ++port) {
    std::string error;
    auto address = ParseAddress("127.0.0.1", static_cast<uint16_t>(41000 + port));
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (bind(fd.Get(), address->Get(), address->length) == 0) {
      held.push_back(std::move(fd));
    } else {
      held.clear();  // restart on a run of free ports
    }
  }
  ASSERT_EQ(held.size(), 4u);
  uint16_t low = LocalAddress(held.front().Get())->Port();
  std::string range = std::to_string(low) + "-" + std::to_string(low + 3);
  std::string json = testing::TempDir() + "/ports.json";
  auto load = testing::RunC10k({"load", "--target", server->address_text, "-c", "3", "-d",
                                "200ms", "--warmup", "0s", "--local-ports", range, "--json", json});
  EXPECT_EQ(load.status.code, 1) << load.out;
  auto run = ReadJsonFile(json)["runs"][0];
  EXPECT_EQ(run["errors"]["no_ports"], 3);
  EXPECT_NE(run["reason"].get<std::string>().find("EADDRNOTAVAIL"), std::string::npos)
      << run["reason"];
  EXPECT_TRUE(server->process.Stop(SIGTERM, 10 * kNanosPerSecond).Clean());
}

TEST(FaultInjectionTest, ASourceAddressNotOnThisMachineIsRefusedBeforeConnecting) {
  // Each connection's bind would fail with EADDRNOTAVAIL, which would read as
  // running out of ports; the load generator says what is wrong instead.
  std::string dir = testing::TempDir();
  auto load = testing::RunC10k({"load", "--target", "127.0.0.1:9", "-c", "3", "-d", "200ms",
                                "--source-addrs", "192.0.2.7", "--json", dir + "/x.json"},
                               60, dir + "/stderr");
  EXPECT_EQ(load.status.code, 2) << load.out;
  EXPECT_EQ(testing::ReadFile(dir + "/stderr"),
            "c10k load: --source-addrs: 192.0.2.7 is not an address of this machine\n");
  EXPECT_FALSE(fs::exists(dir + "/x.json"));
}

TEST(FaultInjectionTest, AJsonPathThatCannotBeWrittenIsRefusedBeforeConnecting) {
  // calibrate once measured for six seconds and then failed on the rename.
  std::string dir = testing::TempDir();
  std::ofstream(dir + "/a-file") << "not a directory\n";
  for (const auto& [json, expected] :
       {std::pair<std::string, std::string>{
            dir + "/a-file/x.json",
            "--json: cannot create directory " + dir + "/a-file: Not a directory"},
        {dir, "--json " + dir + " is a directory; name a file in it"}}) {
    for (const std::vector<std::string>& verb :
         {std::vector<std::string>{"load", "--target", "127.0.0.1:9", "-c", "1"}, {"calibrate"}}) {
      std::vector<std::string> args = verb;
      args.insert(args.end(), {"--json", json});
      std::string err = dir + "/stderr";
      auto refused = testing::RunC10k(args, 60, err);
      EXPECT_EQ(refused.status.code, 2) << refused.out;
      EXPECT_EQ(testing::ReadFile(err), "c10k " + verb[0] + ": " + expected + "\n");
      EXPECT_EQ(refused.out, "") << "refused before connecting or measuring";
    }
  }
}

// Runs a one-point scenario and returns its only run.
nlohmann::json RunOnePoint(const std::string& scenario_text, const std::vector<std::string>& extra = {}) {
  std::string dir = testing::TempDir();
  std::ofstream(dir + "/scenario.json") << scenario_text;
  std::vector<std::string> args = {"run", dir + "/scenario.json", "--out", dir + "/out"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto result = testing::RunC10k(args, 120);
  EXPECT_TRUE(result.status.exited) << result.status.Describe();
  if (!fs::exists(dir + "/out")) return {};
  for (const auto& entry : fs::directory_iterator(dir + "/out")) {
    auto runs = ReadJsonFile(entry.path().string())["runs"];
    if (runs.size() == 1) return runs[0];
  }
  return {};
}

TEST(FaultInjectionTest, ServerOutOfDescriptorsIsACeilingNamedInTheReason) {
  auto run = RunOnePoint(R"({ "name": "emfile", "protocol": "echo", "models": ["epoll"],
    "server": { "nofile": 64 }, "sweep": { "connections": [150] },
    "duration": "500ms", "warmup": "0s" })");
  ASSERT_FALSE(run.is_null());
  EXPECT_EQ(run["status"], "ceiling");
  EXPECT_NE(run["reason"].get<std::string>().find("ran out of file descriptors (RLIMIT_NOFILE)"),
            std::string::npos)
      << run["reason"];
}

TEST(FaultInjectionTest, ThreadCreationFailureIsACeilingNamedInTheReason) {
  auto run = RunOnePoint(R"({ "name": "threads", "protocol": "echo", "models": ["threads"],
    "server": { "max_threads": 20 }, "sweep": { "connections": [50] },
    "duration": "500ms", "warmup": "0s" })");
  ASSERT_FALSE(run.is_null());
  EXPECT_EQ(run["status"], "ceiling");
  EXPECT_NE(run["reason"].get<std::string>().find("could not create a thread"), std::string::npos)
      << run["reason"];
}

TEST(FaultInjectionTest, ServerThatNeverSaysListeningIsAnErrorNotAHang) {
  std::string dir = testing::TempDir();
  std::string silent = dir + "/silent-server";
  std::ofstream(silent) << "#!/bin/sh\nexec sleep 600\n";
  fs::permissions(silent, fs::perms::owner_all);
  int64_t start = MonotonicNanos();
  auto run = RunOnePoint(R"({ "name": "silent", "protocol": "echo", "models": ["epoll"],
    "sweep": { "connections": [1] }, "duration": "200ms", "warmup": "0s" })",
                         {"--server-binary", silent, "--server-start-timeout", "1s"});
  ASSERT_FALSE(run.is_null());
  EXPECT_EQ(run["status"], "error");
  EXPECT_NE(run["reason"].get<std::string>().find("did not print \"listening on\" within 1s"),
            std::string::npos)
      << run["reason"];
  // The default wait is 10 s; the calibration before the sweep takes ~1 s.
  EXPECT_LT(MonotonicNanos() - start, 8 * kNanosPerSecond);
}

// The limit on threads, met for real: c10k as a user allowed `tasks` tasks.
// Each case aborted (std::terminate) when the system refused a thread part
// way, the threads already started left joinable.
struct UnderTaskLimit {
  testing::CommandResult result;
  std::string err;  // what it wrote to stderr
};

std::optional<UnderTaskLimit> RunUnderTaskLimit(int tasks, const std::vector<std::string>& args) {
  std::string why;
  auto argv = testing::C10kUnderTaskLimit(tasks, args, &why);
  if (argv.empty()) return std::nullopt;
  std::string err = testing::TempDir() + "/stderr";
  auto result = testing::RunCommand(argv, 60, err);
  return UnderTaskLimit{result, testing::ReadFile(err)};
}

// " of 20: EAGAIN (Resource temporarily unavailable): the limit on threads..."
std::string RefusedThreadOf(int count) {
  return " of " + std::to_string(count) +
         ": EAGAIN (Resource temporarily unavailable): the limit on threads is reached "
         "(RLIMIT_NPROC, the cgroup's pids.max or kernel.threads-max); use fewer --threads\n";
}

// Which thread is refused depends on how many the runtime (a sanitizer's)
// takes for itself: the main thread and 3 workers here, the 4th refused.
::testing::Matcher<std::string> OneLineRefusing(const std::string& start, int count) {
  return ::testing::AllOf(
      ::testing::StartsWith(start), ::testing::EndsWith(RefusedThreadOf(count)),
      ::testing::ResultOf(
          [](const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }, 1));
}

TEST(FaultInjectionTest, LoadWorkersTheSystemWillNotStartAreOneLineAndExitTwo) {
  // The workers already connecting when one is refused are stopped and joined.
  auto run = RunUnderTaskLimit(4, {"load", "--target", "127.0.0.1:1", "-c", "20", "-t", "20", "-d",
                                   "1s", "--warmup", "0s", "--json", "-"});
  if (!run) GTEST_SKIP() << "cannot limit a process's threads here";
  EXPECT_TRUE(run->result.status.exited) << run->result.status.Describe() << "\n" << run->err;
  EXPECT_EQ(run->result.status.code, 2) << run->err;
  EXPECT_THAT(run->err, OneLineRefusing("c10k load: cannot start worker thread ", 20));
  EXPECT_EQ(run->result.out, "") << "no results document for a run that never started";
}

TEST(FaultInjectionTest, ReuseportLoopsTheSystemWillNotStartEndTheServerWithOneLine) {
  auto run =
      RunUnderTaskLimit(4, {"serve", "--model", "reuseport", "--threads", "8", "--port", "0"});
  if (!run) GTEST_SKIP() << "cannot limit a process's threads here";
  EXPECT_TRUE(run->result.status.exited) << run->result.status.Describe() << "\n" << run->err;
  EXPECT_EQ(run->result.status.code, 1) << run->err;
  EXPECT_THAT(run->err,
              OneLineRefusing("c10k serve: reuseport: cannot start event loop thread ", 8));
}

TEST(FaultInjectionTest, CalibrationWithoutASecondThreadLeavesTheRoundTripsUnmeasured) {
  // 2 tasks: the echo thread starts, the measuring one does not.
  auto run = RunUnderTaskLimit(2, {"calibrate", "--json", "-"});
  if (!run) GTEST_SKIP() << "cannot limit a process's threads here";
  ASSERT_TRUE(run->result.status.Clean()) << run->result.status.Describe() << "\n" << run->err;
  nlohmann::json document;
  std::string error;
  ASSERT_TRUE(ParseJsonText(run->result.out, &document, &error)) << error << run->result.out;
  const nlohmann::json& calibration = document["context"]["calibration"];
  EXPECT_EQ(calibration["tcp_round_trip_same_core_ns"], 0) << calibration;
  EXPECT_EQ(calibration["tcp_round_trip_cross_core_ns"], 0) << calibration;
  EXPECT_GT(calibration["syscall_ns"].get<double>(), 0) << calibration;
}

}  // namespace
}  // namespace c10k
