#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/net.h"

namespace c10k {

// Parses --source-addrs: a comma-separated list of literal addresses and IPv4
// ranges, e.g. "127.0.0.1-127.0.0.8" or "127.0.0.2,127.0.0.5-127.0.0.6" or
// "::1". nullopt with `error` set (one sentence, starting with `name`, the
// flag or field the text came from) on anything else, on mixed families, or
// on more than kMaxSourceAddrs addresses.
std::optional<std::vector<SocketAddress>> ParseSourceAddrs(
    std::string_view text, std::string* error, std::string_view name = "--source-addrs");
inline constexpr size_t kMaxSourceAddrs = 65536;

// Every source address must belong to this machine, or each connection bound
// to it fails with EADDRNOTAVAIL, which reads like running out of ports.
// Binds a throwaway socket to each address (no port is taken) and returns an
// empty string, or one sentence (starting with `name`, as above) naming the
// first address that is not local.
std::string CheckSourceAddrsAreLocal(const std::vector<SocketAddress>& addresses,
                                     std::string_view name = "--source-addrs");

// The ephemeral port range connect() draws from for one source address
// (net.ipv4.ip_local_port_range; the Linux default when unreadable).
struct PortRange {
  int low = 32768;
  int high = 60999;
  int Count() const { return high - low + 1; }
};
PortRange LocalPortRange();

// Every connection to one target from one source address needs its own
// ephemeral port. Returns an empty string when `connections` fit the ports of
// `addresses` source addresses (0: the kernel's choice, one address), or a
// one-line reason naming the range.
// `from_flag`: the range came from --local-ports, not the system.
std::string CheckPortLimit(int connections, size_t addresses, PortRange ports,
                           bool from_flag = false);

// Parses --local-ports "LOW-HIGH" (1 <= LOW <= HIGH <= 65535).
std::optional<PortRange> ParsePortRange(std::string_view text);

// An empty string when --local-ports `wanted` lies inside `system`
// (net.ipv4.ip_local_port_range), or one line saying it does not: the kernel
// takes IP_LOCAL_PORT_RANGE's ports from the system's range only, and
// narrows or ignores a range outside it without an error.
std::string CheckLocalPortsInRange(PortRange wanted, PortRange system);

}  // namespace c10k
