#include "protocols/payload_pattern.h"

#include <array>

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

}  // namespace c10k
