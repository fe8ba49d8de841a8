#include "loadgen/worker.h"

#include <sys/prctl.h>

#include <algorithm>
#include <cerrno>

#include "common/clock.h"
#include "common/quotable.h"
#include "common/stop_signal.h"

namespace c10k {

namespace {

constexpr size_t kReadChunk = 64 * 1024;
// Often enough that the live line, sampling every 500 ms, sees a smooth rate.
constexpr int64_t kPublishEvery = 20 * kNanosPerMilli;
// Requests are checked against --timeout this often: coarse enough to cost
// nothing at 10,000 connections, fine enough for a multi-second timeout.
constexpr int64_t kTimeoutScanEvery = 50 * kNanosPerMilli;
// Line: how long after the window closes receivers wait for messages still on
// their way, at most (and never longer than --timeout).
constexpr int64_t kMaxLineDrain = 2 * kNanosPerSecond;
constexpr int kMaxEvents = 1024;
constexpr uint32_t kStopToken = 0xFFFFFFF0u;
constexpr uint32_t kWakeToken = 0xFFFFFFF1u;
// The kernel's default timer slack (50 us) would let an open-loop wake-up
// fire that much late; 1 us keeps the schedule honest.
constexpr unsigned long kTimerSlackNanos = 1000;

}  // namespace

Worker::Worker(const LoadConfig& config, int first, int stride, RunClock& clock,
               WorkerProgress& progress, SecondsCollector& seconds)
    : config_(config),
      clock_(clock),
      progress_(progress),
      first_(first),
      depth_(static_cast<uint32_t>(std::max(config.depth, 1))),
      requests_per_socket_(config.requests_per_connection > 0 ? config.requests_per_connection
                                                              : UINT64_MAX),
      read_chunk_(kReadChunk),
      this_second_(seconds, first) {
  int64_t total = config.connections;
  int64_t active = config.ActiveConnections();
  size_t mine = 0;
  for (int64_t i = first; i < total; i += stride) ++mine;
  // All per-connection state is allocated here, before the run.
  connections_.resize(mine);
  size_t active_here = 0;
  for (size_t k = 0; k < mine; ++k) {
    Connection& connection = connections_[k];
    int64_t number = first + static_cast<int64_t>(k) * stride;
    connection.number = static_cast<uint32_t>(number);
    // The active connections are spread evenly over the run's connection
    // numbers, so every worker gets its share of traffic; active_index counts
    // them 0..active-1.
    int64_t active_index = number * active / total;
    connection.active = active_index != (number + 1) * active / total;
    if (connection.active || Line()) connection.codec = MakeCodec(connection);
    if (connection.active) {
      connection.ring = static_cast<uint32_t>(active_here * depth_);
      ++active_here;
      // Open loop: phases evenly spaced over one interval, so that together
      // the connections send at an even rate with no bursts.
      if (config.OpenLoop()) {
        connection.next_intended_ns =
            static_cast<int64_t>(static_cast<double>(active_index) * kNanosPerSecond / config.rate);
      }
    }
  }
  if (!Line()) in_flight_.resize(active_here * depth_);
  if (config.OpenLoop()) {
    interval_ns_ = std::max<int64_t>(
        1, static_cast<int64_t>(static_cast<double>(active) * kNanosPerSecond / config.rate));
    schedule_.Reserve(active_here);
  }
  if (config.connect_rate > 0) {
    connect_interval_ns_ = std::max<int64_t>(
        1, static_cast<int64_t>(config.threads * kNanosPerSecond / config.connect_rate));
  }
}

std::unique_ptr<ClientCodec> Worker::MakeCodec(const Connection& connection) const {
  ClientCodecOptions options;
  options.message_size = config_.message_size;
  options.stream_seed = static_cast<uint64_t>(connection.number) * 7919;
  options.keys = config_.keys;
  options.ratio = config_.ratio;
  options.http_host = config_.target_text;
  options.http_method = config_.http_method;
  options.http_path = config_.http_path;
  options.http_body = config_.http_body;
  options.http_headers = config_.http_headers;
  options.sender = connection.number;
  return MakeClientCodec(config_.protocol, options);
}

Worker::~Worker() = default;

void Worker::Run() {
  prctl(PR_SET_TIMERSLACK, kTimerSlackNanos);
  if (!epoll_.Open()) FailEveryConnect(errno);
  for (auto [fd, token] :
       {std::pair{StopSignalFd(), kStopToken}, {clock_.wake.Get(), kWakeToken}}) {
    if (fd < 0 || epoll_.Fd() < 0) continue;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u32 = token;
    epoll_ctl(epoll_.Fd(), EPOLL_CTL_ADD, fd, &event);
  }
  if (config_.io == LoadIo::kUring) OpenRing();
  std::vector<epoll_event> events(kMaxEvents);
  int64_t now = MonotonicNanos();
  // Paced workers start a fraction of an interval apart, like the open loop.
  next_connect_ns_ = now + connect_interval_ns_ * first_ / std::max(config_.threads, 1);
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
    CheckTrafficStart(now);
    // Before the window closes: a slot due in its last moment is sent late
    // (its lag recorded), not counted unsent because this wakeup came after
    // the end.
    RunTimers(now);
    EndWindowAtRequests();
    if (now >= measure_end_ns_) {
      if (!window_closed_) CloseWindow(now);
      if (!LinesStillArriving(now)) break;
    }
    PublishProgress(now);
    int n = ring_ ? WaitOnRing(events.data(), kMaxEvents, NextWake(now), now)
                  : epoll_.Wait(events.data(), kMaxEvents, NextWake(now), now);
    now = MonotonicNanos();
    for (int i = 0; i < n; ++i) {
      uint32_t token = events[i].data.u32;
      if (token == kStopToken) continue;
      if (token == kWakeToken) {
        // Level-triggered and never read (every worker must see it): stop
        // watching it once it has done its job.
        epoll_ctl(epoll_.Fd(), EPOLL_CTL_DEL, clock_.wake.Get(), nullptr);
        continue;
      }
      HandleEvent(token, events[i].events, now);
    }
  }
  now = MonotonicNanos();
  if (traffic_started_ && !window_closed_) CloseWindow(std::min(now, measure_end_ns_));
  FinishLineCounts();
  // The ring goes first: its receives hold their sockets open until it does.
  ring_.reset();
  for (auto& connection : connections_) {
    connection.fd.Reset();
    connection.state = State::kClosed;
  }
  next_publish_ns_ = 0;
  PublishProgress(now);
  this_second_.Finish();
}

