#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/client_codec.h"

namespace c10k {

// resp, client side: PING (keys == 0), or SETs and GETs over `keys` keys in
// rounds of `ratio.sets` SETs then `ratio.gets` GETs of the keys those SETs
// wrote (1:1 alternates a SET and a GET of its key). Each key's value is
// --message-size bytes that depend on the key alone, so every GET can be
// verified even when connections share keys.
class RespClientCodec final : public ClientCodec {
 public:
  explicit RespClientCodec(const ClientCodecOptions& options);
  void WriteRequest(ByteBuffer& out) override;
  ReplyParse ParseReplies(std::string_view input) override;

  // The value every SET of `key` stores (for tests).
  static uint64_t ValueOffset(uint32_t key) { return uint64_t{key} * 4099; }

 private:
  enum class Expect : uint8_t { kPong, kOk, kValue };
  // A round is ratio_.sets SETs, then ratio_.gets GETs of the keys they wrote.
  uint64_t RoundLength() const { return uint64_t{ratio_.sets} + ratio_.gets; }
  uint64_t PlaceInRound(uint64_t sequence) const { return sequence % RoundLength(); }
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
  SetGetRatio ratio_;
  uint64_t sent_ = 0;
  uint64_t answered_ = 0;
  bool set_refused_ = false;  // a SET of the current round got an error reply
  MismatchReport mismatches_;
};

// "SETS:GETS" as --ratio takes it ("1:10"); nullopt unless both are whole
// numbers up to 1,000,000 with at least one SET, which every GET needs for a
// key that was written.
std::optional<SetGetRatio> ParseSetGetRatio(std::string_view text);
// Why a ratio was refused, after the text given.
inline constexpr std::string_view kSetGetRatioWords =
    "is not SETS:GETS such as 1:10: whole numbers up to 1000000, and at least one SET (every GET "
    "reads a key a SET of its round wrote)";
std::string SetGetRatioText(SetGetRatio ratio);

// The length of the complete RESP value at the front of `input`: 0 when more
// bytes are needed, -1 when it is malformed or nested too deep. Shared by the
// client codec and its tests.
int64_t RespValueLength(std::string_view input, int depth = 0);

}  // namespace c10k
