// c10k calibrate: the physical floors of this machine, for a person or a file.
#include <cstdio>
#include <memory>

#include "app/command.h"
#include "common/result_json.h"
#include "runner/calibration.h"

namespace c10k {

namespace {

// The standalone calibration takes its time: about 1 s per floor.
constexpr int kFullCalibrationMs = 1000;

int CalibrateMachine(const std::string& json) {
  // Checked first: the calibration takes several seconds.
  if (!json.empty()) RequireWritableJson(json);
  Calibration calibration = Calibrate(kFullCalibrationMs);
  // With the document on stdout, the text for a person goes to stderr.
  std::FILE* text = !json.empty() && JsonGoesToStdout(json) ? stderr : stdout;
  std::fputs(CalibrationText(calibration).c_str(), text);
  if (json.empty()) return kExitOk;
  nlohmann::json document = {{"schema_version", kSchemaVersion}, {"context", MakeContext()}};
  document["context"]["calibration"] = CalibrationJson(calibration);
  if (std::string error = WriteJsonAtomically(json, document); !error.empty()) {
    std::fprintf(stderr, "c10k calibrate: %s\n", error.c_str());
    return kExitFailed;
  }
  std::fprintf(text, "results: %s\n", json.c_str());
  return kExitOk;
}

}  // namespace

Command AddCalibrateCommand(CLI::App& root) {
  auto json = std::make_shared<std::string>();
  CLI::App* app = root.add_subcommand(
      "calibrate",
      "Measure this machine's floors: a syscall, TCP send+recv on loopback, a TCP round trip on "
      "one core and across cores, poll and epoll_wait over 1,000 idle descriptors.");
  app->add_option("--json", *json,
                  "Also write them to this file (atomically), or to stdout with - (the text then "
                  "goes to stderr)");
  return {app, [json] { return CalibrateMachine(*json); }};
}

}  // namespace c10k
