#include "servers/reactor.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "common/io_status.h"
#include "common/net.h"
#include "common/stop_signal.h"
#include "servers/model_runners.h"

namespace c10k {

namespace {

// One recv() takes at most this much. 64 KiB matches the loopback MTU-sized
// segments the kernel coalesces and keeps the single scratch buffer small.
constexpr size_t kReadChunk = 64 * 1024;
// Level-triggered loops accept at most this many connections per wakeup, so
// a connect storm cannot starve the clients already being served.
constexpr int kAcceptBatch = 64;

}  // namespace

struct Reactor::Connection {
  UniqueFd fd;
  std::unique_ptr<ServerCodec> codec;
  ByteBuffer input;   // received, not yet consumed (a partial message, or held back while full)
  ByteBuffer output;  // replies not yet sent
  uint8_t interest = kNoInterest;
  bool peer_done = false;  // the client half-closed (read returned 0)
  bool closing = false;    // close once the output has drained
  bool dirty = false;      // in broadcast_dirty_
  size_t live_index = 0;
};

class Reactor::Sink final : public ReplySink {
 public:
  Sink(Reactor& reactor, Connection& connection) : reactor_(reactor), connection_(connection) {}
  void Reply(std::string_view bytes) override { connection_.output.Append(bytes); }
  void Broadcast(std::string_view bytes) override { reactor_.Broadcast(connection_, bytes); }
  bool Full() const override { return connection_.output.Size() >= reactor_.config_.output_limit; }

 private:
  Reactor& reactor_;
  Connection& connection_;
};

Reactor::Reactor(std::unique_ptr<Poller> poller, UniqueFd listener, const ServerConfig& config,
                 ServerState& state, BroadcastHub* hub, int loop)
    : poller_(std::move(poller)),
      listener_(std::move(listener)),
      config_(config),
      state_(state),
      hub_(hub),
      loop_(loop),
      read_chunk_(kReadChunk) {}

Reactor::~Reactor() {
  for (auto& connection : by_fd_) {
    if (connection) poller_->Remove(connection->fd.Get());
  }
}

bool Reactor::Run(std::string* error) {
  SetNonBlocking(listener_.Get());
  reserve_fd_.Reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!poller_->Add(listener_.Get(), kReadable)) {
    *error = std::string(poller_->Name()) + " cannot watch the listening socket: " + ErrnoText(errno);
    return false;
  }
  if (StopSignalFd() >= 0 && !poller_->Add(StopSignalFd(), kReadable)) {
    *error = std::string(poller_->Name()) + " cannot watch the stop signal: " + ErrnoText(errno);
    return false;
  }
  if (hub_ && !poller_->Add(hub_->WakeFd(loop_), kReadable)) {
    *error = std::string(poller_->Name()) + " cannot watch the broadcast hub: " + ErrnoText(errno);
    return false;
  }
  while (!StopRequested()) {
    int n = poller_->Wait(fired_, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = std::string(poller_->Name()) + " wait failed: " + ErrnoText(errno);
      return false;
    }
    for (const FiredEvent& event : fired_) {
      if (event.fd == listener_.Get()) {
        AcceptReady();
      } else if (hub_ && event.fd == hub_->WakeFd(loop_)) {
        TakeHubLines();
      } else if (event.fd != StopSignalFd()) {
        HandleEvent(event);
      }
    }
    FlushBroadcastReceivers();
  }
  return true;
}

void Reactor::AcceptReady() {
  bool drain = poller_->EdgeTriggered();
  for (int accepted = 0; drain || accepted < kAcceptBatch; ++accepted) {
    int fd = accept4(listener_.Get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      Admit(UniqueFd(fd));
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno == EMFILE || errno == ENFILE) {
      if (!logged_emfile_) {
        std::fprintf(stderr,
                     "c10k serve: out of file descriptors (%s): refusing new connections "
                     "until some close (logged once, counted)\n",
                     errno == EMFILE ? "RLIMIT_NOFILE reached" : "system file table full");
        logged_emfile_ = true;
      }
      // Free the spare descriptor, take the connection off the queue and
      // close it, so the listener stops reporting readable in a busy loop.
      reserve_fd_.Reset();
      UniqueFd refused(accept4(listener_.Get(), nullptr, nullptr, SOCK_CLOEXEC));
      bool took_one = static_cast<bool>(refused);
      if (took_one) ++counters_.refused_no_descriptors;
      refused.Reset();
      reserve_fd_.Reset(open("/dev/null", O_RDONLY | O_CLOEXEC));
      if (!took_one) return;
      continue;
    }
    // EAGAIN: the queue is empty. Anything else is logged and retried on the
    // next wakeup rather than ending the server.
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      std::fprintf(stderr, "c10k serve: accept failed: %s\n", ErrnoText(errno).c_str());
    }
    return;
  }
}

