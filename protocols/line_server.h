#pragma once

#include "protocols/server_codec.h"

namespace c10k {

class LineServerCodec final : public ServerCodec {
 public:
  explicit LineServerCodec(const CodecOptions& options) : max_line_(options.max_frame) {}
  ConsumeResult Consume(std::string_view input, ReplySink& sink) override;

 private:
  size_t max_line_;
};

}  // namespace c10k
