#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "loadgen/load_config.h"
#include "protocols/protocol.h"

namespace c10k {

// A scenario file that does not say what the runner needs. The message names
// the field and what was expected: `"sweep.connections": expected ...`.
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One point of a sweep: the load generator's shape for one measurement.
struct SweepPoint {
  int connections = 1;
  int active = -1;      // -1: all connections carry traffic
  int depth = 1;        // closed loop
  double rate = 0;      // open loop (requests/s in total) when > 0
  size_t message_size = 64;
  // Each connection closed and opened again after this many requests; 0:
  // kept for the whole run.
  uint32_t requests_per_connection = 0;
  int idle() const { return active < 0 ? 0 : connections - active; }
};

// A parsed, validated scenario file with its quick override applied or not.
struct Scenario {
  std::string name;
  std::string description;
  std::string file;
  std::string sha256;
  Protocol protocol = Protocol::kEcho;
  std::vector<std::string> models;  // in run order; "all" expanded
  std::vector<SweepPoint> points;   // the sweep, expanded
  int64_t duration_ns = 0;
  // Each point's window ends once this many replies have completed in it
  // ("requests"; the duration still bounds it); 0: the window is the duration.
  uint64_t requests = 0;
  int64_t warmup_ns = 0;
  int repetitions = 1;
  bool quick = false;
  // Passed to `c10k serve`.
  int server_threads = 0;  // reuseport's event loops; 0: one per core
  std::string max_frame;
  std::string output_limit;
  int max_threads = 0;          // threads model: --max-threads
  uint64_t server_nofile = 0;   // the server's RLIMIT_NOFILE; 0: inherited
  // Passed to the load generator.
  int load_threads = 0;  // 0: its default
  LoadIo load_io = LoadIo::kEpoll;
  int64_t request_timeout_ns = 0;  // 0: the load generator's default
  uint32_t keys = 0;               // resp: SET/GET over this many keys; 0 PINGs
  SetGetRatio ratio;               // resp with keys: SETs to GETs ("load.ratio")
  // http: every request's method, target, added "Name: value" headers and
  // body (read from "load.body_file"; null: none).
  std::string http_method = "GET";
  std::string http_path = "/";
  std::vector<std::string> http_headers;
  std::shared_ptr<const std::string> http_body;
  // Addresses the connections are spread over ("load.source_addrs"); empty:
  // the kernel's choice.
  std::vector<SocketAddress> source_addrs;
  std::string source_addrs_text;
  int slow_clients = 0;  // raw connections that send half a request and stall
};

// Reads and validates `path`; with `quick`, the file's "quick" object
// overrides its top-level fields. `all_models` expands "models": "all".
// Throws ScenarioError.
Scenario LoadScenario(const std::string& path, bool quick,
                      const std::vector<std::string>& all_models);

// The same from an already-parsed document (tests).
Scenario ParseScenario(const nlohmann::json& document, const std::string& file, bool quick,
                       const std::vector<std::string>& all_models);

// Replaces the scenario's models with `wanted` (--models), in that order;
// throws ScenarioError naming any model that does not exist.
void SelectModels(Scenario& scenario, const std::vector<std::string>& wanted,
                  const std::vector<std::string>& all_models);

}  // namespace c10k
