// Clients nobody here wrote: redis-benchmark against the resp protocol and
// wrk, ab and h2load against http, on every model that serves more than one
// client at a time. They speak their protocols the way the real world does
// (pipelining, CONFIG GET at start, HTTP/1.0 keep-alive), which a home-made
// client might not.
#include <gtest/gtest.h>
#include <signal.h>

#include <cctype>


#include "common/clock.h"
#include "servers/models.h"
#include "tests/test_support.h"

namespace c10k {
namespace {

// The number that ends right before `suffix` in `text` ("123 requests in"), or -1.
double NumberBefore(const std::string& text, const std::string& suffix) {
  size_t at = text.find(suffix);
  if (at == std::string::npos) return -1;
  size_t start = at;
  while (start > 0 && (isdigit(static_cast<unsigned char>(text[start - 1])) || text[start - 1] == '.')) {
    --start;
  }
  return start == at ? -1 : std::stod(text.substr(start, at - start));
}

std::vector<std::string> ConcurrentModels() {
  std::vector<std::string> models;
  for (const auto& model : ServerModels()) {
    if (model.compiled && model.name != "blocking") models.emplace_back(model.name);
  }
  return models;
}

class RealClientsTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Runs `client` with the URL of `path` on a fresh http server of this
  // model as its last argument; checks that both ended cleanly and returns
  // what the client printed ("" when the server did not start, a failure).
  std::string RunAgainstHttp(std::vector<std::string> client, const std::string& path) {
    auto server = testing::StartServer(GetParam(), "http");
    if (!server) return "";
    client.push_back("http://" + server->address_text + path);
    auto [status, out] = testing::RunCommand(client, 30);
    EXPECT_TRUE(status.Clean()) << status.Describe() << "\n" << out;
    ExitStatus stopped = server->process.Stop(SIGTERM, 10 * kNanosPerSecond);
    EXPECT_TRUE(stopped.Clean()) << stopped.Describe();
    return out;
  }
};

TEST_P(RealClientsTest, RedisBenchmarkAgainstResp) {
  if (testing::Which("redis-benchmark").empty()) GTEST_SKIP() << "redis-benchmark is not installed (scripts/deps)";
  std::string log = testing::TempDir() + "/server.log";
  auto server = testing::StartServer(GetParam(), "resp", {}, log);
  ASSERT_TRUE(server);
  for (const char* pipeline : {"1", "16"}) {
    SCOPED_TRACE(std::string("-P ") + pipeline);
    auto [status, out] = testing::RunCommand({"redis-benchmark", "-h", "127.0.0.1", "-p",
                                              std::to_string(server->address.Port()), "-t",
                                              "ping,set,get", "-n", "5000", "-c", "20", "-P",
                                              pipeline, "-q"});
    EXPECT_TRUE(status.Clean()) << status.Describe() << "\n" << out;
    for (const char* test : {"PING_INLINE", "PING_MBULK", "SET", "GET"}) {
      // A line "SET: 12345.67 requests per second, p50=..." for each test.
      size_t line = out.find(std::string(test) + ": ");
      ASSERT_NE(line, std::string::npos) << test << " did not complete:\n" << out;
      EXPECT_GT(NumberBefore(out.substr(line), " requests per second"), 0) << out;
    }
    EXPECT_EQ(out.find("rror"), std::string::npos) << out;
  }
  ExitStatus stopped = server->process.Stop(SIGTERM, 10 * kNanosPerSecond);
  EXPECT_TRUE(stopped.Clean()) << stopped.Describe();
  EXPECT_EQ(testing::ReadFile(log).find("protocol errors"), std::string::npos)
      << testing::ReadFile(log);
}

TEST_P(RealClientsTest, WrkAgainstHttp) {
  if (testing::Which("wrk").empty()) GTEST_SKIP() << "wrk is not installed (scripts/deps)";
  std::string out = RunAgainstHttp({"wrk", "-t1", "-c20", "-d1s"}, "/index.html");
  EXPECT_GT(NumberBefore(out, " requests in"), 0) << out;
  EXPECT_EQ(out.find("Socket errors"), std::string::npos) << out;
  EXPECT_EQ(out.find("Non-2xx"), std::string::npos) << out;
}

TEST_P(RealClientsTest, AbKeepAliveAgainstHttp) {
  // ab -k speaks HTTP/1.0 with "Connection: Keep-Alive" and keeps a
  // connection only when the reply says so; it once waited for a close that
  // never came, until its -s timeout.
  if (testing::Which("ab").empty()) GTEST_SKIP() << "ab is not installed (scripts/deps)";
  std::string out = RunAgainstHttp({"ab", "-k", "-q", "-s", "5", "-c", "10", "-n", "2000"}, "/");
  EXPECT_NE(out.find("Complete requests:      2000\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Failed requests:        0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Keep-Alive requests:    2000\n"), std::string::npos) << out;
}

TEST_P(RealClientsTest, AbPostsAgainstHttp) {
  // ab -p uploads a body with every request; the server reads it by its
  // Content-Length and answers 200 (it once answered 405, every reply a
  // "Non-2xx").
  if (testing::Which("ab").empty()) GTEST_SKIP() << "ab is not installed (scripts/deps)";
  std::string body = testing::TempDir() + "/body";
  ASSERT_TRUE(testing::WriteFile(body, std::string(3000, 'p')));
  std::string out = RunAgainstHttp(
      {"ab", "-k", "-q", "-s", "5", "-c", "10", "-n", "1000", "-p", body, "-T", "text/plain"}, "/");
  EXPECT_NE(out.find("Complete requests:      1000\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Failed requests:        0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Total body sent:"), std::string::npos) << out;
  EXPECT_EQ(out.find("Non-2xx"), std::string::npos) << out;
}

TEST_P(RealClientsTest, H2loadOverHttp11AgainstHttp) {
  if (testing::Which("h2load").empty()) GTEST_SKIP() << "h2load is not installed (scripts/deps)";
  // -m 4: four requests in flight per connection, pipelined over HTTP/1.1.
  std::string out =
      RunAgainstHttp({"h2load", "--h1", "-c", "10", "-m", "4", "-n", "4000", "-T", "5"}, "/");
  EXPECT_NE(out.find("4000 done, 4000 succeeded, 0 failed, 0 errored, 0 timeout"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("status codes: 4000 2xx"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(Models, RealClientsTest, ::testing::ValuesIn(ConcurrentModels()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

}  // namespace
}  // namespace c10k
