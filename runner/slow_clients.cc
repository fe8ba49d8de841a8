#include "runner/slow_clients.h"

#include <sys/socket.h>

#include <cerrno>

#include "common/io_status.h"

namespace c10k {

std::string_view SlowClients::PartialRequest(Protocol protocol) {
  switch (protocol) {
    case Protocol::kEcho:
      // Echo has no messages: any byte starts a conversation that a
      // one-client-at-a-time server stays in until the client closes.
      return "slow";
    case Protocol::kFramed:
      // A header announcing 64 bytes, followed by only 4 of them.
      return std::string_view("\0\0\0\x40slow", 8);
    case Protocol::kLine:
      return "a line that never ends";
    case Protocol::kHttp:
      return "GET / HTTP/1.1\r\nHost: slow";
    case Protocol::kResp:
      return "*1\r\n$4\r\nPI";
  }
  return "slow";
}

std::string SlowClients::Open(const SocketAddress& target, Protocol protocol, int count) {
  std::string_view partial = PartialRequest(protocol);
  for (int i = 0; i < count; ++i) {
    UniqueFd fd(socket(target.Family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd || connect(fd.Get(), target.Get(), target.length) != 0) {
      return "cannot open slow client " + std::to_string(i + 1) + ": " + ErrnoText(errno);
    }
    if (send(fd.Get(), partial.data(), partial.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(partial.size())) {
      return "cannot send from slow client " + std::to_string(i + 1) + ": " + ErrnoText(errno);
    }
    sockets_.push_back(std::move(fd));
  }
  return "";
}

}  // namespace c10k
