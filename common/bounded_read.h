#pragma once

#include <cstddef>
#include <istream>
#include <string>

namespace c10k {

// Appends at most `limit` bytes of `in` to `bytes`; false if a read failed.
// The bound is on the read itself: a device or a pipe (/dev/zero, a FIFO) has
// no size to check first, and /dev/zero never ends. A caller that reads with
// a limit one past what it accepts can tell "too large" from "just fits".
bool ReadAtMost(std::istream& in, size_t limit, std::string* bytes);

}  // namespace c10k
