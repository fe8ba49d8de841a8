#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/child_process.h"
#include "loadgen/load_generator.h"
#include "loadgen/load_report.h"

namespace c10k {

// What the runner knows about one measured point besides the load itself.
struct PointObservation {
  std::string model;
  int connections = 0;
  std::optional<ExitStatus> server_exit;    // the server died during the point
  std::vector<std::string> server_log;      // lines the server logged during it
  // Every line since the server started: a limit is logged once, when first
  // hit, and still explains the same failure at every later point.
  std::vector<std::string> server_log_since_start;
};

// The verdict on one point: "ok"; "ceiling" when the model hit a limit
// (connections refused, dropped or closed, timeouts, a crash, FD_SETSIZE,
// threads, descriptors); "error" when the run itself is wrong (replies that
// did not match what was sent, the load generator out of its own descriptors
// or local ports). The reason is a sentence a person reads on a
// chart, e.g. "select closes fd >= FD_SETSIZE (1024): 1009 of 1100
// connections kept".
LoadVerdict JudgePoint(const LoadResult& load, const LoadVerdict& load_verdict,
                       const PointObservation& observation);

// Connections still open and being served at the end of the run: not
// closed, reset or starved.
uint64_t ConnectionsKept(const LoadResult& load);

}  // namespace c10k
