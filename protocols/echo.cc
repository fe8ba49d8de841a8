// echo: every byte that arrives is sent back as it is; there are no messages on
// the wire. The client side gives the byte stream its shape: each request is
// --message-size bytes from the connection's payload pattern, and a reply is
// complete when that many bytes have come back and matched.
#include "protocols/echo.h"

#include <algorithm>

#include "protocols/payload_pattern.h"

namespace c10k {

ConsumeResult EchoServerCodec::Consume(std::string_view input, ReplySink& sink) {
  // The sink may be full already; echo what fits the contract (all of it:
  // the server reads at most one chunk before checking Full again).
  if (sink.Full()) return {};
  sink.Reply(input);
  return {input.size(), false, {}};
}

EchoClientCodec::EchoClientCodec(const ClientCodecOptions& options)
    : message_size_(std::max<size_t>(options.message_size, 1)),
      send_offset_(options.stream_seed),
      receive_offset_(options.stream_seed) {}

void EchoClientCodec::WriteRequest(ByteBuffer& out) {
  size_t left = message_size_;
  while (left > 0) {
    std::string_view chunk = PayloadPattern::At(send_offset_);
    chunk = chunk.substr(0, std::min(chunk.size(), left));
    out.Append(chunk);
    send_offset_ += chunk.size();
    left -= chunk.size();
  }
}

ReplyParse EchoClientCodec::ParseReplies(std::string_view input) {
  ReplyParse result;
  while (!input.empty()) {
    size_t want = std::min(input.size(), message_size_ - received_in_reply_);
    // Compare against the pattern, which may wrap inside this span.
    size_t checked = 0;
    while (checked < want) {
      std::string_view expected = PayloadPattern::At(receive_offset_ + checked);
      size_t n = std::min(expected.size(), want - checked);
      if (input.compare(checked, n, expected.substr(0, n)) != 0) reply_corrupt_ = true;
      checked += n;
    }
    receive_offset_ += want;
    received_in_reply_ += want;
    input.remove_prefix(want);
    result.consumed += want;
    if (received_in_reply_ == message_size_) {
      ++result.completed;
      if (reply_corrupt_) ++result.mismatches;
      received_in_reply_ = 0;
      reply_corrupt_ = false;
    }
  }
  return result;
}

}  // namespace c10k
