#include "loadgen/load_generator.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/net.h"
#include "common/stop_signal.h"
#include "loadgen/run_clock.h"
#include "loadgen/worker.h"

namespace c10k {

namespace {

// Descriptors the process needs besides its sockets: stdio, one epoll per
// worker, the stop pipe, /proc reads, the JSON file.
int ReservedDescriptors(const LoadConfig& config) { return 16 + config.threads; }

// The main thread's view while workers run: wait for connects, start the
// clock, sample the server, draw the live line.
class Conductor {
 public:
  Conductor(const LoadConfig& config, RunClock& clock, std::vector<WorkerProgress>& progress,
            LoadResult& result)
      : config_(config), clock_(clock), progress_(progress), result_(result) {}

  void Run() {
    // Phase 1: every worker connects its slice (bounded by the connect
    // timeout inside the workers).
    while (clock_.workers_connected.load() < config_.threads && !Stopping()) {
      Tick(MonotonicNanos(), "connecting");
      usleep(2000);
    }
    if (Established() == 0) {
      // Nothing to measure: end now instead of idling through the window.
      clock_.stop.store(true);
      result_.interrupted = StopRequested();
      if (config_.live_line) std::fprintf(stderr, "\r\033[K");
      return;
    }
    int64_t start = MonotonicNanos();
    clock_.traffic_start_ns.store(start, std::memory_order_release);
    int64_t measure_start = start + config_.warmup_ns;
    int64_t measure_end = measure_start + config_.duration_ns;
    // Phase 2: warmup. Phase 3: the measured window.
    bool sampled_start = false;
    while (!Stopping()) {
      int64_t now = MonotonicNanos();
      if (!sampled_start && now >= measure_start) {
        SampleAtStart();
        sampled_start = true;
      }
      if (now >= measure_end) break;
      if (sampled_start) SampleDuring();
      Tick(now, now < measure_start ? "warmup" : "measuring");
      usleep(static_cast<useconds_t>(std::clamp<int64_t>((measure_end - now) / kNanosPerMicro, 1, 50000)));
    }
    int64_t end = std::min(MonotonicNanos(), measure_end);
    if (!sampled_start) SampleAtStart();
    result_.interrupted = StopRequested();
    result_.measured_s = std::max<double>(0, static_cast<double>(end - measure_start) / kNanosPerSecond);
    SampleAtEnd();
    clock_.stop.store(true);
    if (config_.live_line) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool Stopping() const { return StopRequested() || clock_.stop.load(); }

  uint64_t Established() const {
    uint64_t established = 0;
    for (auto& worker : progress_) established += worker.established.load(std::memory_order_relaxed);
    return established;
  }

  void SampleAtStart() {
    self_before_ = Usage();
    self_before_ns_ = MonotonicNanos();
    if (config_.server_pid > 0) result_.server_before = SampleProcess(config_.server_pid);
  }

  void SampleDuring() {
    if (config_.server_pid <= 0) return;
    int64_t now = MonotonicNanos();
    if (now < next_server_sample_ns_) return;
    next_server_sample_ns_ = now + 250 * kNanosPerMilli;
    if (auto sample = SampleProcess(config_.server_pid)) {
      result_.server_peak_rss_kib = std::max(result_.server_peak_rss_kib, sample->rss_kib);
      result_.server_peak_threads = std::max(result_.server_peak_threads, sample->threads);
    } else {
      result_.server_exited = true;
    }
  }

  void SampleAtEnd() {
    double wall_s = static_cast<double>(MonotonicNanos() - self_before_ns_) / kNanosPerSecond;
    if (wall_s > 0) result_.loadgen_cpu_pct = 100.0 * (Usage() - self_before_) / wall_s;
    if (config_.server_pid > 0) {
      result_.server_after = SampleProcess(config_.server_pid);
      if (!result_.server_after) result_.server_exited = true;
      if (result_.server_after) {
        result_.server_peak_rss_kib = std::max(result_.server_peak_rss_kib, result_.server_after->rss_kib);
        result_.server_peak_threads = std::max(result_.server_peak_threads, result_.server_after->threads);
      }
    }
  }

  // CPU seconds of this process so far; getrusage has microsecond resolution,
  // /proc only clock ticks.
  static double Usage() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }

  void Tick(int64_t now, const char* phase) {
    if (!config_.live_line || now < next_line_ns_) return;
    next_line_ns_ = now + 250 * kNanosPerMilli;
    uint64_t established = 0, requests = 0;
    int64_t p99 = 0;
    for (auto& worker : progress_) {
      established += worker.established.load(std::memory_order_relaxed);
      requests += worker.requests.load(std::memory_order_relaxed);
      p99 = std::max(p99, worker.p99_ns.load(std::memory_order_relaxed));
    }
    double rate = 0;
    if (last_line_ns_ != 0 && now > last_line_ns_) {
      rate = static_cast<double>(requests - last_requests_) * kNanosPerSecond / (now - last_line_ns_);
    }
    last_line_ns_ = now;
    last_requests_ = requests;
    std::fprintf(stderr, "\r\033[K%s  %llu/%d connected  %.0f req/s  p99 %.0f us", phase,
                 static_cast<unsigned long long>(established), config_.connections, rate,
                 static_cast<double>(p99) / kNanosPerMicro);
    std::fflush(stderr);
  }

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

}  // namespace

std::string CheckLoadLimits(const LoadConfig& config) {
  uint64_t limit = RaiseFileLimit();
  uint64_t needed = static_cast<uint64_t>(config.connections) + ReservedDescriptors(config);
  if (needed > limit) {
    return "--connections " + std::to_string(config.connections) + " needs " +
           std::to_string(needed) + " file descriptors but RLIMIT_NOFILE (hard limit) is " +
           std::to_string(limit) + "; at most " +
           std::to_string(limit - ReservedDescriptors(config)) +
           " connections fit in one process (run several load generators)";
  }
  return "";
}

LoadResult RunLoad(const LoadConfig& config) {
  LoadResult result;
  RunClock clock;
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
