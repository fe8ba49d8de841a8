#include "servers/server_counters.h"

#include <cerrno>

namespace c10k {

void ServerCounters::Add(const ServerCounters& other) {
  accepted += other.accepted;
  closed += other.closed;
  refused_fd_limit += other.refused_fd_limit;
  refused_no_descriptors += other.refused_no_descriptors;
  refused_no_thread += other.refused_no_thread;
  protocol_errors += other.protocol_errors;
  dropped_slow_receivers += other.dropped_slow_receivers;
  resets += other.resets;
  io_errors += other.io_errors;
  if (first_protocol_error.empty()) first_protocol_error = other.first_protocol_error;
}

void ServerCounters::CountProtocolError(std::string_view why) {
  ++protocol_errors;
  if (first_protocol_error.empty()) first_protocol_error = why.empty() ? "bad input" : why;
}

void ServerCounters::CountSocketError(int error) {
  if (error == ECONNRESET || error == EPIPE) {
    ++resets;
  } else {
    ++io_errors;
  }
}

std::string ServerCounters::Summary() const {
  std::string text = "c10k serve: stopped: " + std::to_string(accepted) + " accepted, " +
                     std::to_string(closed) + " closed";
  auto add = [&](uint64_t value, const char* what) {
    if (value) text += ", " + std::to_string(value) + " " + what;
  };
  add(refused_fd_limit, "refused above the poller's descriptor limit");
  add(refused_no_descriptors, "refused for lack of descriptors");
  add(refused_no_thread, "refused for lack of a thread");
  add(protocol_errors, "closed for protocol errors");
  if (protocol_errors > 0 && !first_protocol_error.empty()) {
    text += " (the first: " + first_protocol_error + ")";
  }
  add(dropped_slow_receivers, "slow broadcast receivers dropped");
  add(resets, "reset by their clients");
  add(io_errors, "other socket errors");
  return text;
}

}  // namespace c10k
