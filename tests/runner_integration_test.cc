// `c10k run` end to end: a real sweep against real servers, its document
// validated against results/schema.json, and a server killed mid-sweep.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "common/clock.h"
#include "common/result_json.h"
#include "common/sha256.h"
#include "servers/models.h"
#include "tests/test_support.h"

namespace c10k {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::SchemaComplaint;
using testing::TempDir;

std::string WriteScenario(const std::string& dir, const std::string& text) {
  std::string path = dir + "/scenario.json";
  std::ofstream(path) << text;
  return path;
}

std::vector<std::string> ResultFiles(const std::string& dir) {
  std::vector<std::string> files;
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path().string());
  return files;
}

// Runs `c10k run ARGS --out OUT` that must be refused as bad usage: exit 2,
// one line on stderr, no results document in OUT. Returns that line.
std::string RefusedRun(std::vector<std::string> args, const std::string& out) {
  std::string err = TempDir() + "/stderr";
  args.insert(args.begin(), "run");
  args.insert(args.end(), {"--out", out});
  auto result = testing::RunC10k(args, 30, err);
  EXPECT_EQ(result.status.code, 2) << result.status.Describe();
  std::string message = ReadFile(err);
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << message;
  EXPECT_TRUE(ResultFiles(out).empty());
  return message;
}

// Every process whose parent is `pid` (from /proc/PID/task/*/children).
std::vector<pid_t> ChildrenOf(pid_t pid) {
  std::vector<pid_t> children;
  std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  for (const auto& task : fs::directory_iterator(tasks, ec)) {
    std::ifstream in(task.path() / "children");
    pid_t child;
    while (in >> child) children.push_back(child);
  }
  return children;
}

TEST(RunnerIntegrationTest, SweepWritesASchemaValidDocument) {
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"(// two models, two points
  { "name": "tiny-sweep", "description": "test", "protocol": "echo",
    "models": ["epoll", "epoll-et", "kqueue"],
    "sweep": { "connections": [1, 20] }, "duration": "400ms", "warmup": "100ms",
    "repetitions": 2 })");
  auto result = testing::RunC10k({"run", scenario, "--out", dir + "/out"}, 120, dir + "/stderr");
  EXPECT_EQ(result.status.code, 0) << result.status.Describe() << "\n" << result.out;
  auto files = ResultFiles(dir + "/out");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].find("tiny-sweep-"), std::string::npos);
  // Each point's numbers as it ends, after its progress lines.
  std::string progress = ReadFile(dir + "/stderr");
  size_t begun = progress.find("] epoll c=20 rep 2/2");
  size_t ended = progress.find("\nepoll c=20: ok, ");
  EXPECT_NE(begun, std::string::npos) << progress;
  EXPECT_NE(ended, std::string::npos) << progress;
  EXPECT_LT(begun, ended) << progress;
  EXPECT_NE(progress.find(" req/s, p99 ", ended), std::string::npos) << progress;
  EXPECT_EQ(SchemaComplaint(files[0]), "");

  nlohmann::json document = ReadJsonFile(files[0]);
  EXPECT_EQ(document["scenario"]["name"], "tiny-sweep");
  // Of the file's bytes: its comment makes them differ from the document's.
  EXPECT_EQ(document["scenario"]["sha256"], Sha256Hex(ReadFile(scenario)));
  EXPECT_EQ(document["finished"], true);
  EXPECT_EQ(document["interrupted"], false);
  EXPECT_GT(document["context"]["calibration"]["syscall_ns"].get<double>(), 0.0);
  EXPECT_GT(document["context"]["calibration"]["epoll_wait_1000_idle_ns"].get<double>(), 0.0);
  // kqueue is not compiled on Linux: skipped with a note, not failed. (A
  // build with C10K_KQUEUE_EMULATION runs it like the others.)
  bool kqueue_compiled = FindServerModel("kqueue")->compiled;
  if (!kqueue_compiled) {
    ASSERT_EQ(document["skipped"].size(), 1u);
    EXPECT_EQ(document["skipped"][0]["model"], "kqueue");
  }
  ASSERT_EQ(document["runs"].size(), kqueue_compiled ? 6u : 4u);
  for (const auto& run : document["runs"]) {
    EXPECT_EQ(run["status"], "ok") << run["reason"];
    EXPECT_EQ(run["repetitions"].size(), 2u);
    EXPECT_GT(run["throughput"]["requests"].get<uint64_t>(), 0u);
    // The median repetition's throughput is one of the repetitions'.
    double median = run["throughput"]["requests_per_s"];
    bool found = false;
    for (const auto& rep : run["repetitions"]) found = found || rep["requests_per_s"] == median;
    EXPECT_TRUE(found);
  }
  EXPECT_EQ(document["runs"][1]["params"]["connections"], 20);
  EXPECT_EQ(document["runs"][3]["model"], "epoll-et");
}

