#include "runner/scenario.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <tuple>

#include "common/clock.h"
#include "common/sha256.h"
#include "tests/test_support.h"

namespace c10k {
namespace {

using Json = nlohmann::json;

const std::vector<std::string> kModels = {"blocking", "select", "poll", "epoll"};

Json Minimal() {
  return Json::parse(R"({
    "name": "tiny", "protocol": "echo", "models": ["epoll"],
    "sweep": { "connections": [1, 10] }, "duration": "1s", "warmup": "0s"
  })");
}

// Parsing `document` fails with a message that contains `expected`.
void ExpectRejected(const Json& document, const std::string& expected) {
  try {
    ParseScenario(document, "test.json", false, kModels);
    ADD_FAILURE() << "accepted: " << document.dump();
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
  }
}

TEST(ScenarioTest, ParsesAndExpandsTheSweep) {
  Json document = Minimal();
  document["sweep"]["depth"] = {1, 4};
  document["sweep"]["message_size"] = 128;
  Scenario scenario = ParseScenario(document, "test.json", false, kModels);
  EXPECT_EQ(scenario.name, "tiny");
  EXPECT_EQ(scenario.protocol, Protocol::kEcho);
  EXPECT_EQ(scenario.models, std::vector<std::string>{"epoll"});
  EXPECT_EQ(scenario.duration_ns, kNanosPerSecond);
  EXPECT_EQ(scenario.warmup_ns, 0);
  ASSERT_EQ(scenario.points.size(), 4u);
  EXPECT_EQ(scenario.points[0].connections, 1);
  EXPECT_EQ(scenario.points[1].depth, 4);
  EXPECT_EQ(scenario.points[3].connections, 10);
  EXPECT_EQ(scenario.points[3].message_size, 128u);
}

TEST(ScenarioTest, IdleSweepAddsIdleConnectionsToTheActiveOnes) {
  Json document = Minimal();
  document["sweep"] = {{"active", {100}}, {"idle", {0, 900, 9900}}};
  Scenario scenario = ParseScenario(document, "test.json", false, kModels);
  ASSERT_EQ(scenario.points.size(), 3u);
  EXPECT_EQ(scenario.points[2].connections, 10000);
  EXPECT_EQ(scenario.points[2].active, 100);
  EXPECT_EQ(scenario.points[2].idle(), 9900);
}

TEST(ScenarioTest, RequestsPerConnectionIsTheSweepsLastAxis) {
  Json document = Minimal();
  document["sweep"]["depth"] = {1, 4};
  document["sweep"]["requests_per_connection"] = {1, 100};
  Scenario scenario = ParseScenario(document, "test.json", false, kModels);
  ASSERT_EQ(scenario.points.size(), 8u);
  std::vector<std::tuple<int, int, uint32_t>> points;
  for (const SweepPoint& point : scenario.points) {
    points.emplace_back(point.connections, point.depth, point.requests_per_connection);
  }
  EXPECT_EQ(points, (std::vector<std::tuple<int, int, uint32_t>>{{1, 1, 1},
                                                                 {1, 1, 100},
                                                                 {1, 4, 1},
                                                                 {1, 4, 100},
                                                                 {10, 1, 1},
                                                                 {10, 1, 100},
                                                                 {10, 4, 1},
                                                                 {10, 4, 100}}));
  // Without it every connection is kept for the whole run.
  EXPECT_EQ(ParseScenario(Minimal(), "test.json", false, kModels).points[0].requests_per_connection,
            0u);

  document = Minimal();
  document["sweep"]["requests_per_connection"] = {0};
  ExpectRejected(document,
                 "\"sweep.requests_per_connection\": expected a non-empty list of integers from 1");
  document = Minimal();
  document["sweep"]["active"] = {0, 1};
  document["sweep"]["requests_per_connection"] = {5};
  ExpectRejected(document,
                 "\"sweep.requests_per_connection\": needs an active connection at every point");
  document = Minimal();
  document["protocol"] = "line";
  document["sweep"] = {{"connections", {2}}, {"rate", {10}}, {"requests_per_connection", {5}}};
  ExpectRejected(document,
                 "\"sweep.requests_per_connection\": counts requests answered, and protocol "
                 "line's broadcast messages get no answer");
}

TEST(ScenarioTest, LoadSourceAddrsSpreadTheConnectionsAsTheFlagDoes) {
  Json document = Minimal();
  document["load"] = {{"source_addrs", "127.0.0.1-127.0.0.3"}};
  Scenario scenario = ParseScenario(document, "test.json", false, kModels);
  ASSERT_EQ(scenario.source_addrs.size(), 3u);
  EXPECT_EQ(scenario.source_addrs[2].HostText(), "127.0.0.3");
  EXPECT_EQ(scenario.source_addrs_text, "127.0.0.1-127.0.0.3");
  document["load"] = {{"source_addrs", "127.0.0.9-127.0.0.1"}};
  ExpectRejected(document, "\"load.source_addrs\": range 127.0.0.9-127.0.0.1");
  document["load"] = {{"source_addrs", "::1"}};
  ExpectRejected(document,
                 "\"load.source_addrs\": the runner's servers listen on 127.0.0.1, so these must "
                 "be IPv4 addresses");
  document["load"] = {{"source_addrs", "192.0.2.7"}};
  ExpectRejected(document, "\"load.source_addrs\": 192.0.2.7 is not an address of this machine");
}

TEST(ScenarioTest, QuickOverridesMergeIntoTheFullRun) {
  Json document = Minimal();
  document["repetitions"] = 3;
  document["quick"] = {{"sweep", {{"connections", {5}}}}, {"repetitions", 1}};
  Scenario full = ParseScenario(document, "test.json", false, kModels);
  Scenario quick = ParseScenario(document, "test.json", true, kModels);
  EXPECT_EQ(full.repetitions, 3);
  EXPECT_EQ(full.points.size(), 2u);
  EXPECT_EQ(quick.repetitions, 1);
  ASSERT_EQ(quick.points.size(), 1u);
  EXPECT_EQ(quick.points[0].connections, 5);
  EXPECT_TRUE(quick.quick);
}

TEST(ScenarioTest, AQuickVersionOfTheQuickVersionIsRefused) {
  // It passed as a known field and was then dropped without a word.
  Json document = Minimal();
  document["quick"] = {{"duration", "500ms"}, {"quick", {{"duration", "200ms"}}}};
  for (bool quick : {false, true}) {
    try {
      ParseScenario(document, "test.json", quick, kModels);
      ADD_FAILURE() << "accepted with quick " << quick;
    } catch (const ScenarioError& e) {
      EXPECT_STREQ(e.what(),
                   "\"quick.quick\": a quick version cannot have a quick version of its own");
    }
  }
}

TEST(ScenarioTest, AServerFieldNoModelOfTheScenarioReadsIsRefused) {
  // Passed only to reuseport (--threads) and threads (--max-threads), as
  // c10k serve takes them; with neither, they were ignored without a word.
  Json document = Minimal();
  document["server"] = {{"threads", 4}};
  ExpectRejected(document,
                 "\"server.threads\": applies to model reuseport only (its event loops), and this "
                 "scenario does not run it");
  document["server"] = {{"max_threads", 100}};
  ExpectRejected(document,
                 "\"server.max_threads\": applies to model threads only, and this scenario does "
                 "not run it");
  const std::vector<std::string> all = {"threads", "epoll", "reuseport"};
  document["server"] = {{"threads", 4}, {"max_threads", 100}};
  document["models"] = {"epoll", "reuseport", "threads"};
  Scenario scenario = ParseScenario(document, "test.json", false, all);
  EXPECT_EQ(scenario.server_threads, 4);
  EXPECT_EQ(scenario.max_threads, 100);
  document["models"] = "all";
  EXPECT_NO_THROW(ParseScenario(document, "test.json", false, all));
  // A quick version may leave the model out: it cannot take the field out of
  // the full run's "server".
  document["models"] = {"epoll", "reuseport", "threads"};
  document["quick"] = {{"models", {"epoll"}}};
  EXPECT_NO_THROW(ParseScenario(document, "test.json", true, all));
  // But a field the quick version adds must be read by one of the models.
  document["server"] = Json::object();
  document["models"] = {"epoll", "threads"};
  document["quick"] = {{"server", {{"threads", 2}}}};
  try {
    ParseScenario(document, "test.json", false, all);
    ADD_FAILURE() << "accepted";
  } catch (const ScenarioError& e) {
    EXPECT_STREQ(e.what(),
                 "in its \"quick\" version: \"server.threads\": applies to model reuseport only "
                 "(its event loops), and this scenario does not run it");
  }
}

TEST(ScenarioTest, LoadIoPicksTheLoadGeneratorsEngine) {
  Json document = Minimal();
  EXPECT_EQ(ParseScenario(document, "test.json", false, kModels).load_io, LoadIo::kEpoll);
  document["load"] = {{"io", "uring"}};
  EXPECT_EQ(ParseScenario(document, "test.json", false, kModels).load_io, LoadIo::kUring);
  document["quick"] = {{"load", {{"io", "epoll"}}}};
  EXPECT_EQ(ParseScenario(document, "test.json", true, kModels).load_io, LoadIo::kEpoll);
}

TEST(ScenarioTest, AllModelsExpandsToEveryKnownModel) {
  Json document = Minimal();
  document["models"] = "all";
  EXPECT_EQ(ParseScenario(document, "test.json", false, kModels).models, kModels);
}

TEST(ScenarioTest, ErrorsNameTheFieldAndWhatWasExpected) {
  Json document = Minimal();
  document.erase("name");
  ExpectRejected(document, "\"name\": expected a string, got nothing");
  document = Minimal();
  document["protocol"] = "smtp";
  ExpectRejected(document, "\"protocol\": expected one of echo, framed, line, http, resp, got \"smtp\"");
  document = Minimal();
  document["models"] = {"epoll", "nosuch"};
  ExpectRejected(document, "\"models\": expected \"all\" or a non-empty list of model names");
  document = Minimal();
  document["sweep"]["connections"] = {1, "many"};
  ExpectRejected(document, "\"sweep.connections\": expected a non-empty list of integers from 1 to 19900");
  document = Minimal();
  document["sweep"]["connections"] = {50000};
  ExpectRejected(document, "\"sweep.connections\": expected a non-empty list of integers from 1 to 19900");
  document = Minimal();
  document["duration"] = "forever";
  ExpectRejected(document, "\"duration\": expected a duration such as");
  document = Minimal();
  document["repetitions"] = 0;
  ExpectRejected(document, "\"repetitions\": expected an integer from 1 to 100, got 0");
  document = Minimal();
  document["sweep"]["depth"] = {1};
  document["sweep"]["rate"] = {1000};
  ExpectRejected(document, "\"sweep.rate\": give either \"depth\" (closed loop) or \"rate\" (open loop)");
  document = Minimal();
  document["load"] = {{"keys", 100}};
  ExpectRejected(document,
                 "\"load.keys\": applies to protocol resp only, and this scenario is echo");
  // Sizes the requests do not carry: the sweep would repeat one point.
  document = Minimal();
  document["protocol"] = "http";
  document["sweep"]["message_size"] = {64, 1024};
  ExpectRejected(document, "\"sweep.message_size\": does not apply to protocol http");
  document["protocol"] = "resp";
  ExpectRejected(document, "\"sweep.message_size\": applies to protocol resp only with");
  document["load"] = {{"keys", 100}};
  EXPECT_EQ(ParseScenario(document, "test.json", false, kModels).points.back().message_size, 1024u);
  document = Minimal();
  document["protocol"] = "line";
  ExpectRejected(document, "\"sweep.rate\": protocol line needs a rate: messages are broadcast");
  document["sweep"]["rate"] = {1000};
  ExpectRejected(document, "\"sweep.connections\": protocol line needs at least 2 connections");
  document["sweep"]["connections"] = {2, 10};
  EXPECT_EQ(ParseScenario(document, "test.json", false, kModels).points.front().rate, 1000);
  document = Minimal();
  document["sweep"]["conections"] = {1};
  ExpectRejected(document, "\"sweep.conections\": unknown field");
  document = Minimal();
  document["durations"] = "1s";
  ExpectRejected(document, "\"durations\": unknown field");
  // Quoted on one line, whatever the key holds.
  document = Minimal();
  document["sweep"]["a\nb"] = 1;
  ExpectRejected(document, "\"sweep.a\\nb\": unknown field");
  document = Minimal();
  document["quick"] = {{"duraton", "1s"}};
  ExpectRejected(document, "\"quick.duraton\": unknown field");
  // A quick version that cannot run is refused by the full run too.
  document["quick"] = {{"duration", "zz"}};
  ExpectRejected(document, "in its \"quick\" version: \"duration\": expected a duration");
  document = Minimal();
  document["name"] = "Has Spaces";
  ExpectRejected(document, "\"name\": expected a non-empty name of lowercase letters");
  // It names the results file, which cannot be longer than 255 bytes.
  document["name"] = std::string(200, 'n');
  EXPECT_EQ(ParseScenario(document, "test.json", false, kModels).name.size(), 200u);
  document["name"] = std::string(240, 'n');
  ExpectRejected(document,
                 "\"name\": is 240 characters long; the results file it names allows at most 200");
  document = Minimal();
  document["server"] = {{"output_limit", "lots"}};
  ExpectRejected(document, "\"server.output_limit\": expected a size");
  // Checked as c10k serve checks --max-frame and --output-limit: a limit
  // serve would refuse once started a server that failed every point.
  for (const char* field : {"max_frame", "output_limit"}) {
    for (const Json& bytes : {Json(0), Json("0KiB"), Json("2GiB"), Json(-1), Json(1.5)}) {
      document["server"] = {{field, bytes}};
      ExpectRejected(document, "\"server." + std::string(field) +
                                   "\": expected a size from 1 byte to 1 GiB such as 4096, "
                                   "\"64KiB\" or \"1MiB\", got " +
                                   bytes.dump());
    }
    document["server"] = {{field, "1GiB"}};
    EXPECT_NO_THROW(ParseScenario(document, "test.json", false, kModels));
    document["server"] = {{field, 1}};
    EXPECT_NO_THROW(ParseScenario(document, "test.json", false, kModels));
  }
  document = Minimal();
  document["load"] = {{"io", "kqueue"}};
  ExpectRejected(document, "\"load.io\": expected \"epoll\" or \"uring\", got \"kqueue\"");
  document = Minimal();
  document["models"] = {"epoll", "poll", "epoll"};
  ExpectRejected(document, "\"models\": epoll is listed twice");
  // As is a value of a sweep list: the same points measured twice.
  document = Minimal();
  document["sweep"]["connections"] = {100, 100};
  ExpectRejected(document, "\"sweep.connections\": 100 is listed twice");
  document["sweep"] = {{"connections", {10}}, {"rate", {1000, 500, 1000.0}}};
  ExpectRejected(document, "\"sweep.rate\": 1000 is listed twice");
  document["sweep"] = {{"active", {1}}, {"idle", {0, 5, 0}}};
  ExpectRejected(document, "\"sweep.idle\": 0 is listed twice");
  // "0s" once meant the default 5 s without a word; the load flag refuses it.
  document = Minimal();
  document["protocol"] = "resp";
  document["load"] = {{"ratio", "1:10"}};
  ExpectRejected(document, "\"load.ratio\": applies to protocol resp with \"load.keys\"");
  document["load"] = {{"ratio", "1-10"}, {"keys", 100}};
  ExpectRejected(document, "\"load.ratio\": \"1-10\" is not SETS:GETS such as 1:10");
  document["load"] = {{"ratio", "1:10"}, {"keys", 100}};
  EXPECT_EQ(ParseScenario(document, "test.json", false, kModels).ratio,
            (SetGetRatio{.sets = 1, .gets = 10}));
  document = Minimal();
  document["requests"] = 0;
  ExpectRejected(document, "\"requests\": expected an integer from 1 to 1000000000000");
  document["requests"] = 5000;
  EXPECT_EQ(ParseScenario(document, "test.json", false, kModels).requests, 5000u);
  document["sweep"] = {{"connections", {10}}, {"active", {0, 5}}};
  ExpectRejected(document, "\"requests\": needs an active connection at every point");
  document["protocol"] = "line";
  document["sweep"] = {{"connections", {2}}, {"rate", {10}}};
  ExpectRejected(document, "\"requests\": counts replies, and protocol line's broadcast");
  document = Minimal();
  document["load"] = {{"timeout", "0s"}};
  ExpectRejected(document, "\"load.timeout\": expected a duration of at least 1ms");
  document = Minimal();
  document["sweep"]["message_size"] = {100'000'000};
  ExpectRejected(document,
                 "\"sweep.message_size\": expected a non-empty list of integers from 1 "
                 "to 67108864, got [100000000]");
}

TEST(ScenarioTest, HttpRequestFieldsShapeEveryRequestAndAreCheckedAsTheLoadFlags) {
  Json document = Minimal();
  document["protocol"] = "http";
  Scenario plain = ParseScenario(document, "test.json", false, kModels);
  EXPECT_EQ(plain.http_method, "GET");
  EXPECT_EQ(plain.http_path, "/");
  EXPECT_TRUE(plain.http_headers.empty());
  EXPECT_EQ(plain.http_body, nullptr);

  // A relative body file is found beside the scenario file, not in the
  // directory `c10k run` was started from.
  std::string dir = testing::TempDir() + "/http-scenario";
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(testing::WriteFile(dir + "/body.json", "{\"a\": 1}"));
  document["load"] = {{"method", "POST"},
                      {"path", "/up?x=1"},
                      {"headers", {"Content-Type: application/json", "X-Run: 7"}},
                      {"body_file", "body.json"}};
  Scenario post = ParseScenario(document, dir + "/post.json", false, kModels);
  EXPECT_EQ(post.http_method, "POST");
  EXPECT_EQ(post.http_path, "/up?x=1");
  EXPECT_EQ(post.http_headers,
            (std::vector<std::string>{"Content-Type: application/json", "X-Run: 7"}));
  ASSERT_NE(post.http_body, nullptr);
  EXPECT_EQ(*post.http_body, "{\"a\": 1}");
  document["load"] = {{"headers", "X-One: 1"}};  // one header needs no list
  EXPECT_EQ(ParseScenario(document, "test.json", false, kModels).http_headers,
            std::vector<std::string>{"X-One: 1"});

  struct Case {
    Json load;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {{{"method", "GE T"}}, "\"load.method\": \"GE T\" is not a method name"},
           {{{"method", "CONNECT"}}, "\"load.method\": \"CONNECT\" opens a tunnel"},
           {{{"path", "up"}}, "\"load.path\": \"up\" must start with /"},
           {{{"path", "/a b"}}, "\"load.path\": \"/a b\" has a space or control character"},
           {{{"headers", {"X-Token"}}}, "\"load.headers\": \"X-Token\" is not \"Name: value\""},
           {{{"headers", {"Content-Length: 3"}}},
            "\"load.headers\": \"Content-Length: 3\" frames the body"},
           {{{"headers", {1}}}, "\"load.headers\": expected a list of strings, got [1]"},
           {{{"body_file", "missing.bin"}},
            "\"load.body_file\": " + dir + "/missing.bin: ENOENT (No such file or directory)"},
           {{{"body_file", dir}}, "\"load.body_file\": " + dir + " is a directory; name a file"},
           {{{"body_file", ""}}, "\"load.body_file\": expected the path of a file"},
       }) {
    document["load"] = c.load;
    try {
      ParseScenario(document, dir + "/post.json", false, kModels);
      ADD_FAILURE() << "accepted: " << c.load.dump();
    } catch (const ScenarioError& e) {
      EXPECT_NE(std::string(e.what()).find(c.error), std::string::npos) << e.what();
    }
  }
  // Only http sends them: elsewhere they would be ignored without a word.
  document = Minimal();
  for (const char* field : {"method", "path", "headers", "body_file"}) {
    document["load"] = {{field, "x"}};
    ExpectRejected(document, "\"load." + std::string(field) +
                                 "\": applies to protocol http only, and this scenario is echo");
  }
}

