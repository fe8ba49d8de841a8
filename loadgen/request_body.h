#pragma once

#include <memory>
#include <string>

namespace c10k {

// The most payload one request carries: --message-size and a scenario's
// "sweep.message_size", and an http body from --body-file or a scenario's
// "load.body_file".
constexpr int kMaxPayloadBytes = 64 << 20;

// Reads the file at `path` to be every http request's body; a device or a
// pipe is read up to the bound, no further. On failure returns null and sets
// `problem` to the words that follow the path in the caller's message: " is a
// directory; name a file", ": ENOENT (No such file or directory)", " is
// 70000000 bytes; a request body can be at most ...", " is more than 67108864
// bytes; ..." (/dev/zero).
std::shared_ptr<const std::string> ReadRequestBody(const std::string& path, std::string* problem);

}  // namespace c10k