TEST(RunnerIntegrationTest, ServerKilledMidSweepIsRecordedAndTheSweepGoesOn) {
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "killed", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [10, 11, 12] },
    "duration": "1500ms", "warmup": "0s" })");
  ChildOptions options;
  options.argv = {testing::kBinary, "run", scenario, "--out", dir + "/out"};
  options.stderr_path = dir + "/run.log";
  std::string error;
  auto runner = ChildProcess::Start(options, &error);
  ASSERT_TRUE(runner) << error;
  // Wait until the first point is under way (calibration comes first), then
  // kill the server by its pid.
  int64_t deadline = MonotonicNanos() + 60 * kNanosPerSecond;
  pid_t server = -1;
  while (MonotonicNanos() < deadline && server < 0) {
    if (ReadFile(dir + "/run.log").find("[1/3]") != std::string::npos) {
      auto children = ChildrenOf(runner->Pid());
      if (!children.empty()) server = children[0];
    }
    usleep(20'000);
  }
  ASSERT_GT(server, 0) << ReadFile(dir + "/run.log");
  usleep(500'000);
  ASSERT_EQ(kill(server, SIGKILL), 0);
  auto status = runner->WaitExit(60 * kNanosPerSecond);
  ASSERT_TRUE(status) << "the runner did not finish";
  EXPECT_EQ(status->code, 1) << status->Describe();  // a point failed

  auto files = ResultFiles(dir + "/out");
  ASSERT_EQ(files.size(), 1u);
  auto runs = ReadJsonFile(files[0])["runs"];
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0]["status"], "ceiling");
  EXPECT_NE(runs[0]["reason"].get<std::string>().find("the server died (killed by SIGKILL)"),
            std::string::npos)
      << runs[0]["reason"];
  // Restarted: the remaining points were measured.
  EXPECT_EQ(runs[1]["status"], "ok") << runs[1]["reason"];
  EXPECT_EQ(runs[2]["status"], "ok") << runs[2]["reason"];
  EXPECT_EQ(SchemaComplaint(files[0]), "");
}

