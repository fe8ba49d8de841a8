// framed replies are parsed incrementally (header bytes, then payload as it
// arrives), so a large frame is verified without ever being buffered whole.
// A reply of the wrong length is still a well-formed frame: it is consumed and
// counted as a mismatch. Only a length no request could explain (beyond the
// 1 MiB default --max-frame and the message size) ends the stream as a
// protocol error, because the framing itself can no longer be trusted.
#include "protocols/framed_client.h"

#include <algorithm>

#include "protocols/payload_pattern.h"

namespace c10k {

namespace {

constexpr uint32_t kLargestCredibleFrame = 1u << 20;

}  // namespace

FramedClientCodec::FramedClientCodec(const ClientCodecOptions& options)
    : message_size_(static_cast<uint32_t>(options.message_size)),
      send_offset_(options.stream_seed),
      reply_offset_(options.stream_seed) {}

void FramedClientCodec::WriteRequest(ByteBuffer& out) {
  char header[kHeaderSize] = {
      static_cast<char>(message_size_ >> 24), static_cast<char>(message_size_ >> 16),
      static_cast<char>(message_size_ >> 8), static_cast<char>(message_size_)};
  out.Append({header, kHeaderSize});
  PayloadPattern::AppendTo(out, send_offset_, message_size_);
  send_offset_ += message_size_;
}

ReplyParse FramedClientCodec::ParseReplies(std::string_view input) {
  ReplyParse result;
  while (!input.empty()) {
    if (header_have_ < kHeaderSize) {
      size_t take = std::min(input.size(), kHeaderSize - header_have_);
      std::copy_n(input.data(), take, header_.data() + header_have_);
      header_have_ += take;
      input.remove_prefix(take);
      result.consumed += take;
      if (header_have_ < kHeaderSize) break;
      body_length_ = (uint32_t{static_cast<uint8_t>(header_[0])} << 24) |
                     (uint32_t{static_cast<uint8_t>(header_[1])} << 16) |
                     (uint32_t{static_cast<uint8_t>(header_[2])} << 8) |
                     uint32_t{static_cast<uint8_t>(header_[3])};
      if (body_length_ > std::max(message_size_, kLargestCredibleFrame)) {
        result.protocol_error = true;
        return result;
      }
      body_have_ = 0;
      reply_corrupt_ = body_length_ != message_size_;
      if (reply_corrupt_) {
        reply_mismatch_ = "was a frame of " + std::to_string(body_length_) +
                          " B for a request of " + std::to_string(message_size_) + " B";
      }
    }
    size_t take = std::min<size_t>(input.size(), body_length_ - body_have_);
    std::string_view part = input.substr(0, take);
    if (!reply_corrupt_ && !PayloadPattern::Matches(reply_offset_ + body_have_, part)) {
      reply_corrupt_ = true;
      reply_mismatch_ = PayloadPattern::DescribeDifference(reply_offset_ + body_have_, part,
                                                           body_have_, body_length_);
    }
    body_have_ += static_cast<uint32_t>(take);
    input.remove_prefix(take);
    result.consumed += take;
    if (body_have_ < body_length_) break;
    ++result.completed;
    if (reply_corrupt_) mismatches_.Count(result, [this] { return reply_mismatch_; });
    reply_offset_ += message_size_;
    header_have_ = 0;
  }
  return result;
}

}  // namespace c10k