void Reactor::Admit(UniqueFd fd) {
  ++counters_.accepted;
  if (fd.Get() > poller_->MaxFd()) {
    // select: FD_SET on such a descriptor would write past the fd_set.
    ++counters_.refused_fd_limit;
    ++counters_.closed;
    if (!logged_fd_limit_) {
      std::fprintf(stderr,
                   "c10k serve: %s can only watch descriptors below FD_SETSIZE (%d); "
                   "closing connections on descriptor %d and above (logged once, counted)\n",
                   std::string(poller_->Name()).c_str(), poller_->MaxFd() + 1, poller_->MaxFd() + 1);
      logged_fd_limit_ = true;
    }
    return;
  }
  SetNoDelay(fd.Get());
  auto connection = std::make_unique<Connection>();
  connection->codec = MakeServerCodec(config_.protocol, config_.codec, state_);
  connection->interest = kReadable;
  if (!poller_->Add(fd.Get(), kReadable)) {
    std::fprintf(stderr, "c10k serve: %s cannot watch a new connection: %s\n",
                 std::string(poller_->Name()).c_str(), ErrnoText(errno).c_str());
    ++counters_.closed;
    ++counters_.io_errors;
    return;
  }
  size_t slot = static_cast<size_t>(fd.Get());
  if (by_fd_.size() <= slot) by_fd_.resize(std::max(slot + 1, by_fd_.size() * 2));
  connection->fd = std::move(fd);
  connection->live_index = live_.size();
  live_.push_back(connection.get());
  by_fd_[slot] = std::move(connection);
}

void Reactor::HandleEvent(const FiredEvent& event) {
  size_t slot = static_cast<size_t>(event.fd);
  if (slot >= by_fd_.size() || !by_fd_[slot]) return;  // closed earlier in this batch
  Connection& connection = *by_fd_[slot];
  if (event.writable) {
    Flush(connection);
    if (!by_fd_[slot]) return;
    // Output drained below the limit: finish what was held back.
    if (!connection.input.Empty() && connection.output.Size() < config_.output_limit) {
      Feed(connection, {});
      Flush(connection);
      if (!by_fd_[slot]) return;
    }
  }
  if ((event.readable || event.hangup) && WantsRead(connection)) {
    ReadFrom(connection, event.hangup);
    if (!by_fd_[slot]) return;
  }
  UpdateInterest(connection);
}

bool Reactor::WantsRead(const Connection& connection) const {
  return !connection.closing && !connection.peer_done &&
         connection.output.Size() < config_.output_limit;
}

void Reactor::ReadFrom(Connection& connection, bool peer_hung_up) {
  int fd = connection.fd.Get();
  size_t slot = static_cast<size_t>(fd);
  // Level-triggered: one read per wakeup is fair and enough, the kernel will
  // report again. Edge-triggered: read until the socket is empty or we would
  // lose the rest.
  bool drain = poller_->EdgeTriggered();
  do {
    IoResult result = ReadSome(fd, read_chunk_.data(), read_chunk_.size());
    if (result.status == IoStatus::kRetry) break;
    if (result.status == IoStatus::kClosed) {
      connection.peer_done = true;
      break;
    }
    if (result.status == IoStatus::kError) {
      counters_.CountSocketError(result.error);
      Close(connection);
      return;
    }
    Feed(connection, {read_chunk_.data(), result.bytes});
    Flush(connection);
    if (!by_fd_[slot]) return;
    // A short read emptied the socket's receive queue: data that arrives
    // later raises a new edge, so the recv that would only say EAGAIN can be
    // skipped (nginx does the same). It saves a system call per request.
    // Not after a hangup: the end of stream raises no further edge, and only
    // the next recv (returning 0) tells it.
    if (result.bytes < read_chunk_.size() && !peer_hung_up) break;
  } while (drain && WantsRead(connection));
  if (connection.peer_done) {
    // The client will send nothing more; an incomplete message is dropped.
    connection.input.Clear();
    Flush(connection);
  }
}