TEST(RunnerIntegrationTest, ACtrlCKeepsWhatWasMeasuredAndBlamesNoServer) {
  // A terminal's Ctrl-C sends SIGINT to its whole foreground process group.
  // The server once belonged to it, stopped with the runner, and the point it
  // was serving was recorded as "ceiling: the server died (exit code 0)".
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "ctrlc", "protocol": "echo",
    "models": ["epoll", "poll"], "sweep": { "connections": [10] },
    "duration": "20s", "warmup": "0s" })");
  ChildOptions options;
  options.argv = {testing::kBinary, "run", scenario, "--out", dir + "/out"};
  options.stderr_path = dir + "/run.log";
  options.own_process_group = true;  // the group a terminal would signal
  std::string error;
  auto runner = ChildProcess::Start(options, &error);
  ASSERT_TRUE(runner) << error;
  int64_t deadline = MonotonicNanos() + 60 * kNanosPerSecond;
  while (MonotonicNanos() < deadline &&
         (ReadFile(dir + "/run.log").find("[1/2]") == std::string::npos ||
          ChildrenOf(runner->Pid()).empty())) {
    usleep(20'000);
  }
  ASSERT_FALSE(ChildrenOf(runner->Pid()).empty()) << ReadFile(dir + "/run.log");
  usleep(500'000);
  ASSERT_EQ(kill(-runner->Pid(), SIGINT), 0);
  auto status = runner->WaitExit(60 * kNanosPerSecond);
  ASSERT_TRUE(status) << "the runner did not finish";
  EXPECT_EQ(status->code, 1) << status->Describe();  // interrupted

  auto files = ResultFiles(dir + "/out");
  ASSERT_EQ(files.size(), 1u);
  auto document = ReadJsonFile(files[0]);
  EXPECT_EQ(document["interrupted"], true);
  ASSERT_EQ(document["runs"].size(), 1u);
  EXPECT_EQ(document["runs"][0]["status"], "ok") << document["runs"][0]["reason"];
  EXPECT_GT(document["runs"][0]["throughput"]["requests"].get<uint64_t>(), 0u);
  EXPECT_EQ(SchemaComplaint(files[0]), "");
}

// Runs the shipped scenario `name` with --quick, which must exit 1 (some
// model hit its ceiling); returns its schema-valid document's runs.
nlohmann::json QuickScenarioRuns(const std::string& name, int timeout_s) {
  std::string dir = TempDir();
  std::string scenario = std::string(testing::kSourceDir) + "/scenarios/" + name + ".json";
  auto result = testing::RunC10k({"run", scenario, "--quick", "--out", dir}, timeout_s);
  EXPECT_EQ(result.status.code, 1) << "a ceiling makes the run exit 1\n" << result.out;
  auto files = ResultFiles(dir);
  if (files.size() != 1) {
    ADD_FAILURE() << files.size() << " results documents in " << dir;
    return nlohmann::json::array();
  }
  EXPECT_EQ(SchemaComplaint(files[0]), "");
  return ReadJsonFile(files[0])["runs"];
}

TEST(RunnerIntegrationTest, FdSetsizeQuickShowsSelectsCeilingAndNotTheOthers) {
  auto runs = QuickScenarioRuns("fd-setsize", 240);
  int checked = 0;
  for (const auto& run : runs) {
    std::string model = run["model"];
    int connections = run["params"]["connections"];
    SCOPED_TRACE(model + " at " + std::to_string(connections));
    if (model == "select" && connections > 1024) {
      EXPECT_EQ(run["status"], "ceiling");
      EXPECT_NE(run["reason"].get<std::string>().find("FD_SETSIZE (1024)"), std::string::npos)
          << run["reason"];
    } else {
      EXPECT_EQ(run["status"], "ok") << run["reason"];
    }
    ++checked;
  }
  EXPECT_EQ(checked, 9);  // select, poll, epoll at 1000, 1100, 2000
}

TEST(RunnerIntegrationTest, SlowClientQuickStallsBlockingAndSaysWhy) {
  // One stalled client holds the blocking server; the ten normal ones wait in
  // its accept queue until their requests time out. Threads and epoll serve
  // them as if nothing happened.
  auto runs = QuickScenarioRuns("slow-client", 120);
  ASSERT_EQ(runs.size(), 3u);
  for (const auto& run : runs) {
    std::string model = run["model"];
    SCOPED_TRACE(model);
    if (model != "blocking") {
      EXPECT_EQ(run["status"], "ok") << run["reason"];
      EXPECT_EQ(run["connections"]["unaccepted_at_end"], 0);
      continue;
    }
    EXPECT_EQ(run["status"], "ceiling");
    EXPECT_EQ(run["reason"],
              "10 requests unanswered after the 500ms --timeout; 10 connections were never "
              "accepted (still in the server's accept queue at the end)");
  }
}

TEST(RunnerIntegrationTest, BadScenarioIsOneLineExitTwoAndNothingWritten) {
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "bad", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [] } })");
  std::string message = RefusedRun({scenario}, dir + "/out");
  EXPECT_NE(message.find("\"sweep.connections\": expected a non-empty list"), std::string::npos)
      << message;
}

