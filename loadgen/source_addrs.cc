#include "loadgen/source_addrs.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <set>
#include <string>

#include "common/io_status.h"

namespace c10k {

namespace {

// "--source-addrs: " (or the scenario field's name), which every message
// starts with.
std::string Named(std::string_view name) { return std::string(name) + ": "; }

// Appends the IPv4 addresses first..last inclusive.
bool AppendRange(std::string_view first_text, std::string_view last_text,
                 std::vector<SocketAddress>& out, std::string_view name, std::string* error) {
  auto first = ParseAddress(first_text, 0);
  auto last = ParseAddress(last_text, 0);
  if (!first || !last || first->Family() != AF_INET || last->Family() != AF_INET) {
    *error = Named(name) + "a range must join two IPv4 addresses, e.g. 127.0.0.1-127.0.0.8";
    return false;
  }
  uint32_t from = ntohl(reinterpret_cast<const sockaddr_in*>(&first->storage)->sin_addr.s_addr);
  uint32_t to = ntohl(reinterpret_cast<const sockaddr_in*>(&last->storage)->sin_addr.s_addr);
  if (to < from) {
    *error = Named(name) + "range " + std::string(first_text) + "-" + std::string(last_text) +
             " runs backwards";
    return false;
  }
  if (to - from >= kMaxSourceAddrs - out.size()) {
    *error = Named(name) + "more than " + std::to_string(kMaxSourceAddrs) + " addresses";
    return false;
  }
  for (uint64_t value = from; value <= to; ++value) {
    SocketAddress address = *first;
    reinterpret_cast<sockaddr_in*>(&address.storage)->sin_addr.s_addr =
        htonl(static_cast<uint32_t>(value));
    out.push_back(address);
  }
  return true;
}

}  // namespace

std::optional<std::vector<SocketAddress>> ParseSourceAddrs(std::string_view text,
                                                           std::string* error,
                                                           std::string_view name) {
  std::vector<SocketAddress> addresses;
  for (size_t start = 0;;) {
    size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (item.empty()) {
      *error = Named(name) + "an empty address in \"" + std::string(text) + "\"";
      return std::nullopt;
    }
    size_t dash = item.find('-');
    if (dash != std::string_view::npos) {
      if (!AppendRange(item.substr(0, dash), item.substr(dash + 1), addresses, name, error)) {
        return std::nullopt;
      }
    } else {
      auto address = ParseAddress(item, 0);
      if (!address) {
        *error = Named(name) + "\"" + std::string(item) + "\" is not a literal IP address";
        return std::nullopt;
      }
      if (addresses.size() >= kMaxSourceAddrs) {
        *error = Named(name) + "more than " + std::to_string(kMaxSourceAddrs) + " addresses";
        return std::nullopt;
      }
      addresses.push_back(*address);
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  std::set<std::string> seen;
  for (const auto& address : addresses) {
    if (address.Family() != addresses.front().Family()) {
      *error = Named(name) + "IPv4 and IPv6 addresses cannot be mixed";
      return std::nullopt;
    }
    // Listed twice, an address would count its ports twice in the check
    // that the connections fit, and the run would find them gone.
    if (!seen.insert(address.HostText()).second) {
      *error = Named(name) + "" + address.HostText() + " is listed twice";
      return std::nullopt;
    }
  }
  return addresses;
}

std::string CheckSourceAddrsAreLocal(const std::vector<SocketAddress>& addresses,
                                     std::string_view name) {
  for (const SocketAddress& address : addresses) {
    UniqueFd probe(socket(address.Family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!probe) {
      return Named(name) + "cannot open a socket to check the addresses: " + ErrnoText(errno);
    }
    // The workers bind the same way: the port is left to connect().
    int one = 1;
    setsockopt(probe.Get(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (bind(probe.Get(), address.Get(), address.length) == 0) continue;
    int error = errno;
    std::string host = address.HostText();
    if (error == EADDRNOTAVAIL) {
      return Named(name) + "" + host + " is not an address of this machine";
    }
    return Named(name) + "cannot bind to " + host + ": " + ErrnoText(error);
  }
  return "";
}

std::optional<PortRange> ParsePortRange(std::string_view text) {
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  int low = 0, high = 0;
  auto [low_end, low_error] = std::from_chars(text.data(), text.data() + dash, low);
  auto [high_end, high_error] =
      std::from_chars(text.data() + dash + 1, text.data() + text.size(), high);
  if (low_error != std::errc() || low_end != text.data() + dash || high_error != std::errc() ||
      high_end != text.data() + text.size() || low < 1 || high > 65535 || low > high) {
    return std::nullopt;
  }
  return PortRange{low, high};
}

std::string CheckLocalPortsInRange(PortRange wanted, PortRange system) {
  if (wanted.low >= system.low && wanted.high <= system.high) return "";
  return "--local-ports " + std::to_string(wanted.low) + "-" + std::to_string(wanted.high) +
         " is not inside net.ipv4.ip_local_port_range " + std::to_string(system.low) + "-" +
         std::to_string(system.high) +
         ", the only ports the kernel draws from (it would ignore the rest of the flag's range "
         "without an error); give a range inside it";
}

PortRange LocalPortRange() {
  PortRange range;
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0, high = 0;
  if (in >> low >> high && low > 0 && high >= low) {
    range.low = low;
    range.high = high;
  }
  return range;
}

std::string CheckPortLimit(int connections, size_t addresses, PortRange ports, bool from_flag) {
  uint64_t sources = addresses == 0 ? 1 : addresses;
  uint64_t available = static_cast<uint64_t>(ports.Count()) * sources;
  if (static_cast<uint64_t>(connections) <= available) return "";
  return "--connections " + std::to_string(connections) + " needs as many local ports, but " +
         (from_flag ? "--local-ports " : "net.ipv4.ip_local_port_range ") +
         std::to_string(ports.low) + "-" + std::to_string(ports.high) + " gives " +
         std::to_string(ports.Count()) + " per source address x " + std::to_string(sources) +
         " = " + std::to_string(available) +
         "; add source addresses, e.g. --source-addrs 127.0.0.1-127.0.0.8";
}

}  // namespace c10k
