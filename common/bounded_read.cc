#include "common/bounded_read.h"

#include <algorithm>

namespace c10k {

namespace {

// Grown a chunk at a time, so that a small file does not cost the whole
// limit's memory.
constexpr size_t kReadChunk = 64 * 1024;

}  // namespace

bool ReadAtMost(std::istream& in, size_t limit, std::string* bytes) {
  while (in && bytes->size() < limit) {
    size_t had = bytes->size();
    bytes->resize(had + std::min(kReadChunk, limit - had));
    in.read(bytes->data() + had, static_cast<std::streamsize>(bytes->size() - had));
    bytes->resize(had + static_cast<size_t>(in.gcount()));
  }
  return !in.bad();
}

}  // namespace c10k
