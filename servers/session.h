#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_buffer.h"
#include "common/fd.h"
#include "protocols/server_codec.h"
#include "servers/server_config.h"

namespace c10k {

class SessionRegistry;

// How a session ended, for the server's counters.
enum class SessionEnd { kClientClosed, kProtocolError, kReset, kIoError, kDroppedSlow, kStopped };

// Adds how a session ended to a server's counters (closed, and why);
// `protocol_error` is the session's ProtocolError().
struct ServerCounters;
void CountSessionEnd(SessionEnd end, std::string_view protocol_error, ServerCounters& counters);

// One client served start to finish by one thread that waits for it: the
// blocking model runs these one after another, the threads model one per
// thread. The socket is nonblocking underneath only so that every wait can
// also watch the stop signal (and, for the line protocol, the inbox of lines
// other clients broadcast); the logic is the blocking one: wait, read,
// answer, write everything, read again.
class Session final : public ReplySink {
 public:
  // `registry` is the threads model's set of live sessions for the line
  // protocol's broadcast; nullptr otherwise.
  Session(UniqueFd fd, const ServerConfig& config, ServerState& state, SessionRegistry* registry);
  ~Session();

  SessionEnd Serve();
  // Why the client's input was refused, when Serve ended in kProtocolError.
  std::string_view ProtocolError() const { return protocol_error_; }

  // ReplySink
  void Reply(std::string_view bytes) override { output_.Append(bytes); }
  void Broadcast(std::string_view bytes) override;
  bool Full() const override { return output_.Size() >= config_.output_limit; }

  // Called by other sessions' threads: queue a broadcast line for this
  // client. A client whose inbox stays over --output-limit is dropped.
  void Deliver(std::string_view bytes);

 private:
  bool Flush();  // false on a socket error (its errno in error_)
  SessionEnd SocketFailure() const;
  void TakeInbox();
  void ConsumeInput();

  UniqueFd fd_;
  const ServerConfig& config_;
  std::unique_ptr<ServerCodec> codec_;
  SessionRegistry* registry_;
  ByteBuffer input_;   // received, not yet consumed
  ByteBuffer output_;  // replies not yet written (this thread only)
  // Lines broadcast by other threads, handed over under the lock.
  std::mutex inbox_mutex_;
  ByteBuffer inbox_;
  UniqueFd inbox_wake_;  // an eventfd, only with a registry
  std::atomic<bool> dropped_{false};
  int error_ = 0;           // errno of the last failed read or write
  bool peer_done_ = false;  // the client half-closed
  bool closing_ = false;    // close once the replies are out
  SessionEnd end_ = SessionEnd::kClientClosed;
  std::string protocol_error_;
};

// The threads model's live sessions, for broadcast.
class SessionRegistry {
 public:
  void Add(Session* session);
  void Remove(Session* session);
  void Broadcast(const Session* from, std::string_view bytes);

 private:
  std::mutex mutex_;
  std::vector<Session*> sessions_;
};

}  // namespace c10k
