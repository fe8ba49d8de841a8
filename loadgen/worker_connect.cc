// The connect phase of a worker: nonblocking connects, at most
// kMaxConnectsInFlight at a time (or paced by --connect-rate), each bound to
// its source address, each with its own deadline. A failed connect is counted
// by kind and never retried: the run reports what the server did. A
// connection the server announced it would close (HTTP's Connection: close)
// is opened again, as wrk does; one it closed unannounced is an error.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include "common/clock.h"
#include "common/net.h"
#include "loadgen/worker.h"

namespace c10k {

namespace {

// Connects in flight per worker. More would only overflow the server's
// accept queue (net.core.somaxconn) and turn into SYN retransmits a second
// later; this keeps connecting "as fast as the server accepts".
constexpr size_t kMaxConnectsInFlight = 512;
// From <linux/in.h>, which glibc's <netinet/in.h> cannot be included with.
constexpr int kIpLocalPortRange = 51;

}  // namespace

void Worker::StartConnects(int64_t now) {
  while (next_to_connect_ < connections_.size() && connecting_ < kMaxConnectsInFlight) {
    if (connect_interval_ns_ > 0) {
      if (next_connect_ns_ > now) return;
      next_connect_ns_ += connect_interval_ns_;
    }
    uint32_t index = static_cast<uint32_t>(next_to_connect_++);
    Connection& connection = connections_[index];
    connection.connect_started_ns = now;
    if (!OpenSocket(connection, index)) {
      connection.fd.Reset();
      connection.state = State::kClosed;
      CountConnectFailure(errno);
    }
  }
}

bool Worker::OpenSocket(Connection& connection, uint32_t index) {
  connection.fd.Reset(
      socket(config_.target.Family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  int fd = connection.fd.Get();
  if (fd < 0) return false;
  if (config_.local_ports) {
    // IP_LOCAL_PORT_RANGE (Linux 6.3): this socket's ephemeral ports come
    // from --local-ports, low 16 bits the first port, high 16 the last.
    uint32_t range = static_cast<uint32_t>(config_.local_ports->low) |
                     static_cast<uint32_t>(config_.local_ports->high) << 16;
    if (setsockopt(fd, IPPROTO_IP, kIpLocalPortRange, &range, sizeof range) != 0) return false;
  }
  if (!config_.source_addrs.empty()) {
    // Without IP_BIND_ADDRESS_NO_PORT, bind() would pick the local port before
    // the destination is known and each source address would run out after
    // its ~28,000 ephemeral ports across all destinations; with it the port is
    // chosen at connect() time per 4-tuple.
    int one = 1;
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    const SocketAddress& source =
        config_.source_addrs[connection.number % config_.source_addrs.size()];
    if (bind(fd, source.Get(), source.length) != 0) return false;
  }
  SetNoDelay(fd);
  int rc = connect(fd, config_.target.Get(), config_.target.length);
  if (rc != 0 && errno != EINPROGRESS) return false;
  epoll_event event{};
  event.events = EPOLLOUT;
  event.data.u32 = index;
  if (epoll_ctl(epoll_.Fd(), EPOLL_CTL_ADD, fd, &event) != 0) return false;
  connection.interest = kWritableInterest;
  connection.state = State::kConnecting;
  ++connecting_;
  // Even a connect that completed at once reports through EPOLLOUT, so it is
  // finished in one place.
  return true;
}

void Worker::CountConnectFailure(int error) {
  ++stats_.failed;
  ++resolved_;
  stats_.errors.Count(error);
}

void Worker::FailEveryConnect(int error) {
  for (next_to_connect_ = 0; next_to_connect_ < connections_.size(); ++next_to_connect_) {
    connections_[next_to_connect_].state = State::kClosed;
    CountConnectFailure(error);
  }
}

int64_t Worker::NextConnectExpiry() const {
  for (size_t i = expire_cursor_; i < next_to_connect_; ++i) {
    if (connections_[i].state == State::kConnecting) {
      return connections_[i].connect_started_ns + config_.connect_timeout_ns;
    }
  }
  return INT64_MAX;
}

void Worker::ExpireConnects(int64_t now) {
  while (expire_cursor_ < next_to_connect_) {
    Connection& connection = connections_[expire_cursor_];
    if (connection.state == State::kConnecting) {
      if (connection.connect_started_ns + config_.connect_timeout_ns > now) return;
      connection.fd.Reset();
      connection.state = State::kClosed;
      --connecting_;
      CountConnectFailure(ETIMEDOUT);
      // This connect waited its whole timeout and no other completed in that
      // time: the server has stopped accepting (a blocking server busy with
      // one client, a full backlog). The connects not yet started would only
      // time out too, one wave of kMaxConnectsInFlight per timeout, so a
      // 10,000-connection run against such a server would spend minutes
      // here. They are counted as not attempted instead.
      if (last_connected_ns_ < connection.connect_started_ns) GiveUpUnstartedConnects();
    }
    ++expire_cursor_;
  }
}

void Worker::GiveUpUnstartedConnects() {
  while (next_to_connect_ < connections_.size()) {
    connections_[next_to_connect_++].state = State::kClosed;
    ++stats_.failed;
    ++stats_.not_attempted;
    ++resolved_;
  }
}

void Worker::FinishConnect(Connection& connection, int64_t now) {
  int error = 0;
  socklen_t length = sizeof error;
  getsockopt(connection.fd.Get(), SOL_SOCKET, SO_ERROR, &error, &length);
  --connecting_;
  if (error != 0) {
    if (connection.reopening) {
      // The connection was open before: losing it is an error of the run's
      // traffic, not a connection that never opened.
      Fail(connection, error);
      return;
    }
    connection.fd.Reset();
    connection.state = State::kClosed;
    CountConnectFailure(error);
    return;
  }
  connection.state = State::kOpen;
  last_connected_ns_ = now;
  if (connection.reopening) {
    FinishReopen(connection, now);
    return;
  }
  ++stats_.established;
  ++resolved_;
  stats_.connect_latency.Record(now - connection.connect_started_ns);
  // Idle connections still watch for the server closing them.
  WatchOpenConnection(connection);
}

void Worker::Reopen(Connection& connection, int64_t now) {
  ++stats_.reconnects;
  NewSocket(connection, now);
}

void Worker::NewSocket(Connection& connection, int64_t now) {
  // The requests this socket left unanswered stay in flight, to go again on
  // the new one (FinishReopen).
  uint32_t unanswered = connection.in_flight;
  Close(connection);
  connection.in_flight = unanswered;
  OpenAgain(connection, now);
}

void Worker::Replace(Connection& connection, int64_t now) {
  // --reconnect-on-error. The lost socket's unanswered requests are not sent
  // again (the server may have acted on them), and its codec still expects
  // their replies: the new socket starts with a fresh one, as a new
  // connection would.
  ++stats_.replaced;
  Close(connection);
  if (connection.codec) connection.codec = MakeCodec(connection);
  OpenAgain(connection, now);
}

void Worker::OpenAgain(Connection& connection, int64_t now) {
  connection.reopening = true;
  connection.input.Clear();
  ContinueReopen(connection, now);
}

void Worker::ContinueReopen(Connection& connection, int64_t now) {
  if (!connection.reopening || connection.state != State::kClosed) return;
  // --io uring: the old socket's receive and send carry the connection's
  // index as their token, so the new socket may take it only once both have
  // ended (their completions call this again).
  if (ring_ && (connection.receive_armed || connection.send_in_flight)) return;
  connection.output.Clear();
  connection.sending.Clear();
  connection.connect_started_ns = now;
  if (!OpenSocket(connection, IndexOf(connection))) Fail(connection, errno);
}

void Worker::FinishReopen(Connection& connection, int64_t now) {
  connection.reopening = false;
  connection.socket_requests = 0;
  WatchOpenConnection(connection);
  if (!traffic_started_ || !connection.active) return;
  // The requests sent after the server's last reply were never read: they
  // go again, keeping their slots (open loop latency includes the reopen),
  // and count as the new socket's.
  for (uint32_t i = 0; i < connection.in_flight; ++i) {
    WriteRequestOnSocket(connection);
    in_flight_[connection.ring + (connection.oldest + i) % depth_].sent_ns = now;
  }
  if (config_.OpenLoop()) {
    SendDue(connection, now);
  } else if (now < measure_end_ns_) {
    SendClosedLoop(connection, now);
  } else {
    Flush(connection, now);
  }
}

}  // namespace c10k
