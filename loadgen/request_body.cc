#include "loadgen/request_body.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "common/io_status.h"

namespace c10k {

namespace {

constexpr size_t kReadChunk = 64 * 1024;

// What follows the path when a body is past the bound: `size_words` is "70000000"
// or "more than 67108864".
std::string TooLarge(const std::string& size_words) {
  // In bytes: rounded, a file just over the bound would read as the bound.
  return " is " + size_words + " bytes; a request body can be at most 64 MiB (" +
         std::to_string(kMaxPayloadBytes) + " bytes)";
}

// Appends at most `limit` bytes of `in` to `bytes`; false if a read failed.
// The bound is on the read itself: a device or a pipe (/dev/zero, a FIFO) has
// no size to check first, and /dev/zero never ends.
bool ReadAtMost(std::istream& in, size_t limit, std::string* bytes) {
  while (in && bytes->size() < limit) {
    size_t had = bytes->size();
    bytes->resize(had + std::min(kReadChunk, limit - had));
    in.read(bytes->data() + had, static_cast<std::streamsize>(bytes->size() - had));
    bytes->resize(had + static_cast<size_t>(in.gcount()));
  }
  return !in.bad();
}

}  // namespace

std::shared_ptr<const std::string> ReadRequestBody(const std::string& path, std::string* problem) {
  std::error_code error_code;
  if (std::filesystem::is_directory(path, error_code)) {
    *problem = " is a directory; name a file";
    return nullptr;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *problem = ": " + ErrnoText(errno);
    return nullptr;
  }
  // Only a regular file has a size; it names the bytes of one too large.
  auto size = std::filesystem::file_size(path, error_code);
  bool sized = !error_code;
  if (sized && size > static_cast<uint64_t>(kMaxPayloadBytes)) {
    *problem = TooLarge(std::to_string(size));
    return nullptr;
  }
  std::string body;
  errno = 0;
  if (!ReadAtMost(in, static_cast<size_t>(kMaxPayloadBytes) + 1, &body)) {
    *problem = ": cannot be read" + (errno != 0 ? ": " + ErrnoText(errno) : std::string());
    return nullptr;
  }
  if (body.size() > static_cast<size_t>(kMaxPayloadBytes)) {
    *problem = TooLarge("more than " + std::to_string(kMaxPayloadBytes));
    return nullptr;
  }
  // A file that shrank or grew while it was read.
  if (sized && body.size() != size) {
    *problem =
        ": read " + std::to_string(body.size()) + " of its " + std::to_string(size) + " bytes";
    return nullptr;
  }
  return std::make_shared<const std::string>(std::move(body));
}

}  // namespace c10k
