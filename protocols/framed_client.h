#pragma once

#include <array>
#include <string>

#include "protocols/client_codec.h"

namespace c10k {

// framed, client side: each request is a 4-byte big-endian length and
// --message-size bytes of the connection's payload stream; the server echoes
// it as one frame. The reply's length and every payload byte are checked.
class FramedClientCodec final : public ClientCodec {
 public:
  explicit FramedClientCodec(const ClientCodecOptions& options);
  void WriteRequest(ByteBuffer& out) override;
  ReplyParse ParseReplies(std::string_view input) override;

  static constexpr size_t kHeaderSize = 4;

 private:
  uint32_t message_size_;
  uint64_t send_offset_;
  uint64_t reply_offset_;  // where the current reply's payload started in the stream
  std::array<char, kHeaderSize> header_{};
  size_t header_have_ = 0;
  uint32_t body_length_ = 0;  // of the reply being read
  uint32_t body_have_ = 0;
  bool reply_corrupt_ = false;
  std::string reply_mismatch_;  // what is wrong with the current reply, in words
  MismatchReport mismatches_;
};

}  // namespace c10k
