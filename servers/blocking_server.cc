// blocking: phase 01 of the C10K story. Accept one client, serve it until it
// closes, then accept the next. Every call waits: while one client is being
// served, the others sit in the kernel's accept queue and hear nothing, so a
// single slow or idle client holds the whole server hostage. That is its
// ceiling, and the reason for everything that follows.
//
// The line protocol is refused: with one client at a time there is nobody to
// broadcast to.
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>

#include "common/io_status.h"
#include "common/stop_signal.h"
#include "servers/model_runners.h"
#include "servers/server_counters.h"
#include "servers/session.h"

namespace c10k {

std::string BlockingRefuses(Protocol protocol) {
  if (protocol != Protocol::kLine) return "";
  return "it serves one client at a time, so there is nobody to broadcast a line to";
}

int RunBlockingModel(const ServerConfig& config, UniqueFd listener) {
  auto state = MakeServerState(config.protocol);
  ServerCounters counters;
  while (!StopRequested()) {
    // Wait for the next client, or for the stop signal.
    pollfd waits[2] = {{listener.Get(), POLLIN, 0}, {StopSignalFd(), POLLIN, 0}};
    if (poll(waits, 2, -1) < 0 && errno != EINTR) break;
    if (waits[1].revents) break;
    if (!(waits[0].revents & POLLIN)) continue;
    UniqueFd client(accept4(listener.Get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!client) {
      if (errno == EMFILE || errno == ENFILE) {
        std::fprintf(stderr, "c10k serve: out of file descriptors: %s\n", ErrnoText(errno).c_str());
        ++counters.refused_no_descriptors;
      }
      continue;
    }
    ++counters.accepted;
    CountSessionEnd(Session(std::move(client), config, *state, nullptr).Serve(), counters);
  }
  std::fprintf(stderr, "%s\n", counters.Summary().c_str());
  return 0;
}

}  // namespace c10k
