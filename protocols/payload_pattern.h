#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/byte_buffer.h"

namespace c10k {

// A fixed table of pseudo-random bytes that payloads are cut from: byte i of a
// connection's stream is kPattern[(seed + i) % size]. A reply can be checked
// without remembering what was sent, and bytes crossed between connections or
// shifted within one do not match.
class PayloadPattern {
 public:
  static constexpr size_t kSize = 64 * 1024;
  // The bytes of the stream starting at `offset`, at most up to the end of
  // the table (callers loop for longer spans).
  static std::string_view At(uint64_t offset);
  // Appends `length` bytes of the stream starting at `offset`.
  static void AppendTo(ByteBuffer& out, uint64_t offset, size_t length);
  // True when `bytes` are exactly the stream starting at `offset`.
  static bool Matches(uint64_t offset, std::string_view bytes);
  // Where `bytes` first differ from the stream starting at `offset`, in
  // words that follow "the first" (`start` is the offset of bytes[0] in a
  // reply of `reply_size`): "had 0x41 at offset 17 of 64 where 0x3a was
  // sent". "" when they match.
  static std::string DescribeDifference(uint64_t offset, std::string_view bytes, size_t start,
                                        size_t reply_size);
};

}  // namespace c10k
