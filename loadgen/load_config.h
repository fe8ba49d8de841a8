#pragma once

#include <sys/types.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/net.h"
#include "loadgen/source_addrs.h"
#include "protocols/client_codec.h"
#include "protocols/protocol.h"

namespace c10k {

// How the workers do their socket I/O.
enum class LoadIo : uint8_t {
  kEpoll,  // readiness (epoll_wait, then recv and send per socket), like wrk
  kUring,  // completions (io_uring: multishot receives, batched sends)
};

// The engine's name as `--io` and a scenario's "load.io" spell it.
inline const char* LoadIoName(LoadIo io) { return io == LoadIo::kUring ? "uring" : "epoll"; }

// "epoll" or "uring"; nullopt for anything else.
inline std::optional<LoadIo> ParseLoadIo(std::string_view name) {
  if (name == "epoll") return LoadIo::kEpoll;
  if (name == "uring") return LoadIo::kUring;
  return std::nullopt;
}

// The bounds of a rate (the open loop's requests per second, the connects per
// second), in total: from one a second to a billion, past what any machine
// does. Within them every interval between sends or connects is a whole
// number of nanoseconds that fits an int64.
constexpr double kMinRate = 1;
constexpr double kMaxRate = 1e9;

// Everything `c10k load` was asked to do.
struct LoadConfig {
  SocketAddress target;
  std::string target_text;  // as the user wrote it, for messages and JSON
  Protocol protocol = Protocol::kEcho;
  int connections = 1;
  int active = -1;  // connections that carry traffic; -1: all
  // Requests in flight per active connection: the closed loop's window, and
  // the open loop's cap (1, as wrk2: a late reply delays the next send, and
  // that delay is charged to the latency of the requests it held back).
  int depth = 1;
  double rate = 0;  // open loop: requests (line: messages) per second in total; 0: closed loop
  size_t message_size = 64;  // payload bytes per request
  uint32_t keys = 0;         // resp: 0 PINGs; K: SET/GET over K keys
  SetGetRatio ratio;         // resp with keys: SETs to GETs in each round
  std::string http_method = "GET";
  std::string http_path = "/";
  std::vector<std::string> http_headers;  // http: "Name: value" lines added to every request
  // http: every request's body (--body-file); null: none, and no Content-Length.
  std::shared_ptr<const std::string> http_body;
  int64_t duration_ns = 10'000'000'000;
  // --requests: the window ends once this many replies have completed in it,
  // every connection together (or at duration_ns, if that comes first); 0:
  // the window is duration_ns.
  uint64_t requests = 0;
  int64_t warmup_ns = 2'000'000'000;
  // --requests-per-connection: an active connection that has sent this many
  // requests sends no more, and once they are answered the generator closes
  // it and opens a new one (connection churn, as memtier's
  // --reconnect-interval); 0: connections are kept for the whole run.
  uint32_t requests_per_connection = 0;
  int64_t connect_timeout_ns = 5'000'000'000;
  // A request not answered by then is counted as a timeout and its connection
  // closed: the stream can no longer be matched to requests.
  int64_t request_timeout_ns = 5'000'000'000;
  // --reconnect-on-error: a connection lost to an error (the server closed or
  // reset it without saying so, a request timed out) is counted as before and
  // a new one opened in its place, as wrk does and memtier's flag of that
  // name; false: it stays closed for the rest of the run.
  bool reconnect_on_error = false;
  double connect_rate = 0;  // connects per second in total; 0: as fast as the server accepts
  std::vector<SocketAddress> source_addrs;  // bind connection i to source_addrs[i % size]
  std::string source_addrs_text;
  // Ephemeral ports for every connection instead of the system's range.
  std::optional<PortRange> local_ports;
  int threads = 1;
  LoadIo io = LoadIo::kEpoll;
  pid_t server_pid = 0;    // sample this process's CPU, RSS, threads
  std::string label;       // recorded as the run's "model"
  bool live_line = false;  // a progress line on stderr (a TTY)

  int ActiveConnections() const {
    return active < 0 || active > connections ? connections : active;
  }
  bool OpenLoop() const { return rate > 0; }
  // When the measured window starts and ends for traffic that started at
  // `start`. --warmup and --duration may each be up to 2500000h, together
  // past what int64 holds: such a window then never ends (but by SIGINT).
  int64_t MeasureStartNs(int64_t start) const { return NanosAfter(start, warmup_ns); }
  int64_t MeasureEndNs(int64_t start) const {
    return NanosAfter(MeasureStartNs(start), duration_ns);
  }
  // The seconds of the time series: the window's, rounded up.
  size_t WindowSeconds() const {
    return static_cast<size_t>(
        std::max<int64_t>((duration_ns + kNanosPerSecond - 1) / kNanosPerSecond, 1));
  }
};

}  // namespace c10k
