#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_buffer.h"
#include "common/fd.h"
#include "loadgen/client_ring.h"
#include "loadgen/load_config.h"
#include "loadgen/load_stats.h"
#include "loadgen/precise_epoll.h"
#include "loadgen/run_clock.h"
#include "loadgen/second_series.h"
#include "loadgen/send_schedule.h"
#include "protocols/client_codec.h"

namespace c10k {

// One load generator thread: its own epoll instance, its own slice of the
// connections, its own counters and histograms (the wrk model). Connects its
// slice, waits for the run clock to start traffic, drives requests until the
// measured window ends (closed loop: `depth` in flight; open loop: each
// connection on its own schedule), then closes everything.
//
// worker.cc holds the loop, worker_connect.cc the connect phase,
// worker_traffic.cc requests and replies, worker_uring.cc the same traffic
// through an io_uring (--io uring) instead of epoll.
class Worker final : private StampSink, private RingSink {
 public:
  // Connections `first`, `first + stride`, ... below config.connections.
  Worker(const LoadConfig& config, int first, int stride, RunClock& clock, WorkerProgress& progress,
         SecondsCollector& seconds);
  ~Worker();

  void Run();
  WorkerStats& Stats() { return stats_; }

 private:
  // kClosing: the server's last reply said it closes the connection; the
  // generator waits for its FIN before opening the next, so that the close is
  // the server's and so is the port left in TIME_WAIT.
  enum class State : uint8_t { kNotStarted, kConnecting, kOpen, kClosing, kClosed };
  static constexpr uint8_t kReadableInterest = 1;
  static constexpr uint8_t kWritableInterest = 2;

  // The times of one request in flight: when its slot was (open loop) and
  // when it was actually written. Closed loop: both the same.
  struct InFlight {
    int64_t intended_ns;
    int64_t sent_ns;
  };

  // Flat per-connection state, allocated before the run (wrk's connection).
  struct Connection {
    UniqueFd fd;
    State state = State::kNotStarted;
    bool active = false;     // sends; idle ones stay open (line: they still receive)
    bool scheduled = false;  // waiting in schedule_ for its next slot
    uint8_t interest = 0;
    uint32_t number = 0;  // connection number in the whole run
    uint32_t ring = 0;    // first of its `depth` entries in in_flight_
    uint32_t oldest = 0;  // ring position of the oldest request in flight
    uint32_t in_flight = 0;
    int64_t connect_started_ns = 0;
    int64_t closing_since_ns = 0;   // kClosing: when the reply announced the close
    int64_t next_intended_ns = 0;   // open loop: this connection's next slot
    uint64_t window_completed = 0;  // replies received in the measured window
    uint64_t window_sent = 0;       // line: messages sent for the window
    uint64_t window_delivered = 0;  // line: window messages this one received
    uint64_t socket_requests = 0;   // sent on this socket (--requests-per-connection)
    std::unique_ptr<ClientCodec> codec;
    ByteBuffer output;
    ByteBuffer input;  // a partial reply kept for the next read
    // --io uring: the bytes of the send in flight, which the kernel reads
    // until it completes; requests made meanwhile wait in `output`.
    ByteBuffer sending;
    bool send_in_flight = false;
    bool receive_armed = false;  // --io uring: its multishot receive is in the ring
    // The server said it closes this connection after a reply (HTTP's
    // Connection: close), or it carried its --requests-per-connection, so it
    // is being opened again; the requests the server left unanswered stay in
    // flight and are sent again once it is.
    bool reopening = false;
  };

  // worker.cc: the loop.
  void CheckTrafficStart(int64_t now);
  void RunTimers(int64_t now);
  int64_t NextWake(int64_t now) const;
  // --requests: the window ends where another worker counted the last reply.
  void EndWindowAtRequests();
  void CloseWindow(int64_t now);
  // What an active connection still open at the window's end adds to the
  // counts: its requests in flight, and whether it was starved.
  void CountOpenAtEnd(const Connection& connection, int64_t end);
  bool LinesStillArriving(int64_t now);
  void FinishLineCounts();
  void PublishProgress(int64_t now);
  bool InWindow(int64_t t) const { return t >= measure_start_ns_ && t < measure_end_ns_; }
  bool Line() const { return config_.protocol == Protocol::kLine; }

  // worker_connect.cc: the connect phase.
  void StartConnects(int64_t now);
  bool OpenSocket(Connection& connection, uint32_t index);
  void FinishConnect(Connection& connection, int64_t now);
  void ExpireConnects(int64_t now);
  int64_t NextConnectExpiry() const;
  void CountConnectFailure(int error);
  void FailEveryConnect(int error);
  void GiveUpUnstartedConnects();
  void Reopen(Connection& connection, int64_t now);
  void NewSocket(Connection& connection, int64_t now);
  void Replace(Connection& connection, int64_t now);
  void OpenAgain(Connection& connection, int64_t now);
  void ContinueReopen(Connection& connection, int64_t now);
  void FinishReopen(Connection& connection, int64_t now);

