#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace c10k {

// The wire protocols every server model speaks and the load generator drives.
enum class Protocol { kEcho, kFramed, kLine, kHttp, kResp };

std::optional<Protocol> ParseProtocol(std::string_view name);
std::string_view ProtocolName(Protocol protocol);
// "echo, framed, line, http, resp", for help texts and error messages.
const std::vector<std::string_view>& ProtocolNames();

// Limits that protect a server from its input.
struct CodecOptions {
  // The largest frame (framed), bulk string (resp), request head (http) or
  // line (line) accepted; anything larger closes that connection.
  size_t max_frame = 1 << 20;
};

}  // namespace c10k
