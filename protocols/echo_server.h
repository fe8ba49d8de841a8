#pragma once

#include "protocols/server_codec.h"

namespace c10k {

class EchoServerCodec final : public ServerCodec {
 public:
  ConsumeResult Consume(std::string_view input, ReplySink& sink) override;
};

}  // namespace c10k
