#pragma once

#include <cstdint>
#include <string>

#include "protocols/client_codec.h"

namespace c10k {

// resp, client side: PING (keys == 0), or SET and GET alternating over
// `keys` keys, each key's value being --message-size bytes that depend on the
// key alone, so every GET can be verified even when connections share keys.
class RespClientCodec final : public ClientCodec {
 public:
  explicit RespClientCodec(const ClientCodecOptions& options);
  void WriteRequest(ByteBuffer& out) override;
  ReplyParse ParseReplies(std::string_view input) override;

  // The value every SET of `key` stores (for tests).
  static uint64_t ValueOffset(uint32_t key) { return uint64_t{key} * 4099; }

 private:
  enum class Expect : uint8_t { kPong, kOk, kValue };
  // The request with sequence number `sequence`: what it is and its key.
  Expect KindOf(uint64_t sequence) const;
  uint32_t KeyOf(uint64_t sequence) const;
  void AppendKey(ByteBuffer& out, uint32_t key) const;
  // Checks one complete reply against what request `sequence` expects.
  bool Matches(std::string_view reply, uint64_t sequence) const;
  // What request `sequence` expected, in words: "+PONG", "the 100 B value
  // SET to key:0000000003".
  std::string Expected(uint64_t sequence) const;

  size_t value_size_;
  uint64_t seed_;
  uint32_t keys_;
  uint64_t sent_ = 0;
  uint64_t answered_ = 0;
  bool set_refused_ = false;  // the last SET got an error reply
  MismatchReport mismatches_;
};

// The length of the complete RESP value at the front of `input`: 0 when more
// bytes are needed, -1 when it is malformed or nested too deep. Shared by the
// client codec and its tests.
int64_t RespValueLength(std::string_view input, int depth = 0);

}  // namespace c10k
