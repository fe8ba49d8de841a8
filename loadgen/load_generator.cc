#include "loadgen/load_generator.h"

#include <sys/eventfd.h>

#include <fstream>
#include <memory>
#include <vector>

#include "common/byte_size.h"
#include "common/clock.h"
#include "common/net.h"
#include "common/thread_group.h"
#include "loadgen/conductor.h"
#include "loadgen/run_clock.h"
#include "loadgen/source_addrs.h"
#include "loadgen/worker.h"

namespace c10k {

namespace {

// Descriptors the process needs besides its sockets: stdio, one epoll per
// worker, the stop pipe, the wake eventfd, /proc reads, the JSON file.
int ReservedDescriptors(const LoadConfig& config) { return 16 + config.threads; }

// MemAvailable from /proc/meminfo in bytes; 0 when it cannot be read.
uint64_t AvailableMemory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

// Bytes of payload each request carries, where --message-size (http:
// --body-file) sets it; other http requests and resp PINGs are a few dozen
// bytes whatever the size.
uint64_t PayloadPerRequest(const LoadConfig& config) {
  switch (config.protocol) {
    case Protocol::kEcho:
    case Protocol::kFramed:
    case Protocol::kLine:
      return config.message_size;
    case Protocol::kResp:
      return config.keys > 0 ? config.message_size : 0;
    case Protocol::kHttp:
      return config.http_body ? config.http_body->size() : 0;
  }
  return config.message_size;
}

// Requests a connection keeps written and unanswered: the --depth window.
// Line's messages are broadcast, never answered, so --depth does not apply.
int RequestsInFlight(const LoadConfig& config) {
  return config.protocol == Protocol::kLine ? 1 : config.depth;
}

}  // namespace

std::string CheckLoadMemory(const LoadConfig& config, uint64_t available_bytes) {
  if (available_bytes == 0) return "";
  double available = static_cast<double>(available_bytes);
  std::string of_available =
      ", more than the " + FormatBytesRounded(available) + " of memory available (MemAvailable)";
  // A connection writes its whole window of requests at once and keeps what
  // the server has not yet read in its output buffer, which grows by
  // doubling: up to twice the window (measured: 4 connections x depth 64 x
  // 1 MiB peaked at 516 MiB resident). Past what the machine has, the kernel
  // would kill the run instead of it ending with a reason.
  bool line = config.protocol == Protocol::kLine;
  double buffers = 2.0 * config.ActiveConnections() * RequestsInFlight(config) *
                   static_cast<double>(PayloadPerRequest(config));
  if (buffers > available) {
    return std::to_string(config.ActiveConnections()) + " active connections x " +
           (line ? "" : std::to_string(config.depth) + " requests in flight x ") +
           std::to_string(PayloadPerRequest(config)) + " B can hold " +
           FormatBytesRounded(buffers) + " in the load generator's buffers" + of_available +
           "; use fewer connections" + (line ? " or" : ", a smaller depth or") + " a smaller " +
           (config.protocol == Protocol::kHttp ? "body" : "message size");
  }
  // The time series keeps a summary of every second (see SecondsCollector):
  // only an absurd --duration outgrows memory, but one would, at the end.
  double series =
      SecondsCollector::MemoryBytes(config.threads, static_cast<double>(config.WindowSeconds()));
  if (buffers + series > available) {
    return "a " + std::to_string(config.WindowSeconds()) + " s window keeps a " +
           std::to_string(sizeof(SecondSummary)) +
           " B summary of every second: " + FormatBytesRounded(series) + of_available +
           "; use a shorter duration";
  }
  return "";
}

std::string CheckLoadLimits(const LoadConfig& config) {
  uint64_t limit = RaiseFileLimit();
  uint64_t needed = static_cast<uint64_t>(config.connections) + ReservedDescriptors(config);
  if (needed > limit) {
    uint64_t fit = limit > static_cast<uint64_t>(ReservedDescriptors(config))
                       ? limit - ReservedDescriptors(config)
                       : 0;
    return "--connections " + std::to_string(config.connections) + " needs " +
           std::to_string(needed) + " file descriptors but RLIMIT_NOFILE (hard limit) is " +
           std::to_string(limit) + "; at most " + std::to_string(fit) +
           " connections fit in one process (run several load generators)";
  }
  std::string ports =
      CheckPortLimit(config.connections, config.source_addrs.size(),
                     config.local_ports.value_or(LocalPortRange()), config.local_ports.has_value());
  if (!ports.empty()) return ports;
  return CheckLoadMemory(config, AvailableMemory());
}

LoadResult RunLoad(const LoadConfig& config) {
  LoadResult result;
  RunClock clock;
  clock.wake.Reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  std::vector<WorkerProgress> progress(static_cast<size_t>(config.threads));
  SecondsCollector seconds(config.threads, config.WindowSeconds());
  std::vector<std::unique_ptr<Worker>> workers;
  workers.reserve(static_cast<size_t>(config.threads));
  for (int i = 0; i < config.threads; ++i) {
    workers.push_back(
        std::make_unique<Worker>(config, i, config.threads, clock, progress[i], seconds));
  }
  ThreadGroup threads;
  auto failure = StartThreads(
      threads, config.threads, [&workers](int i) { workers[i]->Run(); },
      [&clock] { clock.StopWorkers(); });
  if (failure) {
    result.not_started =
        ThreadStartFailureText(*failure, "worker thread") + "; use fewer --threads";
    return result;
  }
  Conductor(config, clock, progress, result).Run();
  threads.JoinAll();
  for (auto& worker : workers) result.stats.Merge(worker->Stats());
  result.timeseries = seconds.Summaries();
  return result;
}

}  // namespace c10k
