#pragma once

#include <string_view>
#include <vector>

#include "protocols/server_codec.h"

namespace c10k {

class RespServerCodec final : public ServerCodec {
 public:
  RespServerCodec(const CodecOptions& options, ServerState& state);
  ConsumeResult Consume(std::string_view input, ReplySink& sink) override;

 private:
  // How far parsing one command got.
  enum class Parse { kComplete, kIncomplete, kMalformed };
  // Splits the command at the front of `input` into args_; sets *length.
  Parse ParseArray(std::string_view input, size_t* length, std::string_view* why);
  Parse ParseInline(std::string_view input, size_t* length, std::string_view* why);
  void Execute(ReplySink& sink);

  size_t max_bulk_;
  size_t max_command_;
  KeyValueStore& store_;
  std::vector<std::string_view> args_;  // views into the input, reused per command
};

}  // namespace c10k
