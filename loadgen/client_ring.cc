#include "loadgen/client_ring.h"

#if C10K_HAVE_URING

#include <liburing.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include <algorithm>
#include <bit>
#include <cerrno>

#include "common/clock.h"
#include "common/io_status.h"
#include "common/uring_buffers.h"

namespace c10k {

namespace {

// Receives land in buffers of this size; a larger reply simply arrives in
// several completions.
constexpr size_t kBufferSize = 8 * 1024;
// A recv per connection can be in a batch at once; past that many buffers the
// pool runs dry (-ENOBUFS) and the receive is re-armed, which costs little.
constexpr size_t kMinBuffers = 64;
constexpr size_t kMaxBuffers = 2048;
constexpr unsigned kMinEntries = 64;
constexpr unsigned kMaxEntries = 4096;
constexpr unsigned kSetupFlags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;

// The ring's own timer (see Wait), never handed to the sink.
constexpr uint64_t kTimerTag = 0;

uint64_t Tag(RingCompletion::Operation operation, uint32_t token) {
  return (uint64_t{token} << 8) | operation;
}

size_t PowerOfTwoBetween(size_t wanted, size_t low, size_t high) {
  return std::clamp(std::bit_ceil(std::max<size_t>(wanted, 1)), low, high);
}

std::string KernelRelease() {
  utsname name{};
  return uname(&name) == 0 ? name.release : "unknown";
}

// Why a ring could not be set up, in a user's words.
std::string SetupError(int error) {
  if (error == EINVAL) {
    return "--io uring needs Linux 6.1 or later (io_uring's DEFER_TASKRUN); this kernel is " +
           KernelRelease() + ": use --io epoll";
  }
  if (error == EPERM) {
    return "--io uring: io_uring is disabled on this system (sysctl kernel.io_uring_disabled); "
           "use --io epoll";
  }
  if (error == ENOSYS) return "--io uring: this kernel has no io_uring; use --io epoll";
  return "--io uring: cannot set up an io_uring: " + ErrnoText(error);
}

}  // namespace

struct ClientRing::Impl {
  io_uring ring{};
  bool open = false;
  std::unique_ptr<UringBuffers> buffers;
  // The deadline a timeout request is armed for (INT64_MAX: none), and its
  // time, which the kernel reads when the request is submitted.
  int64_t timer_deadline_ns = INT64_MAX;
  __kernel_timespec timer_at{};

  ~Impl() {
    buffers.reset();  // unregisters from the ring, so before the ring goes
    if (open) io_uring_queue_exit(&ring);
  }

  io_uring_sqe* NextSqe() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    if (sqe) return sqe;
    // The submission queue is full: hand it to the kernel and go on.
    io_uring_submit(&ring);
    return io_uring_get_sqe(&ring);
  }
};

ClientRing::ClientRing() : impl_(std::make_unique<Impl>()) {}
ClientRing::~ClientRing() = default;

std::string ClientRing::Probe() {
  io_uring ring;
  io_uring_params params{};
  params.flags = kSetupFlags;
  int result = io_uring_queue_init_params(kMinEntries, &ring, &params);
  if (result < 0) return SetupError(-result);
  io_uring_queue_exit(&ring);
  return "";
}

std::string ClientRing::Open(size_t connections) {
  io_uring_params params{};
  params.flags = kSetupFlags | IORING_SETUP_CQSIZE;
  // Room for a send and a receive completion of every connection at once,
  // so completions never wait in the kernel's overflow list.
  params.cq_entries = static_cast<unsigned>(PowerOfTwoBetween(4 * connections, 256, 65536));
  unsigned entries =
      static_cast<unsigned>(PowerOfTwoBetween(2 * connections, kMinEntries, kMaxEntries));
  int result = io_uring_queue_init_params(entries, &impl_->ring, &params);
  if (result < 0) return SetupError(-result);
  impl_->open = true;
  impl_->buffers = std::make_unique<UringBuffers>(
      PowerOfTwoBetween(connections, kMinBuffers, kMaxBuffers), kBufferSize);
  if (std::string error = impl_->buffers->Register(&impl_->ring); !error.empty()) {
    return "--io uring: " + error;
  }
  return "";
}

