#include "protocols/payload_pattern.h"

#include <array>
#include <cstdio>

namespace c10k {

namespace {

// xorshift64*: cheap, deterministic, and with no short cycles in 64 KiB.
std::array<char, PayloadPattern::kSize> MakeTable() {
  std::array<char, PayloadPattern::kSize> table{};
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (auto& byte : table) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    byte = static_cast<char>((state * 0x2545F4914F6CDD1Dull) >> 56);
  }
  return table;
}

const std::array<char, PayloadPattern::kSize> kTable = MakeTable();

}  // namespace

std::string_view PayloadPattern::At(uint64_t offset) {
  size_t start = static_cast<size_t>(offset % kSize);
  return {kTable.data() + start, kSize - start};
}

void PayloadPattern::AppendTo(ByteBuffer& out, uint64_t offset, size_t length) {
  while (length > 0) {
    std::string_view chunk = At(offset);
    if (chunk.size() > length) chunk = chunk.substr(0, length);
    out.Append(chunk);
    offset += chunk.size();
    length -= chunk.size();
  }
}

bool PayloadPattern::Matches(uint64_t offset, std::string_view bytes) {
  while (!bytes.empty()) {
    std::string_view expected = At(offset);
    size_t n = expected.size() < bytes.size() ? expected.size() : bytes.size();
    if (bytes.substr(0, n) != expected.substr(0, n)) return false;
    bytes.remove_prefix(n);
    offset += n;
  }
  return true;
}

std::string PayloadPattern::DescribeDifference(uint64_t offset, std::string_view bytes,
                                               size_t start, size_t reply_size) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    char sent = At(offset + i)[0];
    if (bytes[i] == sent) continue;
    char words[96];
    std::snprintf(words, sizeof words, "had 0x%02x at offset %zu of %zu where 0x%02x was sent",
                  static_cast<unsigned char>(bytes[i]), start + i, reply_size,
                  static_cast<unsigned char>(sent));
    return words;
  }
  return "";
}

}  // namespace c10k
