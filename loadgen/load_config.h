#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "common/net.h"
#include "protocols/protocol.h"

namespace c10k {

// Everything `c10k load` was asked to do.
struct LoadConfig {
  SocketAddress target;
  std::string target_text;   // as the user wrote it, for messages and JSON
  Protocol protocol = Protocol::kEcho;
  int connections = 1;
  int active = -1;           // connections that carry traffic; -1: all
  int depth = 1;             // closed loop: requests in flight per active connection
  size_t message_size = 64;  // payload bytes per request
  int64_t duration_ns = 10'000'000'000;
  int64_t warmup_ns = 2'000'000'000;
  int64_t connect_timeout_ns = 5'000'000'000;
  int threads = 1;
  pid_t server_pid = 0;      // sample this process's CPU, RSS, threads
  std::string label;         // recorded as the run's "model"
  bool live_line = false;    // a progress line on stderr (a TTY)

  int ActiveConnections() const { return active < 0 || active > connections ? connections : active; }
};

}  // namespace c10k