TEST(RunnerIntegrationTest, AScenarioNestedTooDeepIsRefusedNotACrash) {
  // 200,000 levels overflowed the stack (SIGSEGV) copying the document.
  std::string dir = TempDir();
  std::string scenario =
      WriteScenario(dir, R"({"name": "x", "protocol": "bogus", "models": )" +
                             std::string(200'000, '[') + std::string(200'000, ']') + "}");
  EXPECT_EQ(RefusedRun({scenario}, dir + "/out"),
            "c10k run: " + scenario +
                ": objects and arrays nested more than 64 levels deep; a scenario needs 4 at "
                "most\n");
}

TEST(RunnerIntegrationTest, AScenarioKeyGivenTwiceIsRefused) {
  // The last one won without a word: this ran for 1s.
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "twice", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [1] }, "duration": "bogus", "duration": "1s" })");
  EXPECT_EQ(RefusedRun({scenario}, dir + "/out"),
            "c10k run: " + scenario + ": \"duration\" is given twice\n");
}

TEST(RunnerIntegrationTest, AServerLimitServeWouldRefuseIsRefusedBeforeTheSweep) {
  // It calibrated, started a server that refused --max-frame 0, failed the
  // point and wrote a results file.
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "noframe", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [1] }, "server": { "max_frame": 0 } })");
  EXPECT_EQ(RefusedRun({scenario}, dir + "/out"),
            "c10k run: " + scenario +
                ": \"server.max_frame\": expected a size from 1 byte to 1 GiB such as 4096, "
                "\"64KiB\" or \"1MiB\", got 0\n");
}

TEST(RunnerIntegrationTest, AScenarioThatIsNoFileSaysWhy) {
  // A directory read as an empty file: "not valid JSON ... unexpected end of input".
  std::string dir = TempDir();
  EXPECT_EQ(RefusedRun({dir}, dir + "/out"),
            "c10k run: " + dir + ": a directory, not a scenario file (see scenarios/ for some)\n");
  EXPECT_EQ(
      RefusedRun({dir + "/missing.json"}, dir + "/out"),
      "c10k run: " + dir +
          "/missing.json: cannot read the scenario file: ENOENT (No such file or directory)\n");
}

TEST(RunnerIntegrationTest, AScenarioThatNeverEndsIsRefusedAfterAMebibyte) {
  // /dev/zero was read until memory ran out.
  std::string dir = TempDir();
  EXPECT_EQ(RefusedRun({"/dev/zero"}, dir + "/out"),
            "c10k run: /dev/zero: more than 1 MiB, which no scenario file is (they are a few KiB "
            "of JSON)\n");
}

TEST(RunnerIntegrationTest, AnOutDirectoryThatCannotBeWrittenIsRefusedBeforeTheSweep) {
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "nowhere", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [1] }, "duration": "100ms", "warmup": "0s" })");
  std::ofstream(dir + "/a-file") << "not a directory\n";
  std::string message = RefusedRun({scenario}, dir + "/a-file/out");
  EXPECT_EQ(message,
            "c10k run: --out: cannot create directory " + dir + "/a-file/out: Not a directory\n");
}

TEST(RunnerIntegrationTest, ATmpdirThatIsNoDirectoryIsRefusedBeforeTheSweep) {
  // The servers' logs go there: it failed after the calibration with
  // "c10k: failed: filesystem error: temp_directory_path: Not a directory".
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "notmp", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [1] }, "duration": "100ms", "warmup": "0s" })");
  ASSERT_TRUE(testing::WriteFile(dir + "/a-file", "not a directory\n"));
  // Set for the runner alone: this process makes its temporary files there.
  auto result = testing::RunCommand({"/usr/bin/env", "TMPDIR=" + dir + "/a-file", testing::kBinary,
                                     "run", scenario, "--out", dir + "/out"},
                                    30, dir + "/stderr");
  EXPECT_EQ(result.status.code, 2) << result.status.Describe();
  EXPECT_EQ(ReadFile(dir + "/stderr"),
            "c10k run: TMPDIR " + dir +
                "/a-file is not a directory (the runner keeps server logs there)\n");
  EXPECT_TRUE(ResultFiles(dir + "/out").empty());
}

