#include "loadgen/request_body.h"

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/io_status.h"

namespace c10k {

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
  auto size = std::filesystem::file_size(path, error_code);
  if (!error_code && size > static_cast<uint64_t>(kMaxPayloadBytes)) {
    // In bytes: rounded, a file just over the bound would read as the bound.
    *problem = " is " + std::to_string(size) + " bytes; a request body can be at most 64 MiB (" +
               std::to_string(kMaxPayloadBytes) + " bytes)";
    return nullptr;
  }
  std::ostringstream read;
  read << in.rdbuf();
  std::string body = std::move(read).str();
  // Streaming a file does not say when a read failed; its size does.
  if (!error_code && body.size() != size) {
    *problem =
        ": read " + std::to_string(body.size()) + " of its " + std::to_string(size) + " bytes";
    return nullptr;
  }
  return std::make_shared<const std::string>(std::move(body));
}

}  // namespace c10k
