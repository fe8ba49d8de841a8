#pragma once

#include <string>

#include "protocols/client_codec.h"

namespace c10k {

// echo, client side: each request is --message-size bytes of the connection's
// payload stream; a reply is complete when that many bytes came back.
class EchoClientCodec final : public ClientCodec {
 public:
  explicit EchoClientCodec(const ClientCodecOptions& options);
  void WriteRequest(ByteBuffer& out) override;
  ReplyParse ParseReplies(std::string_view input) override;

 private:
  size_t message_size_;
  uint64_t send_offset_;
  uint64_t receive_offset_;
  size_t received_in_reply_ = 0;
  bool reply_corrupt_ = false;
  std::string reply_mismatch_;  // the current reply's first wrong byte, in words
  MismatchReport mismatches_;
};

}  // namespace c10k
