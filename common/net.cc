#include "common/net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

#include "common/io_status.h"

namespace c10k {

uint16_t SocketAddress::Port() const {
  if (Family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
}

void SocketAddress::SetPort(uint16_t port) {
  if (Family() == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(&storage)->sin_port = htons(port);
  }
}

std::string SocketAddress::HostText() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (Family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, text,
              sizeof text);
  } else {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, text,
              sizeof text);
  }
  return text;
}

std::string SocketAddress::ToString() const {
  std::string text = HostText();
  if (Family() == AF_INET6) text = "[" + text + "]";
  text += ':';
  text += std::to_string(Port());
  return text;
}

std::optional<SocketAddress> ParseAddress(std::string_view host, uint16_t port) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";
  std::string text(host);
  SocketAddress address;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    address.length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    address.length = sizeof(sockaddr_in6);
  } else {
    return std::nullopt;
  }
  address.SetPort(port);
  return address;
}

std::optional<SocketAddress> ParseHostPort(std::string_view text, std::string* problem) {
  auto refuse = [problem](std::string why) -> std::optional<SocketAddress> {
    if (problem) *problem = std::move(why);
    return std::nullopt;
  };
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return refuse("has no :PORT");
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  // An unbracketed IPv6 literal has more colons; insist on brackets then.
  if (host.find(':') != std::string_view::npos && host.front() != '[') {
    return refuse("an IPv6 address needs brackets, as in [::1]:8080");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return refuse("port \"" + std::string(port_text) + "\" is not a number from 0 to 65535");
  }
  auto address = ParseAddress(host, static_cast<uint16_t>(port));
  // Names other than localhost are not looked up: a benchmark's target
  // should not depend on a resolver.
  if (!address)
    return refuse("host \"" + std::string(host) + "\" is not a numeric address or localhost");
  return address;
}

bool IsLocalhost(std::string_view host_port) { return host_port.starts_with("localhost:"); }

SocketAddress LocalhostThatAccepts(uint16_t port, int family) {
  std::vector<SocketAddress> candidates;
  if (family != AF_INET6) candidates.push_back(*ParseAddress("127.0.0.1", port));
  if (family != AF_INET) candidates.push_back(*ParseAddress("::1", port));
  for (const SocketAddress& candidate : candidates) {
    UniqueFd fd(::socket(candidate.Family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) continue;
    if (::connect(fd.Get(), candidate.Get(), candidate.length) == 0) return candidate;
    if (errno != EINPROGRESS) continue;  // refused at once, or no ::1 on this host
    pollfd wait = {fd.Get(), POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    if (::poll(&wait, 1, 1000) == 1 &&
        getsockopt(fd.Get(), SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0) {
      return candidate;
    }
  }
  return candidates.front();
}

UniqueFd ListenTcp(const SocketAddress& address, bool nonblocking, bool reuse_port,
                   std::string* error) {
  int type = SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0);
  UniqueFd fd(::socket(address.Family(), type, 0));
  auto fail = [&](const char* what) {
    if (error) *error = std::string(what) + " " + address.ToString() + ": " + ErrnoText(errno);
    return UniqueFd();
  };
  if (!fd) return fail("cannot create a socket for");
  int one = 1;
  setsockopt(fd.Get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuse_port && setsockopt(fd.Get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    return fail("cannot set SO_REUSEPORT on");
  }
  if (::bind(fd.Get(), address.Get(), address.length) != 0) return fail("cannot bind");
  // SOMAXCONN is capped by net.core.somaxconn; asking for more costs nothing
  // and lets a burst of thousands of connects queue instead of being refused.
  if (::listen(fd.Get(), 65535) != 0) return fail("cannot listen on");
  return fd;
}

std::optional<SocketAddress> LocalAddress(int fd) {
  SocketAddress address;
  address.length = sizeof address.storage;
  if (getsockname(fd, address.Get(), &address.length) != 0) return std::nullopt;
  return address;
}

bool SetNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

bool SetNoDelay(int fd) {
  int one = 1;
  return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0;
}

uint64_t RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

}  // namespace c10k