void Reactor::Feed(Connection& connection, std::string_view fresh) {
  Sink sink(*this, connection);
  ConsumeResult result = ConsumeArrived(*connection.codec, connection.input, fresh, sink);
  if (result.close) {
    if (result.error) counters_.CountProtocolError(result.why);
    connection.closing = true;
    connection.input.Clear();
    return;
  }
  // The codec must find a message boundary within max-frame bytes; if not,
  // the input is garbage or hostile and keeping it would grow without bound.
  if (connection.input.Size() > config_.codec.max_frame + kReadChunk) {
    counters_.CountProtocolError(kNoMessageBoundary);
    connection.closing = true;
    connection.input.Clear();
  }
}

void Reactor::Flush(Connection& connection) {
  while (!connection.output.Empty()) {
    std::string_view pending = connection.output.Readable();
    IoResult result = WriteSome(connection.fd.Get(), pending.data(), pending.size());
    if (result.status == IoStatus::kOk) {
      connection.output.Consume(result.bytes);
      continue;
    }
    if (result.status == IoStatus::kRetry) return;
    counters_.CountSocketError(result.error);
    Close(connection);
    return;
  }
  if (connection.closing || connection.peer_done) Close(connection);
}

void Reactor::UpdateInterest(Connection& connection) {
  uint8_t wanted = kNoInterest;
  if (WantsRead(connection)) wanted |= kReadable;
  if (!connection.output.Empty()) wanted |= kWritable;
  if (wanted == connection.interest) return;
  if (!poller_->Modify(connection.fd.Get(), wanted)) {
    ++counters_.io_errors;
    Close(connection);
    return;
  }
  connection.interest = wanted;
}

void Reactor::Broadcast(Connection& from, std::string_view bytes) {
  BroadcastLocally(&from, bytes);
  if (hub_) hub_->Publish(loop_, bytes);
}

void Reactor::TakeHubLines() {
  hub_->Take(loop_, hub_lines_);
  if (!hub_lines_.empty()) BroadcastLocally(nullptr, hub_lines_);
}

void Reactor::BroadcastLocally(const Connection* from, std::string_view bytes) {
  for (Connection* receiver : live_) {
    if (receiver == from || receiver->closing) continue;
    receiver->output.Append(bytes);
    if (!receiver->dirty) {
      receiver->dirty = true;
      broadcast_dirty_.push_back(receiver);
    }
  }
}

void Reactor::FlushBroadcastReceivers() {
  // Receivers are flushed once per loop iteration, not once per line, so a
  // burst of lines costs one write per receiver. A receiver that cannot take
  // its output and stays over the limit is dropped: one slow reader must not
  // make the server buffer without bound.
  std::vector<Connection*> dirty;
  dirty.swap(broadcast_dirty_);
  for (Connection* receiver : dirty) {
    int fd = receiver->fd.Get();
    receiver->dirty = false;
    Flush(*receiver);
    Connection* still = by_fd_[static_cast<size_t>(fd)].get();
    if (still != receiver) continue;
    if (receiver->output.Size() > config_.output_limit) {
      ++counters_.dropped_slow_receivers;
      Close(*receiver);
      continue;
    }
    UpdateInterest(*receiver);
  }
  dirty.clear();
  if (broadcast_dirty_.empty()) broadcast_dirty_.swap(dirty);
}

void Reactor::Close(Connection& connection) {
  int fd = connection.fd.Get();
  poller_->Remove(fd);
  ++counters_.closed;
  // Swap-remove from the live list.
  Connection* last = live_.back();
  live_[connection.live_index] = last;
  last->live_index = connection.live_index;
  live_.pop_back();
  if (connection.dirty) {
    std::erase(broadcast_dirty_, &connection);
  }
  by_fd_[static_cast<size_t>(fd)].reset();
}

int RunReactorModel(const ServerConfig& config, UniqueFd listener) {
  std::string error;
  auto poller = MakePoller(config.model, &error);
  if (!poller) {
    std::fprintf(stderr, "c10k serve: %s\n", error.c_str());
    return 1;
  }
  auto state = MakeServerState(config.protocol);
  Reactor reactor(std::move(poller), std::move(listener), config, *state);
  bool ok = reactor.Run(&error);
  std::fprintf(stderr, "%s\n", reactor.Counters().Summary().c_str());
  if (!ok) {
    std::fprintf(stderr, "c10k serve: %s\n", error.c_str());
    return 1;
  }
  return 0;
}

}  // namespace c10k