TEST(ScenarioTest, LoadScenarioAllowsCommentsAndHashesTheFile) {
  std::string path = testing::TempDir() + "/tiny.json";
  // The hash is of the file's bytes, comment and layout included: one of the
  // document read back would be the same for two files that differ.
  const std::string text = "// comment\n" + Minimal().dump();
  ASSERT_TRUE(testing::WriteFile(path, text));
  Scenario scenario = LoadScenario(path, false, kModels);
  EXPECT_EQ(scenario.sha256, Sha256Hex(text));
  EXPECT_EQ(scenario.file, path);
  std::ofstream(path) << "{ \"name\": ";
  EXPECT_THROW(LoadScenario(path, false, kModels), ScenarioError);
  EXPECT_THROW(LoadScenario(path + ".missing", false, kModels), ScenarioError);
}

TEST(ScenarioTest, ANumberBeyondADoubleIsNotValidJson) {
  // nlohmann throws out_of_range, not parse_error, for it: this once ended
  // `c10k run` as an internal failure (exit 1) instead of a usage error.
  std::string path = testing::TempDir() + "/huge.json";
  std::ofstream(path) << R"({"name": "huge", "sweep": {"connections": [1e400]}})";
  try {
    LoadScenario(path, false, kModels);
    ADD_FAILURE() << "1e400 was accepted";
  } catch (const ScenarioError& e) {
    EXPECT_EQ(std::string(e.what()), "not valid JSON: number overflow parsing '1e400'");
  }
}

