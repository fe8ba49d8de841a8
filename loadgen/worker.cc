#include "loadgen/worker.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "common/clock.h"
#include "common/io_status.h"
#include "common/net.h"
#include "common/stop_signal.h"

namespace c10k {

namespace {

constexpr size_t kReadChunk = 64 * 1024;
// Connects in flight per worker. More would only overflow the server's
// accept queue (net.core.somaxconn) and turn into SYN retransmits a second
// later; this keeps connecting "as fast as the server accepts".
constexpr size_t kMaxConnectsInFlight = 512;
constexpr int64_t kPublishEvery = 100 * kNanosPerMilli;
constexpr int kMaxEvents = 1024;

}  // namespace

Worker::Worker(const LoadConfig& config, int first, int stride, RunClock& clock,
               WorkerProgress& progress)
    : config_(config), clock_(clock), progress_(progress), read_chunk_(kReadChunk) {
  int active = config.ActiveConnections();
  for (int i = first; i < config.connections; i += stride) global_index_.push_back(i);
  // All per-connection state is allocated here, before the run.
  connections_.resize(global_index_.size());
  for (size_t i = 0; i < connections_.size(); ++i) {
    Connection& connection = connections_[i];
    // The active connections are spread evenly over the run's connection
    // numbers, so every worker gets its share of traffic.
    connection.active = static_cast<int64_t>(global_index_[i]) * active / config.connections !=
                        (static_cast<int64_t>(global_index_[i]) + 1) * active / config.connections;
    if (connection.active) {
      ClientCodecOptions options;
      options.message_size = config.message_size;
      options.stream_seed = global_index_[i] * 7919;
      connection.codec = MakeClientCodec(config.protocol, options);
      connection.sent_at.assign(static_cast<size_t>(config.depth), 0);
    }
  }
  int64_t seconds = (config.duration_ns + kNanosPerSecond - 1) / kNanosPerSecond;
  stats_.timeseries.resize(static_cast<size_t>(std::max<int64_t>(seconds, 1)));
}

Worker::~Worker() = default;

void Worker::Run() {
  epoll_.Reset(epoll_create1(EPOLL_CLOEXEC));
  std::vector<epoll_event> events(kMaxEvents);
  int64_t now = MonotonicNanos();
  connect_deadline_ns_ = now + config_.connect_timeout_ns;
  StartConnects(now);
  while (true) {
    now = MonotonicNanos();
    if (clock_.stop.load(std::memory_order_relaxed) || StopRequested()) break;
    if (!reported_connected_) {
      ExpireConnects(now);
      if (resolved_ == connections_.size()) {
        reported_connected_ = true;
        next_publish_ns_ = 0;
        PublishProgress(now);
        clock_.workers_connected.fetch_add(1);
      }
    }
    if (!traffic_started_) {
      int64_t start = clock_.traffic_start_ns.load(std::memory_order_acquire);
      if (start != 0) {
        measure_start_ns_ = start + config_.warmup_ns;
        measure_end_ns_ = measure_start_ns_ + config_.duration_ns;
        StartTraffic(now);
      }
    }
    if (now >= measure_end_ns_) break;
    PublishProgress(now);

    // Wake for the next phase boundary or progress report, whichever is first.
    int64_t wake = next_publish_ns_;
    if (now < measure_start_ns_) wake = std::min(wake, measure_start_ns_);
    wake = std::min(wake, measure_end_ns_);
    int timeout_ms = static_cast<int>(std::clamp<int64_t>(
        (wake - now + kNanosPerMilli - 1) / kNanosPerMilli, 0, 100));
    int n = epoll_wait(epoll_.Get(), events.data(), kMaxEvents, timeout_ms);
    if (n < 0) continue;  // EINTR
    now = MonotonicNanos();
    for (int i = 0; i < n; ++i) HandleEvent(events[i].data.u32, events[i].events, now);
    if (next_to_connect_ < connections_.size()) StartConnects(now);
  }
  for (auto& connection : connections_) {
    if (connection.state == State::kOpen || connection.state == State::kConnecting) {
      connection.fd.Reset();
      connection.state = State::kClosed;
    }
  }
  next_publish_ns_ = 0;
  PublishProgress(MonotonicNanos());
}

void Worker::StartConnects(int64_t now) {
  while (next_to_connect_ < connections_.size() && connecting_ < kMaxConnectsInFlight) {
    uint32_t index = static_cast<uint32_t>(next_to_connect_++);
    Connection& connection = connections_[index];
    connection.connect_started_ns = now;
    UniqueFd fd(socket(config_.target.Family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
      connection.state = State::kClosed;
      CountConnectFailure(errno);
      continue;
    }
    SetNoDelay(fd.Get());
    int rc = connect(fd.Get(), config_.target.Get(), config_.target.length);
    if (rc != 0 && errno != EINPROGRESS) {
      connection.state = State::kClosed;
      CountConnectFailure(errno);
      continue;
    }
    epoll_event event{};
    event.events = EPOLLOUT;
    event.data.u32 = index;
    epoll_ctl(epoll_.Get(), EPOLL_CTL_ADD, fd.Get(), &event);
    connection.fd = std::move(fd);
    connection.interest = kWritableInterest;
    connection.state = State::kConnecting;
    ++connecting_;
    if (rc == 0) FinishConnect(connection, now);
  }
}

void Worker::CountConnectFailure(int error) {
  ++stats_.failed;
  ++resolved_;
  if (error == ECONNREFUSED) {
    ++stats_.errors.refused;
  } else if (error == ETIMEDOUT) {
    ++stats_.errors.timeout;
  } else if (error == ECONNRESET) {
    ++stats_.errors.reset;
  } else {
    ++stats_.errors.other;
  }
}

void Worker::ExpireConnects(int64_t now) {
  if (now < connect_deadline_ns_ || connecting_ == 0) return;
  for (auto& connection : connections_) {
    if (connection.state != State::kConnecting) continue;
    connection.fd.Reset();
    connection.state = State::kClosed;
    --connecting_;
    CountConnectFailure(ETIMEDOUT);
  }
  // Connections never attempted count as timed out too.
  while (next_to_connect_ < connections_.size()) {
    connections_[next_to_connect_++].state = State::kClosed;
    CountConnectFailure(ETIMEDOUT);
  }
}

void Worker::FinishConnect(Connection& connection, int64_t now) {
  int error = 0;
  socklen_t length = sizeof error;
  getsockopt(connection.fd.Get(), SOL_SOCKET, SO_ERROR, &error, &length);
  --connecting_;
  if (error != 0) {
    connection.fd.Reset();
    connection.state = State::kClosed;
    CountConnectFailure(error);
    return;
  }
  connection.state = State::kOpen;
  ++stats_.established;
  ++resolved_;
  stats_.connect_latency.Record(now - connection.connect_started_ns);
  // Idle connections still watch for the server closing them.
  SetInterest(connection, kReadableInterest);
  if (traffic_started_ && connection.active) SendRequests(connection, now);
}

void Worker::StartTraffic(int64_t now) {
  traffic_started_ = true;
  for (auto& connection : connections_) {
    if (connection.state == State::kOpen && connection.active) SendRequests(connection, now);
  }
}

void Worker::SendRequests(Connection& connection, int64_t now) {
  // Closed loop: top the connection up to `depth` requests in flight, all in
  // one write.
  size_t depth = connection.sent_at.size();
  while (connection.in_flight < depth) {
    connection.codec->WriteRequest(connection.output);
    connection.sent_at[(connection.oldest + connection.in_flight) % depth] = now;
    ++connection.in_flight;
  }
  Flush(connection);
}

void Worker::Flush(Connection& connection) {
  while (!connection.output.Empty()) {
    std::string_view pending = connection.output.Readable();
    IoResult result = WriteSome(connection.fd.Get(), pending.data(), pending.size());
    if (result.status == IoStatus::kOk) {
      if (InWindow(MonotonicNanos())) stats_.bytes_sent += result.bytes;
      connection.output.Consume(result.bytes);
      continue;
    }
    if (result.status == IoStatus::kRetry) {
      SetInterest(connection, kReadableInterest | kWritableInterest);
      return;
    }
    Fail(connection, result.error);
    return;
  }
  SetInterest(connection, kReadableInterest);
}

void Worker::HandleEvent(uint32_t index, uint32_t events, int64_t now) {
  Connection& connection = connections_[index];
  if (connection.state == State::kConnecting) {
    FinishConnect(connection, now);
    return;
  }
  if (connection.state != State::kOpen) return;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    ReadReplies(connection, now);
    if (connection.state != State::kOpen) return;
  }
  if (events & EPOLLOUT) Flush(connection);
}

void Worker::ReadReplies(Connection& connection, int64_t now) {
  IoResult result = ReadSome(connection.fd.Get(), read_chunk_.data(), read_chunk_.size());
  if (result.status == IoStatus::kRetry) return;
  if (result.status == IoStatus::kClosed) {
    ++stats_.errors.closed_by_server;
    Close(connection);
    return;
  }
  if (result.status == IoStatus::kError) {
    Fail(connection, result.error);
    return;
  }
  bool in_window = InWindow(now);
  if (in_window) stats_.bytes_received += result.bytes;
  if (!connection.active) {
    // An idle connection must never receive anything.
    ++stats_.errors.protocol;
    Close(connection);
    return;
  }
  std::string_view data(read_chunk_.data(), result.bytes);
  bool buffered = !connection.input.Empty();
  if (buffered) {
    connection.input.Append(data);
    data = connection.input.Readable();
  }
  ReplyParse parse = connection.codec->ParseReplies(data);
  if (buffered) {
    connection.input.Consume(parse.consumed);
  } else if (parse.consumed < data.size()) {
    connection.input.Append(data.substr(parse.consumed));
  }
  size_t depth = connection.sent_at.size();
  for (uint32_t i = 0; i < parse.completed && connection.in_flight > 0; ++i) {
    int64_t sent = connection.sent_at[connection.oldest];
    connection.oldest = (connection.oldest + 1) % depth;
    --connection.in_flight;
    if (!in_window) continue;
    int64_t latency = now - sent;
    stats_.latency.Record(latency);
    stats_.latency_uncorrected.Record(latency);
    IntervalStats& second =
        stats_.timeseries[std::min<size_t>((now - measure_start_ns_) / kNanosPerSecond,
                                           stats_.timeseries.size() - 1)];
    ++second.requests;
    second.latency.Record(latency);
    ++stats_.requests;
  }
  if (in_window) stats_.mismatches += parse.mismatches;
  if (parse.protocol_error) {
    ++stats_.errors.protocol;
    Close(connection);
    return;
  }
  if (now < measure_end_ns_) SendRequests(connection, now);
}

void Worker::SetInterest(Connection& connection, uint8_t interest) {
  if (connection.interest == interest) return;
  epoll_event event{};
  event.data.u32 = static_cast<uint32_t>(&connection - connections_.data());
  if (interest & kReadableInterest) event.events |= EPOLLIN;
  if (interest & kWritableInterest) event.events |= EPOLLOUT;
  epoll_ctl(epoll_.Get(), EPOLL_CTL_MOD, connection.fd.Get(), &event);
  connection.interest = interest;
}

void Worker::Fail(Connection& connection, int error) {
  if (error == ECONNRESET || error == EPIPE) {
    ++stats_.errors.reset;
  } else if (error == ETIMEDOUT) {
    ++stats_.errors.timeout;
  } else {
    ++stats_.errors.other;
  }
  Close(connection);
}

void Worker::Close(Connection& connection) {
  connection.fd.Reset();
  connection.state = State::kClosed;
  connection.in_flight = 0;
}

void Worker::PublishProgress(int64_t now) {
  if (now < next_publish_ns_) return;
  next_publish_ns_ = now + kPublishEvery;
  progress_.established.store(stats_.established, std::memory_order_relaxed);
  progress_.requests.store(stats_.requests, std::memory_order_relaxed);
  if (now >= measure_start_ns_) {
    size_t second = std::min<size_t>((now - measure_start_ns_) / kNanosPerSecond,
                                     stats_.timeseries.size() - 1);
    progress_.p99_ns.store(stats_.timeseries[second].latency.Percentile(99),
                           std::memory_order_relaxed);
  }
}

}  // namespace c10k
