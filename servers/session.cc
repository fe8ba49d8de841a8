#include "servers/session.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/io_status.h"
#include "common/net.h"
#include "common/stop_signal.h"
#include "servers/server_counters.h"

namespace c10k {

namespace {

// One page per read: a thread-per-client server holds a buffer per client, so
// this sets its memory per connection (15,000 clients: 60 MiB); larger reads
// would buy little for the small messages these models are measured with.
constexpr size_t kReadChunk = 4096;
// Room for a small reply (echo, http and resp's are under 200 bytes); larger
// ones grow the buffer as they come.
constexpr size_t kFirstReplyRoom = 512;

}  // namespace

Session::Session(UniqueFd fd, const ServerConfig& config, ServerState& state,
                 SessionRegistry* registry)
    : fd_(std::move(fd)),
      config_(config),
      codec_(MakeServerCodec(config.protocol, config.codec, state)),
      registry_(registry),
      // Allocated here, by the thread that accepts, so that a client thread
      // serves its first requests without calling malloc. When thousands of
      // client threads start at once, their first mallocs queue on glibc's
      // few arena locks, and a thread holding one waits its turn among
      // thousands of runnable threads: at 15,000 connections, the first
      // requests of hundreds of them went unanswered for more than 5 s.
      input_(kReadChunk),
      output_(kFirstReplyRoom) {
  SetNonBlocking(fd_.Get());
  SetNoDelay(fd_.Get());
  if (registry_) inbox_wake_.Reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
}

Session::~Session() = default;

void Session::Broadcast(std::string_view bytes) {
  if (registry_) registry_->Broadcast(this, bytes);
}

void Session::Deliver(std::string_view bytes) {
  std::lock_guard lock(inbox_mutex_);
  if (dropped_) return;
  inbox_.Append(bytes);
  if (inbox_.Size() > config_.output_limit) {
    // The owner thread sees the flag when the shutdown wakes its poll.
    dropped_ = true;
    shutdown(fd_.Get(), SHUT_RDWR);
    return;
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(inbox_wake_.Get(), &one, sizeof one);
}

void Session::TakeInbox() {
  uint64_t count;
  [[maybe_unused]] ssize_t n = read(inbox_wake_.Get(), &count, sizeof count);
  std::lock_guard lock(inbox_mutex_);
  output_.Append(inbox_.Readable());
  inbox_.Clear();
}

bool Session::Flush() {
  while (!output_.Empty()) {
    std::string_view pending = output_.Readable();
    IoResult result = WriteSome(fd_.Get(), pending.data(), pending.size());
    if (result.status == IoStatus::kRetry) return true;
    if (!result.Ok()) {
      error_ = result.error;
      return false;
    }
    output_.Consume(result.bytes);
  }
  return true;
}

void Session::ConsumeInput() {
  ConsumeResult result = codec_->Consume(input_.Readable(), *this);
  input_.Consume(result.consumed);
  if (result.close) {
    closing_ = true;
    if (result.error) {
      end_ = SessionEnd::kProtocolError;
      protocol_error_ = result.why;
    }
  } else if (input_.Size() > config_.codec.max_frame + kReadChunk) {
    // No message boundary within --max-frame: garbage, or hostile.
    closing_ = true;
    end_ = SessionEnd::kProtocolError;
    protocol_error_ = kNoMessageBoundary;
  }
}

SessionEnd Session::Serve() {
  while (true) {
    if (dropped_) return SessionEnd::kDroppedSlow;
    // Input held back while the output was full is finished first.
    if (!closing_ && !input_.Empty() && !Full()) ConsumeInput();
    if (!Flush()) return SocketFailure();
    if ((peer_done_ || closing_) && output_.Empty()) return end_;
    bool want_read = !peer_done_ && !closing_ && !Full();
    pollfd waits[3] = {
        {fd_.Get(), static_cast<short>((want_read ? POLLIN : 0) | (output_.Empty() ? 0 : POLLOUT)), 0},
        {StopSignalFd(), POLLIN, 0},
        {inbox_wake_.Get(), POLLIN, 0},
    };
    int n = poll(waits, inbox_wake_ ? 3 : 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SessionEnd::kIoError;
    }
    if (waits[1].revents) return SessionEnd::kStopped;
    if (inbox_wake_ && waits[2].revents) TakeInbox();
    if (!want_read || !(waits[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char* into = input_.Reserve(kReadChunk).data();
    IoResult result = ReadSome(fd_.Get(), into, kReadChunk);
    if (result.status == IoStatus::kRetry) continue;
    if (result.status == IoStatus::kClosed) {
      // A half-close: the client still gets every reply, then EOF.
      peer_done_ = true;
      continue;
    }
    if (result.status == IoStatus::kError) {
      error_ = result.error;
      return SocketFailure();
    }
    input_.Commit(result.bytes);
    ConsumeInput();
  }
}

SessionEnd Session::SocketFailure() const {
  return error_ == ECONNRESET || error_ == EPIPE ? SessionEnd::kReset : SessionEnd::kIoError;
}

void CountSessionEnd(SessionEnd end, std::string_view protocol_error, ServerCounters& counters) {
  ++counters.closed;
  if (end == SessionEnd::kProtocolError) counters.CountProtocolError(protocol_error);
  if (end == SessionEnd::kReset) ++counters.resets;
  if (end == SessionEnd::kIoError) ++counters.io_errors;
  if (end == SessionEnd::kDroppedSlow) ++counters.dropped_slow_receivers;
}

void SessionRegistry::Add(Session* session) {
  std::lock_guard lock(mutex_);
  sessions_.push_back(session);
}

void SessionRegistry::Remove(Session* session) {
  std::lock_guard lock(mutex_);
  std::erase(sessions_, session);
}

void SessionRegistry::Broadcast(const Session* from, std::string_view bytes) {
  std::lock_guard lock(mutex_);
  for (Session* session : sessions_) {
    if (session != from) session->Deliver(bytes);
  }
}

}  // namespace c10k
