#include "loadgen/load_stats.h"

#include <cerrno>

namespace c10k {

void ErrorCounts::Count(int error) {
  if (error == ECONNREFUSED) {
    ++refused;
  } else if (error == ETIMEDOUT) {
    ++timeout;
  } else if (error == ECONNRESET || error == EPIPE) {
    ++reset;
  } else if (error == EADDRNOTAVAIL) {
    ++no_ports;
  } else if (error == EMFILE || error == ENFILE) {
    ++no_descriptors;
  } else {
    if (other++ == 0) first_other_errno = error;
  }
}

void ErrorCounts::Add(const ErrorCounts& o) {
  refused += o.refused;
  reset += o.reset;
  timeout += o.timeout;
  protocol += o.protocol;
  closed_by_server += o.closed_by_server;
  no_ports += o.no_ports;
  no_descriptors += o.no_descriptors;
  other += o.other;
  if (first_other_errno == 0) first_other_errno = o.first_other_errno;
}

uint64_t ErrorCounts::Total() const {
  return refused + reset + timeout + protocol + closed_by_server + no_ports + no_descriptors +
         other;
}

void WorkerStats::Merge(const WorkerStats& o) {
  requests += o.requests;
  sent += o.sent;
  bytes_sent += o.bytes_sent;
  bytes_received += o.bytes_received;
  mismatches += o.mismatches;
  error_replies += o.error_replies;
  if (first_error_reply.empty()) first_error_reply = o.first_error_reply;
  if (first_mismatch.empty()) first_mismatch = o.first_mismatch;
  if (first_protocol_error.empty()) first_protocol_error = o.first_protocol_error;
  established += o.established;
  failed += o.failed;
  not_attempted += o.not_attempted;
  reconnects += o.reconnects;
  reconnects_after_close_ended_reply += o.reconnects_after_close_ended_reply;
  reconnects_after_http10 += o.reconnects_after_http10;
  reconnects_by_client += o.reconnects_by_client;
  replaced += o.replaced;
  errors.Add(o.errors);
  latency.Merge(o.latency);
  latency_uncorrected.Merge(o.latency_uncorrected);
  connect_latency.Merge(o.connect_latency);
  send_lag.Merge(o.send_lag);
  unsent += o.unsent;
  in_flight_at_end += o.in_flight_at_end;
  starved += o.starved;
  if (first_starved_input.empty()) first_starved_input = o.first_starved_input;
  expected_deliveries += o.expected_deliveries;
  delivered += o.delivered;
}

}  // namespace c10k
