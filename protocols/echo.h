#pragma once

#include "protocols/client_codec.h"
#include "protocols/server_codec.h"

namespace c10k {

class EchoServerCodec final : public ServerCodec {
 public:
  ConsumeResult Consume(std::string_view input, ReplySink& sink) override;
};

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
};

}  // namespace c10k
