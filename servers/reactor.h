#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/byte_buffer.h"
#include "common/fd.h"
#include "protocols/server_codec.h"
#include "servers/broadcast_hub.h"
#include "servers/poller.h"
#include "servers/server_config.h"
#include "servers/server_counters.h"

namespace c10k {

// The event loop shared by every readiness model (select, poll, epoll,
// epoll-et, kqueue): accept, read, hand bytes to the protocol codec, write
// what it replies, and apply backpressure. The models differ only in the
// Poller they pass in.
class Reactor {
 public:
  // With a `hub`, broadcast lines also reach the connections of the other
  // loops (reuseport); `loop` is this reactor's number in the hub.
  Reactor(std::unique_ptr<Poller> poller, UniqueFd listener, const ServerConfig& config,
          ServerState& state, BroadcastHub* hub = nullptr, int loop = 0);
  ~Reactor();

  // Serves until a stop signal (SIGINT/SIGTERM). Returns false with `error`
  // set if the loop could not start or the poller failed.
  bool Run(std::string* error);

  const ServerCounters& Counters() const { return counters_; }

 private:
  struct Connection;
  class Sink;

  void AcceptReady();
  void Admit(UniqueFd fd);
  void HandleEvent(const FiredEvent& event);
  void ReadFrom(Connection& connection, bool peer_hung_up);
  void Feed(Connection& connection, std::string_view fresh);
  void Flush(Connection& connection);
  void UpdateInterest(Connection& connection);
  void Broadcast(Connection& from, std::string_view bytes);
  void BroadcastLocally(const Connection* from, std::string_view bytes);
  void TakeHubLines();
  void FlushBroadcastReceivers();
  void Close(Connection& connection);
  bool WantsRead(const Connection& connection) const;

  std::unique_ptr<Poller> poller_;
  UniqueFd listener_;
  // A spare descriptor, closed to make room when accept hits EMFILE so the
  // pending connection can be accepted and closed instead of spinning.
  UniqueFd reserve_fd_;
  ServerConfig config_;
  ServerState& state_;
  BroadcastHub* hub_;
  int loop_;
  std::string hub_lines_;  // lines taken from the hub, reused
  ServerCounters counters_;

  std::vector<std::unique_ptr<Connection>> by_fd_;  // indexed by descriptor
  std::vector<Connection*> live_;                   // for broadcast, in any order
  std::vector<Connection*> broadcast_dirty_;        // received broadcast output
  std::vector<FiredEvent> fired_;
  std::vector<char> read_chunk_;                    // one scratch read buffer per loop
  bool logged_fd_limit_ = false;
  bool logged_emfile_ = false;
};


}  // namespace c10k
