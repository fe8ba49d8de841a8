#pragma once

#include <string>
#include <vector>

#include "common/fd.h"
#include "common/net.h"
#include "protocols/protocol.h"

namespace c10k {

// Connections that send the first half of a request and then stall, held
// open for one point of a sweep: the "slow client" that a blocking server
// serves while everyone else waits.
class SlowClients {
 public:
  // Opens `count` connections to `target` and sends each a partial request.
  // Returns an empty string or what went wrong.
  std::string Open(const SocketAddress& target, Protocol protocol, int count);
  void Close() { sockets_.clear(); }
  size_t Count() const { return sockets_.size(); }

  // The first half of a request in `protocol`: enough for a server to start
  // on it, never enough to finish it.
  static std::string_view PartialRequest(Protocol protocol);

 private:
  std::vector<UniqueFd> sockets_;
};

}  // namespace c10k
