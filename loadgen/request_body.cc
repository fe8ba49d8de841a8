#include "loadgen/request_body.h"

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "common/bounded_read.h"
#include "common/io_status.h"

namespace c10k {

namespace {

// What follows the path when a body is past the bound: `size_words` is "70000000"
// or "more than 67108864".
std::string TooLarge(const std::string& size_words) {
  // In bytes: rounded, a file just over the bound would read as the bound.
  return " is " + size_words + " bytes; a request body can be at most 64 MiB (" +
         std::to_string(kMaxPayloadBytes) + " bytes)";
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
