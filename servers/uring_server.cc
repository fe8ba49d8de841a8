// uring: completion-based I/O through io_uring (Linux 5.1; liburing). Instead
// of asking which sockets are ready and then calling recv and send on each,
// the server queues the operations themselves in a ring shared with the
// kernel and later reaps their results from a second ring: one
// io_uring_enter can submit and complete hundreds of operations, so the
// syscalls per request fall well below the readiness models' two or three.
//
// Shape: one multishot accept (Linux 5.19; re-armed one at a time where the
// kernel lacks it) keeps accepting; each connection has at most one recv and
// one send in flight. Receives draw from a pool of provided buffers, so
// memory follows the data, not the connection count, and no buffer is
// indexed by descriptor number. A send's bytes must stay put until it
// completes, so replies made meanwhile go to a second buffer. The stop signal
// arrives as the completion of a poll on its pipe.
//
// Quirks: a connection is closed only once none of its operations are in
// flight (shutdown() makes a pending recv complete); -ENOBUFS means the pool
// ran dry and the recv is re-armed when buffers come back.
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <vector>

#include "common/byte_buffer.h"
#include "common/io_status.h"
#include "common/net.h"
#include "common/stop_signal.h"
#include "protocols/server_codec.h"
#include "servers/model_runners.h"
#include "servers/server_counters.h"
#include "common/uring_buffers.h"

namespace c10k {

namespace {

constexpr unsigned kRingEntries = 4096;
constexpr size_t kBufferCount = 1024;  // a power of two (the ring's mask)
constexpr size_t kBufferSize = 16 * 1024;

enum Operation : uint64_t { kAccept = 1, kRecv = 2, kSend = 3, kStop = 4 };

uint64_t Tag(Operation operation, uint32_t slot) { return (uint64_t{slot} << 8) | operation; }

class UringServer final {
 public:
  explicit UringServer(const ServerConfig& config, UniqueFd listener)
      : config_(config),
        listener_(std::move(listener)),
        state_(MakeServerState(config.protocol)),
        buffers_(kBufferCount, kBufferSize) {}

  ~UringServer();

  bool Run(std::string* error);
  const ServerCounters& Counters() const { return counters_; }

 private:
  struct Connection;
  class Sink;

  io_uring_sqe* NextSqe();
  void ArmAccept();
  void ArmRecv(Connection& connection);
  void ArmSend(Connection& connection);
  void OnAccept(const io_uring_cqe& cqe);
  void OnRecv(Connection& connection, const io_uring_cqe& cqe);
  void OnSend(Connection& connection, const io_uring_cqe& cqe);
  void Feed(Connection& connection, std::string_view fresh);
  void AfterProgress(Connection& connection);
  void Broadcast(Connection& from, std::string_view bytes);
  void Close(Connection& connection);
  void Release(Connection& connection);
  bool WantsRead(const Connection& connection) const;
  size_t Pending(const Connection& connection) const;
  void RefuseForLackOfDescriptors();

  const ServerConfig& config_;
  UniqueFd listener_;
  std::unique_ptr<ServerState> state_;
  UringBuffers buffers_;
  io_uring ring_{};
  bool ring_ready_ = false;
  bool multishot_accept_ = true;
  bool accept_armed_ = false;
  UniqueFd reserve_fd_;
  bool logged_emfile_ = false;
  ServerCounters counters_;
  std::vector<std::unique_ptr<Connection>> slots_;
  std::vector<uint32_t> free_slots_;
  std::vector<Connection*> live_;
  std::vector<Connection*> starved_;  // recv failed for lack of buffers
  bool stopping_ = false;
};

struct UringServer::Connection {
  uint32_t slot = 0;
  int fd = -1;
  std::unique_ptr<ServerCodec> codec;
  ByteBuffer input;    // a partial message, or input held back while full
  ByteBuffer sending;  // the bytes of the send in flight: must not move
  ByteBuffer pending;  // replies made while a send is in flight
  bool recv_armed = false;
  bool send_armed = false;
  bool peer_done = false;
  bool closing = false;
  bool starved = false;
  size_t live_index = 0;

