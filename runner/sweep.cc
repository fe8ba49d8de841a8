#include "runner/sweep.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "common/clock.h"
#include "common/result_json.h"
#include "common/stop_signal.h"
#include "loadgen/load_generator.h"
#include "loadgen/load_report.h"
#include "runner/ceiling.h"
#include "runner/server_process.h"
#include "runner/slow_clients.h"
#include "servers/models.h"

namespace c10k {

namespace {

using Json = nlohmann::json;

// Where the server and the load generator run. With two or more CPUs they
// get one each, so neither steals the other's cycles and the server's CPU
// use is its own; with one, both share it (recorded in the context).
struct Placement {
  int server_cpu = -1;
  int loadgen_cpu = -1;
};

Placement PlaceProcesses() {
  Placement placement;
  if (std::thread::hardware_concurrency() < 2) return placement;
  placement.server_cpu = 0;
  placement.loadgen_cpu = 1;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(placement.loadgen_cpu, &set);
  // Threads created from now on (the load generator's workers) inherit this.
  if (sched_setaffinity(0, sizeof set, &set) != 0) placement.loadgen_cpu = -1;
  return placement;
}

std::string PointLabel(const std::string& model, const SweepPoint& point) {
  std::string label = model + " c=" + std::to_string(point.connections);
  if (point.active >= 0 && point.active != point.connections) {
    label += " active=" + std::to_string(point.active);
  }
  if (point.rate > 0) {
    label += " rate=" + std::to_string(static_cast<long>(point.rate));
  } else if (point.depth != 1) {
    label += " depth=" + std::to_string(point.depth);
  }
  if (point.message_size != 64) label += " size=" + std::to_string(point.message_size);
  if (point.requests_per_connection > 0) {
    label += " per-connection=" + std::to_string(point.requests_per_connection);
  }
  return label;
}

// Tells the person at the terminal where the sweep is and how long is left.
class Progress {
 public:
  Progress(int total, int64_t nominal_per_rep_ns, bool redraw)
      : total_(total), nominal_ns_(nominal_per_rep_ns), redraw_(redraw) {}

  void Begin(int index, const std::string& what) {
    int64_t now = MonotonicNanos();
    if (index > 0) taken_ns_.push_back(now - last_begin_ns_);
    last_begin_ns_ = now;
    int64_t eta = SweepTimeLeft(taken_ns_, total_ - index, nominal_ns_);
    std::fprintf(stderr, "%s[%d/%d] %s  (ETA %s)%s", redraw_ ? "\r\033[K" : "", index + 1, total_,
                 what.c_str(), FormatEta(eta).c_str(), redraw_ ? "" : "\n");
    std::fflush(stderr);
  }

  void Note(const std::string& text) {
    std::fprintf(stderr, "%s%s\n", redraw_ ? "\r\033[K" : "", text.c_str());
  }

