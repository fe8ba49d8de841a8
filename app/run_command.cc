// c10k run: a whole sweep from a scenario file, every model, one results
// document.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

#include "app/command.h"
#include "common/clock.h"
#include "common/net.h"
#include "common/result_json.h"
#include "common/stop_signal.h"
#include "runner/calibration.h"
#include "runner/scenario.h"
#include "runner/sweep.h"
#include "servers/models.h"

namespace c10k {

namespace {

// A quick calibration in every run: about 150 ms per floor, under 3 s.
constexpr int kQuickCalibrationMs = 150;

struct RunOptions {
  std::string scenario;
  std::string models;
  std::string out = "results";
  bool quick = false;
  std::string server_binary;
  std::string io;  // empty: the scenario's "load.io"
  std::string server_start_timeout = FormatDuration(kDefaultServerStartTimeout);
};

std::vector<std::string> AllModelNames() {
  std::vector<std::string> names;
  for (const auto& model : ServerModels()) names.emplace_back(model.name);
  return names;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

int Run(const RunOptions& options) {
  // "," once chose no model at all, and was then refused as "no model to run ()".
  std::vector<std::string> models = SplitList(options.models);
  if (!options.models.empty() && models.empty()) {
    throw UsageError("--models: no model names given");
  }
  Scenario scenario;
  try {
    scenario = LoadScenario(options.scenario, options.quick, AllModelNames());
    if (!models.empty()) SelectModels(scenario, models, AllModelNames());
  } catch (const ScenarioError& e) {
    throw UsageError(options.scenario + ": " + e.what());
  }
  // Skipping some models is normal (kqueue off BSD); skipping all of them
  // would write a results document with nothing measured in it.
  bool any_runs = false;
  std::string skips;
  for (const auto& model : scenario.models) {
    std::string why = WhySkipped(model, scenario.protocol);
    any_runs = any_runs || why.empty();
    if (!why.empty()) skips += (skips.empty() ? "" : "; ") + model + ": " + why;
  }
  if (!any_runs) throw UsageError(options.scenario + ": no model to run (" + skips + ")");
  if (!options.io.empty()) scenario.load_io = IoFlag(options.io);
  RequireUsableIo(scenario.load_io,
                  options.io.empty() ? options.scenario + ": \"load.io\" is uring, but " : "");
  if (!options.server_binary.empty()) {
    // A directory passes access(X_OK) too (its x bit means "searchable").
    std::error_code error;
    if (!std::filesystem::is_regular_file(options.server_binary, error) ||
        access(options.server_binary.c_str(), X_OK) != 0) {
      throw UsageError("--server-binary " + options.server_binary + " is not an executable file");
    }
  }
  int64_t start_timeout_ns = DurationFlag("--server-start-timeout", options.server_start_timeout);
  if (start_timeout_ns < 100 * kNanosPerMilli) {
    throw UsageError("--server-start-timeout must be at least 100ms");
  }
  if (std::string limit = CheckSweepLimits(scenario); !limit.empty()) {
    throw UsageError(options.scenario + ": " + limit);
  }
  if (std::string problem = ServerFileLimitProblem(scenario.server_nofile); !problem.empty()) {
    throw UsageError(options.scenario + ": \"server.nofile\": " + problem);
  }
  if (std::string error = CheckCanWriteInto(options.out); !error.empty()) {
    throw UsageError("--out: " + error);
  }
  if (std::string error = CheckServerLogDirectory(); !error.empty()) throw UsageError(error);
  InstallStopSignalHandlers();
  RaiseFileLimit();
  std::fprintf(stderr, "c10k run: %s%s: %zu models x %zu points x %d repetitions%s\n",
               scenario.name.c_str(), scenario.quick ? " (quick)" : "", scenario.models.size(),
               scenario.points.size(), scenario.repetitions,
               scenario.load_io == LoadIo::kUring ? ", load generator on io_uring" : "");
  Calibration calibration = Calibrate(kQuickCalibrationMs);
  std::fputs(CalibrationText(calibration).c_str(), stderr);

  SweepOptions sweep;
  sweep.out_dir = options.out;
  sweep.server_binary = options.server_binary;
  sweep.server_start_timeout_ns = start_timeout_ns;
  sweep.progress_line = isatty(STDERR_FILENO);
  SweepOutcome outcome = RunSweep(scenario, calibration, sweep);
  if (!outcome.write_error.empty()) {
    std::fprintf(stderr, "c10k run: %s\n", outcome.write_error.c_str());
    return kExitFailed;
  }
  std::printf("results: %s%s\n", outcome.results_path.c_str(),
              outcome.interrupted ? " (interrupted: holds what was measured)" : "");
  return outcome.all_ok ? kExitOk : kExitFailed;
}

}  // namespace

Command AddRunCommand(CLI::App& root) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* app = root.add_subcommand(
      "run",
      "Run a scenario: a fresh server per model, every point of the sweep, one results document "
      "in --out. Exit 0: every point ok; 1: a point hit a ceiling or failed (the JSON says which "
      "and why), or the sweep was interrupted; 2: bad usage or scenario.");
  app->add_option("scenario", options->scenario, "Scenario file (JSON, comments allowed)")
      ->required();
  app->add_option("--models", options->models,
                  "Comma-separated models to run instead of the scenario's list");
  app->add_option("--out", options->out, "Directory for <scenario>-<UTC time>.json")
      ->capture_default_str();
  app->add_flag("--quick", options->quick, "Use the scenario's short \"quick\" version");
  app->add_option("--server-binary", options->server_binary,
                  "The c10k executable that serves (default: this one), or a script that execs "
                  "one (under valgrind, perf record, strace) with the arguments it was given");
  app->add_option("--server-start-timeout", options->server_start_timeout,
                  "How long a server may take to print \"listening on\" before its point fails "
                  "(a --server-binary under valgrind starts slowly)")
      ->capture_default_str();
  app->add_option("--io", options->io,
                  "The load generator's I/O engine for every point, epoll or uring, instead of "
                  "the scenario's \"load.io\" (default epoll); see `c10k load --help`");
  return {app, [options] { return Run(*options); }};
}

}  // namespace c10k
