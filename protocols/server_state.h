#pragma once

namespace c10k {

// State shared by every connection of one server (the RESP key-value store
// lives here). Models with several threads share one instance, so whatever it
// holds synchronises itself.
class ServerState {
 public:
  ServerState() = default;
  ServerState(const ServerState&) = delete;
  ServerState& operator=(const ServerState&) = delete;
};

}  // namespace c10k
