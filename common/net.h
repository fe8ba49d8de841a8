#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/fd.h"

namespace c10k {

// An IPv4 or IPv6 socket address with its length.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  const sockaddr* Get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  sockaddr* Get() { return reinterpret_cast<sockaddr*>(&storage); }
  int Family() const { return storage.ss_family; }
  uint16_t Port() const;
  void SetPort(uint16_t port);
  // "127.0.0.1" or "::1": the address alone, as a user writes it.
  std::string HostText() const;
  // "127.0.0.1:8080" or "[::1]:8080".
  std::string ToString() const;
};

// Parses a numeric IPv4/IPv6 host ("127.0.0.1", "::1", "[::1]", "localhost")
// and a port. nullopt when the host is not a literal address.
std::optional<SocketAddress> ParseAddress(std::string_view host, uint16_t port);

// Parses "HOST:PORT" ("127.0.0.1:8080", "[::1]:8080", "localhost:80"). When
// it cannot, and `problem` is given, says why in a user's words ("has no
// :PORT", "port \"99999\" is not a number from 0 to 65535", ...).
std::optional<SocketAddress> ParseHostPort(std::string_view text, std::string* problem = nullptr);

// True when `host_port` names its host as "localhost".
bool IsLocalhost(std::string_view host_port);

// "localhost" as a client takes it: of 127.0.0.1 and ::1 (`family` AF_INET
// or AF_INET6 keeps one; AF_UNSPEC tries both, in that order), the first
// that accepts a test connection within a second, as wrk does; 127.0.0.1
// (or ::1) when none does. A server that listens on ::1 alone, as Node.js
// does where localhost resolves to ::1 first, is then found.
SocketAddress LocalhostThatAccepts(uint16_t port, int family);

// A nonblocking (or blocking) listening TCP socket with SO_REUSEADDR, and
// SO_REUSEPORT when asked. On failure returns an invalid fd and fills `error`
// with a sentence such as "cannot listen on 127.0.0.1:80: EACCES (...)".
UniqueFd ListenTcp(const SocketAddress& address, bool nonblocking, bool reuse_port,
                   std::string* error);

// The address a socket is bound to (to print the real port after --port 0).
std::optional<SocketAddress> LocalAddress(int fd);

bool SetNonBlocking(int fd);
bool SetNoDelay(int fd);

// Raises the soft RLIMIT_NOFILE to the hard limit and returns the new soft
// limit: every C10K process needs more than the usual 1024 descriptors.
uint64_t RaiseFileLimit();

}  // namespace c10k
