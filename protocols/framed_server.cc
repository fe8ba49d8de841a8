// framed: a 4-byte big-endian length, then that many bytes; each frame is
// echoed as a frame. The payload is streamed back as it arrives rather than
// collected whole, so a 1 MiB frame costs the server no 1 MiB buffer. A
// length above --max-frame closes the connection before any of it is read:
// that is the point of a length prefix, and the only way to bound what one
// client can make the server hold.
#include "protocols/framed_server.h"

#include <algorithm>

namespace c10k {

ConsumeResult FramedServerCodec::Consume(std::string_view input, ReplySink& sink) {
  size_t consumed = 0;
  while (consumed < input.size() && !sink.Full()) {
    std::string_view rest = input.substr(consumed);
    if (payload_left_ == 0) {
      if (rest.size() < kHeaderSize) break;
      uint64_t length = (uint64_t{static_cast<uint8_t>(rest[0])} << 24) |
                        (uint64_t{static_cast<uint8_t>(rest[1])} << 16) |
                        (uint64_t{static_cast<uint8_t>(rest[2])} << 8) |
                        uint64_t{static_cast<uint8_t>(rest[3])};
      if (length > max_frame_) return RejectAfter(consumed, "frame larger than --max-frame");
      sink.Reply(rest.substr(0, kHeaderSize));
      consumed += kHeaderSize;
      payload_left_ = length;
      continue;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(payload_left_, rest.size()));
    sink.Reply(rest.substr(0, take));
    payload_left_ -= take;
    consumed += take;
  }
  return Consumed(consumed);
}

}  // namespace c10k
