#include "runner/ceiling.h"

namespace c10k {

namespace {

// The first server log line that contains `marker`, if any.
std::optional<std::string> LogLineWith(const std::vector<std::string>& log, std::string_view marker) {
  for (const auto& line : log) {
    if (line.find(marker) != std::string::npos) return line;
  }
  return std::nullopt;
}

std::string KeptText(const LoadResult& load, int connections) {
  return std::to_string(ConnectionsKept(load)) + " of " + std::to_string(connections) +
         " connections kept";
}

// Why a threads server's connections starved. A thread per client on a
// saturated CPU: the accepting thread is one of hundreds of runnable threads,
// and a fair scheduler gives it that share. Measured with the server on one
// CPU and 600 busy client threads: it ran one 1.4 ms slice (about 50 new
// threads) every 0.5 to 0.9 s; the connections it had not reached waited in
// the accept queue (the load's reason counts them).
// With a thread for every connection, what starves connections is the
// threads' turns on the CPU: at 15,000 connections, sampled client threads
// had spent most of the time runnable but waiting for one.
std::optional<std::string> ThreadsStarved(const LoadResult& load, const PointObservation& point) {
  if (point.model != "threads" || load.stats.starved == 0 || load.server_peak_threads < 1) {
    return std::nullopt;
  }
  int client_threads = load.server_peak_threads - 1;  // and one that accepts
  if (client_threads >= point.connections) {
    return "threads ran a thread for each of the " + std::to_string(point.connections) +
           " connections, and they wait their turns on the CPU";
  }
  return "threads started only " + std::to_string(client_threads) + " of " +
         std::to_string(point.connections) +
         " client threads: its accepting thread gets one share of the CPU among every busy "
         "client thread";
}

// What the load generator itself ran out of, if anything: descriptors or
// local ports of its own process and machine, which say nothing of the
// model's ceiling.
std::optional<std::string> LoadGeneratorLimit(const LoadResult& load) {
  const ErrorCounts& errors = load.stats.errors;
  std::string what;
  if (errors.no_descriptors > 0) what = "file descriptors";
  if (errors.no_ports > 0) what += std::string(what.empty() ? "" : " and ") + "local ports";
  if (what.empty()) return std::nullopt;
  return "the load generator ran out of " + what + " of its own";
}

}  // namespace

uint64_t ConnectionsKept(const LoadResult& load) {
  const WorkerStats& stats = load.stats;
  // A starved connection is open but was never served: the kernel completed
  // its handshake into the accept queue of a server that could not take it
  // (threads out of descriptors), or it waited behind another client.
  uint64_t lost =
      stats.errors.closed_by_server + stats.errors.reset + stats.errors.other + stats.starved;
  return stats.established > lost ? stats.established - lost : 0;
}

LoadVerdict JudgePoint(const LoadResult& load, const LoadVerdict& load_verdict,
                       const PointObservation& point) {
  if (point.server_exit) {
    std::string reason = "the server died (" + point.server_exit->Describe() + ") at " +
                         std::to_string(point.connections) + " connections";
    if (!point.server_log.empty()) reason += ": " + point.server_log.back();
    return {"ceiling", reason};
  }
  if (load_verdict.status == "ok") return load_verdict;
  // Wrong bytes are a bug, not a limit: never dress them up as a ceiling.
  if (load.stats.mismatches > 0) return {"error", load_verdict.reason};
  // Nor is a limit of the measuring side.
  if (std::optional<std::string> own = LoadGeneratorLimit(load)) {
    return {"error", *own + ", no ceiling of " + point.model + ": " + load_verdict.reason};
  }

  if (LogLineWith(point.server_log_since_start, "FD_SETSIZE")) {
    return {"ceiling", point.model + " closes fd >= FD_SETSIZE (1024): " +
                           KeptText(load, point.connections)};
  }
  if (LogLineWith(point.server_log_since_start, "thread")) {
    return {"ceiling", point.model + " could not create a thread per connection: " +
                           KeptText(load, point.connections)};
  }
  if (LogLineWith(point.server_log_since_start, "file descriptors")) {
    return {"ceiling", point.model + " ran out of file descriptors (RLIMIT_NOFILE): " +
                           KeptText(load, point.connections)};
  }
  if (std::optional<std::string> why = ThreadsStarved(load, point)) {
    return {"ceiling", *why + "; " + load_verdict.reason};
  }
  return {"ceiling", load_verdict.reason};
}

}  // namespace c10k
