#pragma once

#include <cstdint>

#include "protocols/server_codec.h"

namespace c10k {

class FramedServerCodec final : public ServerCodec {
 public:
  explicit FramedServerCodec(const CodecOptions& options) : max_frame_(options.max_frame) {}
  ConsumeResult Consume(std::string_view input, ReplySink& sink) override;

 private:
  static constexpr size_t kHeaderSize = 4;
  size_t max_frame_;
  uint64_t payload_left_ = 0;  // bytes of the current frame still to echo
};

}  // namespace c10k
