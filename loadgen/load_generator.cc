#include "loadgen/load_generator.h"

#include <sys/eventfd.h>

#include <memory>
#include <thread>
#include <vector>

#include "common/net.h"
#include "loadgen/conductor.h"
#include "loadgen/run_clock.h"
#include "loadgen/source_addrs.h"
#include "loadgen/worker.h"

namespace c10k {

namespace {

// Descriptors the process needs besides its sockets: stdio, one epoll per
// worker, the stop pipe, the wake eventfd, /proc reads, the JSON file.
int ReservedDescriptors(const LoadConfig& config) { return 16 + config.threads; }

}  // namespace

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
  return CheckPortLimit(config.connections, config.source_addrs.size(),
                        config.local_ports.value_or(LocalPortRange()), config.local_ports.has_value());
}

LoadResult RunLoad(const LoadConfig& config) {
  LoadResult result;
  RunClock clock;
  clock.wake.Reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  std::vector<WorkerProgress> progress(static_cast<size_t>(config.threads));
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < config.threads; ++i) {
    workers.push_back(std::make_unique<Worker>(config, i, config.threads, clock, progress[i]));
  }
  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([&worker] { worker->Run(); });
  Conductor(config, clock, progress, result).Run();
  for (auto& thread : threads) thread.join();
  for (auto& worker : workers) result.stats.Merge(worker->Stats());
  return result;
}

}  // namespace c10k
