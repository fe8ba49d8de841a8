#pragma once

#include <cstdint>
#include <string>

#include "common/histogram.h"

namespace c10k {

// Failures by kind, the categories of the results schema. Each is counted
// once, where it happens, and never retried.
struct ErrorCounts {
  uint64_t refused = 0;           // connect refused (nothing listening, backlog full)
  uint64_t reset = 0;             // ECONNRESET, EPIPE
  uint64_t timeout = 0;           // connects and requests that timed out
  uint64_t protocol = 0;          // replies that could not be parsed, or came unasked
  uint64_t closed_by_server = 0;  // the server closed an open connection
  uint64_t no_ports = 0;          // out of ephemeral ports (EADDRNOTAVAIL)
  uint64_t no_descriptors = 0;    // out of file descriptors (EMFILE, ENFILE)
  uint64_t other = 0;             // any other socket error
  int first_other_errno = 0;      // the first of those, for the reason

  // Counts a failed connect, read or write by its errno.
  void Count(int error);
  void Add(const ErrorCounts& other);
  uint64_t Total() const;
};

// What one worker thread measured; merged after the run. Nothing here is
// shared between threads while the run is on.
struct WorkerStats {
  uint64_t requests = 0;  // completed in the measured window (line: deliveries)
  uint64_t sent = 0;      // requests (line: messages) sent for the window
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t mismatches = 0;  // whole run, warmup included: a wrong byte is never "warm-up"
  // The first mismatch in words that follow "the first" (ReplyParse::first_mismatch).
  std::string first_mismatch;
  // Replies in which the server said no (HTTP 4xx/5xx, RESP errors), whole
  // run too, and the first one's status or error line, to show the user.
  uint64_t error_replies = 0;
  std::string first_error_reply;
  // What the first protocol error was, with its bytes quoted: not resp:
  // "HTTP/1.1 400 Bad Request\r\n...".
  std::string first_protocol_error;
  uint64_t established = 0;
  uint64_t failed = 0;  // connections that never opened
  // Of those, the ones never tried: a connect waited its whole timeout while
  // no other completed, so the server had stopped accepting (see
  // Worker::ExpireConnects).
  uint64_t not_attempted = 0;
  // Connections opened again because the server announced it was closing
  // them (HTTP's Connection: close, nginx's keepalive_requests), or because
  // they had carried their --requests-per-connection: not errors.
  uint64_t reconnects = 0;
  // Of those, the ones after a reply whose body the close ended (http with
  // no Content-Length), rather than one that said "Connection: close".
  uint64_t reconnects_after_close_ended_reply = 0;
  // Of those, the ones after an HTTP/1.0 reply, which closes unless it says
  // keep-alive.
  uint64_t reconnects_after_http10 = 0;
  // Of those, the ones the generator made itself: the connection had carried
  // its --requests-per-connection.
  uint64_t reconnects_by_client = 0;
  // Connections opened in place of ones lost to an error (counted in
  // `errors`), with --reconnect-on-error. Not in `reconnects`.
  uint64_t replaced = 0;
  ErrorCounts errors;
  Histogram latency;              // corrected (from intended send time)
  Histogram latency_uncorrected;  // from actual send time
  Histogram connect_latency;

  // Open loop: how late each send left against its schedule, and the
  // schedule's slots in the window that were never sent at all.
  Histogram send_lag{7};
  uint64_t unsent = 0;
  uint64_t in_flight_at_end = 0;  // sent but unanswered when the window closed
  uint64_t starved = 0;           // active connections with no reply in the window
  // What the first starved connection had received without it making a
  // complete reply, quoted (empty: nothing), which tells a server that said
  // something else (the wrong --protocol) from one that said nothing.
  std::string first_starved_input;

  // Line: messages that should have reached the connections still open at the
  // end (every other connection, for each message sent in the window), and
  // how many did.
  uint64_t expected_deliveries = 0;
  uint64_t delivered = 0;

  void Merge(const WorkerStats& other);
};

}  // namespace c10k
