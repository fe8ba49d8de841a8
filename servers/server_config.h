#pragma once

#include <cstddef>
#include <string>

#include "protocols/protocol.h"

namespace c10k {

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
