#include "loadgen/load_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string_view>

#include "common/clock.h"
#include "common/io_status.h"
#include "common/result_json.h"
#include "protocols/http_client.h"
#include "protocols/resp_client.h"

namespace c10k {

namespace {

double PerSecond(uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

// Rounds to a multiple of `unit`. Fractions divide by the integer reciprocal,
// so 0.688 prints as 0.688 and not as 0.6880000000000001.
double Round(double value, double unit) {
  if (unit >= 1) return std::round(value / unit) * unit;
  double scale = std::round(1 / unit);
  return std::round(value * scale) / scale;
}

double Seconds(int64_t nanos) { return static_cast<double>(nanos) / kNanosPerSecond; }

// "N what" (after a comma when `text` already says something); with a
// `first` detail, "N what, the first <first>".
void AppendCount(std::string& text, uint64_t count, std::string_view what,
                 std::string_view first = {}) {
  if (count == 0) return;
  if (!text.empty()) text += ", ";
  text += std::to_string(count) + " ";
  text += what;
  if (first.empty()) return;
  text += ", the first ";
  text += first;
}

// The errno of the first error of no kind the report names (ENOPROTOOPT from
// --local-ports on a kernel before 6.3, say): a count alone says nothing.
std::string FirstOtherError(const ErrorCounts& errors) {
  return errors.first_other_errno != 0 ? ErrnoText(errors.first_other_errno) : "";
}

// printf into a string, for the few summary lines.
template <typename... Args>
void Appendf(std::string& out, const char* format, Args... args) {
  char text[512];
  int n = std::snprintf(text, sizeof text, format, args...);
  out.append(text, static_cast<size_t>(std::clamp(n, 0, static_cast<int>(sizeof text) - 1)));
}

void AppendLatencyLine(std::string& out, const char* label, const Histogram& histogram) {
  if (histogram.Count() == 0) {
    Appendf(out, "  %s none: no request completed\n", label);
    return;
  }
  Appendf(out, "  %s p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  mean %.1f\n", label,
          histogram.Percentile(50) / 1e3, histogram.Percentile(90) / 1e3,
          histogram.Percentile(99) / 1e3, histogram.Percentile(99.9) / 1e3, histogram.Max() / 1e3,
          histogram.Mean() / 1e3);
}

}  // namespace

LoadVerdict JudgeLoad(const LoadConfig& config, const LoadResult& result) {
  if (!result.not_started.empty()) return {"error", result.not_started};
  const WorkerStats& stats = result.stats;
  std::string problems;
  if (stats.established < static_cast<uint64_t>(config.connections)) {
    problems = std::to_string(stats.established) + " of " + std::to_string(config.connections) +
               " connections established";
    std::string why;
    AppendCount(why, stats.errors.refused, "refused");
    AppendCount(why, stats.errors.timeout, "timed out");
    AppendCount(why, stats.errors.reset, "reset");
    AppendCount(why, stats.errors.no_ports, "found no free local port (EADDRNOTAVAIL)");
    AppendCount(why, stats.errors.no_descriptors, "found no free file descriptor (EMFILE)");
    AppendCount(why, stats.errors.other, "failed otherwise", FirstOtherError(stats.errors));
    AppendCount(why, stats.not_attempted,
                "not attempted: no connect completed for a whole --connect-timeout");
    if (!why.empty()) {
      problems += " (" + why + ")";
    } else if (result.interrupted) {
      // None failed: SIGINT came before the rest were opened, and the reason
      // must not read as a server that refused them.
      problems = "interrupted while connecting, " + problems;
    }
  }
  std::string during;
  AppendCount(during, stats.error_replies, "error replies from the server",
              '"' + stats.first_error_reply + '"');
  AppendCount(during, stats.mismatches, "replies did not match what was sent",
              stats.first_mismatch);
  AppendCount(during, stats.errors.closed_by_server, "connections closed by the server");
  AppendCount(during, stats.errors.protocol, "protocol errors", stats.first_protocol_error);
  if (stats.established == static_cast<uint64_t>(config.connections)) {
    // Every connection opened, so these are reconnects that failed.
    AppendCount(during, stats.errors.refused, "reconnects refused");
    AppendCount(during, stats.errors.no_ports,
                "reconnects found no free local port (EADDRNOTAVAIL; the ports of connections "
                "this side closed wait in TIME_WAIT: give --source-addrs more addresses)");
    AppendCount(during, stats.errors.no_descriptors,
                "reconnects found no free file descriptor (EMFILE)");
    AppendCount(during, stats.errors.reset, "connections reset");
    AppendCount(during, stats.errors.timeout,
                "requests unanswered after the " + FormatDuration(config.request_timeout_ns) +
                    " --timeout");
    AppendCount(during, stats.errors.other, "socket errors", FirstOtherError(stats.errors));
  }
  if (stats.starved > 0 && !result.interrupted) {
    // Every active connection is meant to be served; one that waited the
    // whole window for a reply shows the server serving others instead.
    std::string first;
    if (!stats.first_starved_input.empty()) {
      first = "having received only \"" + stats.first_starved_input + "\", no complete " +
              std::string(ProtocolName(config.protocol)) + " reply";
    }
    AppendCount(during, stats.starved,
                "of " + std::to_string(config.ActiveConnections()) +
                    " active connections got no reply in the measured window",
                first);
  }
  // Unanswered or starved, the accept queue tells a server that never took
  // the connections from one that took them and served others instead. Not
  // when connections were being opened again: one reopened a moment before
  // the end is in the queue in passing.
  if (!during.empty() && result.unaccepted_at_end.value_or(0) > 0 && stats.reconnects == 0 &&
      stats.replaced == 0) {
    during += "; " + std::to_string(*result.unaccepted_at_end) +
              " connections were never accepted (still in the server's accept queue at the end)";
  }
  if (!during.empty() && stats.replaced > 0) {
    during += "; " + std::to_string(stats.replaced) +
              " lost connections were replaced (--reconnect-on-error)";
  }
  if (!during.empty()) problems += (problems.empty() ? "" : "; ") + during;
  if (stats.delivered < stats.expected_deliveries) {
    problems += std::string(problems.empty() ? "" : "; ") +
                std::to_string(stats.expected_deliveries - stats.delivered) + " of " +
                std::to_string(stats.expected_deliveries) + " line deliveries missing";
  }
  if (result.server_exited) {
    problems += std::string(problems.empty() ? "" : "; ") + "the server process (pid " +
                std::to_string(config.server_pid) + ") exited during the run";
  }
  if (config.requests > 0 && stats.requests < config.requests && !result.interrupted) {
    problems += std::string(problems.empty() ? "" : "; ") + "only " +
                std::to_string(stats.requests) + " of " + std::to_string(config.requests) +
                " --requests completed before the " + FormatDuration(config.duration_ns) +
                " --duration ended the window; give a longer --duration";
  }
  if (problems.empty() && stats.requests == 0 && config.ActiveConnections() > 0 &&
      !result.interrupted) {
    problems = "no request completed in the measured window";
  }
  if (problems.empty()) return {"ok", ""};
  return {"error", problems};
}

namespace {

// Kernel TCP work over the window, from the host's counters: on loopback both
// ends count, so a request and its reply are two segments when every ACK
// rides on data. Delayed ACKs are bare ACKs the kernel sent because data sat
// unread longer than the delayed-ACK timer (40 ms on Linux).
struct TcpWork {
  uint64_t segments = 0;
  uint64_t delayed_acks = 0;
  double segments_per_request = 0;
};

std::optional<TcpWork> TcpWorkOf(const LoadResult& result) {
  if (!result.tcp_before || !result.tcp_after) return std::nullopt;
  TcpWork work;
  work.segments = result.tcp_after->segments_out - result.tcp_before->segments_out;
  work.delayed_acks = result.tcp_after->delayed_acks - result.tcp_before->delayed_acks;
  if (result.stats.requests > 0) {
    work.segments_per_request =
        static_cast<double>(work.segments) / static_cast<double>(result.stats.requests);
  }
  return work;
}

nlohmann::json Verification(const WorkerStats& stats) {
  nlohmann::json verify = {{"mismatches", stats.mismatches},
                           {"error_replies", stats.error_replies}};
  if (stats.error_replies > 0) verify["first_error_reply"] = stats.first_error_reply;
  if (stats.mismatches > 0) verify["first_mismatch"] = stats.first_mismatch;
  return verify;
}

// What every request is, for the summary's first line: the size alone says
// nothing of an http GET or a resp PING.
std::string RequestText(const LoadConfig& config) {
  std::string size = std::to_string(config.message_size) + " B";
  switch (config.protocol) {
    case Protocol::kHttp: {
      // "POST /up with 2 headers and a 1024 B body"
      std::vector<std::string> with;
      if (size_t headers = config.http_headers.size(); headers > 0) {
        with.push_back(std::to_string(headers) + (headers == 1 ? " header" : " headers"));
      }
      if (config.http_body) {
        with.push_back("a " + std::to_string(config.http_body->size()) + " B body");
      }
      std::string text = config.http_method + " " + config.http_path;
      for (size_t i = 0; i < with.size(); ++i) text += (i == 0 ? " with " : " and ") + with[i];
      return text;
    }
    case Protocol::kResp:
      if (config.keys == 0) return "PING";
      return (config.ratio == SetGetRatio{} ? "SET and GET"
                                            : "SET:GET " + SetGetRatioText(config.ratio)) +
             " of " + size + " over " + std::to_string(config.keys) + " keys";
    default:
      return size;
  }
}

// Why the connections were opened again: the generator's own
// --requests-per-connection, the server's closes, or both.
std::string ReconnectReason(const LoadConfig& config, const WorkerStats& stats) {
  uint32_t limit = config.requests_per_connection;
  std::string by_client = "each connection is closed and opened again once it has carried " +
                          std::to_string(limit) + (limit == 1 ? " request" : " requests") +
                          " (--requests-per-connection)";
  uint64_t by_server = stats.reconnects - stats.reconnects_by_client;
  if (by_server == 0) return by_client;
  std::string why =
      "the server closes connections after a reply that says \"Connection: close\" (nginx: "
      "keepalive_requests)";
  if (RequestsClose(config.http_headers)) {
    why =
        "every request says \"Connection: close\" (--header), so the server closes after "
        "each reply";
  } else if (stats.reconnects_after_close_ended_reply == by_server) {
    why = "the server ends each reply by closing the connection (a body with no Content-Length)";
  } else if (stats.reconnects_after_http10 == by_server) {
    why =
        "the server answers in HTTP/1.0, which closes after each reply unless it says "
        "\"Connection: keep-alive\"";
  }
  if (stats.reconnects_by_client == 0) return why;
  return std::to_string(stats.reconnects_by_client) + " because " + by_client + "; " +
         std::to_string(by_server) + " because " + why;
}

}  // namespace

nlohmann::json LoadRunJson(const LoadConfig& config, const LoadResult& result,
                           const LoadVerdict& verdict) {
  const WorkerStats& stats = result.stats;
  double seconds = result.measured_s;
  nlohmann::json cpu = {{"loadgen_cpu_pct", Round(result.loadgen_cpu_pct, 0.1)}};
  if (result.server_before && result.server_after) {
    const ProcSample& before = *result.server_before;
    const ProcSample& after = *result.server_after;
    CpuSeconds used = CpuBetween(before, after);
    cpu["server_cpu_pct"] = Round(CpuPercentBetween(before, after), 0.1);
    cpu["server_user_s"] = Round(used.user_s, 0.001);
    cpu["server_sys_s"] = Round(used.sys_s, 0.001);
    cpu["server_rss_kib"] = result.server_peak_rss_kib;
    cpu["server_threads"] = result.server_peak_threads;
  }
  nlohmann::json timeseries = nlohmann::json::array();
  size_t seconds_run = static_cast<size_t>(std::ceil(seconds));
  for (size_t i = 0; i < result.timeseries.size() && i < seconds_run; ++i) {
    const SecondSummary& second = result.timeseries[i];
    timeseries.push_back({{"t_s", i + 1},
                          {"requests", second.requests},
                          // A second in which nothing completed has no latency (a stall, not 0).
                          {"p99_us", MicrosOrNull(second.requests, second.p99_ns)}});
  }
  uint64_t connects = stats.connect_latency.Count();
  nlohmann::json run = {
      {"model", config.label.empty() ? "external" : config.label},
      {"protocol", ProtocolName(config.protocol)},
      {"params",
       {{"target", config.target_text},
        {"address", config.target.ToString()},
        {"connections", config.connections},
        {"active", config.ActiveConnections()},
        {"depth", config.depth},
        {"mode", config.OpenLoop() ? "open" : "closed"},
        {"rate", config.rate},
        {"message_size", config.message_size},
        {"keys", config.keys},
        {"duration_s", Seconds(config.duration_ns)},
        {"requests", config.requests},
        {"requests_per_connection", config.requests_per_connection},
        {"reconnect_on_error", config.reconnect_on_error},
        {"warmup_s", Seconds(config.warmup_ns)},
        {"timeout_s", Seconds(config.request_timeout_ns)},
        {"connect_timeout_s", Seconds(config.connect_timeout_ns)},
        {"connect_rate", config.connect_rate},
        {"source_addrs", config.source_addrs_text},
        {"local_ports", config.local_ports ? std::to_string(config.local_ports->low) + "-" +
                                                 std::to_string(config.local_ports->high)
                                           : ""},
        {"threads", config.threads},
        {"io", LoadIoName(config.io)}}},
      {"status", verdict.status},
      {"reason", verdict.reason},
      {"interrupted", result.interrupted},
      {"measured_s", Round(seconds, 0.001)},
      {"throughput",
       {{"requests", stats.requests},
        {"requests_per_s", Round(PerSecond(stats.requests, seconds), 0.1)},
        {"bytes_per_s", Round(PerSecond(stats.bytes_sent + stats.bytes_received, seconds), 1)},
        {"received_bytes_per_s", Round(PerSecond(stats.bytes_received, seconds), 1)},
        {"sent_bytes_per_s", Round(PerSecond(stats.bytes_sent, seconds), 1)}}},
      {"latency_us", LatencySummaryJson(stats.latency)},
      {"latency_uncorrected_us", LatencySummaryJson(stats.latency_uncorrected)},
      {"latency_histogram", HistogramBucketsJson(stats.latency)},
      {"connections",
       {{"requested", config.connections},
        {"established", stats.established},
        {"failed", stats.failed},
        {"not_attempted", stats.not_attempted},
        {"starved", stats.starved},
        {"reconnects", stats.reconnects},
        {"replaced", stats.replaced},
        {"connect_s", Round(result.connect_s, 0.001)},
        {"connect_p50_us", MicrosOrNull(connects, stats.connect_latency.Percentile(50))},
        {"connect_p99_us", MicrosOrNull(connects, stats.connect_latency.Percentile(99))},
        {"connect_max_us", MicrosOrNull(connects, stats.connect_latency.Max())}}},
      {"errors",
       {{"refused", stats.errors.refused},
        {"reset", stats.errors.reset},
        {"timeout", stats.errors.timeout},
        {"protocol", stats.errors.protocol},
        {"closed_by_server", stats.errors.closed_by_server},
        {"no_ports", stats.errors.no_ports},
        {"no_descriptors", stats.errors.no_descriptors},
        {"other", stats.errors.other}}},
      {"verify", Verification(stats)},
      {"cpu", cpu},
      {"timeseries", timeseries},
      {"in_flight_at_end", stats.in_flight_at_end},
  };
  if (config.protocol == Protocol::kHttp) {
    run["params"]["method"] = config.http_method;
    run["params"]["path"] = config.http_path;
    // The size, not the bytes: a body can be large, or private.
    run["params"]["body_bytes"] =
        config.http_body ? nlohmann::json(config.http_body->size()) : nlohmann::json(nullptr);
    nlohmann::json headers = nlohmann::json::array();
    for (const std::string& header : config.http_headers) {
      headers.push_back(HeaderForTheRecord(header));
    }
    run["params"]["headers"] = headers;
  }
  if (config.protocol == Protocol::kResp && config.keys > 0) {
    run["params"]["ratio"] = SetGetRatioText(config.ratio);
  }
  if (config.OpenLoop()) {
    // How far the schedule was kept: send lag is how late each request left
    // against its slot; unsent slots never left at all.
    run["schedule"] = {
        {"target_rate", config.rate},
        {"sent", stats.sent},
        {"sent_per_s", Round(PerSecond(stats.sent, seconds), 0.1)},
        {"unsent", stats.unsent},
        {"send_lag_us", LatencySummaryJson(stats.send_lag)},
    };
  }
  if (auto tcp = TcpWorkOf(result)) {
    run["tcp"] = {{"scope", "host"},
                  {"segments_out", tcp->segments},
                  {"segments_per_request", Round(tcp->segments_per_request, 0.01)},
                  {"delayed_acks", tcp->delayed_acks}};
  }
  if (result.unaccepted_at_end) {
    run["connections"]["unaccepted_at_end"] = *result.unaccepted_at_end;
  }
  if (config.protocol == Protocol::kLine) {
    run["line"] = {
        {"sent", stats.sent},
        {"expected", stats.expected_deliveries},
        {"delivered", stats.delivered},
    };
  }
  return run;
}

std::string LoadSummaryText(const LoadConfig& config, const LoadResult& result,
                            const LoadVerdict& verdict) {
  const WorkerStats& stats = result.stats;
  std::string summary;
  std::string load = config.OpenLoop()
                         ? "open loop " + std::to_string(std::llround(config.rate)) + " req/s"
                         : "closed loop depth " + std::to_string(config.depth);
  if (config.io == LoadIo::kUring) load += ", io_uring";
  // "localhost:8080 ([::1]:8080)": which address a name stood for.
  std::string target = config.target_text;
  if (std::string address = config.target.ToString(); address != target) {
    target += " (" + address + ")";
  }
  std::string ended = result.interrupted ? " (interrupted)" : "";
  if (config.requests > 0 && stats.requests == config.requests) {
    ended = " (the window ended at --requests " + std::to_string(config.requests) + ")";
  }
  Appendf(summary, "%s %s: %llu/%d connections (%d active, %s, %s), %.*fs measured%s\n",
          target.c_str(), std::string(ProtocolName(config.protocol)).c_str(),
          static_cast<unsigned long long>(stats.established), config.connections,
          config.ActiveConnections(), load.c_str(), RequestText(config).c_str(),
          config.requests > 0 ? 3 : 1, result.measured_s, ended.c_str());
  if (stats.connect_latency.Count() > 0) {
    Appendf(summary, "  connected in %.3f s (connect p99 %.0f us)\n", result.connect_s,
            stats.connect_latency.Percentile(99) / 1e3);
  } else {
    Appendf(summary, "  no connection established (%.3f s)\n", result.connect_s);
  }
  if (stats.reconnects > 0) {
    Appendf(summary, "  reconnected %llu times: %s\n",
            static_cast<unsigned long long>(stats.reconnects),
            ReconnectReason(config, stats).c_str());
  }
  if (stats.replaced > 0) {
    Appendf(summary, "  replaced %llu connections lost to errors (--reconnect-on-error)\n",
            static_cast<unsigned long long>(stats.replaced));
  }
  // Received first: it is the figure wrk calls Transfer/sec.
  Appendf(summary, "  %.0f req/s, %.2f MB/s received, %.2f MB/s sent\n",
          PerSecond(stats.requests, result.measured_s),
          PerSecond(stats.bytes_received, result.measured_s) / 1e6,
          PerSecond(stats.bytes_sent, result.measured_s) / 1e6);
  AppendLatencyLine(summary, "latency us:", stats.latency);
  if (config.OpenLoop()) {
    AppendLatencyLine(summary, "uncorrected:", stats.latency_uncorrected);
    // Sends are counted by their slot: a request sent in the window for a
    // slot before it (the schedule running late) is not one of its sends.
    uint64_t slots = stats.sent + stats.unsent;
    Appendf(summary,
            "  schedule: %.0f/s of the window's slots sent, %.0f/s asked, send lag p99 %.1f us "
            "max %.1f us, %llu of %llu slots unsent\n",
            PerSecond(stats.sent, result.measured_s), config.rate,
            stats.send_lag.Percentile(99) / 1e3, stats.send_lag.Max() / 1e3,
            static_cast<unsigned long long>(stats.unsent), static_cast<unsigned long long>(slots));
    // A few slots due in the window's last moments may find their connection
    // still waiting for a reply; more than 1% unsent is a schedule not kept.
    if (stats.unsent * 100 > slots) {
      Appendf(summary,
              "  behind: the server (or this generator) did not keep %.0f req/s; latency counts "
              "each wait from its slot\n",
              config.rate);
    }
  }
  if (config.protocol == Protocol::kLine) {
    Appendf(summary, "  line: %llu messages sent, %llu of %llu deliveries\n",
            static_cast<unsigned long long>(stats.sent),
            static_cast<unsigned long long>(stats.delivered),
            static_cast<unsigned long long>(stats.expected_deliveries));
  }
  if (result.server_before && result.server_after) {
    Appendf(summary, "  server cpu %.1f%%, rss %ld KiB, %d threads; loadgen cpu %.1f%%\n",
            CpuPercentBetween(*result.server_before, *result.server_after),
            result.server_peak_rss_kib, result.server_peak_threads, result.loadgen_cpu_pct);
  } else {
    Appendf(summary, "  loadgen cpu %.1f%%\n", result.loadgen_cpu_pct);
  }
  if (auto tcp = TcpWorkOf(result); tcp && stats.requests > 0) {
    Appendf(summary, "  kernel tcp (whole host): %.2f segments per request, %llu delayed ACKs%s\n",
            tcp->segments_per_request, static_cast<unsigned long long>(tcp->delayed_acks),
            tcp->delayed_acks * 20 > stats.requests
                ? " (data waited unread past the 40 ms delayed-ACK timer, so the kernel sent "
                  "bare ACKs)"
                : "");
  }
  summary += "  status: " + verdict.status +
             (verdict.reason.empty() ? "" : " (" + verdict.reason + ")") + "\n";
  return summary;
}

}  // namespace c10k