  // Where a new reply goes. Bytes leave in the order sending, pending, so a
  // reply joins `sending` only while nothing waits in `pending`: between a
  // send's completion and the next ArmSend (held-back input fed in OnSend),
  // `pending` can still hold older replies.
  ByteBuffer& ReplyBuffer() { return send_armed || !pending.Empty() ? pending : sending; }
};

UringServer::~UringServer() {
  for (auto& connection : slots_) {
    if (connection && connection->fd >= 0) close(connection->fd);
  }
  if (ring_ready_) io_uring_queue_exit(&ring_);
}

class UringServer::Sink final : public ReplySink {
 public:
  Sink(UringServer& server, Connection& connection) : server_(server), connection_(connection) {}
  void Reply(std::string_view bytes) override { connection_.ReplyBuffer().Append(bytes); }
  void Broadcast(std::string_view bytes) override { server_.Broadcast(connection_, bytes); }
  bool Full() const override { return server_.Pending(connection_) >= server_.config_.output_limit; }

 private:
  UringServer& server_;
  Connection& connection_;
};

io_uring_sqe* UringServer::NextSqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (!sqe) {
    // The submission ring is full: hand what is queued to the kernel.
    io_uring_submit(&ring_);
    sqe = io_uring_get_sqe(&ring_);
  }
  return sqe;
}

size_t UringServer::Pending(const Connection& connection) const {
  return connection.sending.Size() + connection.pending.Size();
}

bool UringServer::WantsRead(const Connection& connection) const {
  return !connection.closing && !connection.peer_done && Pending(connection) < config_.output_limit;
}

void UringServer::ArmAccept() {
  io_uring_sqe* sqe = NextSqe();
  if (multishot_accept_) {
    io_uring_prep_multishot_accept(sqe, listener_.Get(), nullptr, nullptr, SOCK_CLOEXEC);
  } else {
    io_uring_prep_accept(sqe, listener_.Get(), nullptr, nullptr, SOCK_CLOEXEC);
  }
  io_uring_sqe_set_data64(sqe, Tag(kAccept, 0));
  accept_armed_ = true;
}

void UringServer::ArmRecv(Connection& connection) {
  if (connection.recv_armed || !WantsRead(connection)) return;
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_recv(sqe, connection.fd, nullptr, kBufferSize, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = UringBuffers::kGroup;
  io_uring_sqe_set_data64(sqe, Tag(kRecv, connection.slot));
  connection.recv_armed = true;
}

void UringServer::ArmSend(Connection& connection) {
  if (connection.send_armed) return;
  if (connection.sending.Empty()) std::swap(connection.sending, connection.pending);
  if (connection.sending.Empty()) return;
  std::string_view bytes = connection.sending.Readable();
  io_uring_sqe* sqe = NextSqe();
  io_uring_prep_send(sqe, connection.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, Tag(kSend, connection.slot));
  connection.send_armed = true;
}

void UringServer::RefuseForLackOfDescriptors() {
  ++counters_.refused_no_descriptors;
  if (!logged_emfile_) {
    std::fprintf(stderr,
                 "c10k serve: out of file descriptors (RLIMIT_NOFILE reached): refusing new "
                 "connections until some close (logged once, counted)\n");
    logged_emfile_ = true;
  }
  // Take one connection off the queue with the spare descriptor's slot, so
  // the accept does not fail again at once.
  reserve_fd_.Reset();
  int refused = accept4(listener_.Get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (refused >= 0) close(refused);
  reserve_fd_.Reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
}

void UringServer::OnAccept(const io_uring_cqe& cqe) {
  bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
  if (!more) accept_armed_ = false;
  if (cqe.res == -EINVAL && multishot_accept_) {
    // An older kernel: accept one connection per operation instead.
    multishot_accept_ = false;
  } else if (cqe.res == -EMFILE || cqe.res == -ENFILE) {
    RefuseForLackOfDescriptors();
  } else if (cqe.res >= 0) {
    ++counters_.accepted;
    int fd = cqe.res;
    SetNoDelay(fd);
    uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.push_back(std::make_unique<Connection>());
    }
    Connection& connection = *slots_[slot];
    connection = Connection{};
    connection.slot = slot;
    connection.fd = fd;
    connection.codec = MakeServerCodec(config_.protocol, config_.codec, *state_);
    connection.live_index = live_.size();
    live_.push_back(&connection);
    ArmRecv(connection);
  } else if (cqe.res != -ECONNABORTED && cqe.res != -EINTR) {
    std::fprintf(stderr, "c10k serve: accept failed: %s\n", ErrnoText(-cqe.res).c_str());
  }
  if (!accept_armed_ && !stopping_) ArmAccept();
}

void UringServer::Feed(Connection& connection, std::string_view fresh) {
  Sink sink(*this, connection);
  ConsumeResult result = ConsumeArrived(*connection.codec, connection.input, fresh, sink);
  if (result.close || connection.input.Size() > config_.codec.max_frame + kBufferSize) {
    if (!result.close) counters_.CountProtocolError(kNoMessageBoundary);
    if (result.error) counters_.CountProtocolError(result.why);
    connection.closing = true;
    connection.input.Clear();
  }
}

void UringServer::OnRecv(Connection& connection, const io_uring_cqe& cqe) {
  connection.recv_armed = false;
  if (cqe.res == -ENOBUFS) {
    // Every pooled buffer holds data not yet consumed; retry when some return.
    if (!connection.starved) {
      connection.starved = true;
      starved_.push_back(&connection);
    }
  } else if (cqe.res > 0) {
    uint16_t id = static_cast<uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    if (!connection.closing) Feed(connection, buffers_.Data(id, static_cast<size_t>(cqe.res)));
    buffers_.Return(id);
  } else if (cqe.res == 0) {
    connection.peer_done = true;
    connection.input.Clear();
  } else if (!connection.closing) {
    counters_.CountSocketError(-cqe.res);
    connection.closing = true;
  }
  AfterProgress(connection);
}

void UringServer::OnSend(Connection& connection, const io_uring_cqe& cqe) {
  connection.send_armed = false;
  if (cqe.res < 0) {
    if (!connection.closing) counters_.CountSocketError(-cqe.res);
    connection.closing = true;
    connection.sending.Clear();
    connection.pending.Clear();
  } else {
    connection.sending.Consume(static_cast<size_t>(cqe.res));
    // Output drained below the limit: finish what was held back.
    if (!connection.closing && !connection.input.Empty() && Pending(connection) < config_.output_limit) {
      Feed(connection, {});
    }
  }
  AfterProgress(connection);
}

void UringServer::AfterProgress(Connection& connection) {
  // Replies go out even on a connection that is closing (an error reply),
  // then it closes once nothing is left to send.
  ArmSend(connection);
  bool drained = !connection.send_armed && Pending(connection) == 0;
  if ((connection.closing || connection.peer_done) && drained) {
    Close(connection);
    return;
  }
  ArmRecv(connection);
}

void UringServer::Broadcast(Connection& from, std::string_view bytes) {
  for (size_t i = 0; i < live_.size(); ++i) {
    Connection* receiver = live_[i];
    if (receiver == &from || receiver->closing) continue;
    receiver->ReplyBuffer().Append(bytes);
    if (Pending(*receiver) > config_.output_limit) {
      // A receiver that cannot keep up is dropped, not buffered for.
      ++counters_.dropped_slow_receivers;
      receiver->closing = true;
      receiver->pending.Clear();
      if (!receiver->send_armed) receiver->sending.Clear();
      Close(*receiver);
      --i;  // Close swapped another connection into this position
      continue;
    }
    ArmSend(*receiver);
  }
}

void UringServer::Close(Connection& connection) {
  connection.closing = true;
  if (connection.live_index != SIZE_MAX) {
    Connection* last = live_.back();
    live_[connection.live_index] = last;
    last->live_index = connection.live_index;
    live_.pop_back();
    connection.live_index = SIZE_MAX;
    ++counters_.closed;
  }
  if (connection.recv_armed || connection.send_armed) {
    // The operations in flight complete (with 0 or an error) once the socket
    // is shut down; the descriptor is closed after the last of them.
    shutdown(connection.fd, SHUT_RDWR);
    return;
  }
  Release(connection);
}

void UringServer::Release(Connection& connection) {
  if (connection.fd < 0) return;
  close(connection.fd);
  connection.fd = -1;
  connection.codec.reset();
  connection.input.Release();
  connection.sending.Release();
  connection.pending.Release();
  if (connection.starved) std::erase(starved_, &connection);
  connection.starved = false;
  free_slots_.push_back(connection.slot);
}

bool UringServer::Run(std::string* error) {
  io_uring_params params{};
  params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN;
  int result = io_uring_queue_init_params(kRingEntries, &ring_, &params);
  if (result == -EINVAL) {
    // Kernels before 6.0 do not know these hints; they are only hints.
    params = io_uring_params{};
    result = io_uring_queue_init_params(kRingEntries, &ring_, &params);
  }
  if (result != 0) {
    *error = "cannot set up io_uring: " + ErrnoText(-result) +
             (result == -EPERM || result == -ENOSYS ? " (io_uring is disabled or unavailable here)" : "");
    return false;
  }
  ring_ready_ = true;
  if (std::string why = buffers_.Register(&ring_); !why.empty()) {
    *error = why;
    return false;
  }
  reserve_fd_.Reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
  ArmAccept();
  io_uring_sqe* stop = NextSqe();
  io_uring_prep_poll_add(stop, StopSignalFd(), POLLIN);
  io_uring_sqe_set_data64(stop, Tag(kStop, 0));

  while (!stopping_) {
    result = io_uring_submit_and_wait(&ring_, 1);
    if (result < 0 && result != -EINTR && result != -EAGAIN && result != -EBUSY) {
      *error = "io_uring_enter failed: " + ErrnoText(-result);
      return false;
    }
    unsigned head;
    unsigned seen = 0;
    io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      uint64_t tag = io_uring_cqe_get_data64(cqe);
      auto operation = static_cast<Operation>(tag & 0xFF);
      uint32_t slot = static_cast<uint32_t>(tag >> 8);
      switch (operation) {
        case kAccept:
          OnAccept(*cqe);
          break;
        case kRecv:
          OnRecv(*slots_[slot], *cqe);
          break;
        case kSend:
          OnSend(*slots_[slot], *cqe);
          break;
        case kStop:
          stopping_ = true;
          break;
      }
    }
    io_uring_cq_advance(&ring_, seen);
    // Buffers came back during this batch: connections that found the pool
    // empty may receive again.
    if (!starved_.empty()) {
      std::vector<Connection*> retry;
      retry.swap(starved_);
      for (Connection* connection : retry) {
        connection->starved = false;
        ArmRecv(*connection);
      }
    }
  }
  return true;
}

}  // namespace

int RunUringModel(const ServerConfig& config, UniqueFd listener) {
  SetNonBlocking(listener.Get());
  UringServer server(config, std::move(listener));
  std::string error;
  bool ok = server.Run(&error);
  std::fprintf(stderr, "%s\n", server.Counters().Summary().c_str());
  if (!ok) {
    std::fprintf(stderr, "c10k serve: uring: %s\n", error.c_str());
    return 1;
  }
  return 0;
}

}  // namespace c10k
