#include "loadgen/load_report.h"

#include <cmath>
#include <cstdio>

#include "common/clock.h"
#include "common/result_json.h"

namespace c10k {

namespace {

double PerSecond(uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

// Rounds to a multiple of `unit` (0.1, 0.01, ...); dividing by the whole
// scale keeps the printed value short (95.1, not 95.10000000000001).
double Round(double value, double unit) {
  double scale = std::round(1.0 / unit);
  return std::round(value * scale) / scale;
}

void AppendCount(std::string& text, uint64_t count, const char* what) {
  if (count == 0) return;
  if (!text.empty()) text += ", ";
  text += std::to_string(count) + " " + what;
}

}  // namespace

LoadVerdict JudgeLoad(const LoadConfig& config, const LoadResult& result) {
  const WorkerStats& stats = result.stats;
  std::string problems;
  if (stats.established < static_cast<uint64_t>(config.connections)) {
    problems = std::to_string(stats.established) + " of " + std::to_string(config.connections) +
               " connections established";
    std::string why;
    AppendCount(why, stats.errors.refused, "refused");
    AppendCount(why, stats.errors.timeout, "timed out");
    AppendCount(why, stats.errors.reset, "reset");
    AppendCount(why, stats.errors.other, "failed otherwise");
    if (!why.empty()) problems += " (" + why + ")";
  }
  std::string during;
  AppendCount(during, stats.mismatches, "replies did not match what was sent");
  AppendCount(during, stats.errors.closed_by_server, "connections closed by the server");
  AppendCount(during, stats.errors.protocol, "protocol errors");
  if (stats.established == static_cast<uint64_t>(config.connections)) {
    AppendCount(during, stats.errors.reset, "connections reset");
    AppendCount(during, stats.errors.timeout, "timeouts");
    AppendCount(during, stats.errors.other, "socket errors");
  }
  if (!during.empty()) problems += (problems.empty() ? "" : "; ") + during;
  if (result.server_exited) {
    problems += std::string(problems.empty() ? "" : "; ") + "the server process (pid " +
                std::to_string(config.server_pid) + ") exited during the run";
  }
  if (problems.empty() && stats.requests == 0 && config.ActiveConnections() > 0 &&
      !result.interrupted) {
    problems = "no request completed in the measured window";
  }
  if (problems.empty()) return {"ok", ""};
  return {"error", problems};
}

nlohmann::json LoadRunJson(const LoadConfig& config, const LoadResult& result,
                           const LoadVerdict& verdict) {
  const WorkerStats& stats = result.stats;
  double seconds = result.measured_s;
  nlohmann::json cpu = {{"loadgen_cpu_pct", Round(result.loadgen_cpu_pct, 0.1)}};
  if (result.server_before && result.server_after) {
    const ProcSample& before = *result.server_before;
    const ProcSample& after = *result.server_after;
    cpu["server_cpu_pct"] = Round(CpuPercentBetween(before, after), 0.1);
    cpu["server_user_s"] = Round(after.user_s - before.user_s, 0.01);
    cpu["server_sys_s"] = Round(after.sys_s - before.sys_s, 0.01);
    cpu["server_rss_kib"] = result.server_peak_rss_kib;
    cpu["server_threads"] = result.server_peak_threads;
  }
  nlohmann::json timeseries = nlohmann::json::array();
  size_t seconds_run = static_cast<size_t>(std::ceil(seconds));
  for (size_t i = 0; i < stats.timeseries.size() && i < seconds_run; ++i) {
    const IntervalStats& second = stats.timeseries[i];
    timeseries.push_back({{"t_s", i + 1},
                          {"requests", second.requests},
                          {"p99_us", NanosToMicros(second.latency.Percentile(99))}});
  }
  nlohmann::json run = {
      {"model", config.label.empty() ? "external" : config.label},
      {"protocol", ProtocolName(config.protocol)},
      {"params",
       {{"target", config.target_text},
        {"connections", config.connections},
        {"active", config.ActiveConnections()},
        {"depth", config.depth},
        {"message_size", config.message_size},
        {"duration_s", static_cast<double>(config.duration_ns) / kNanosPerSecond},
        {"warmup_s", static_cast<double>(config.warmup_ns) / kNanosPerSecond},
        {"threads", config.threads}}},
      {"status", verdict.status},
      {"reason", verdict.reason},
      {"interrupted", result.interrupted},
      {"measured_s", Round(seconds, 0.001)},
      {"throughput",
       {{"requests", stats.requests},
        {"requests_per_s", Round(PerSecond(stats.requests, seconds), 0.1)},
        {"bytes_per_s",
         Round(PerSecond(stats.bytes_sent + stats.bytes_received, seconds), 1)}}},
      {"latency_us", LatencySummaryJson(stats.latency)},
      {"latency_uncorrected_us", LatencySummaryJson(stats.latency_uncorrected)},
      {"latency_histogram", HistogramBucketsJson(stats.latency)},
      {"connections",
       {{"requested", config.connections},
        {"established", stats.established},
        {"failed", stats.failed},
        {"connect_p99_us", NanosToMicros(stats.connect_latency.Percentile(99))}}},
      {"errors",
       {{"refused", stats.errors.refused},
        {"reset", stats.errors.reset},
        {"timeout", stats.errors.timeout},
        {"protocol", stats.errors.protocol},
        {"closed_by_server", stats.errors.closed_by_server},
        {"other", stats.errors.other}}},
      {"verify", {{"mismatches", stats.mismatches}}},
      {"cpu", cpu},
      {"timeseries", timeseries},
  };
  return run;
}

std::string LoadSummaryText(const LoadConfig& config, const LoadResult& result,
                            const LoadVerdict& verdict) {
  const WorkerStats& stats = result.stats;
  char text[1024];
  int n = std::snprintf(
      text, sizeof text,
      "%s %s: %llu/%d connections (%d active, depth %d, %zu B), %.1fs measured%s\n"
      "  %.0f req/s, %.2f MB/s\n"
      "  latency us: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  mean %.1f\n",
      config.target_text.c_str(), std::string(ProtocolName(config.protocol)).c_str(),
      static_cast<unsigned long long>(stats.established), config.connections,
      config.ActiveConnections(), config.depth, config.message_size, result.measured_s,
      result.interrupted ? " (interrupted)" : "",
      PerSecond(stats.requests, result.measured_s),
      PerSecond(stats.bytes_sent + stats.bytes_received, result.measured_s) / 1e6,
      stats.latency.Percentile(50) / 1e3, stats.latency.Percentile(90) / 1e3,
      stats.latency.Percentile(99) / 1e3, stats.latency.Percentile(99.9) / 1e3,
      stats.latency.Max() / 1e3, stats.latency.Mean() / 1e3);
  std::string summary(text, static_cast<size_t>(std::max(n, 0)));
  if (result.server_before && result.server_after) {
    std::snprintf(text, sizeof text, "  server cpu %.1f%%, rss %ld KiB, %d threads; loadgen cpu %.1f%%\n",
                  CpuPercentBetween(*result.server_before, *result.server_after),
                  result.server_peak_rss_kib, result.server_peak_threads, result.loadgen_cpu_pct);
  } else {
    std::snprintf(text, sizeof text, "  loadgen cpu %.1f%%\n", result.loadgen_cpu_pct);
  }
  summary += text;
  summary += "  status: " + verdict.status + (verdict.reason.empty() ? "" : " (" + verdict.reason + ")") + "\n";
  return summary;
}

}  // namespace c10k