TEST(RunnerIntegrationTest, AServerBinaryThatCannotRunIsRefusedBeforeTheSweep) {
  // A directory passed the check (its x bit), and every point then failed
  // with "exec failed" after the calibration.
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "nobinary", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [1] }, "duration": "100ms", "warmup": "0s" })");
  fs::create_directories(dir + "/a-directory");
  std::ofstream(dir + "/not-executable") << "#!/bin/sh\n";
  for (const std::string& binary :
       {dir + "/a-directory", dir + "/not-executable", dir + "/missing"}) {
    EXPECT_EQ(RefusedRun({scenario, "--server-binary", binary}, dir + "/out"),
              "c10k run: --server-binary " + binary + " is not an executable file\n");
  }
}

TEST(RunnerIntegrationTest, AServerStartTimeoutThatIsNotADurationIsRefused) {
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "start", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [1] }, "duration": "100ms", "warmup": "0s" })");
  EXPECT_EQ(
      RefusedRun({scenario, "--server-start-timeout", "10 minutes"}, dir + "/out"),
      "c10k run: --server-start-timeout: \"10 minutes\" is not a duration of up to 2500000h; use a "
      "number with us, ms, s, m or h, e.g. 500ms, 10s, 2m\n");
  EXPECT_EQ(RefusedRun({scenario, "--server-start-timeout", "50ms"}, dir + "/out"),
            "c10k run: --server-start-timeout must be at least 100ms\n");
}

TEST(RunnerIntegrationTest, APointTooLargeForMemoryIsRefusedBeforeAnyServerStarts) {
  std::string dir = TempDir();
  // 10 x 4096 x 64 MiB = 2.5 TiB of window: more than any machine this runs on.
  std::string scenario = WriteScenario(dir, R"({ "name": "huge", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [10], "depth": [4096],
    "message_size": [67108864] } })");
  std::string message = RefusedRun({scenario}, dir + "/out");
  EXPECT_NE(message.find(scenario +
                         ": sweep point c=10 depth=4096 size=67108864: 10 active "
                         "connections x 4096 requests in flight x 67108864 B can hold 5.0 TiB"),
            std::string::npos)
      << message;
}

// Runs `c10k run SCENARIO --out DIR/out` with RLIMIT_NOFILE at `limit`,
// expects exit 2, and returns what it printed on stderr.
std::string RefusedUnderFileLimit(const std::string& scenario, const std::string& dir,
                                  uint64_t limit) {
  ChildOptions options;
  options.argv = {testing::kBinary, "run", scenario, "--out", dir + "/out"};
  options.stderr_path = dir + "/stderr";
  options.nofile_limit = limit;
  std::string error;
  auto runner = ChildProcess::Start(options, &error);
  if (!runner) return "cannot start: " + error;
  auto status = runner->WaitExit(60 * kNanosPerSecond);
  if (!status) return "the runner did not finish";
  EXPECT_EQ(status->code, 2) << status->Describe();
  return ReadFile(dir + "/stderr");
}

TEST(RunnerIntegrationTest, SlowClientsCountAgainstTheDescriptorLimitBeforeTheSweep) {
  // The slow clients are sockets of the runner's process too: 900
  // connections fit in 1000 descriptors, 900 and 100 slow clients do not,
  // and once ran out of them in the middle of the point.
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "crowded", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [900] }, "slow_clients": 100,
    "load": { "threads": 1 }, "duration": "100ms", "warmup": "0s" })");
  EXPECT_EQ(RefusedUnderFileLimit(scenario, dir, 1000),
            "c10k run: " + scenario +
                ": sweep point c=900 and 100 slow_clients: --connections 1000 needs 1017 file "
                "descriptors but RLIMIT_NOFILE (hard limit) is 1000; at most 983 connections fit "
                "in one process (run several load generators)\n");
  EXPECT_TRUE(ResultFiles(dir + "/out").empty());
}

// Whether this process may raise a hard limit (CAP_SYS_RESOURCE).
bool MayRaiseHardLimits() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> 24) & 1;
  }
  return false;
}

TEST(RunnerIntegrationTest, AServerNofileAboveTheHardLimitIsRefusedBeforeTheSweep) {
  // The server's setrlimit failed in the child without a word, and it ran
  // with the limit it inherited.
  if (MayRaiseHardLimits()) GTEST_SKIP() << "this process may raise its hard limits";
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "many", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [1] }, "server": { "nofile": 2000 },
    "duration": "100ms", "warmup": "0s" })");
  EXPECT_EQ(RefusedUnderFileLimit(scenario, dir, 1000),
            "c10k run: " + scenario +
                ": \"server.nofile\": 2000 is above the hard limit on open files here "
                "(RLIMIT_NOFILE 1000), which only a privileged process can raise\n");
  EXPECT_TRUE(ResultFiles(dir + "/out").empty());
}