void Worker::CheckTrafficStart(int64_t now) {
  if (traffic_started_) return;
  int64_t start = clock_.traffic_start_ns.load(std::memory_order_acquire);
  if (start == 0) return;
  measure_start_ns_ = config_.MeasureStartNs(start);
  measure_end_ns_ = config_.MeasureEndNs(start);
  if (!Line()) next_timeout_scan_ns_ = now + kTimeoutScanEvery;
  StartTraffic(start, now);
}

void Worker::RunTimers(int64_t now) {
  if (next_to_connect_ < connections_.size()) StartConnects(now);
  if (!window_closed_) {
    // Every slot in the schedule is due before the window's end.
    uint32_t index = 0;
    while (schedule_.PopDue(now, &index)) {
      Connection& connection = connections_[index];
      connection.scheduled = false;
      if (connection.state == State::kOpen) SendDue(connection, now);
    }
  }
  if (now >= next_timeout_scan_ns_) {
    ExpireRequests(now);
    next_timeout_scan_ns_ = now + kTimeoutScanEvery;
  }
}

void Worker::EndWindowAtRequests() {
  if (config_.requests == 0 || window_closed_) return;
  int64_t done = clock_.requests_done_ns.load(std::memory_order_acquire);
  if (done != 0) measure_end_ns_ = std::min(measure_end_ns_, done);
}

int64_t Worker::NextWake(int64_t now) const {
  int64_t wake = next_publish_ns_;
  if (now < measure_start_ns_) wake = std::min(wake, measure_start_ns_);
  wake = std::min(wake, measure_end_ns_);
  if (now < measure_end_ns_) wake = std::min(wake, schedule_.NextDue());
  wake = std::min(wake, next_timeout_scan_ns_);
  if (connect_interval_ns_ > 0 && next_to_connect_ < connections_.size()) {
    wake = std::min(wake, next_connect_ns_);
  }
  if (!reported_connected_) wake = std::min(wake, NextConnectExpiry());
  if (window_closed_) wake = std::min(wake, drain_deadline_ns_);
  return wake;
}

