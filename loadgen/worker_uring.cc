// A worker's traffic through an io_uring (--io uring). The connect phase,
// the stop signal and the run clock stay on epoll, whose set the ring watches
// as one more file; an open connection leaves the epoll set and is served by
// the ring: one multishot receive armed for its whole life, and sends queued
// while the worker handles a batch, all submitted by the wait for the next.
// Requests and replies themselves go through worker_traffic.cc as on epoll.
#include <sys/epoll.h>

#include <cerrno>
#include <utility>

#include "loadgen/worker.h"

namespace c10k {

namespace {

// The token of the ring's watch on the epoll set; connection indexes stay
// below it (--connections is at most 10,000,000).
constexpr uint32_t kEpollToken = 0xFFFFFFu;

}  // namespace

void Worker::OpenRing() {
  ring_ = std::make_unique<ClientRing>();
  if (std::string error = ring_->Open(connections_.size()); !error.empty()) {
    // `c10k load` probed the kernel before starting, so this is rare (memory):
    // the run reports every connection as failed, as when epoll cannot open.
    ring_.reset();
    FailEveryConnect(ENOMEM);
    return;
  }
  ring_->WatchReadable(epoll_.Fd(), kEpollToken);
  // With one request in flight (--depth 1) every send carries exactly the one
  // request, and the next is made only after its reply. A complete reply
  // means the server read the whole request, so the kernel had finished
  // copying it: the send is done, and a completion of its own would only end
  // the wait early (the send completes during the very io_uring_enter that
  // submits it) and cost a second io_uring_enter per batch, ~0.45 us per
  // request at 50 connections. Line messages get no replies, and deeper
  // pipelines send while earlier replies are outstanding: those sends report.
  // So do the sends of a run that replaces lost connections: a socket the
  // server dropped leaves its last send unconfirmed, and the new socket,
  // which takes the same token, must wait for that send's completion.
  replies_confirm_sends_ = depth_ == 1 && !Line() && !config_.reconnect_on_error;
}

int Worker::WaitOnRing(epoll_event* events, int max_events, int64_t deadline_ns, int64_t now) {
  // Events the last epoll_wait had no room for are still ready, and the
  // ring's watch fires on new readiness only: take them without sleeping.
  epoll_ready_ = epoll_backlog_;
  ring_->Wait(epoll_backlog_ ? now : deadline_ns, now, *this);
  if (!epoll_ready_) return 0;
  int n = epoll_.Wait(events, max_events, now, now);  // a deadline of now: no wait
  epoll_backlog_ = n == max_events;
  return n;
}

void Worker::WatchOpenConnection(Connection& connection) {
  if (!ring_) {
    SetInterest(connection, kReadableInterest);
    return;
  }
  epoll_ctl(epoll_.Fd(), EPOLL_CTL_DEL, connection.fd.Get(), nullptr);
  connection.interest = 0;
  ring_->Receive(connection.fd.Get(), IndexOf(connection));
  connection.receive_armed = true;
}

void Worker::SendThroughRing(Connection& connection) {
  if (connection.send_in_flight) return;  // its completion sends what follows
  if (connection.sending.Empty()) {
    if (connection.output.Empty()) return;
    // The two buffers trade places, so neither is ever copied or reallocated
    // while the kernel reads it.
    std::swap(connection.sending, connection.output);
  }
  connection.send_in_flight = true;
  ring_->Send(connection.fd.Get(), IndexOf(connection), connection.sending.Readable(),
              !replies_confirm_sends_);
}

void Worker::ReplyConfirmedSend(Connection& connection, int64_t now) {
  if (connection.in_flight > 0) return;
  if (InWindow(now)) stats_.bytes_sent += connection.sending.Size();
  connection.send_in_flight = false;
  connection.sending.Clear();
}

void Worker::OnCompletion(const RingCompletion& completion, int64_t now) {
  if (completion.operation == RingCompletion::kReadable) {
    epoll_ready_ = true;
    if (completion.ended) ring_->WatchReadable(epoll_.Fd(), kEpollToken);
    return;
  }
  Connection& connection = connections_[completion.token];
  if (completion.operation == RingCompletion::kSend) {
    OnSent(connection, completion.result, now);
  } else {
    OnReceived(connection, completion, now);
  }
}

void Worker::OnReceived(Connection& connection, const RingCompletion& completion, int64_t now) {
  if (completion.ended) connection.receive_armed = false;
  if (connection.state == State::kClosing) {
    // Bytes after the reply that announced the close answer nothing; the
    // close itself (or an error) opens the next socket.
    if (completion.result == 0 || (completion.result < 0 && completion.result != -ENOBUFS)) {
      NewSocket(connection, now);
      return;
    }
  } else if (connection.state != State::kOpen) {
    // A connection closed meanwhile: this is its receive ending, which a
    // connection being opened again may have waited for.
    ContinueReopen(connection, now);
    return;
  } else if (completion.result > 0) {
    ReplyBytes(connection, completion.data, now);
  } else if (completion.result == 0) {
    ServerClosed(connection, now);
  } else if (completion.result != -ENOBUFS) {
    Lose(connection, -completion.result, now);
  }
  // The kernel stopped the multishot receive (the buffer pool ran dry, or it
  // chose to): every buffer of this batch is back before the next submit, so
  // it can be armed again at once.
  if (completion.ended &&
      (connection.state == State::kOpen || connection.state == State::kClosing)) {
    ring_->Receive(connection.fd.Get(), IndexOf(connection));
    connection.receive_armed = true;
  }
}

void Worker::OnSent(Connection& connection, int result, int64_t now) {
  connection.send_in_flight = false;
  if (connection.state != State::kOpen) {
    ContinueReopen(connection, now);
    return;
  }
  if (result < 0) {
    Lose(connection, -result, now);
    return;
  }
  if (InWindow(now)) stats_.bytes_sent += static_cast<uint64_t>(result);
  connection.sending.Consume(static_cast<size_t>(result));
  SendThroughRing(connection);  // the rest, or what was queued meanwhile
  ResumeLineSender(connection, now);
}

}  // namespace c10k
