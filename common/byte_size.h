#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace c10k {

// Parses "4096", "64KiB", "64K", "1MiB", "1M", "2GiB" into bytes (binary
// units: K and KiB are both 1024). nullopt on anything else.
std::optional<uint64_t> ParseByteSize(std::string_view text);

// 1048576 -> "1 MiB", 1500 -> "1500 B".
std::string FormatBytes(uint64_t bytes);

}  // namespace c10k