  void End() {
    if (redraw_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  static std::string FormatEta(int64_t nanos) {
    int64_t seconds = std::max<int64_t>(0, nanos / kNanosPerSecond);
    char text[32];
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(seconds / 60),
                  static_cast<long long>(seconds % 60));
    return text;
  }

  int total_;
  int64_t nominal_ns_;
  bool redraw_;
  int64_t last_begin_ns_ = 0;
  std::vector<int64_t> taken_ns_;  // each repetition begun and done so far
};

// What a point asks of the load generator, before there is a server to aim at.
LoadConfig PointLoadConfig(const Scenario& scenario, const SweepPoint& point) {
  LoadConfig config;
  config.protocol = scenario.protocol;
  config.connections = point.connections;
  config.active = point.active;
  config.depth = point.depth;
  config.rate = point.rate;
  config.message_size = point.message_size;
  config.requests_per_connection = point.requests_per_connection;
  config.source_addrs = scenario.source_addrs;
  config.source_addrs_text = scenario.source_addrs_text;
  config.keys = scenario.keys;
  config.ratio = scenario.ratio;
  config.http_method = scenario.http_method;
  config.http_path = scenario.http_path;
  config.http_headers = scenario.http_headers;
  config.http_body = scenario.http_body;
  if (scenario.request_timeout_ns > 0) config.request_timeout_ns = scenario.request_timeout_ns;
  config.duration_ns = scenario.duration_ns;
  config.requests = scenario.requests;
  config.warmup_ns = scenario.warmup_ns;
  int cpus = static_cast<int>(std::thread::hardware_concurrency());
  config.threads = scenario.load_threads > 0 ? scenario.load_threads : std::max(1, cpus - 1);
  config.threads = std::min(config.threads, config.connections);
  config.io = scenario.load_io;
  return config;
}

// What a point asks of this process, for CheckSweepLimits: the load, and the
// slow clients, which are opened here beside the load generator's
// connections and take a descriptor and a local port each as one of them
// does. They send nothing, so the active connections stay the load's.
LoadConfig LimitsConfig(const Scenario& scenario, const SweepPoint& point) {
  LoadConfig config = PointLoadConfig(scenario, point);
  config.active = config.ActiveConnections();
  config.connections += scenario.slow_clients;
  return config;
}

LoadConfig MakeLoadConfig(const Scenario& scenario, const SweepPoint& point,
                          const ServerProcess& server, const std::string& model) {
  LoadConfig config = PointLoadConfig(scenario, point);
  config.target = server.Address();
  config.target_text = server.AddressText();
  config.server_pid = server.Pid();
  config.label = model;
  return config;
}

// The scenario's "server" fields as `c10k serve` flags for `model`, which
// refuses a flag it does not read (--threads is reuseport's alone).
std::vector<std::string> ServerArgs(const Scenario& scenario, const std::string& model) {
  std::vector<std::string> args;
  if (scenario.server_threads > 0 && model == "reuseport") {
    args.insert(args.end(), {"--threads", std::to_string(scenario.server_threads)});
  }
  if (!scenario.max_frame.empty()) args.insert(args.end(), {"--max-frame", scenario.max_frame});
  if (scenario.max_threads > 0 && model == "threads") {
    args.insert(args.end(), {"--max-threads", std::to_string(scenario.max_threads)});
  }
  if (!scenario.output_limit.empty()) {
    args.insert(args.end(), {"--output-limit", scenario.output_limit});
  }
  return args;
}

// The run entry of one point: the median repetition (by throughput) in full,
// a summary of every repetition, and the point's verdict.
Json PointJson(const std::vector<Json>& repetitions, const LoadVerdict& verdict,
               const std::vector<std::string>& server_log) {
  std::vector<Json> by_rate = repetitions;
  std::sort(by_rate.begin(), by_rate.end(), [](const Json& a, const Json& b) {
    return a["throughput"]["requests_per_s"].get<double>() <
           b["throughput"]["requests_per_s"].get<double>();
  });
  Json run = by_rate[(by_rate.size() - 1) / 2];
  Json summary = Json::array();
  for (const Json& repetition : repetitions) {
    summary.push_back({{"requests_per_s", repetition["throughput"]["requests_per_s"]},
                       {"p50_us", repetition["latency_us"]["p50"]},
                       {"p99_us", repetition["latency_us"]["p99"]},
                       {"status", repetition["status"]}});
  }
  run["repetitions"] = summary;
  run["status"] = verdict.status;
  run["reason"] = verdict.reason;
  Json log = Json::array();
  for (size_t i = 0; i < server_log.size() && i < 5; ++i) log.push_back(server_log[i]);
  run["server_log"] = log;
  return run;
}

// Every point of a model whose server would not start.
Json FailedPointJson(const Scenario& scenario, const SweepPoint& point, const std::string& model,
                     const std::string& reason) {
  return {{"model", model},
          {"protocol", ProtocolName(scenario.protocol)},
          {"params",
           {{"connections", point.connections},
            {"active", point.active < 0 ? point.connections : point.active},
            {"depth", point.depth},
            {"message_size", point.message_size},
            {"requests_per_connection", point.requests_per_connection}}},
          {"status", "error"},
          {"reason", reason}};
}

// Where the servers' logs are kept while the sweep runs: TMPDIR, or /tmp
// when it is unset or empty.
std::filesystem::path TempDirectory() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

}  // namespace

std::string CheckServerLogDirectory() {
  std::filesystem::path dir = TempDirectory();
  std::string named = (std::getenv("TMPDIR") != nullptr ? "TMPDIR " : "") + dir.string();
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) {
    return named + " is not a directory (the runner keeps server logs there)";
  }
  if (std::string problem = CheckCanWriteInto(dir); !problem.empty()) {
    return problem + "; the runner keeps server logs there";
  }
  return "";
}

int64_t SweepTimeLeft(std::vector<int64_t> taken, int left, int64_t nominal) {
  int64_t pace = nominal;
  if (!taken.empty()) {
    auto middle = taken.begin() + static_cast<std::ptrdiff_t>(taken.size() / 2);
    std::nth_element(taken.begin(), middle, taken.end());
    pace = *middle;
  }
  return pace * std::max(left, 0);
}

std::string PointNumbers(const Json& run) {
  char text[128];
  std::string numbers;
  if (run["params"].value("active", 1) == 0) {
    numbers = "all idle";
  } else {
    std::snprintf(text, sizeof text, "%.0f %s", run["throughput"]["requests_per_s"].get<double>(),
                  run.value("protocol", "") == "line" ? "deliveries/s" : "req/s");
    numbers = text;
    // p99 is null when nothing completed.
    if (const Json& p99 = run["latency_us"]["p99"]; p99.is_number()) {
      std::snprintf(text, sizeof text, ", p99 %.0f us", p99.get<double>());
      numbers += text;
    }
  }
  if (run.contains("cpu") && run["cpu"].contains("server_cpu_pct")) {
    std::snprintf(text, sizeof text, ", server CPU %.0f%%",
                  run["cpu"]["server_cpu_pct"].get<double>());
    numbers += text;
  }
  return numbers;
}

std::string WhySkipped(const std::string& model, Protocol protocol) {
  const ServerModel* known = FindServerModel(model);
  if (!known || !known->compiled) {
    return "not compiled on this platform (" + CompiledModelNames() + " are)";
  }
  return known->refuses(protocol);
}

std::string CheckSweepLimits(const Scenario& scenario) {
  for (const SweepPoint& point : scenario.points) {
    std::string limit = CheckLoadLimits(LimitsConfig(scenario, point));
    if (limit.empty()) continue;
    std::string label = PointLabel("sweep point", point);
    if (scenario.slow_clients > 0) {
      label += " and " + std::to_string(scenario.slow_clients) + " slow_clients";
    }
    return label + ": " + limit;
  }
  return "";
}

SweepOutcome RunSweep(const Scenario& scenario, const Calibration& calibration,
                      const SweepOptions& options) {
  SweepOutcome outcome;
  outcome.all_ok = true;
  const std::string stem =
      (std::filesystem::path(options.out_dir) / (scenario.name + "-" + UtcTimestampForFileName()))
          .string();
  outcome.results_path = stem + ".json";
  Placement placement = PlaceProcesses();
  Json document = {{"schema_version", kSchemaVersion},
                   {"context", MakeContext()},
                   {"scenario",
                    {{"name", scenario.name},
                     {"description", scenario.description},
                     {"file", scenario.file},
                     {"sha256", scenario.sha256},
                     {"quick", scenario.quick},
                     {"duration_s", static_cast<double>(scenario.duration_ns) / kNanosPerSecond},
                     {"warmup_s", static_cast<double>(scenario.warmup_ns) / kNanosPerSecond},
                     {"repetitions", scenario.repetitions}}},
                   {"interrupted", false},
                   {"finished", false},
                   {"skipped", Json::array()},
                   {"runs", Json::array()}};
  document["context"]["calibration"] = CalibrationJson(calibration);
  document["context"]["placement"] = {{"server_cpu", placement.server_cpu},
                                      {"loadgen_cpu", placement.loadgen_cpu}};
  // The first save claims its file: two sweeps of one scenario started in
  // the same second into the same directory once wrote the same name, and
  // the second replaced the first. The later one takes NAME-2.json, and so
  // on; every save after the first replaces its own file.
  //
  // A save that fails stops the sweep: measuring on would be for nothing, and
  // the last save that worked keeps what was measured up to it.
  bool claimed = false;
  auto save = [&] {
    std::string error;
    if (claimed) {
      error = WriteJsonAtomically(outcome.results_path, document);
    } else {
      for (int copy = 2;; ++copy) {
        bool existed = false;
        error = WriteNewJsonAtomically(outcome.results_path, document, &existed);
        if (!existed) break;
        outcome.results_path = stem + "-" + std::to_string(copy) + ".json";
      }
      claimed = error.empty();
    }
    if (error.empty()) return;
    outcome.write_error =
        error + "; the sweep stopped there (" +
        (claimed ? outcome.results_path + " holds what was measured before" : "nothing was saved") +
        ")";
  };
  auto stopping = [&] { return StopRequested() || !outcome.write_error.empty(); };

  std::string binary = options.server_binary;
  if (binary.empty()) binary = std::filesystem::read_symlink("/proc/self/exe").string();
  std::string log_dir = TempDirectory() / ("c10k-run-" + std::to_string(getpid()));
  std::filesystem::create_directories(log_dir);

  int total = static_cast<int>(scenario.models.size() * scenario.points.size()) * scenario.repetitions;
  Progress progress(total, scenario.warmup_ns + scenario.duration_ns + kNanosPerSecond / 2,
                    options.progress_line);
  int index = 0;
  for (const std::string& model : scenario.models) {
    if (stopping()) break;
    if (std::string why = WhySkipped(model, scenario.protocol); !why.empty()) {
      document["skipped"].push_back({{"model", model}, {"reason", why}});
      index += static_cast<int>(scenario.points.size()) * scenario.repetitions;
      progress.Note(model + ": skipped, " + why);
      continue;
    }
    ServerProcess server({.binary = binary,
                          .model = model,
                          .protocol = std::string(ProtocolName(scenario.protocol)),
                          .extra_args = ServerArgs(scenario, model),
                          .pin_cpu = placement.server_cpu,
                          .log_path = log_dir + "/" + model + ".log",
                          .nofile_limit = scenario.server_nofile,
                          .start_timeout_ns = options.server_start_timeout_ns});
    for (const SweepPoint& point : scenario.points) {
      if (stopping()) break;
      std::string start_error;
      if (!server.Running() && !server.Start(&start_error)) {
        std::string reason = "the server did not start: " + start_error;
        document["runs"].push_back(FailedPointJson(scenario, point, model, reason));
        outcome.all_ok = false;
        progress.Note(PointLabel(model, point) + ": " + reason);
        index += scenario.repetitions;
        save();
        continue;
      }
      server.NewLogLines();  // what came before this point is not about it
      std::vector<Json> repetitions;
      LoadVerdict verdict{"ok", ""};
      std::vector<std::string> point_log;
      for (int rep = 0; rep < scenario.repetitions && !StopRequested(); ++rep) {
        progress.Begin(index++, PointLabel(model, point) +
                                    (scenario.repetitions > 1
                                         ? " rep " + std::to_string(rep + 1) + "/" +
                                               std::to_string(scenario.repetitions)
                                         : ""));
        if (!server.Running() && !server.Start(&start_error)) break;
        SlowClients slow;
        std::string slow_error;
        if (scenario.slow_clients > 0) {
          slow_error = slow.Open(server.Address(), scenario.protocol, scenario.slow_clients);
        }
        LoadConfig config = MakeLoadConfig(scenario, point, server, model);
        LoadResult result = RunLoad(config);
        slow.Close();
        LoadVerdict load_verdict = JudgeLoad(config, result);
        PointObservation observation{model, point.connections, server.ExitIfGone(),
                                     server.NewLogLines(), {}};
        observation.server_log_since_start = server.LogSinceStart();
        LoadVerdict rep_verdict = JudgePoint(result, load_verdict, observation);
        if (!slow_error.empty() && rep_verdict.status == "ok") rep_verdict = {"error", slow_error};
        Json run = LoadRunJson(config, result, rep_verdict);
        run["params"]["slow_clients"] = scenario.slow_clients;
        repetitions.push_back(run);
        point_log.insert(point_log.end(), observation.server_log.begin(),
                         observation.server_log.end());
        // The worst repetition decides the point: a ceiling hit once is real.
        if (rep_verdict.status != "ok" && verdict.status != "error") verdict = rep_verdict;
        if (result.interrupted) outcome.interrupted = true;
      }
      if (!repetitions.empty()) document["runs"].push_back(PointJson(repetitions, verdict, point_log));
      if (verdict.status != "ok") {
        outcome.all_ok = false;
        progress.Note(PointLabel(model, point) + ": " + verdict.status + ": " + verdict.reason);
      } else if (!repetitions.empty()) {
        // The numbers as each point ends, so nobody waits for the whole sweep
        // and a JSON reader to see how it is going.
        progress.Note(PointLabel(model, point) + ": ok, " + PointNumbers(document["runs"].back()));
      }
      document["interrupted"] = outcome.interrupted || StopRequested();
      save();
    }
    ExitStatus stopped = server.Stop();
    if (!stopped.Clean() && !stopped.exited && stopped.signal != 0) {
      progress.Note(model + ": server " + stopped.Describe());
    }
  }
  progress.End();
  std::filesystem::remove_all(log_dir);
  outcome.interrupted = outcome.interrupted || StopRequested();
  document["interrupted"] = outcome.interrupted;
  document["finished"] = !outcome.interrupted;
  if (outcome.write_error.empty()) save();
  if (outcome.interrupted || !outcome.write_error.empty()) outcome.all_ok = false;
  return outcome;
}

}  // namespace c10k
