#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runner/calibration.h"
#include "runner/scenario.h"
#include "runner/server_process.h"

namespace c10k {

struct SweepOptions {
  std::string out_dir = "results";
  std::string server_binary;  // the c10k that serves; default: this executable
  int64_t server_start_timeout_ns = kDefaultServerStartTimeout;  // to print "listening on"
  bool progress_line = false; // redraw one line on a TTY instead of a line per point
};

struct SweepOutcome {
  std::string results_path;
  bool all_ok = false;       // every point "ok"
  bool interrupted = false;  // SIGINT stopped the sweep
  // The results file could not be written: why, and what the last save that
  // worked holds. The sweep stopped at that save.
  std::string write_error;
};

// Checks every point of the sweep against what the load generator can hold
// on this machine (descriptors, ports, memory) before anything starts: an
// empty string, or a one-line reason naming the point and the limit.
std::string CheckSweepLimits(const Scenario& scenario);

// Checks that the directory the servers' logs go in (TMPDIR, else /tmp) is
// one this process can write in, before anything starts: an empty string, or
// a one-line reason.
std::string CheckServerLogDirectory();

// Why the sweep skips `model` for `protocol` (not compiled here, or it does
// not serve that protocol), or an empty string when it runs it.
std::string WhySkipped(const std::string& model, Protocol protocol);

// How long the rest of a sweep should take: `left` more repetitions at the
// median of the times `taken` by those done, or at `nominal` before any is.
// The median, not the mean: one model's slow points (a blocking server's
// connects waiting out their timeout) say little about the models after it.
int64_t SweepTimeLeft(std::vector<int64_t> taken, int left, int64_t nominal);

// What the line a point prints when it ends says after "ok": requests/s
// (line deliveries/s for the line protocol) and p99, and the server's CPU,
// which is all an idle point (no active connection) is about:
// "185962 req/s, p99 982 us, server CPU 97%" or "all idle, server CPU 99%".
std::string PointNumbers(const nlohmann::json& run);

// Runs every model of `scenario` over every point of its sweep: a fresh
// server per model (pinned to CPU 0 and the load generator to CPU 1 when
// there are two), repetitions with the median reported, ceilings recorded
// with their reasons. The results document is rewritten atomically after
// every point, so an interrupted sweep keeps what it measured.
SweepOutcome RunSweep(const Scenario& scenario, const Calibration& calibration,
                      const SweepOptions& options);

}  // namespace c10k
