// c10k load: drive a TCP server with N connections, measure, and write one
// results document.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>

#include "app/command.h"
#include "common/byte_size.h"
#include "common/clock.h"
#include "common/net.h"
#include "common/proc_sample.h"
#include "common/quotable.h"
#include "common/result_json.h"
#include "common/stop_signal.h"
#include "loadgen/load_generator.h"
#include "loadgen/load_report.h"
#include "loadgen/source_addrs.h"
#include "protocols/http_client.h"
#include "protocols/http_text.h"
#include "protocols/resp_client.h"

namespace c10k {

namespace {

struct LoadOptions {
  std::string target;
  std::string protocol = "echo";
  int connections = 10;
  int active = -1;
  int depth = 1;
  uint32_t requests_per_connection = 0;
  bool reconnect_on_error = false;
  double rate = 0;
  std::string message_size = "64";
  uint32_t keys = 0;
  std::string ratio;
  std::string method = "GET";
  std::string path = "/";
  std::vector<std::string> headers;
  std::string body_file;
  std::string duration = "10s";
  uint64_t requests = 0;
  std::string warmup = "2s";
  std::string connect_timeout = "5s";
  std::string timeout = "5s";
  double connect_rate = 0;
  std::string source_addrs;
  std::string local_ports;
  int threads = 0;
  std::string io = "epoll";
  int server_pid = 0;
  std::string json;
  std::string label;
  // Set by AddLoadCommand: whether these flags were given, for the ones whose
  // default cannot be told from a value the user typed.
  const CLI::Option* message_size_flag = nullptr;
  const CLI::Option* path_flag = nullptr;
  const CLI::Option* method_flag = nullptr;
  const CLI::Option* protocol_flag = nullptr;
  const CLI::Option* depth_flag = nullptr;
};

int DefaultThreads() {
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  return cores > 1 ? cores - 1 : 1;
}

// The flags that shape each request, checked against the protocol: one that
// does not apply would otherwise be ignored without a word.
void CheckRequestFlags(const LoadOptions& options, Protocol protocol) {
  bool http = protocol == Protocol::kHttp;
  if (options.message_size_flag->count() > 0) {
    if (http) {
      throw UsageError(
          "--message-size does not apply to --protocol http; for a request body, use --body-file");
    }
    if (protocol == Protocol::kResp && options.keys == 0) {
      throw UsageError(
          "--message-size applies to --protocol resp only with --keys (the SET values); PING "
          "carries no value");
    }
  }
  if (!http && options.path_flag->count() > 0) {
    throw UsageError("--path applies to --protocol http only");
  }
  if (!http && !options.headers.empty()) {
    throw UsageError("--header applies to --protocol http only");
  }
  if (!http && options.method_flag->count() > 0) {
    throw UsageError("--method applies to --protocol http only");
  }
  if (!http && !options.body_file.empty()) {
    throw UsageError("--body-file applies to --protocol http only");
  }
  if (protocol == Protocol::kLine && options.depth_flag->count() > 0) {
    throw UsageError(
        "--depth does not apply to --protocol line: its messages are broadcast, not answered, so "
        "none is in flight; --rate sets the pace");
  }
  if (std::string problem = HttpMethodProblem(options.method); !problem.empty()) {
    throw UsageError("--method \"" + Quotable(options.method, 200) + "\" " + problem);
  }
  if (std::string problem = HttpPathProblem(options.path); !problem.empty()) {
    throw UsageError("--path \"" + Quotable(options.path, 200) + "\" " + problem);
  }
  for (const std::string& header : options.headers) {
    if (std::string problem = HttpHeaderProblem(header); !problem.empty()) {
      throw UsageError("--header \"" + Quotable(header, 200) + "\" " + problem);
    }
  }
}

// --message-size in bytes or with a unit, as every size flag takes it.
size_t MessageSizeFlag(const std::string& text) {
  uint64_t bytes = ByteSizeFlag("--message-size", text);
  if (bytes < 1 || bytes > static_cast<uint64_t>(kMaxPayloadBytes)) {
    throw UsageError("--message-size " + text + " is not from 1 B to 64 MiB (" +
                     std::to_string(kMaxPayloadBytes) + " bytes)");
  }
  return static_cast<size_t>(bytes);
}

// A message a c10k server would refuse as it is started by default: framed,
// line, http and resp close a connection whose frame, line, request or value
// passes `c10k serve --max-frame` (the codecs' default). Other servers have
// other limits, so this is a note, not an error: without it the run ends in
// resets with no word of why.
void NoteMessagesAboveTheDefaultMaxFrame(const LoadConfig& config) {
  const uint64_t default_max_frame = CodecOptions{}.max_frame;
  uint64_t largest = 0;
  if (config.protocol == Protocol::kFramed || config.protocol == Protocol::kLine ||
      (config.protocol == Protocol::kResp && config.keys > 0)) {
    largest = config.message_size;
  } else if (config.protocol == Protocol::kHttp && config.http_body) {
    largest = config.http_body->size();
  }
  if (largest <= default_max_frame) return;
  std::fprintf(stderr,
               "c10k load: note: %s messages of %s are above c10k serve's default --max-frame "
               "of %s; start it with --max-frame %llu or more, or it closes every "
               "connection\n",
               std::string(ProtocolName(config.protocol)).c_str(),
               FormatBytesRounded(static_cast<double>(largest)).c_str(),
               FormatBytes(default_max_frame).c_str(), static_cast<unsigned long long>(largest));
}

// --target http://HOST:PORT/PATH, as a wrk user writes it: HOST:PORT with
// --protocol http and --path PATH. Flags that say otherwise are refused
// rather than one of the two silently winning.
LoadOptions WithUrlTarget(LoadOptions options) {
  const std::string given = options.target;
  if (StartsWithLowercase(given, "https://")) {
    throw UsageError("--target " + given + ": c10k load speaks plain TCP, not TLS (https)");
  }
  auto url = SplitHttpUrl(given);
  if (!url) return options;
  if (!ParseHostPort(url->host_port)) {
    throw UsageError("--target \"" + given +
                     "\": an http URL's host must be a numeric address or localhost, e.g. "
                     "http://127.0.0.1:8080/");
  }
  if (options.protocol_flag->count() > 0 && options.protocol != "http") {
    throw UsageError("--target " + given + " is an http URL, and --protocol says " +
                     options.protocol);
  }
  if (options.path_flag->count() > 0 && url->path != "/") {
    throw UsageError("--target " + given + " has a path, and so does --path; give one of them");
  }
  options.target = url->host_port;
  options.protocol = "http";
  if (options.path_flag->count() == 0) options.path = url->path;
  return options;
}

LoadConfig BuildConfig(const LoadOptions& given) {
  LoadOptions options = WithUrlTarget(given);
  LoadConfig config;
  std::string problem;
  auto target = ParseHostPort(options.target, &problem);
  if (!target) {
    throw UsageError("--target \"" + options.target + "\" is not HOST:PORT: " + problem +
                     " (e.g. 127.0.0.1:8080 or [::1]:8080)");
  }
  if (target->Port() == 0) throw UsageError("--target: port 0 cannot be connected to");
  config.target = *target;
  config.target_text = options.target;
  auto protocol = ParseProtocol(options.protocol);
  if (!protocol) throw UsageError("unknown protocol \"" + options.protocol + "\"");
  config.protocol = *protocol;
  if (config.protocol == Protocol::kLine && options.rate <= 0) {
    throw UsageError(
        "--protocol line needs --rate: messages are broadcast, not answered, so "
        "there is no closed loop to run");
  }
  if (options.keys > 0 && config.protocol != Protocol::kResp) {
    throw UsageError("--keys applies to --protocol resp only (SET and GET over that many keys)");
  }
  CheckRequestFlags(options, config.protocol);
  if (!options.ratio.empty()) {
    if (options.keys == 0) {
      throw UsageError("--ratio applies to --protocol resp with --keys (PING has no SETs or GETs)");
    }
    auto ratio = ParseSetGetRatio(options.ratio);
    if (!ratio) {
      throw UsageError("--ratio \"" + Quotable(options.ratio, 200) + "\" " +
                       std::string(kSetGetRatioWords));
    }
    config.ratio = *ratio;
  }
  config.connections = options.connections;
  if (config.protocol == Protocol::kLine && config.connections < 2) {
    // The run would end with "no request completed", the reason unsaid.
    throw UsageError(
        "--protocol line needs at least 2 connections: each line goes to every other client");
  }
  config.active = options.active;
  if (options.active > options.connections) {
    throw UsageError("--active " + std::to_string(options.active) + " is more than --connections " +
                     std::to_string(options.connections));
  }
  config.depth = options.depth;
  config.rate = options.rate;
  config.message_size = MessageSizeFlag(options.message_size);
  config.keys = options.keys;
  config.http_method = options.method;
  config.http_path = options.path;
  config.http_headers = options.headers;
  if (!options.body_file.empty()) config.http_body = BodyFileFlag(options.body_file);
  config.connect_rate = options.connect_rate;
  if (!options.source_addrs.empty()) {
    std::string error;
    auto sources = ParseSourceAddrs(options.source_addrs, &error);
    if (!sources) throw UsageError(error);
    // localhost takes the family of the source addresses (see Load).
    if (sources->front().Family() != config.target.Family() && !IsLocalhost(options.target)) {
      throw UsageError("--source-addrs and --target must both be IPv4 or both IPv6");
    }
    if (std::string not_local = CheckSourceAddrsAreLocal(*sources); !not_local.empty()) {
      throw UsageError(not_local);
    }
    config.source_addrs = std::move(*sources);
    config.source_addrs_text = options.source_addrs;
  }
  if (!options.local_ports.empty()) {
    config.local_ports = ParsePortRange(options.local_ports);
    if (!config.local_ports) {
      throw UsageError("--local-ports \"" + options.local_ports +
                       "\" is not a port range LOW-HIGH, e.g. 40000-40999");
    }
    if (std::string outside = CheckLocalPortsInRange(*config.local_ports, LocalPortRange());
        !outside.empty()) {
      throw UsageError(outside);
    }
  }
  config.duration_ns = DurationFlag("--duration", options.duration);
  config.requests = options.requests;
  if (config.requests > 0 && config.protocol == Protocol::kLine) {
    throw UsageError(
        "--requests counts replies, and --protocol line's broadcast messages get none; the "
        "window is --duration");
  }
  if (config.requests > 0 && config.ActiveConnections() == 0) {
    throw UsageError("--requests needs an active connection; with --active 0 none sends");
  }
  config.requests_per_connection = options.requests_per_connection;
  if (config.requests_per_connection > 0 && config.protocol == Protocol::kLine) {
    throw UsageError(
        "--requests-per-connection counts requests answered, and --protocol line's broadcast "
        "messages get no answer");
  }
  if (config.requests_per_connection > 0 && config.ActiveConnections() == 0) {
    throw UsageError(
        "--requests-per-connection needs an active connection; with --active 0 none sends");
  }
  config.reconnect_on_error = options.reconnect_on_error;
  if (config.reconnect_on_error && config.protocol == Protocol::kLine) {
    throw UsageError(
        "--reconnect-on-error replaces request/reply connections; --protocol line's receivers "
        "are counted from their start");
  }
  config.warmup_ns = DurationFlag("--warmup", options.warmup);
  config.connect_timeout_ns = DurationFlag("--connect-timeout", options.connect_timeout);
  config.request_timeout_ns = DurationFlag("--timeout", options.timeout);
  if (config.duration_ns < kNanosPerMilli) throw UsageError("--duration must be at least 1ms");
  if (config.connect_timeout_ns < kNanosPerMilli)
    throw UsageError("--connect-timeout must be at least 1ms");
  if (config.request_timeout_ns < kNanosPerMilli)
    throw UsageError("--timeout must be at least 1ms");
  config.threads = options.threads > 0 ? options.threads : DefaultThreads();
  config.threads = std::min(config.threads, config.connections);
  config.io = IoFlag(options.io);
  RequireUsableIo(config.io);
  config.server_pid = options.server_pid;
  if (config.server_pid > 0 && !SampleProcess(config.server_pid)) {
    // Found now, not after the run as "the server exited during the run".
    throw UsageError("--server-pid " + std::to_string(config.server_pid) +
                     ": no such process (or its /proc entry cannot be read)");
  }
  config.label = options.label;
  config.live_line = isatty(STDERR_FILENO);
  return config;
}

int Load(const LoadOptions& options) {
  LoadConfig config = BuildConfig(options);
  if (std::string limit = CheckLoadLimits(config); !limit.empty()) throw UsageError(limit);
  if (!options.json.empty()) RequireWritableJson(options.json);
  NoteMessagesAboveTheDefaultMaxFrame(config);
  if (IsLocalhost(config.target_text)) {
    // Last, so that a usage error does not cost the server a test connection.
    int family = config.source_addrs.empty() ? AF_UNSPEC : config.source_addrs.front().Family();
    config.target = LocalhostThatAccepts(config.target.Port(), family);
  }
  InstallStopSignalHandlers();
  nlohmann::json document = {
      {"schema_version", kSchemaVersion},
      {"context", MakeContext()},
      {"scenario", {{"name", "load"}, {"file", nullptr}, {"sha256", nullptr}}},
  };
  LoadResult result = RunLoad(config);
  // A limit found at the start, like those checked before it: nothing ran.
  if (!result.not_started.empty()) throw UsageError(result.not_started);
  LoadVerdict verdict = JudgeLoad(config, result);
  document["interrupted"] = result.interrupted;
  document["runs"] = nlohmann::json::array({LoadRunJson(config, result, verdict)});
  // With the document on stdout (--json -, /dev/stdout), the summary for a
  // person goes to stderr, so that stdout stays one JSON document for jq.
  std::FILE* summary = !options.json.empty() && JsonGoesToStdout(options.json) ? stderr : stdout;
  std::fputs(LoadSummaryText(config, result, verdict).c_str(), summary);
  if (!options.json.empty()) {
    if (std::string error = WriteJsonAtomically(options.json, document); !error.empty()) {
      std::fprintf(stderr, "c10k load: %s\n", error.c_str());
      return kExitFailed;
    }
    std::fprintf(summary, "  results: %s\n", options.json.c_str());
  }
  // Interrupted, the window was cut short: what it holds is kept, but the run
  // asked for did not happen (c10k run exits 1 for a cut sweep too).
  return verdict.status == "ok" && !result.interrupted ? kExitOk : kExitFailed;
}

}  // namespace

Command AddLoadCommand(CLI::App& root) {
  auto options = std::make_shared<LoadOptions>();
  CLI::App* app = root.add_subcommand(
      "load",
      "Drive a TCP server with many nonblocking connections and measure throughput and latency "
      "(closed loop, or open loop with --rate). A summary goes to stdout; on a TTY a live line to "
      "stderr; SIGINT ends the run early and still writes the JSON, marked interrupted. "
      "Exit 0: ok; 1: the run finished with errors, mismatches or a failed target, or was "
      "interrupted; 2: bad usage.");
  app->add_option("--target", options->target,
                  "Server address HOST:PORT: numeric, or localhost (the first of 127.0.0.1 and ::1 "
                  "that accepts a test connection, as wrk); or, as wrk takes it, an http URL "
                  "(http://127.0.0.1:8080/index.html: --protocol http and its --path)")
      ->required();
  options->protocol_flag =
      app->add_option("--protocol", options->protocol,
                      "echo, framed, line, http or resp (http with an http:// --target)")
          ->capture_default_str();
  app->add_option("--connections,-c", options->connections, "Connections to open (N)")
      ->check(WholeNumberFlag(1, 10'000'000))
      ->capture_default_str();
  app->add_option("--active", options->active,
                  "Connections that carry traffic (M); the rest stay open and idle (line: they "
                  "only receive) (default: all)")
      ->check(WholeNumberFlag(0, 10'000'000));
  options->depth_flag =
      app->add_option("--depth", options->depth,
                      "Requests in flight per active connection: the closed loop's window, the "
                      "open loop's cap (not line: its messages are not answered)")
          ->check(WholeNumberFlag(1, 4096))
          ->capture_default_str();
  app->add_option("--requests-per-connection", options->requests_per_connection,
                  "Close each active connection once it has sent this many requests and had "
                  "them answered, and open a new one in its place (connection churn: the "
                  "server's accept and close, a thread per connection, as memtier's "
                  "--reconnect-interval). http's last request on a connection says \"Connection: "
                  "close\", so the server closes first; with the other protocols the generator "
                  "does, its ports wait in TIME_WAIT and each connect searches them "
                  "(--source-addrs gives it more). Default: keep every connection for the whole "
                  "run")
      ->check(WholeNumberFlag(1, 1'000'000'000));
  app->add_flag("--reconnect-on-error", options->reconnect_on_error,
                "When the server closes or resets a connection without announcing it, or a "
                "request on it times out, count the error as always and open a new connection "
                "in its place, as wrk does (memtier's --reconnect-on-error); its unanswered "
                "requests are not sent again. For servers that drop idle or old connections, or "
                "restart. Default: a lost connection stays closed");
  app->add_option("--rate,-R", options->rate,
                  "Open loop: requests (line: messages) per second in total, each connection on "
                  "its own schedule; latency counted from the scheduled send time. Without it: "
                  "closed loop")
      ->check(RateFlag());
  options->message_size_flag =
      app->add_option("--message-size", options->message_size,
                      "Bytes per request: echo and framed payload, line length, resp SET value "
                      "(with --keys); 1 B to 64 MiB, e.g. 4096, 64KiB, 1MiB")
          ->capture_default_str();
  app->add_option("--keys", options->keys,
                  "resp: SETs and GETs over this many keys, alternating unless --ratio says "
                  "otherwise (default: PING)")
      ->check(WholeNumberFlag(1, 1'000'000'000));
  app->add_option(
      "--ratio", options->ratio,
      "resp with --keys: SETs to GETs as SETS:GETS, as memtier's --ratio (default 1:1). "
      "Each round's GETs read the keys its SETs wrote, so every value is verified");
  options->method_flag =
      app->add_option("--method,-m", options->method,
                      "http: every request's method, e.g. POST with --body-file (a reply to HEAD "
                      "has no body)")
          ->capture_default_str();
  options->path_flag =
      app->add_option("--path", options->path, "http: the path every request asks for")
          ->capture_default_str();
  app->add_option("--body-file", options->body_file,
                  "http: send this file's bytes as every request's body, with its Content-Length "
                  "(up to 64 MiB; add -H \"Content-Type: ...\" as the server needs)");
  app->add_option("--header,-H", options->headers,
                  "http: a \"Name: value\" line added to every request, as wrk -H; repeat for "
                  "more. A Host replaces the default (the --target text). Besides Host, requests "
                  "carry only what framing needs (Content-Length with --body-file, Connection: "
                  "close on a connection's last with --requests-per-connection): no User-Agent, as "
                  "wrk. The "
                  "JSON records them without the values of Authorization, Proxy-Authorization and "
                  "Cookie")
      ->allow_extra_args(false);
  app->add_option("--duration,-d", options->duration, "Measured window (500ms, 10s, 2m)")
      ->capture_default_str();
  app->add_option("--requests,-n", options->requests,
                  "End the measured window once this many replies have completed in it, every "
                  "connection together (as redis-benchmark -n); requests still in flight then are "
                  "not counted. --duration still bounds the window: if it ends first, the run "
                  "fails and says how many completed")
      ->check(WholeNumberFlag(1, 1'000'000'000'000));
  app->add_option("--warmup", options->warmup, "Traffic before the window, not measured")
      ->capture_default_str();
  app->add_option("--timeout", options->timeout,
                  "A request unanswered this long counts as a timeout; its connection is closed "
                  "(and replaced only with --reconnect-on-error)")
      ->capture_default_str();
  app->add_option("--connect-timeout", options->connect_timeout,
                  "A connect not done by then counts as a timeout; if none completed "
                  "meanwhile, the server has stopped accepting and the connects not yet "
                  "started are not attempted")
      ->capture_default_str();
  app->add_option("--connect-rate", options->connect_rate,
                  "Connects per second in total (default: as fast as the server accepts, 512 in "
                  "flight per thread)")
      ->check(RateFlag());
  app->add_option("--source-addrs", options->source_addrs,
                  "Spread connections over these local addresses, e.g. 127.0.0.1-127.0.0.8 or "
                  "127.0.0.1,127.0.0.2 (each gives ~28k more ephemeral ports)");
  app->add_option("--local-ports", options->local_ports,
                  "Ephemeral ports every connection draws from, LOW-HIGH, inside "
                  "net.ipv4.ip_local_port_range: the kernel only narrows that range (Linux 6.3+; "
                  "e.g. to leave ports to other tools)");
  app->add_option("--threads,-t", options->threads,
                  "Worker threads (default: cores - 1, at least 1)")
      ->check(WholeNumberFlag(1, 256));
  app->add_option("--io", options->io,
                  "How each thread does its socket I/O: epoll (readiness, then a recv and a send "
                  "per request, like wrk) or uring (io_uring completions: a multishot receive per "
                  "connection and one syscall per batch for all sends and replies; Linux 6.1+)")
      ->capture_default_str();
  app->add_option("--server-pid", options->server_pid,
                  "Sample this process's CPU, RSS and threads from /proc during the window")
      ->check(WholeNumberFlag(1, 1 << 30));
  app->add_option(
      "--json", options->json,
      "Write the results document here (atomically), or to stdout with - or /dev/stdout (the "
      "summary then goes to stderr)");
  app->add_option("--label", options->label,
                  "Name recorded as the run's model (default: external)");
  return {app, [options] { return Load(*options); }};
}

}  // namespace c10k