TEST(RunnerIntegrationTest, AModelsFlagThatNamesNoModelIsRefused) {
  // "," split into no names, refused as "no model to run ()".
  std::string dir = TempDir();
  std::string scenario = std::string(testing::kSourceDir) + "/scenarios/c10k-curve.json";
  for (const std::string models : {",", ",,,"}) {
    EXPECT_EQ(RefusedRun({scenario, "--models", models}, dir + "/out"),
              "c10k run: --models: no model names given\n");
  }
}

TEST(RunnerIntegrationTest, ASweepWithNoModelToRunIsRefused) {
  // Some models skipped is normal (kqueue off BSD); all of them once wrote a
  // results document with nothing measured in it, and exit 0.
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "nobody", "protocol": "line",
    "models": ["epoll"], "sweep": { "connections": [10], "rate": [100] } })");
  std::string message = RefusedRun({scenario, "--models", "blocking"}, dir + "/out");
  EXPECT_EQ(message, "c10k run: " + scenario +
                         ": no model to run (blocking: it serves one client at a time, so there "
                         "is nobody to broadcast a line to)\n");
}

// The load generator's engine comes from the scenario's "load.io", --io
// overrides it, and every run records the one it used.
TEST(RunnerIntegrationTest, LoadIoComesFromTheScenarioAndTheIoFlagOverridesIt) {
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "engine", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [5] }, "load": { "io": "uring" },
    "duration": "300ms", "warmup": "0s" })");
  for (std::string io : {"", "epoll"}) {
    std::string out = dir + "/out-" + (io.empty() ? "scenario" : io);
    std::vector<std::string> args = {"run", scenario, "--out", out};
    if (!io.empty()) args.insert(args.end(), {"--io", io});
    auto result = testing::RunC10k(args, 60);
    EXPECT_EQ(result.status.code, 0) << result.status.Describe() << "\n" << result.out;
    auto files = ResultFiles(out);
    ASSERT_EQ(files.size(), 1u);
    auto runs = ReadJsonFile(files[0])["runs"];
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0]["status"], "ok") << runs[0]["reason"];
    EXPECT_GT(runs[0]["throughput"]["requests"].get<uint64_t>(), 0u);
    EXPECT_EQ(runs[0]["params"]["io"], io.empty() ? "uring" : io);
  }
  std::string message = RefusedRun({scenario, "--io", "kqueue"}, dir + "/bad");
  EXPECT_NE(message.find("--io \"kqueue\" is not epoll or uring"), std::string::npos) << message;
}

TEST(RunnerIntegrationTest, AScenariosRequestsEndEachPointsWindowAtThatCount) {
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "counted", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [5, 20] }, "requests": 2000,
    "duration": "60s", "warmup": "0s" })");
  int64_t started = MonotonicNanos();
  auto result = testing::RunC10k({"run", scenario, "--out", dir + "/out"}, 120);
  EXPECT_EQ(result.status.code, 0) << result.status.Describe() << "\n" << result.out;
  EXPECT_LT(MonotonicNanos() - started, 60 * kNanosPerSecond);
  auto files = ResultFiles(dir + "/out");
  ASSERT_EQ(files.size(), 1u);
  auto runs = ReadJsonFile(files[0])["runs"];
  ASSERT_EQ(runs.size(), 2u);
  for (const auto& run : runs) {
    EXPECT_EQ(run["status"], "ok") << run["reason"];
    EXPECT_EQ(run["params"]["requests"], 2000);
    EXPECT_EQ(run["throughput"]["requests"], 2000);
  }
}