  // worker_traffic.cc: requests and replies.
  void StartTraffic(int64_t start, int64_t now);
  void SendClosedLoop(Connection& connection, int64_t now);
  void SendDue(Connection& connection, int64_t now);
  bool CanSend(const Connection& connection) const;
  // Room for another request in the window of `depth`, and on this socket.
  bool RoomForRequest(const Connection& connection) const {
    return connection.in_flight < depth_ && connection.socket_requests < requests_per_socket_;
  }
  // This socket has sent its --requests-per-connection and had them answered.
  bool SocketDone(const Connection& connection) const {
    return connection.socket_requests == requests_per_socket_ && connection.in_flight == 0;
  }
  void AppendRequest(Connection& connection, int64_t intended, int64_t now);
  // Writes the socket's next request: its last, by --requests-per-connection,
  // as the codec writes a last one.
  void WriteRequestOnSocket(Connection& connection);
  void Flush(Connection& connection, int64_t now);
  void HandleEvent(uint32_t index, uint32_t events, int64_t now);
  void ResumeLineSender(Connection& connection, int64_t now);
  void ReadReplies(Connection& connection, int64_t now);
  void ReplyBytes(Connection& connection, std::string_view data, int64_t now);
  // Counts what a parse of `data` found; false when it ended the connection
  // (bytes that are not the protocol, more replies than requests).
  bool CountParse(Connection& connection, const ReplyParse& parse, std::string_view data,
                  int64_t now);
  // After replies: send what the loop sends next, or open the connection
  // again when the server said it closes it.
  void AfterReplies(Connection& connection, const ReplyParse& parse, int64_t now);
  // The server closed the connection (a read of 0 bytes).
  void ServerClosed(Connection& connection, int64_t now);
  void AwaitServerClose(Connection& connection, int64_t now);
  void ReadUntilServerCloses(Connection& connection, int64_t now);
  bool CompleteReplies(Connection& connection, uint32_t completed, int64_t now);
  // --requests: whether a reply completed in the window is one of the N
  // (every worker's together); the N-th ends the window.
  bool CountsTowardRequests(int64_t now);
  void NoteErrorReplies(const ReplyParse& parse);
  void NoteProtocolError(const char* what, std::string_view bytes);
  void Delivered(const MessageStamp& stamp) override;
  void RecordLatency(int64_t corrected, int64_t uncorrected, int64_t completed_ns);
  void ExpireRequests(int64_t now);
  void SetInterest(Connection& connection, uint8_t interest);
  void Fail(Connection& connection, int error);
  void Lose(Connection& connection, int error, int64_t now);
  void CloseOrReplace(Connection& connection, int64_t now);
  void Close(Connection& connection);
  std::unique_ptr<ClientCodec> MakeCodec(const Connection& connection) const;
  uint32_t IndexOf(const Connection& connection) const {
    return static_cast<uint32_t>(&connection - connections_.data());
  }

  // worker_uring.cc: --io uring.
  void OpenRing();
  int WaitOnRing(epoll_event* events, int max_events, int64_t deadline_ns, int64_t now);
  void WatchOpenConnection(Connection& connection);
  void SendThroughRing(Connection& connection);
  void ReplyConfirmedSend(Connection& connection, int64_t now);
  void OnCompletion(const RingCompletion& completion, int64_t now) override;
  void OnReceived(Connection& connection, const RingCompletion& completion, int64_t now);
  void OnSent(Connection& connection, int result, int64_t now);

  const LoadConfig& config_;
  RunClock& clock_;
  WorkerProgress& progress_;
  int first_;
  PreciseEpoll epoll_;
  std::vector<Connection> connections_;
  // --io uring; declared after connections_ so that it goes first: the
  // kernel may read a connection's `sending` until the ring is torn down.
  std::unique_ptr<ClientRing> ring_;
  bool epoll_ready_ = false;            // the ring saw the epoll set turn readable
  bool epoll_backlog_ = false;          // the last epoll_wait left events behind
  bool replies_confirm_sends_ = false;  // sends post no completion (see OpenRing)
  std::vector<InFlight> in_flight_;     // `depth` entries per active connection
  uint32_t depth_;
  // --requests-per-connection, or no limit.
  uint64_t requests_per_socket_;
  SendSchedule schedule_;
  int64_t interval_ns_ = 0;          // open loop: between one connection's slots
  int64_t connect_interval_ns_ = 0;  // --connect-rate pacing for this worker; 0: unpaced
  std::vector<char> read_chunk_;
  WorkerStats stats_;
  CurrentSecond this_second_;  // the time series: this worker's share of the second it is in

  size_t next_to_connect_ = 0;
  size_t connecting_ = 0;
  size_t expire_cursor_ = 0;       // connects start in index order, so they expire in it too
  size_t resolved_ = 0;            // connections that opened or failed
  int64_t last_connected_ns_ = 0;  // when a connect last succeeded
  int64_t next_connect_ns_ = 0;
  bool reported_connected_ = false;
  bool traffic_started_ = false;
  bool window_closed_ = false;
  int64_t measure_start_ns_ = INT64_MAX;
  int64_t measure_end_ns_ = INT64_MAX;
  int64_t next_publish_ns_ = 0;
  // Replies (line: deliveries) since traffic began, warm-up included: the
  // live line's rate, which would read 0 through the warm-up otherwise.
  uint64_t completed_ = 0;
  int64_t next_timeout_scan_ns_ = INT64_MAX;
  int64_t drain_deadline_ns_ = 0;

  // Line: what StampSink::Delivered needs to know about the read in progress,
  // and the drain bookkeeping once every worker's window has closed.
  Connection* receiving_ = nullptr;
  int64_t receiving_at_ns_ = 0;
  bool expected_known_ = false;
  uint64_t window_messages_ = 0;
  uint64_t expected_open_ = 0;
  uint64_t delivered_open_ = 0;
};

}  // namespace c10k
