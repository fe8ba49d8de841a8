#include "common/tcp_counters.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace c10k {

namespace {

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t at = 0;
  while (at < line.size()) {
    size_t start = line.find_first_not_of(' ', at);
    if (start == std::string_view::npos) break;
    size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    words.push_back(line.substr(start, end - start));
    at = end;
  }
  return words;
}

std::optional<std::string> ReadWhole(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A whole word as a number: the counters are decimal, the queue lengths and
// ports hex.
std::optional<uint64_t> ParseNumber(std::string_view text, int base) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// An address as /proc/net/tcp and tcp6 write it: each 32-bit word of the
// network-order bytes printed as a native integer, in hex.
std::string ProcNetHex(const void* bytes, size_t size) {
  std::string hex;
  for (size_t at = 0; at + 4 <= size; at += 4) {
    uint32_t word = 0;
    std::memcpy(&word, static_cast<const char*>(bytes) + at, sizeof word);
    char text[9];
    std::snprintf(text, sizeof text, "%08X", word);
    hex += text;
  }
  return hex;
}

}  // namespace

std::optional<uint64_t> AcceptQueueInProcNetTcp(std::istream& rows,
                                                const std::vector<std::string>& addresses_hex,
                                                uint16_t port) {
  constexpr std::string_view kListen = "0A";  // TCP_LISTEN in the st column
  std::optional<uint64_t> total;
  std::string row;
  std::getline(rows, row);  // the header
  // The kernel lists every listening socket before any other, so the rest
  // of the file (every connection on the host, 20,000 rows in a C10K run)
  // is never generated.
  while (std::getline(rows, row)) {
    // "sl local_address rem_address st tx_queue:rx_queue ..."
    std::vector<std::string_view> words = Words(row);
    if (words.size() < 5 || words[3] != kListen) break;
    size_t colon = words[1].rfind(':');
    if (colon == std::string_view::npos || ParseNumber(words[1].substr(colon + 1), 16) != port) {
      continue;
    }
    if (std::ranges::find(addresses_hex, words[1].substr(0, colon)) == addresses_hex.end())
      continue;
    size_t queue_colon = words[4].find(':');
    if (queue_colon == std::string_view::npos) continue;
    std::optional<uint64_t> queued = ParseNumber(words[4].substr(queue_colon + 1), 16);
    if (queued) total = total.value_or(0) + *queued;
  }
  return total;
}

std::optional<uint64_t> AcceptQueueLength(const SocketAddress& address) {
  std::vector<std::string> ipv4, ipv6;
  const std::string any_ipv4(8, '0'), any_ipv6(32, '0');
  if (address.Family() == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address.Get());
    ipv4.push_back(ProcNetHex(&in->sin_addr, sizeof in->sin_addr));
    // A loopback target is surely this machine, so a listener on every
    // address (IPv6's takes IPv4 too) is the one it reaches.
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) {
      ipv4.push_back(any_ipv4);
      ipv6.push_back(any_ipv6);
    }
  } else if (address.Family() == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address.Get());
    ipv6.push_back(ProcNetHex(&in6->sin6_addr, sizeof in6->sin6_addr));
    if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) ipv6.push_back(any_ipv6);
  }
  std::optional<uint64_t> total;
  for (auto [path, addresses] : {std::pair{"/proc/net/tcp", &ipv4}, {"/proc/net/tcp6", &ipv6}}) {
    if (addresses->empty()) continue;
    std::ifstream rows(path);
    if (!rows) continue;
    if (std::optional<uint64_t> queued =
            AcceptQueueInProcNetTcp(rows, *addresses, address.Port())) {
      total = total.value_or(0) + *queued;
    }
  }
  return total;
}

std::optional<uint64_t> ProcNetCounter(std::string_view text, std::string_view group,
                                       std::string_view name) {
  std::string prefix = std::string(group) + ":";
  std::vector<std::string_view> names;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.substr(0, prefix.size()) != prefix) continue;
    std::vector<std::string_view> words = Words(line.substr(prefix.size()));
    if (names.empty()) {  // the first line of the group names the columns
      names = std::move(words);
      continue;
    }
    for (size_t i = 0; i < names.size() && i < words.size(); ++i) {
      if (names[i] != name) continue;
      return ParseNumber(words[i], 10);
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<TcpCounters> ReadTcpCounters() {
  std::optional<std::string> snmp = ReadWhole("/proc/net/snmp");
  std::optional<std::string> netstat = ReadWhole("/proc/net/netstat");
  if (!snmp || !netstat) return std::nullopt;
  std::optional<uint64_t> segments = ProcNetCounter(*snmp, "Tcp", "OutSegs");
  std::optional<uint64_t> delayed = ProcNetCounter(*netstat, "TcpExt", "DelayedACKs");
  if (!segments || !delayed) return std::nullopt;
  return TcpCounters{*segments, *delayed};
}

}  // namespace c10k
