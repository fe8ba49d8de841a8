#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace c10k {

// The three-way (plus end-of-stream) outcome of one nonblocking I/O call, the
// way wrk's sock layer reports it: callers never look at errno directly.
enum class IoStatus {
  kOk,      // `bytes` were transferred (may be fewer than asked for)
  kRetry,   // the call would block (EAGAIN/EWOULDBLOCK); wait for readiness
  kClosed,  // the peer closed its side (read returned 0)
  kError,   // a real error; `error` holds errno
};

struct IoResult {
  IoStatus status = IoStatus::kOk;
  size_t bytes = 0;
  int error = 0;

  bool Ok() const { return status == IoStatus::kOk; }
};

// recv() into `buf`, with EINTR retried and EAGAIN mapped to kRetry.
IoResult ReadSome(int fd, char* buf, size_t len);

// send() with MSG_NOSIGNAL (a reset peer must not kill the process with
// SIGPIPE), EINTR retried, EAGAIN mapped to kRetry.
IoResult WriteSome(int fd, const char* buf, size_t len);

// "ECONNRESET (Connection reset by peer)"-style text for logs and reasons.
std::string ErrnoText(int error);

}  // namespace c10k
