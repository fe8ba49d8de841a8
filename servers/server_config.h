#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/byte_size.h"
#include "protocols/protocol.h"

namespace c10k {

// The bounds of --max-frame and --output-limit, in `c10k serve` and in a
// scenario's "server.max_frame" and "server.output_limit": at least a byte,
// and at most 1 GiB, past any frame or backlog a benchmark needs and far
// enough from 2^64 that a server adding its read chunk to them cannot wrap.
constexpr uint64_t kMaxServerLimitBytes = uint64_t{1} << 30;
inline bool ServerLimitInRange(uint64_t bytes) {
  return bytes >= 1 && bytes <= kMaxServerLimitBytes;
}
// The bounds in words: "from 1 byte to 1 GiB".
inline std::string ServerLimitRange() {
  return "from 1 byte to " + FormatBytes(kMaxServerLimitBytes);
}

// Everything `c10k serve` passes to a server model.
struct ServerConfig {
  std::string model;
  Protocol protocol = Protocol::kEcho;
  int threads = 0;                   // event loops (reuseport); 0: one per core
  int max_threads = 0;               // threads model: cap on client threads; 0: the system's
  CodecOptions codec;                // --max-frame
  size_t output_limit = 1 << 20;     // --output-limit: stop reading past this
};

}  // namespace c10k
