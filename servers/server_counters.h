#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace c10k {

// Why a connection is closed when its input holds no message boundary within
// --max-frame bytes (garbage, or hostile): every model checks it the same way.
inline constexpr std::string_view kNoMessageBoundary = "no message boundary within --max-frame";

// What a server did, counted by every model and printed when it stops, so
// a ceiling (descriptors refused, receivers dropped) is never silent.
struct ServerCounters {
  uint64_t accepted = 0;
  uint64_t closed = 0;                 // connections closed for any reason
  uint64_t refused_fd_limit = 0;       // accepted but above the poller's fd limit (select)
  uint64_t refused_no_descriptors = 0; // EMFILE/ENFILE at accept
  uint64_t refused_no_thread = 0;      // thread creation failed (threads model)
  uint64_t protocol_errors = 0;        // closed for bad input (oversized frame, garbage)
  uint64_t dropped_slow_receivers = 0; // broadcast receivers stuck over --output-limit
  uint64_t resets = 0;                 // clients that reset (ECONNRESET, EPIPE): their choice
  uint64_t io_errors = 0;              // any other socket error
  // What the first connection closed for bad input sent ("malformed HTTP
  // request"): the count alone left a user guessing which client was wrong.
  std::string first_protocol_error;

  // Counts a failed read or write by its errno.
  void CountSocketError(int error);
  // Counts a connection closed for bad input, and keeps the first reason.
  void CountProtocolError(std::string_view why);

  void Add(const ServerCounters& other);
  // "c10k serve: stopped: 1100 accepted, 1100 closed, 80 refused at FD_SETSIZE, ..."
  std::string Summary() const;
};

}  // namespace c10k
