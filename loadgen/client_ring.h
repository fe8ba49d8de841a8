#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace c10k {

// What one completion from a ClientRing reports.
struct RingCompletion {
  enum Operation : uint8_t { kReceive = 1, kSend = 2, kReadable = 3 };
  Operation operation;
  uint32_t token;  // what the operation was queued with (a connection's index)
  // Bytes received or sent, or -errno. A receive of 0 bytes: the peer closed.
  int result;
  std::string_view data;  // a receive's bytes; valid during the call only
  // A multishot receive or readiness watch stopped (an error, the peer's
  // close, or the buffer pool running dry): queue it again to go on.
  bool ended;
};

class RingSink {
 public:
  virtual void OnCompletion(const RingCompletion& completion, int64_t now) = 0;

 protected:
  ~RingSink() = default;
};

// The io_uring of one load generator worker (`c10k load --io uring`). The
// readiness loop pays a recv and a send syscall per request, plus an
// epoll_wait per batch; here a connection's receive is armed once (multishot,
// into a pool of provided buffers) and every send the worker queues while it
// handles a batch goes to the kernel in the same io_uring_enter that waits for
// the next batch: one syscall per batch, whatever the batch's size.
//
// The ring is set up with DEFER_TASKRUN (Linux 6.1): the kernel finishes
// receives only when the worker asks for completions, in one go, rather than
// interrupting it for each arriving reply. Without it, the interruptions cost
// more than the syscalls saved, so a kernel without it is refused up front.
class ClientRing {
 public:
  ClientRing();
  ~ClientRing();
  ClientRing(const ClientRing&) = delete;
  ClientRing& operator=(const ClientRing&) = delete;

  // Whether this build and kernel can run `--io uring`: "" or a sentence
  // saying why not.
  static std::string Probe();

  // Sets the ring up for `connections` sockets. Must run on the thread that
  // then uses the ring (it is single-issuer). "" or why it failed.
  std::string Open(size_t connections);

  // Queues operations; they reach the kernel at the next Wait.
  void Receive(int fd, uint32_t token);  // until ended
  // `bytes` must stay put until the send completes. Without
  // `report_success` only a failed send completes visibly: the caller learns
  // of success some other way (a reply to what was sent).
  void Send(int fd, uint32_t token, std::string_view bytes, bool report_success);
  void WatchReadable(int fd, uint32_t token);  // a completion each time fd turns readable
  // Hands what is queued to the kernel now, without waiting. The kernel
  // looks an operation's fd up when it is submitted, so before a socket is
  // closed its queued operations must go: otherwise the next socket opened,
  // which gets the same fd number, would receive them.
  void SubmitQueued();

  // Submits what is queued and waits until something completes or
  // `deadline_ns` (MonotonicNanos scale) passes; then hands every completion
  // to `sink`, which may queue more operations.
  void Wait(int64_t deadline_ns, int64_t now_ns, RingSink& sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace c10k