TEST(RunnerIntegrationTest, AChurnScenarioReopensConnectionsFromItsSourceAddrs) {
  // Not from 127.0.0.1, whose ports other tests bind: the ports the churn
  // leaves in TIME_WAIT stay taken for a minute.
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "churn", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [4], "requests_per_connection": [1, 50] },
    "load": { "source_addrs": "127.0.0.2-127.0.0.3" }, "duration": "300ms", "warmup": "0s" })");
  auto result = testing::RunC10k({"run", scenario, "--out", dir + "/out"}, 120, dir + "/stderr");
  EXPECT_EQ(result.status.code, 0) << result.status.Describe() << "\n" << result.out;
  std::string progress = ReadFile(dir + "/stderr");
  EXPECT_NE(progress.find("epoll c=4 per-connection=1: ok"), std::string::npos) << progress;
  auto files = ResultFiles(dir + "/out");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(SchemaComplaint(files[0]), "");
  auto runs = ReadJsonFile(files[0])["runs"];
  ASSERT_EQ(runs.size(), 2u);
  for (const auto& run : runs) {
    EXPECT_EQ(run["status"], "ok") << run["reason"];
    EXPECT_EQ(run["params"]["source_addrs"], "127.0.0.2-127.0.0.3");
    uint64_t per_connection = run["params"]["requests_per_connection"].get<uint64_t>();
    // A new connection for every 1 or 50 replies (4 connections' last ones
    // may come after the window).
    EXPECT_GE(run["connections"]["reconnects"].get<uint64_t>() + 4,
              run["throughput"]["requests"].get<uint64_t>() / per_connection)
        << run["connections"];
  }
  EXPECT_EQ(runs[0]["params"]["requests_per_connection"], 1);
  EXPECT_EQ(runs[1]["params"]["requests_per_connection"], 50);
}

TEST(RunnerIntegrationTest, AnHttpScenarioPostsItsBodyFileWithItsHeaders) {
  std::string dir = TempDir();
  ASSERT_TRUE(testing::WriteFile(dir + "/body.bin", std::string(1000, 'b')));
  std::string scenario = WriteScenario(dir, R"({ "name": "post", "protocol": "http",
    "models": ["epoll"], "sweep": { "connections": [4] },
    "load": { "method": "POST", "path": "/up", "headers": ["X-Run: 7"],
              "body_file": "body.bin" },
    "duration": "300ms", "warmup": "0s" })");
  auto result = testing::RunC10k({"run", scenario, "--out", dir + "/out"}, 60);
  EXPECT_EQ(result.status.code, 0) << result.status.Describe() << "\n" << result.out;
  auto files = ResultFiles(dir + "/out");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(SchemaComplaint(files[0]), "");
  auto runs = ReadJsonFile(files[0])["runs"];
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["status"], "ok") << runs[0]["reason"];
  EXPECT_GT(runs[0]["throughput"]["requests"].get<uint64_t>(), 0u);
  EXPECT_EQ(runs[0]["params"]["method"], "POST");
  EXPECT_EQ(runs[0]["params"]["path"], "/up");
  EXPECT_EQ(runs[0]["params"]["body_bytes"], 1000);
  EXPECT_EQ(runs[0]["params"]["headers"], nlohmann::json::array({"X-Run: 7"}));
  // The server read every body: one left to be parsed as the start of the
  // next request would have been answered 400 or 405.
  EXPECT_EQ(runs[0]["verify"]["error_replies"], 0) << runs[0]["verify"].dump();
  EXPECT_EQ(runs[0]["verify"]["mismatches"], 0) << runs[0]["verify"].dump();
}

