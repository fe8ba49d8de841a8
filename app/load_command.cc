// c10k load: drive a TCP server with N connections, measure, and write one
// results document.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <thread>

#include "app/command.h"
#include "common/clock.h"
#include "common/net.h"
#include "common/result_json.h"
#include "common/stop_signal.h"
#include "loadgen/load_generator.h"
#include "loadgen/load_report.h"
#include "protocols/client_codec.h"

namespace c10k {

namespace {

struct LoadOptions {
  std::string target;
  std::string protocol = "echo";
  int connections = 10;
  int active = -1;
  int depth = 1;
  int message_size = 64;
  std::string duration = "10s";
  std::string warmup = "2s";
  std::string connect_timeout = "5s";
  int threads = 0;
  int server_pid = 0;
  std::string json;
  std::string label;
};

int DefaultThreads() {
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  return cores > 1 ? cores - 1 : 1;
}

LoadConfig BuildConfig(const LoadOptions& options) {
  LoadConfig config;
  auto target = ParseHostPort(options.target);
  if (!target) {
    throw UsageError("--target \"" + options.target +
                     "\" is not HOST:PORT with a numeric address, e.g. 127.0.0.1:8080 or [::1]:8080");
  }
  if (target->Port() == 0) throw UsageError("--target: port 0 cannot be connected to");
  config.target = *target;
  config.target_text = options.target;
  auto protocol = ParseProtocol(options.protocol);
  if (!protocol) throw UsageError("unknown protocol \"" + options.protocol + "\"");
  if (!MakeClientCodec(*protocol, {})) {
    throw UsageError("the load generator does not drive protocol " + options.protocol + " yet");
  }
  config.protocol = *protocol;
  config.connections = options.connections;
  config.active = options.active;
  if (options.active > options.connections) {
    throw UsageError("--active " + std::to_string(options.active) + " is more than --connections " +
                     std::to_string(options.connections));
  }
  config.depth = options.depth;
  config.message_size = static_cast<size_t>(options.message_size);
  config.duration_ns = DurationFlag("--duration", options.duration);
  config.warmup_ns = DurationFlag("--warmup", options.warmup);
  config.connect_timeout_ns = DurationFlag("--connect-timeout", options.connect_timeout);
  if (config.duration_ns < kNanosPerMilli) throw UsageError("--duration must be at least 1ms");
  config.threads = options.threads > 0 ? options.threads : DefaultThreads();
  config.threads = std::min(config.threads, config.connections);
  config.server_pid = options.server_pid;
  config.label = options.label;
  config.live_line = isatty(STDERR_FILENO);
  return config;
}

int Load(const LoadOptions& options) {
  LoadConfig config = BuildConfig(options);
  if (std::string limit = CheckLoadLimits(config); !limit.empty()) throw UsageError(limit);
  InstallStopSignalHandlers();
  nlohmann::json document = {
      {"schema_version", kSchemaVersion},
      {"context", MakeContext()},
      {"scenario", {{"name", "load"}, {"file", nullptr}, {"sha256", nullptr}}},
  };
  LoadResult result = RunLoad(config);
  LoadVerdict verdict = JudgeLoad(config, result);
  document["interrupted"] = result.interrupted;
  document["runs"] = nlohmann::json::array({LoadRunJson(config, result, verdict)});
  std::fputs(LoadSummaryText(config, result, verdict).c_str(), stdout);
  if (!options.json.empty()) {
    if (std::string error = WriteJsonAtomically(options.json, document); !error.empty()) {
      std::fprintf(stderr, "c10k load: %s\n", error.c_str());
      return kExitFailed;
    }
    std::printf("  results: %s\n", options.json.c_str());
  }
  return verdict.status == "ok" ? kExitOk : kExitFailed;
}

}  // namespace

Command AddLoadCommand(CLI::App& root) {
  auto options = std::make_shared<LoadOptions>();
  CLI::App* app = root.add_subcommand(
      "load",
      "Drive a TCP server with many nonblocking connections and measure throughput and latency. "
      "Exit 0: ok; 1: the run finished with errors or mismatches; 2: bad usage.");
  app->add_option("--target", options->target, "Server address HOST:PORT")->required();
  app->add_option("--protocol", options->protocol, "echo, framed, line, http or resp")
      ->capture_default_str();
  app->add_option("--connections,-c", options->connections, "Connections to open (N)")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  app->add_option("--active", options->active,
                  "Connections that carry traffic (M); the rest stay open and idle (default: all)")
      ->check(CLI::Range(0, 10'000'000));
  app->add_option("--depth", options->depth, "Closed loop: requests in flight per active connection")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app->add_option("--message-size", options->message_size, "Payload bytes per request (echo, framed)")
      ->check(CLI::Range(1, 64 << 20))
      ->capture_default_str();
  app->add_option("--duration,-d", options->duration, "Measured window (500ms, 10s, 2m)")
      ->capture_default_str();
  app->add_option("--warmup", options->warmup, "Traffic before the window, not measured")
      ->capture_default_str();
  app->add_option("--connect-timeout", options->connect_timeout,
                  "A connect not done by then counts as a timeout")
      ->capture_default_str();
  app->add_option("--threads,-t", options->threads, "Worker threads (default: cores - 1, at least 1)")
      ->check(CLI::Range(1, 256));
  app->add_option("--server-pid", options->server_pid,
                  "Sample this process's CPU, RSS and threads from /proc during the window")
      ->check(CLI::Range(1, 1 << 30));
  app->add_option("--json", options->json, "Write the results document here (atomically)");
  app->add_option("--label", options->label,
                  "Name recorded as the run's model (default: external)");
  return {app, [options] { return Load(*options); }};
}

}  // namespace c10k
