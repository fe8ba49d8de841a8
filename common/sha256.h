#pragma once

#include <string>
#include <string_view>

namespace c10k {

// SHA-256 of `data` as 64 lowercase hex digits (FIPS 180-4). Used to pin a
// results document to the exact scenario file that produced it.
std::string Sha256Hex(std::string_view data);

}  // namespace c10k