TEST(RunnerIntegrationTest, ASweepNeverWritesOverAnotherSweepsResults) {
  // Two sweeps of one scenario started in the same second into one
  // directory once chose the same file name, and the later replaced the
  // earlier. The other sweep here is a file for each of the next seconds.
  std::string dir = TempDir();
  std::string scenario = WriteScenario(dir, R"({ "name": "twice", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [2] }, "duration": "200ms", "warmup": "0s" })");
  std::string out = dir + "/out";
  fs::create_directories(out);
  std::vector<std::string> taken;
  for (int ahead = 0; ahead < 20; ++ahead) {
    time_t when = time(nullptr) + ahead;
    tm utc{};
    gmtime_r(&when, &utc);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
    taken.push_back(out + "/twice-" + stamp + ".json");
    ASSERT_TRUE(testing::WriteFile(taken.back(), "{\"other\": true}\n"));
  }
  auto result = testing::RunC10k({"run", scenario, "--out", out}, 60);
  EXPECT_EQ(result.status.code, 0) << result.status.Describe() << "\n" << result.out;
  for (const std::string& other : taken) EXPECT_EQ(ReadFile(other), "{\"other\": true}\n");
  auto files = ResultFiles(out);
  ASSERT_EQ(files.size(), taken.size() + 1);
  // Its standard output is the one line "results: PATH".
  const std::string prefix = "results: ";
  ASSERT_EQ(result.out.rfind(prefix, 0), 0u) << result.out;
  std::string results = result.out.substr(prefix.size(), result.out.find('\n') - prefix.size());
  EXPECT_TRUE(results.ends_with("-2.json")) << results;
  EXPECT_EQ(ReadJsonFile(results)["scenario"]["name"], "twice");
}

TEST(RunnerIntegrationTest, ASaveThatFailsStopsTheSweep) {
  // An --out directory path so long (PATH_MAX is 4096) that the check before
  // the sweep can create its probe file in it, but no results file fits:
  // every save fails. The sweep once measured all its points regardless.
  std::string dir = TempDir();
  std::string out = dir;
  while (out.size() < 4066 - 251) out += "/" + std::string(250, 'd');
  out += "/" + std::string(4066 - out.size() - 1, 'd');
  ASSERT_EQ(out.size(), 4066u);
  fs::create_directories(out);
  std::string scenario = WriteScenario(dir, R"({ "name": "lost", "protocol": "echo",
    "models": ["epoll"], "sweep": { "connections": [1, 2, 3] },
    "duration": "100ms", "warmup": "0s" })");
  auto result = testing::RunC10k({"run", scenario, "--out", out}, 60, dir + "/stderr");
  EXPECT_EQ(result.status.code, 1) << result.status.Describe();
  std::string progress = ReadFile(dir + "/stderr");
  EXPECT_NE(progress.find("[1/3] epoll c=1"), std::string::npos) << progress;
  EXPECT_EQ(progress.find("[2/3]"), std::string::npos) << progress;
  std::string last_line = progress.substr(progress.rfind('\n', progress.size() - 2) + 1);
  EXPECT_EQ(last_line.rfind("c10k run: cannot create " + out + "/lost-", 0), 0u) << last_line;
  EXPECT_TRUE(last_line.ends_with(
      ": ENAMETOOLONG (File name too long); the sweep stopped there (nothing was saved)\n"))
      << last_line;
  EXPECT_TRUE(ResultFiles(out).empty());
}

TEST(RunnerIntegrationTest, ServerThatNeverListensIsAnErrorAndTheSweepGoesOn) {
  std::string dir = TempDir();
  // A "server" that prints nothing and exits: every point of the model fails
  // with a clear reason, the document is still written.
  std::string fake = dir + "/not-a-server";
  std::ofstream(fake) << "#!/bin/sh\necho 'broken build' >&2\nexit 3\n";
  fs::permissions(fake, fs::perms::owner_all);
  std::string scenario = WriteScenario(dir, R"({ "name": "nostart", "protocol": "echo",
    "models": ["epoll", "epoll-et"], "sweep": { "connections": [1, 2] },
    "duration": "200ms", "warmup": "0s" })");
  auto result = testing::RunC10k({"run", scenario, "--out", dir + "/out", "--server-binary", fake}, 60);
  EXPECT_EQ(result.status.code, 1) << result.status.Describe();
  auto files = ResultFiles(dir + "/out");
  ASSERT_EQ(files.size(), 1u);
  auto runs = ReadJsonFile(files[0])["runs"];
  ASSERT_EQ(runs.size(), 4u);
  for (const auto& run : runs) {
    EXPECT_EQ(run["status"], "error");
    EXPECT_NE(run["reason"].get<std::string>().find("the server did not start"), std::string::npos)
        << run["reason"];
    EXPECT_NE(run["reason"].get<std::string>().find("exit code 3"), std::string::npos) << run["reason"];
  }
  EXPECT_EQ(SchemaComplaint(files[0]), "");
}

}  // namespace
}  // namespace c10k
