#include "loadgen/conductor.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/stop_signal.h"

namespace c10k {

namespace {

constexpr int64_t kServerSampleEvery = 250 * kNanosPerMilli;
constexpr int64_t kLiveLineEvery = 500 * kNanosPerMilli;
// How long before the window ends the server's accept queue is read (Run).
constexpr int64_t kAcceptQueueLead = 20 * kNanosPerMilli;

// CPU seconds of this process so far; getrusage has microsecond resolution,
// /proc only clock ticks.
double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

void Conductor::Run() {
  // Phase 1: every worker connects its slice (bounded by the connect timeout
  // inside the workers).
  int64_t connects_started = MonotonicNanos();
  while (clock_.workers_connected.load() < config_.threads && !Stopping()) {
    Tick(MonotonicNanos(), "connecting");
    usleep(1000);
  }
  result_.connect_s = static_cast<double>(MonotonicNanos() - connects_started) / kNanosPerSecond;
  if (Established() == 0 || Stopping()) {
    // Nothing to measure (or interrupted while connecting): end now instead
    // of idling through the window.
    result_.interrupted = StopRequested();
    StopWorkers();
    return;
  }
  int64_t start = MonotonicNanos();
  clock_.traffic_start_ns.store(start, std::memory_order_release);
  clock_.WakeWorkers();
  int64_t measure_start = config_.MeasureStartNs(start);
  int64_t measure_end = config_.MeasureEndNs(start);
  // Phase 2: warmup. Phase 3: the measured window. The workers end the
  // window on their own clock; this thread only watches.
  // The accept queue is read just before the window ends: the workers close
  // their connections as it does, and a server that was not accepting would
  // then take the closed ones off its queue.
  int64_t accept_queue_at = measure_end - kAcceptQueueLead;
  bool sampled_start = false;
  bool sampled_accept_queue = false;
  while (!Stopping()) {
    int64_t now = MonotonicNanos();
    if (!sampled_start && now >= measure_start) {
      SampleAtStart();
      sampled_start = true;
    }
    if (int64_t done = clock_.requests_done_ns.load(std::memory_order_acquire); done != 0) {
      // --requests: the workers counted the last reply; the window ended then.
      if (!sampled_accept_queue) result_.unaccepted_at_end = AcceptQueueLength(config_.target);
      measure_end = done;
      break;
    }
    if (now >= measure_end) break;
    if (!sampled_accept_queue && now >= accept_queue_at) {
      result_.unaccepted_at_end = AcceptQueueLength(config_.target);
      sampled_accept_queue = true;
    }
    if (sampled_start) SampleDuring();
    if (now < measure_start) {
      Tick(now, "warmup", start, config_.warmup_ns);
    } else {
      Tick(now, "measuring", measure_start, config_.duration_ns);
    }
    int64_t next = sampled_accept_queue ? measure_end : accept_queue_at;
    // With --requests the window can end at any moment: look often, so that
    // the CPU samples end near it.
    int64_t longest_sleep_us = config_.requests > 0 ? 2000 : 50000;
    usleep(static_cast<useconds_t>(
        std::clamp<int64_t>((next - now) / kNanosPerMicro, 1, longest_sleep_us)));
  }
  int64_t end = std::min(MonotonicNanos(), measure_end);
  if (!sampled_start) SampleAtStart();
  result_.interrupted = StopRequested();
  result_.measured_s =
      std::max<double>(0, static_cast<double>(end - measure_start) / kNanosPerSecond);
  SampleAtEnd();
  if (!sampled_start) {
    // Stopped before the window began: CPU over the microseconds between the
    // two samples is a clock tick divided by nothing (it read 182% of one
    // worker). No window, no CPU figures.
    result_.loadgen_cpu_pct = 0;
    result_.server_before.reset();
  }
  if (result_.interrupted) StopWorkers();
  if (config_.live_line) std::fprintf(stderr, "\r\033[K");
}

bool Conductor::Stopping() const { return StopRequested() || clock_.stop.load(); }

uint64_t Conductor::Established() const {
  uint64_t established = 0;
  for (auto& worker : progress_) established += worker.established.load(std::memory_order_relaxed);
  return established;
}

void Conductor::StopWorkers() {
  clock_.StopWorkers();
  if (config_.live_line) std::fprintf(stderr, "\r\033[K");
}

void Conductor::SampleAtStart() {
  self_before_ = SelfCpuSeconds();
  self_before_ns_ = MonotonicNanos();
  result_.tcp_before = ReadTcpCounters();
  if (config_.server_pid > 0) result_.server_before = SampleProcess(config_.server_pid);
}

void Conductor::SampleDuring() {
  if (config_.server_pid <= 0) return;
  int64_t now = MonotonicNanos();
  if (now < next_server_sample_ns_) return;
  next_server_sample_ns_ = now + kServerSampleEvery;
  if (auto sample = SampleProcess(config_.server_pid)) {
    result_.server_peak_rss_kib = std::max(result_.server_peak_rss_kib, sample->rss_kib);
    result_.server_peak_threads = std::max(result_.server_peak_threads, sample->threads);
  } else {
    result_.server_exited = true;
  }
}

void Conductor::SampleAtEnd() {
  double wall_s = static_cast<double>(MonotonicNanos() - self_before_ns_) / kNanosPerSecond;
  if (wall_s > 0) result_.loadgen_cpu_pct = 100.0 * (SelfCpuSeconds() - self_before_) / wall_s;
  result_.tcp_after = ReadTcpCounters();
  if (config_.server_pid <= 0) return;
  result_.server_after = SampleProcess(config_.server_pid);
  if (!result_.server_after) {
    result_.server_exited = true;
    return;
  }
  result_.server_peak_rss_kib =
      std::max(result_.server_peak_rss_kib, result_.server_after->rss_kib);
  result_.server_peak_threads =
      std::max(result_.server_peak_threads, result_.server_after->threads);
}

void Conductor::Tick(int64_t now, const char* phase, int64_t phase_start, int64_t phase_length) {
  if (!config_.live_line || now < next_line_ns_) return;
  next_line_ns_ = now + kLiveLineEvery;
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
  // No p99 before the window: the warm-up's latencies are not recorded.
  std::string p99_text =
      p99 > 0 ? std::to_string(std::llround(static_cast<double>(p99) / kNanosPerMicro)) + " us"
              : "-";
  std::string phase_text = phase;
  if (phase_length > 0) {
    char progress[64];
    std::snprintf(progress, sizeof progress, " %.1fs/%s",
                  static_cast<double>(now - phase_start) / kNanosPerSecond,
                  FormatDuration(phase_length).c_str());
    phase_text += progress;
  }
  if (config_.requests > 0 && std::string_view(phase) == "measuring") {
    uint64_t counted =
        std::min(clock_.window_requests.load(std::memory_order_relaxed), config_.requests);
    phase_text +=
        "  " + std::to_string(counted) + "/" + std::to_string(config_.requests) + " requests";
  }
  std::fprintf(stderr, "\r\033[K%s  %llu/%d connected  %.0f req/s  p99 %s", phase_text.c_str(),
               static_cast<unsigned long long>(established), config_.connections, rate,
               p99_text.c_str());
  std::fflush(stderr);
}

}  // namespace c10k