// LoadScenario's ScenarioError for a file holding `text`, or "" if it loads.
std::string LoadError(const std::string& text) {
  std::string path = testing::TempDir() + "/scenario.json";
  if (!testing::WriteFile(path, text)) return "cannot write " + path;
  try {
    LoadScenario(path, false, kModels);
    return "";
  } catch (const ScenarioError& e) {
    return e.what();
  }
}

// `levels` arrays one inside the other, as a scenario's "models".
std::string ModelsNested(int levels) {
  return R"({"name": "deep", "protocol": "bogus", "models": )" + std::string(levels, '[') +
         std::string(levels, ']') + "}";
}

TEST(ScenarioTest, NestingDeeperThanAScenarioNeedsIsRefusedBeforeItIsParsed) {
  // 200,000 levels once overflowed the stack copying the parsed document.
  EXPECT_EQ(LoadError(ModelsNested(200'000)),
            "objects and arrays nested more than 64 levels deep; a scenario needs 4 at most");
  EXPECT_EQ(LoadError(ModelsNested(64)),
            "objects and arrays nested more than 64 levels deep; a scenario needs 4 at most");
  // 63 arrays in the top-level object are 64 levels: read, then refused for
  // what they say.
  EXPECT_EQ(LoadError(ModelsNested(63)).rfind("\"protocol\": expected one of", 0), 0u)
      << LoadError(ModelsNested(63));
}

TEST(ScenarioTest, AKeyGivenTwiceInOneObjectIsRefused) {
  // The parsed document keeps the last one: "bogus" was never looked at.
  const std::string rest = R"("protocol": "echo", "models": ["epoll"], "warmup": "0s")";
  EXPECT_EQ(LoadError(R"({"name": "twice", "duration": "bogus", "duration": "1s",
                          "sweep": {"connections": [1]}, )" +
                      rest + "}"),
            "\"duration\" is given twice");
  EXPECT_EQ(LoadError(R"({"name": "twice", "sweep": {"connections": [1]},
                          "sweep": {"connections": [2]}, )" +
                      rest + "}"),
            "\"sweep\" is given twice");
  // Named by the path of the object it is in, as every scenario error is.
  EXPECT_EQ(LoadError(R"({"name": "twice", "sweep": {"connections": [1]}, "quick": {
                          "sweep": {"connections": [1], /* again */ "connections": [2]}}, )" +
                      rest + "}"),
            "\"quick.sweep.connections\" is given twice");
  EXPECT_EQ(LoadError(R"({"name": "twice", "sweep": {"connections": [1]},
                          "load": {"headers": [{"a": 1}, {"b": 1, "b": 2}]}, )" +
                      rest + "}"),
            "\"load.headers[1].b\" is given twice");
  // The same key in two objects is no repeat.
  EXPECT_EQ(LoadError(R"({"name": "once", "sweep": {"connections": [1]}, "duration": "1s",
                          "quick": {"duration": "500ms"}, )" +
                      rest + "}"),
            "");
}

