#pragma once

#include <cstdint>

#include "protocols/client_codec.h"

namespace c10k {

// line, client side. A message is one newline-terminated line that the server
// broadcasts to every other connection:
//
//   SSSSSSSS QQQQQQQQ IIIIIIIIIIIIIIII TTTTTTTTTTTTTTTT payload\n
//
// sender, sequence, intended and actual send time (CLOCK_MONOTONIC ns), all
// fixed-width lowercase hex, then printable payload bytes derived from sender
// and sequence, padding the line to --message-size bytes (never shorter than
// the header and newline). A receiver checks the payload and reports the
// stamp, so latency is measured without any state shared between senders and
// receivers.
class LineClientCodec final : public ClientCodec {
 public:
  explicit LineClientCodec(const ClientCodecOptions& options);
  void WriteRequest(ByteBuffer& out) override;
  ReplyParse ParseReplies(std::string_view input) override;
  bool Broadcasts() const override { return true; }
  void WriteMessage(ByteBuffer& out, const MessageStamp& stamp) override;
  ReplyParse ParseMessages(std::string_view input, StampSink& sink) override;

  static constexpr size_t kHeaderSize = 8 + 1 + 8 + 1 + 16 + 1 + 16 + 1;

 private:
  ReplyParse Parse(std::string_view input, StampSink* sink);
  // Decodes and verifies one line (without its newline); false when damaged.
  bool Decode(std::string_view line, MessageStamp* stamp) const;

  size_t payload_size_;
  uint32_t sender_;
  uint32_t sequence_ = 0;
  MismatchReport mismatches_;
};

}  // namespace c10k
