#pragma once

#include <sys/types.h>

#include <optional>

namespace c10k {

// One reading of a process's resource use from /proc/PID/stat.
struct ProcSample {
  double user_s = 0;   // CPU seconds in user mode, all threads
  double sys_s = 0;    // CPU seconds in the kernel on its behalf
  long rss_kib = 0;    // resident set size
  int threads = 0;     // number of threads
  int64_t at_ns = 0;   // MonotonicNanos() when read
};

// Reads /proc/PID/stat; nullopt when the process is gone or unreadable.
std::optional<ProcSample> SampleProcess(pid_t pid);

// The calling process.
std::optional<ProcSample> SampleSelf();

// CPU use between two samples of one process, as a percentage of one core
// (200% means two cores busy).
double CpuPercentBetween(const ProcSample& before, const ProcSample& after);

}  // namespace c10k
