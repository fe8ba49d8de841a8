#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/byte_buffer.h"
#include "common/fd.h"
#include "loadgen/load_config.h"
#include "loadgen/load_stats.h"
#include "loadgen/run_clock.h"
#include "protocols/client_codec.h"

namespace c10k {

// One load generator thread: its own epoll instance, its own slice of the
// connections, its own counters and histograms (the wrk model). Connects its
// slice, waits for the run clock to start traffic, drives requests until the
// measured window ends, then closes everything.
class Worker {
 public:
  // Connections `first`, `first + stride`, ... below config.connections.
  Worker(const LoadConfig& config, int first, int stride, RunClock& clock,
         WorkerProgress& progress);
  ~Worker();

  void Run();
  WorkerStats& Stats() { return stats_; }

 private:
  enum class State : uint8_t { kNotStarted, kConnecting, kOpen, kClosed };
  static constexpr uint8_t kReadableInterest = 1;
  static constexpr uint8_t kWritableInterest = 2;

  struct Connection {
    UniqueFd fd;
    State state = State::kNotStarted;
    bool active = false;  // carries traffic; idle ones stay open and silent
    uint8_t interest = 0;
    int64_t connect_started_ns = 0;
    std::unique_ptr<ClientCodec> codec;
    ByteBuffer output;
    ByteBuffer input;  // a partial reply kept for the next read
    // Send times of the requests in flight, oldest first (a ring of `depth`).
    std::vector<int64_t> sent_at;
    size_t oldest = 0;
    size_t in_flight = 0;
  };

  void StartConnects(int64_t now);
  void FinishConnect(Connection& connection, int64_t now);
  void StartTraffic(int64_t now);
  void HandleEvent(uint32_t index, uint32_t events, int64_t now);
  void ReadReplies(Connection& connection, int64_t now);
  void SendRequests(Connection& connection, int64_t now);
  void Flush(Connection& connection);
  void SetInterest(Connection& connection, uint8_t interest);
  void Fail(Connection& connection, int error);
  void Close(Connection& connection);
  void CountConnectFailure(int error);
  void ExpireConnects(int64_t now);
  void PublishProgress(int64_t now);
  bool InWindow(int64_t now) const { return now >= measure_start_ns_ && now < measure_end_ns_; }

  const LoadConfig& config_;
  RunClock& clock_;
  WorkerProgress& progress_;
  UniqueFd epoll_;
  std::vector<Connection> connections_;
  std::vector<uint64_t> global_index_;  // connection number in the whole run
  std::vector<char> read_chunk_;
  WorkerStats stats_;
  size_t next_to_connect_ = 0;
  size_t connecting_ = 0;
  size_t resolved_ = 0;  // connections that opened or failed
  bool reported_connected_ = false;
  bool traffic_started_ = false;
  int64_t measure_start_ns_ = INT64_MAX;
  int64_t measure_end_ns_ = INT64_MAX;
  int64_t connect_deadline_ns_ = 0;
  int64_t next_publish_ns_ = 0;
};

}  // namespace c10k