void Worker::CountOpenAtEnd(const Connection& connection, int64_t end) {
  stats_.in_flight_at_end += connection.in_flight;
  // A connection that got no reply in the window while a request of its
  // waited through at least half of it was starved: the server served
  // others (blocking) or fell too far behind. One with nothing outstanding
  // (an open loop's schedule that fell past the window) or a request sent
  // late in the window was not. A window --requests ended is as long as it
  // ran, once the count is enough for a fair server to have answered every
  // active connection (four replies each); a smaller count says nothing of
  // fairness, and its window is taken as --duration's, which it never waits.
  int64_t window = config_.duration_ns;
  if (config_.requests >= 4 * static_cast<uint64_t>(config_.ActiveConnections())) {
    window = end - measure_start_ns_;
  }
  if (!Line() && connection.window_completed == 0 && connection.in_flight > 0 &&
      end - in_flight_[connection.ring + connection.oldest].sent_ns >= window / 2) {
    ++stats_.starved;
    if (stats_.first_starved_input.empty() && !connection.input.Empty()) {
      stats_.first_starved_input = Quotable(connection.input.Readable(), 48);
    }
  }
}

void Worker::CloseWindow(int64_t now) {
  window_closed_ = true;
  int64_t end = std::min(now, measure_end_ns_);
  for (auto& connection : connections_) {
    if (!connection.active) continue;
    if (connection.state == State::kOpen) CountOpenAtEnd(connection, end);
    if (!config_.OpenLoop() || connection.next_intended_ns >= end) continue;
    // Slots of this connection's schedule inside the window that were never
    // sent: the generator (or a server holding replies back) fell behind, or
    // the server closed the connection and its slots went with it.
    int64_t first = connection.next_intended_ns;
    if (first < measure_start_ns_) {
      first += (measure_start_ns_ - first + interval_ns_ - 1) / interval_ns_ * interval_ns_;
    }
    if (first < end) stats_.unsent += static_cast<uint64_t>((end - 1 - first) / interval_ns_ + 1);
  }
  if (Line()) {
    uint64_t sent = 0;
    for (auto& connection : connections_) sent += connection.window_sent;
    clock_.window_messages.fetch_add(sent);
    clock_.senders_done.fetch_add(1, std::memory_order_release);
    drain_deadline_ns_ = now + std::min(config_.request_timeout_ns, kMaxLineDrain);
  }
}

bool Worker::LinesStillArriving(int64_t now) {
  if (!Line() || now >= drain_deadline_ns_) return false;
  if (!expected_known_) {
    if (clock_.senders_done.load(std::memory_order_acquire) < config_.threads) return true;
    window_messages_ = clock_.window_messages.load();
    expected_known_ = true;
    for (auto& connection : connections_) {
      if (connection.state != State::kOpen) continue;
      expected_open_ += window_messages_ - connection.window_sent;
      delivered_open_ += connection.window_delivered;
    }
  }
  return delivered_open_ < expected_open_;
}

void Worker::FinishLineCounts() {
  if (!Line() || !expected_known_) return;
  stats_.expected_deliveries = expected_open_;
  stats_.delivered = delivered_open_;
}

void Worker::PublishProgress(int64_t now) {
  if (now < next_publish_ns_) return;
  next_publish_ns_ = now + kPublishEvery;
  progress_.established.store(stats_.established, std::memory_order_relaxed);
  progress_.requests.store(completed_, std::memory_order_relaxed);
  if (now >= measure_start_ns_) {
    // Also closes a second in which this worker completed nothing.
    this_second_.MoveTo(static_cast<size_t>((now - measure_start_ns_) / kNanosPerSecond));
    progress_.p99_ns.store(this_second_.Latency().Percentile(99), std::memory_order_relaxed);
  }
}

}  // namespace c10k
