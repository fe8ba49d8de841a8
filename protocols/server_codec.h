#pragma once

#include <memory>
#include <string_view>

#include "common/byte_buffer.h"
#include "protocols/protocol.h"
#include "protocols/server_state.h"

namespace c10k {

// Where a server-side codec puts what it has to say. Every model implements
// this over its own connection buffers, so codecs never see a socket.
class ReplySink {
 public:
  // Appends bytes to this connection's output, in order.
  virtual void Reply(std::string_view bytes) = 0;
  // Sends bytes to every other connection of the server (the line protocol).
  virtual void Broadcast(std::string_view bytes) = 0;
  // True once this connection's pending output has passed --output-limit: the
  // codec stops consuming and the server stops reading until it drains.
  virtual bool Full() const = 0;

 protected:
  ~ReplySink() = default;
};

struct ConsumeResult {
  size_t consumed = 0;   // bytes of input used; the rest is kept for later
  bool close = false;    // flush what was replied, then close the connection
  bool error = false;    // close because the input broke the protocol (counted)
  std::string_view why;  // for close: a short reason for logs
};

// The usual results, spelt out.
inline ConsumeResult Consumed(size_t bytes) { return {bytes, false, false, {}}; }
inline ConsumeResult CloseAfter(size_t bytes, std::string_view why) {
  return {bytes, true, false, why};
}
inline ConsumeResult RejectAfter(size_t bytes, std::string_view why) {
  return {bytes, true, true, why};
}


// A per-connection protocol state machine, sans I/O: bytes in, replies out.
class ServerCodec {
 public:
  virtual ~ServerCodec() = default;
  // Consumes complete messages from the front of `input`, replying through
  // `sink`, until input runs out, a message is incomplete, or sink.Full().
  virtual ConsumeResult Consume(std::string_view input, ReplySink& sink) = 0;
};

// Hands `codec` the bytes that just arrived, after whatever an earlier call
// left unconsumed in `pending`, and keeps in `pending` what it leaves now. The
// usual case (whole messages, nothing pending) copies nothing; only a message
// split across reads is buffered. For servers whose reads land outside the
// connection (a shared scratch buffer, io_uring's provided buffers).
ConsumeResult ConsumeArrived(ServerCodec& codec, ByteBuffer& pending, std::string_view arrived,
                             ReplySink& sink);

// One server's shared state for `protocol`.
std::unique_ptr<ServerState> MakeServerState(Protocol protocol);

// A codec for one new connection. `state` must outlive the codec.
std::unique_ptr<ServerCodec> MakeServerCodec(Protocol protocol, const CodecOptions& options,
                                             ServerState& state);

}  // namespace c10k
