// echo has no messages on the wire; the client gives the byte stream its
// shape. Every byte that comes back is compared with the byte sent at the same
// stream offset, so a reply split at any point, or two replies in one read,
// verify the same way.
#include "protocols/echo_client.h"

#include <algorithm>

#include "protocols/payload_pattern.h"

namespace c10k {

EchoClientCodec::EchoClientCodec(const ClientCodecOptions& options)
    : message_size_(std::max<size_t>(options.message_size, 1)),
      send_offset_(options.stream_seed),
      receive_offset_(options.stream_seed) {}

void EchoClientCodec::WriteRequest(ByteBuffer& out) {
  PayloadPattern::AppendTo(out, send_offset_, message_size_);
  send_offset_ += message_size_;
}

ReplyParse EchoClientCodec::ParseReplies(std::string_view input) {
  ReplyParse result;
  while (!input.empty()) {
    size_t take = std::min(input.size(), message_size_ - received_in_reply_);
    std::string_view part = input.substr(0, take);
    // Once wrong, the rest of the reply need not be looked at.
    if (!reply_corrupt_ && !PayloadPattern::Matches(receive_offset_, part)) {
      reply_corrupt_ = true;
      reply_mismatch_ = PayloadPattern::DescribeDifference(receive_offset_, part,
                                                           received_in_reply_, message_size_);
    }
    receive_offset_ += take;
    received_in_reply_ += take;
    input.remove_prefix(take);
    result.consumed += take;
    if (received_in_reply_ == message_size_) {
      ++result.completed;
      if (reply_corrupt_) mismatches_.Count(result, [this] { return reply_mismatch_; });
      received_in_reply_ = 0;
      reply_corrupt_ = false;
    }
  }
  return result;
}

}  // namespace c10k
