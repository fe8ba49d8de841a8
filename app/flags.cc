#include "common/byte_size.h"
#include "common/clock.h"
#include "app/command.h"
#include "loadgen/client_ring.h"

namespace c10k {

int64_t DurationFlag(const std::string& flag, const std::string& text) {
  auto nanos = ParseDuration(text);
  if (!nanos) {
    throw UsageError(flag + ": \"" + text +
                     "\" is not a duration; use a number with us, ms, s, m or h, e.g. 500ms, 10s, 2m");
  }
  return *nanos;
}

uint64_t ByteSizeFlag(const std::string& flag, const std::string& text) {
  auto bytes = ParseByteSize(text);
  if (!bytes) {
    throw UsageError(flag + ": \"" + text +
                     "\" is not a size; use bytes or K/KiB, M/MiB, G/GiB, e.g. 4096, 64KiB, 1MiB");
  }
  return *bytes;
}

LoadIo IoFlag(const std::string& text) {
  auto io = ParseLoadIo(text);
  if (!io) throw UsageError("--io \"" + text + "\" is not epoll or uring");
  return *io;
}

void RequireUsableIo(LoadIo io, const std::string& where) {
  if (io != LoadIo::kUring) return;
  if (std::string missing = ClientRing::Probe(); !missing.empty()) throw UsageError(where + missing);
}

}  // namespace c10k
