#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "common/byte_buffer.h"
#include "protocols/protocol.h"

namespace c10k {

// What the load generator asks of a protocol.
struct ClientCodecOptions {
  size_t message_size = 64;  // payload bytes per request (echo, framed)
  uint64_t stream_seed = 0;  // makes each connection's payload bytes distinct
};

struct ReplyParse {
  size_t consumed = 0;         // bytes of input used; the rest is kept
  uint32_t completed = 0;      // replies completed, in request order
  uint32_t mismatches = 0;     // completed replies whose content was wrong
  bool protocol_error = false; // the reply stream cannot be parsed any further
};

// A per-connection client-side state machine, sans I/O: the load generator
// asks it for requests and feeds it reply bytes; it verifies every reply.
class ClientCodec {
 public:
  virtual ~ClientCodec() = default;
  // Appends the next request to `out`.
  virtual void WriteRequest(ByteBuffer& out) = 0;
  // Parses as many complete replies as `input` holds.
  virtual ReplyParse ParseReplies(std::string_view input) = 0;
};

// nullptr when the load generator does not drive `protocol` (yet).
std::unique_ptr<ClientCodec> MakeClientCodec(Protocol protocol, const ClientCodecOptions& options);

}  // namespace c10k
