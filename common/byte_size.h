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

// Rounded to one decimal in the largest binary unit that keeps it at or above
// 1, up to TiB, for amounts no one needs to the byte: 541000000 -> "515.9 MiB".
std::string FormatBytesRounded(double bytes);

}  // namespace c10k
