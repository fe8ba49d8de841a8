#include "protocols/protocol.h"

#include <array>

namespace c10k {

namespace {

constexpr std::array<std::pair<Protocol, std::string_view>, 5> kProtocols = {{
    {Protocol::kEcho, "echo"},
    {Protocol::kFramed, "framed"},
    {Protocol::kLine, "line"},
    {Protocol::kHttp, "http"},
    {Protocol::kResp, "resp"},
}};

}  // namespace

std::optional<Protocol> ParseProtocol(std::string_view name) {
  for (auto [protocol, protocol_name] : kProtocols) {
    if (name == protocol_name) return protocol;
  }
  return std::nullopt;
}

std::string_view ProtocolName(Protocol protocol) {
  for (auto [candidate, name] : kProtocols) {
    if (candidate == protocol) return name;
  }
  return "unknown";
}

const std::vector<std::string_view>& ProtocolNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> list;
    list.reserve(kProtocols.size());
    for (auto [protocol, name] : kProtocols) list.push_back(name);
    return list;
  }();
  return names;
}

}  // namespace c10k