TEST(ScenarioTest, AFileLargerThanAnyScenarioIsRefused) {
  // Valid JSON, padded: 1 MiB is read, a byte more is refused.
  std::string scenario = Minimal().dump();
  std::string padding(size_t{1} << 20, ' ');
  EXPECT_EQ(LoadError(padding.substr(scenario.size()) + scenario), "");
  EXPECT_EQ(LoadError(padding.substr(scenario.size() - 1) + scenario),
            "more than 1 MiB, which no scenario file is (they are a few KiB of JSON)");
}

TEST(ScenarioTest, ModelsFlagReplacesTheListAndRejectsUnknownModels) {
  Scenario scenario = ParseScenario(Minimal(), "test.json", false, kModels);
  SelectModels(scenario, {"select", "poll"}, kModels);
  EXPECT_EQ(scenario.models, (std::vector<std::string>{"select", "poll"}));
  EXPECT_THROW(SelectModels(scenario, {"nosuch"}, kModels), ScenarioError);
  EXPECT_THROW(SelectModels(scenario, {"poll", "epoll", "poll"}, kModels), ScenarioError);
}

TEST(ScenarioTest, EveryShippedScenarioParsesFullAndQuick) {
  // Every file in scenarios/, so a new one cannot be left out of this list
  // (connection-churn was, for a stop).
  std::vector<std::string> all = {"blocking", "threads",  "busypoll", "select", "poll",
                                  "epoll",    "epoll-et", "kqueue",   "uring",  "reuseport"};
  size_t found = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(testing::kSourceDir) + "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    ++found;
    std::string name = entry.path().stem().string();
    for (bool quick : {false, true}) {
      SCOPED_TRACE(name + (quick ? " quick" : ""));
      Scenario scenario = LoadScenario(entry.path().string(), quick, all);
      EXPECT_EQ(scenario.name, name) << "a scenario is named after its file";
      EXPECT_FALSE(scenario.points.empty());
    }
  }
  EXPECT_GE(found, 13u);
}

}  // namespace
}  // namespace c10k