void ClientRing::Receive(int fd, uint32_t token) {
  io_uring_sqe* sqe = impl_->NextSqe();
  io_uring_prep_recv_multishot(sqe, fd, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = UringBuffers::kGroup;
  io_uring_sqe_set_data64(sqe, Tag(RingCompletion::kReceive, token));
}

void ClientRing::Send(int fd, uint32_t token, std::string_view bytes, bool report_success) {
  io_uring_sqe* sqe = impl_->NextSqe();
  io_uring_prep_send(sqe, fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  if (!report_success) sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
  io_uring_sqe_set_data64(sqe, Tag(RingCompletion::kSend, token));
}

void ClientRing::WatchReadable(int fd, uint32_t token) {
  io_uring_sqe* sqe = impl_->NextSqe();
  io_uring_prep_poll_multishot(sqe, fd, POLLIN);
  io_uring_sqe_set_data64(sqe, Tag(RingCompletion::kReadable, token));
}

void ClientRing::SubmitQueued() { io_uring_submit(&impl_->ring); }

void ClientRing::Wait(int64_t deadline_ns, int64_t now_ns, RingSink& sink) {
  if (deadline_ns <= now_ns) {
    io_uring_submit_and_get_events(&impl_->ring);
  } else {
    // The deadline is a timeout request, armed again only when it changes
    // (every 20 ms in a closed loop), not a timeout on every wait: that
    // would start and cancel a kernel timer per batch, ~0.2 us per request
    // at 50 connections. A timer left behind by a later deadline only wakes
    // the worker once, early.
    if (deadline_ns != impl_->timer_deadline_ns) {
      impl_->timer_deadline_ns = deadline_ns;
      impl_->timer_at = {deadline_ns / kNanosPerSecond, deadline_ns % kNanosPerSecond};
      io_uring_sqe* sqe = impl_->NextSqe();
      io_uring_prep_timeout(sqe, &impl_->timer_at, 0, IORING_TIMEOUT_ABS);
      io_uring_sqe_set_data64(sqe, kTimerTag);
    }
    // -EINTR (a signal) just ends the wait.
    io_uring_submit_and_wait(&impl_->ring, 1);
  }
  int64_t now = MonotonicNanos();
  unsigned head = 0;
  unsigned seen = 0;
  io_uring_cqe* cqe = nullptr;
  // The sink may queue operations; some complete at once and are seen here
  // too, since the loop re-reads the queue's tail.
  io_uring_for_each_cqe(&impl_->ring, head, cqe) {
    ++seen;
    if (cqe->user_data == kTimerTag) {
      if (now >= impl_->timer_deadline_ns) impl_->timer_deadline_ns = INT64_MAX;
      continue;
    }
    RingCompletion completion{};
    completion.operation = static_cast<RingCompletion::Operation>(cqe->user_data & 0xFF);
    completion.token = static_cast<uint32_t>(cqe->user_data >> 8);
    completion.result = cqe->res;
    completion.ended = !(cqe->flags & IORING_CQE_F_MORE);
    bool has_buffer = cqe->flags & IORING_CQE_F_BUFFER;
    uint16_t buffer = static_cast<uint16_t>(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
    if (has_buffer && cqe->res > 0) {
      completion.data = impl_->buffers->Data(buffer, static_cast<size_t>(cqe->res));
    }
    sink.OnCompletion(completion, now);
    if (has_buffer) impl_->buffers->Return(buffer);
  }
  io_uring_cq_advance(&impl_->ring, seen);
}

}  // namespace c10k

#else  // !C10K_HAVE_URING

namespace c10k {

struct ClientRing::Impl {};

ClientRing::ClientRing() = default;
ClientRing::~ClientRing() = default;

std::string ClientRing::Probe() {
  return "--io uring: this build has no io_uring (liburing was not found when it was compiled); "
         "use --io epoll";
}
std::string ClientRing::Open(size_t) { return Probe(); }
// Never reached: Probe refuses --io uring before any worker starts.
void ClientRing::Receive(int, uint32_t) {}
void ClientRing::Send(int, uint32_t, std::string_view, bool) {}
void ClientRing::WatchReadable(int, uint32_t) {}
void ClientRing::SubmitQueued() {}
void ClientRing::Wait(int64_t, int64_t, RingSink&) {}

}  // namespace c10k

#endif
