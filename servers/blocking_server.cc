// blocking: phase 01 of the C10K story. Accept one client, serve it until it
// closes, then accept the next. Every call waits: while one client is being
// served, the others sit in the kernel's accept queue and hear nothing, so a
// single slow or idle client holds the whole server hostage. That is its
// ceiling, and the reason for everything that follows.
//
// The line protocol is refused: with one client at a time there is nobody to
// broadcast to.
#include <cstdio>

#include "servers/accept_next_client.h"
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
  bool logged_no_descriptors = false;
  while (true) {
    NextClient next = AcceptNextClient(listener.Get(), &logged_no_descriptors);
    if (next.stop) break;
    if (next.no_descriptors) ++counters.refused_no_descriptors;
    if (!next.client) continue;
    ++counters.accepted;
    Session session(std::move(next.client), config, *state, nullptr);
    SessionEnd end = session.Serve();
    CountSessionEnd(end, session.ProtocolError(), counters);
  }
  std::fprintf(stderr, "%s\n", counters.Summary().c_str());
  return 0;
}

}  // namespace c10k
