#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/proc_sample.h"
#include "common/tcp_counters.h"
#include "loadgen/load_config.h"
#include "loadgen/load_stats.h"
#include "loadgen/second_series.h"

namespace c10k {

// The outcome of one `c10k load` run: merged worker stats plus what the main
// thread observed.
struct LoadResult {
  WorkerStats stats;
  std::vector<SecondSummary> timeseries;  // one per second of the window
  double connect_s = 0;        // from the first connect until every connection resolved
  double measured_s = 0;       // length of the measured window actually run
  bool interrupted = false;    // SIGINT ended the run early
  double loadgen_cpu_pct = 0;  // this process, over the measured window
  std::optional<ProcSample> server_before, server_after;  // with --server-pid
  bool server_exited = false;                             // --server-pid vanished during the run
  long server_peak_rss_kib = 0;
  int server_peak_threads = 0;
  std::optional<TcpCounters> tcp_before, tcp_after;  // the host's, over the window
  // Connections in the server's accept queue as the window ended: never
  // accepted, so never served. nullopt: the server is not on this machine.
  std::optional<uint64_t> unaccepted_at_end;
  // Why the run never started, in one line (the system would not create a
  // worker thread), or empty; the threads that had started were stopped.
  std::string not_started;
};

// Checks what can be known before connecting: descriptors, ports and memory.
// Returns an empty string, or a one-line reason naming the limit and its value.
std::string CheckLoadLimits(const LoadConfig& config);

// The memory part of CheckLoadLimits, with the machine's available memory
// given (bytes; 0: unknown, nothing is refused).
std::string CheckLoadMemory(const LoadConfig& config, uint64_t available_bytes);

// Runs the load: connect, warm up, measure, merge. Blocks for about
// connect time + warmup + duration.
LoadResult RunLoad(const LoadConfig& config);

}  // namespace c10k
