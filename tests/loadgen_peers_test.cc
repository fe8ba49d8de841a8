// The http and resp client codecs against real servers from the distribution
// (nginx, redis-server), and every protocol against `c10k serve` where the
// server models speak it. A peer that is not installed, or a protocol the
// servers do not serve yet in this build, skips its test.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <tuple>

#include "common/clock.h"
#include "tests/loadgen_support.h"
#include "tests/test_support.h"

namespace c10k {
namespace {

using testing::FreePort;
using testing::OnlyRun;
using testing::RunC10k;
using testing::StartServer;
using testing::TempDir;
using testing::WaitForPort;
using testing::Which;

// An external server started here and stopped by its pid.
std::optional<ChildProcess> StartPeer(const std::vector<std::string>& argv, uint16_t port) {
  ChildOptions options;
  options.argv = argv;
  std::string error;
  auto child = ChildProcess::Start(options, &error);
  if (!child) {
    ADD_FAILURE() << "cannot start " << argv[0] << ": " << error;
    return std::nullopt;
  }
  if (!WaitForPort(port, 20 * kNanosPerSecond)) {
    ADD_FAILURE() << argv[0] << " did not listen on port " << port;
    return std::nullopt;
  }
  return child;
}

nlohmann::json LoadAgainst(const std::string& target, std::vector<std::string> extra) {
  std::string json = TempDir() + "/peer.json";
  std::vector<std::string> args = {"load", "--target", target,  "-c",     "20", "-d",
                                   "1s",   "--warmup", "200ms", "--json", json};
  args.insert(args.end(), extra.begin(), extra.end());
  auto load = RunC10k(args);
  EXPECT_TRUE(load.status.Clean()) << load.status.Describe() << "\n" << load.out;
  return OnlyRun(json);
}

void ExpectCleanRun(const nlohmann::json& run) {
  EXPECT_EQ(run["status"], "ok") << run["reason"];
  EXPECT_GT(run["throughput"]["requests"].get<uint64_t>(), 0u);
  EXPECT_EQ(run["verify"]["mismatches"], 0);
  EXPECT_EQ(run["errors"]["protocol"], 0);
}

TEST(LoadgenPeersTest, HttpAgainstNginx) {
  std::string nginx = Which("nginx");
  if (nginx.empty()) GTEST_SKIP() << "nginx is not installed";
  std::string dir = TempDir();
  uint16_t port = FreePort();
  std::ofstream(dir + "/nginx.conf")
      << "daemon off;\nmaster_process off;\nworker_processes 1;\npid " << dir << "/nginx.pid;\n"
      << "error_log " << dir
      << "/error.log;\nevents { worker_connections 1024; }\n"
      // nginx closes a keep-alive connection after keepalive_requests (1,000
      // by default) with "Connection: close"; 100 makes every closed-loop run
      // here reopen its connections many times, as wrk does.
      << "http {\n  access_log off;\n  keepalive_requests 100;\n"
      << "  client_body_temp_path " << dir << "/body;\n  proxy_temp_path " << dir << "/proxy;\n"
      << "  fastcgi_temp_path " << dir << "/fastcgi;\n  uwsgi_temp_path " << dir << "/uwsgi;\n"
      << "  scgi_temp_path " << dir << "/scgi;\n"
      << "  server {\n    listen 127.0.0.1:" << port << ";\n"
      << "    location / { return 200 \"hello from nginx\\n\"; }\n"
      << "    location /missing { return 404; }\n"
      // For --header: answered only when the request carries these.
      << "    location /token { if ($http_authorization != \"Bearer c10k\") { return 401; }\n"
      << "      return 200 \"granted\\n\"; }\n"
      << "    location /host { if ($http_host != \"bench.example\") { return 421; }\n"
      << "      return 200 \"right host\\n\"; }\n"
      // sub_filter drops the Content-Length, so nginx sends the body chunked.
      << "    location /chunked { default_type text/html; sub_filter a b; sub_filter_once off;\n"
      << "      return 200 \"a body of unknown length\"; }\n  }\n}\n";
  auto peer =
      StartPeer({nginx, "-e", dir + "/error.log", "-p", dir, "-c", dir + "/nginx.conf"}, port);
  ASSERT_TRUE(peer);
  std::string target = "127.0.0.1:" + std::to_string(port);
  for (std::vector<std::string> io :
       {std::vector<std::string>{"--io", "epoll"}, {"--io", "uring"}}) {
    io.insert(io.begin(), {"--protocol", "http"});
    nlohmann::json run = LoadAgainst(target, io);
    ExpectCleanRun(run);
    EXPECT_GT(run["connections"]["reconnects"].get<uint64_t>(), 0u) << run["connections"];
  }
  ExpectCleanRun(LoadAgainst(target, {"--protocol", "http", "--rate", "500"}));
  ExpectCleanRun(LoadAgainst(target, {"--protocol", "http", "--path", "/chunked"}));
  // A 404 is a well-formed reply in which the server says no: an error reply,
  // quoted, not a mismatch.
  std::string json = TempDir() + "/404.json";
  auto load = RunC10k({"load", "--target", target, "--protocol", "http", "--path", "/missing", "-c",
                       "2", "-d", "500ms", "--warmup", "0s", "--json", json});
  EXPECT_EQ(load.status.code, 1);
  nlohmann::json verify = OnlyRun(json)["verify"];
  EXPECT_GT(verify["error_replies"].get<uint64_t>(), 0u) << verify;
  EXPECT_EQ(verify["mismatches"], 0u) << verify;
  EXPECT_EQ(verify["first_error_reply"], "HTTP/1.1 404 Not Found");
  // --header reaches the server: without it nginx refuses, with it it answers.
  auto refused = RunC10k({"load", "--target", target, "--protocol", "http", "--path", "/token",
                          "-c", "2", "-d", "500ms", "--warmup", "0s", "--json", json});
  EXPECT_EQ(refused.status.code, 1);
  EXPECT_EQ(OnlyRun(json)["verify"]["first_error_reply"], "HTTP/1.1 401 Unauthorized");
  nlohmann::json granted =
      LoadAgainst(target, {"--protocol", "http", "--path", "/token", "-H", "X-Other: 1", "--header",
                           "authorization:   Bearer c10k"});
  ExpectCleanRun(granted);
  // The token did its job and stays out of the results.
  EXPECT_EQ(granted["params"]["headers"],
            nlohmann::json({"X-Other: 1", "authorization: (not recorded)"}));
  // Asking nginx to close after every reply: each request opens a connection.
  nlohmann::json closing = LoadAgainst(target, {"--protocol", "http", "-H", "Connection: close"});
  ExpectCleanRun(closing);
  EXPECT_GT(closing["connections"]["reconnects"].get<uint64_t>(),
            closing["throughput"]["requests"].get<uint64_t>() / 2)
      << closing["connections"];
  // A Host header replaces the default one (the --target text), not doubles it.
  ExpectCleanRun(
      LoadAgainst(target, {"--protocol", "http", "--path", "/host", "-H", "Host: bench.example"}));
  // The wrong --protocol: the reason quotes what the server said instead.
  auto resp = RunC10k({"load", "--target", target, "--protocol", "resp", "-c", "2", "-d", "500ms",
                       "--warmup", "0s", "--json", json});
  EXPECT_EQ(resp.status.code, 1);
  std::string reason = OnlyRun(json)["reason"];
  EXPECT_NE(reason.find("2 protocol errors, the first not resp: \"HTTP/1.1 400 Bad Request\\r\\n"),
            std::string::npos)
      << reason;
  peer->Stop(SIGTERM, 10 * kNanosPerSecond);
}

TEST(LoadgenPeersTest, RespAgainstRedisServer) {
  std::string redis = Which("redis-server");
  if (redis.empty()) GTEST_SKIP() << "redis-server is not installed";
  std::string dir = TempDir();
  uint16_t port = FreePort();
  auto peer = StartPeer({redis, "--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "",
                         "--appendonly", "no", "--dir", dir, "--logfile", dir + "/redis.log"},
                        port);
  ASSERT_TRUE(peer);
  std::string target = "127.0.0.1:" + std::to_string(port);
  ExpectCleanRun(LoadAgainst(target, {"--protocol", "resp"}));
  ExpectCleanRun(LoadAgainst(
      target, {"--protocol", "resp", "--keys", "1000", "--message-size", "100", "--depth", "4"}));
  ExpectCleanRun(LoadAgainst(target, {"--protocol", "resp", "--keys", "1000", "--message-size",
                                      "100", "--depth", "4", "--io", "uring"}));
  // memtier's default mix: every GET finds the value its round's SET wrote.
  nlohmann::json mixed = LoadAgainst(
      target, {"--protocol", "resp", "--keys", "1000", "--ratio", "1:10", "--depth", "4"});
  ExpectCleanRun(mixed);
  EXPECT_EQ(mixed["params"]["ratio"], "1:10");
  peer->Stop(SIGTERM, 10 * kNanosPerSecond);
}

// Every protocol, driven by the load generator with each of its I/O engines
// against the epoll model.
class LoadgenServeTest : public ::testing::TestWithParam<std::tuple<const char*, const char*>> {};

TEST_P(LoadgenServeTest, CleanRunAgainstTheEpollModel) {
  auto [protocol_name, io] = GetParam();
  std::string protocol = protocol_name;
  auto server = StartServer("epoll", protocol);
  ASSERT_TRUE(server);
  std::vector<std::string> extra = {"--protocol", protocol, "--io", io};
  if (protocol == "line") extra.insert(extra.end(), {"--active", "5", "--rate", "500"});
  if (protocol == "resp") extra.insert(extra.end(), {"--keys", "100"});
  auto run = LoadAgainst(server->address_text, extra);
  ExpectCleanRun(run);
  if (protocol == "line") {
    EXPECT_EQ(run["line"]["delivered"], run["line"]["expected"]);
  }
  EXPECT_TRUE(server->process.Stop(SIGTERM, 10 * kNanosPerSecond).Clean());
}

INSTANTIATE_TEST_SUITE_P(Protocols, LoadgenServeTest,
                         ::testing::Combine(::testing::Values("echo", "framed", "http", "resp",
                                                              "line"),
                                            ::testing::Values("epoll", "uring")),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param)) + "_" +
                                  std::get<1>(info.param);
                         });

}  // namespace
}  // namespace c10k
