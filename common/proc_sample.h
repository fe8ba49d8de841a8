#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace c10k {

// One reading of a process's resource use from /proc/PID/stat.
struct ProcSample {
  double user_s = 0;   // CPU seconds in user mode, all threads
  double sys_s = 0;    // CPU seconds in the kernel on its behalf
  long rss_kib = 0;    // resident set size
  int threads = 0;     // number of threads
  int64_t at_ns = 0;   // MonotonicNanos() when read
  // The on-CPU time to the nanosecond (/proc/PID/schedstat), read when the
  // process has one thread; -1 otherwise. user_s and sys_s count clock ticks
  // (10 ms): over a 1 s window that is up to 2% either way.
  int64_t cpu_ns = -1;
};

// CPU seconds between two samples of one process.
struct CpuSeconds {
  double user_s = 0;
  double sys_s = 0;
  double Total() const { return user_s + sys_s; }
};

// Reads /proc/PID/stat; nullopt when the process is gone or unreadable.
std::optional<ProcSample> SampleProcess(pid_t pid);

// The calling process.
std::optional<ProcSample> SampleSelf();

// The CPU time one process used between two samples. When both have
// cpu_ns, the total is that precise one, split between user and system as
// the ticks split it (as the kernel itself does for getrusage); all of it
// counts as system when no tick fell in between.
CpuSeconds CpuBetween(const ProcSample& before, const ProcSample& after);

// CPU use between two samples of one process, as a percentage of one core
// (200% means two cores busy).
double CpuPercentBetween(const ProcSample& before, const ProcSample& after);

}  // namespace c10k
