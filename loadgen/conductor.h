#pragma once

#include <vector>

#include "loadgen/load_config.h"
#include "loadgen/load_generator.h"
#include "loadgen/run_clock.h"

namespace c10k {

// The main thread's part while the workers run: wait for every worker to
// finish connecting, start the clock, sample this process and the server over
// the measured window, draw the live line on a TTY, and end early on SIGINT.
class Conductor {
 public:
  Conductor(const LoadConfig& config, RunClock& clock, std::vector<WorkerProgress>& progress,
            LoadResult& result)
      : config_(config), clock_(clock), progress_(progress), result_(result) {}

  void Run();

 private:
  bool Stopping() const;
  uint64_t Established() const;
  void StopWorkers();
  void SampleAtStart();
  void SampleDuring();
  void SampleAtEnd();
  // The live line; `phase_start` and `phase_length` (warm-up and window)
  // show how far into its phase the run is.
  void Tick(int64_t now, const char* phase, int64_t phase_start = 0, int64_t phase_length = 0);

  const LoadConfig& config_;
  RunClock& clock_;
  std::vector<WorkerProgress>& progress_;
  LoadResult& result_;
  double self_before_ = 0;
  int64_t self_before_ns_ = 0;
  int64_t next_server_sample_ns_ = 0;
  int64_t next_line_ns_ = 0;
  int64_t last_line_ns_ = 0;
  uint64_t last_requests_ = 0;
};

}  // namespace c10k
