// Requests and replies of a worker. Closed loop: each active connection keeps
// `depth` requests in flight and sends the next as soon as a reply completes.
// Open loop: each sends on its own schedule, at most `depth` in flight; a
// request whose slot passed while the connection waited goes out as soon as a
// reply frees room, and its latency is counted from the slot, not from the
// late send (coordinated omission corrected, the way wrk2 does it). Catch-up
// is therefore limited to `depth` requests per reply, never a burst.
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/io_status.h"
#include "common/quotable.h"
#include "loadgen/worker.h"

namespace c10k {

namespace {

// Line: a sender stops generating messages while this much is still queued
// for a socket the server is not draining (its backpressure), and counts the
// skipped slots as the schedule falling behind.
constexpr size_t kMaxPendingLineBytes = 64 * 1024;

}  // namespace

void Worker::StartTraffic(int64_t start, int64_t now) {
  traffic_started_ = true;
  for (auto& connection : connections_) {
    if (!connection.active) continue;
    if (connection.state != State::kOpen) {
      // Never connected, so it has no schedule: its connect failure is the
      // report's, not slots the window left unsent.
      connection.next_intended_ns = INT64_MAX;
      continue;
    }
    if (config_.OpenLoop()) {
      connection.next_intended_ns += start;
      SendDue(connection, now);
    } else {
      SendClosedLoop(connection, now);
    }
  }
}

bool Worker::CanSend(const Connection& connection) const {
  if (Line()) return connection.output.Size() + connection.sending.Size() < kMaxPendingLineBytes;
  return RoomForRequest(connection);
}

void Worker::AppendRequest(Connection& connection, int64_t intended, int64_t now) {
  bool for_window = InWindow(intended);
  if (Line()) {
    connection.codec->WriteMessage(connection.output, {intended, now, connection.number});
    if (for_window) ++connection.window_sent;
  } else {
    WriteRequestOnSocket(connection);
    in_flight_[connection.ring + (connection.oldest + connection.in_flight) % depth_] = {intended,
                                                                                         now};
    ++connection.in_flight;
  }
  if (!for_window) return;
  ++stats_.sent;
  if (config_.OpenLoop()) stats_.send_lag.Record(now - intended);
}

void Worker::WriteRequestOnSocket(Connection& connection) {
  if (++connection.socket_requests == requests_per_socket_) {
    connection.codec->WriteLastRequest(connection.output);
  } else {
    connection.codec->WriteRequest(connection.output);
  }
}

void Worker::SendClosedLoop(Connection& connection, int64_t now) {
  // All the requests that fit go out in one write.
  while (RoomForRequest(connection)) AppendRequest(connection, now, now);
  Flush(connection, now);
}

void Worker::SendDue(Connection& connection, int64_t now) {
  while (CanSend(connection) && connection.next_intended_ns <= now &&
         connection.next_intended_ns < measure_end_ns_) {
    AppendRequest(connection, connection.next_intended_ns, now);
    connection.next_intended_ns += interval_ns_;
  }
  Flush(connection, now);
  // A connection with room waits for its next slot on the timer; one without
  // room is woken by the reply (or the drained output) that makes room.
  if (connection.state == State::kOpen && !connection.scheduled && CanSend(connection) &&
      connection.next_intended_ns < measure_end_ns_) {
    schedule_.Push(connection.next_intended_ns, IndexOf(connection));
    connection.scheduled = true;
  }
}

void Worker::Flush(Connection& connection, int64_t now) {
  if (ring_) {
    SendThroughRing(connection);
    return;
  }
  while (!connection.output.Empty()) {
    std::string_view pending = connection.output.Readable();
    IoResult result = WriteSome(connection.fd.Get(), pending.data(), pending.size());
    if (result.status == IoStatus::kOk) {
      if (InWindow(now)) stats_.bytes_sent += result.bytes;
      connection.output.Consume(result.bytes);
      continue;
    }
    if (result.status == IoStatus::kRetry) {
      SetInterest(connection, kReadableInterest | kWritableInterest);
      return;
    }
    Lose(connection, result.error, now);
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
  if (connection.state == State::kClosing) {
    ReadUntilServerCloses(connection, now);
    return;
  }
  if (connection.state != State::kOpen) return;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    ReadReplies(connection, now);
    if (connection.state != State::kOpen) return;
  }
  if (events & EPOLLOUT) {
    Flush(connection, now);
    ResumeLineSender(connection, now);
  }
}

void Worker::ResumeLineSender(Connection& connection, int64_t now) {
  // A line sender held back by its own backlog resumes its schedule.
  if (Line() && connection.active && traffic_started_ && connection.state == State::kOpen &&
      now < measure_end_ns_) {
    SendDue(connection, now);
  }
}

void Worker::ReadReplies(Connection& connection, int64_t now) {
  IoResult result = ReadSome(connection.fd.Get(), read_chunk_.data(), read_chunk_.size());
  if (result.status == IoStatus::kRetry) return;
  if (result.status == IoStatus::kClosed) {
    ServerClosed(connection, now);
    return;
  }
  if (result.status == IoStatus::kError) {
    Lose(connection, result.error, now);
    return;
  }
  ReplyBytes(connection, std::string_view(read_chunk_.data(), result.bytes), now);
}

void Worker::ReplyBytes(Connection& connection, std::string_view data, int64_t now) {
  if (InWindow(now)) stats_.bytes_received += data.size();
  if (!connection.codec) {
    // An idle connection of a request/response protocol asked for nothing.
    NoteProtocolError("bytes on an idle connection", data);
    Close(connection);
    return;
  }
  bool buffered = !connection.input.Empty();
  if (buffered) {
    connection.input.Append(data);
    data = connection.input.Readable();
  }
  ReplyParse parse;
  if (Line()) {
    receiving_ = &connection;
    receiving_at_ns_ = now;
    parse = connection.codec->ParseMessages(data, *this);
  } else {
    parse = connection.codec->ParseReplies(data);
  }
  if (!CountParse(connection, parse, data, now)) return;
  if (buffered) {
    connection.input.Consume(parse.consumed);
  } else if (parse.consumed < data.size()) {
    connection.input.Append(data.substr(parse.consumed));
  }
  AfterReplies(connection, parse, now);
}

bool Worker::CountParse(Connection& connection, const ReplyParse& parse, std::string_view data,
                        int64_t now) {
  if (parse.protocol_error) {
    NoteProtocolError(("not " + std::string(ProtocolName(config_.protocol))).c_str(),
                      data.substr(parse.consumed));
  }
  stats_.mismatches += parse.mismatches;
  if (parse.mismatches > 0 && stats_.first_mismatch.empty()) {
    stats_.first_mismatch = Quotable(parse.first_mismatch, 200);
  }
  if (parse.error_replies > 0) NoteErrorReplies(parse);
  bool unasked = !Line() && !CompleteReplies(connection, parse.completed, now);
  if (unasked && !parse.protocol_error) {
    NoteProtocolError("more replies than requests", data.substr(0, parse.consumed));
  }
  if (parse.protocol_error || unasked) {
    Close(connection);
    return false;
  }
  return true;
}

void Worker::AfterReplies(Connection& connection, const ReplyParse& parse, int64_t now) {
  if (!connection.active || Line()) return;
  if (replies_confirm_sends_) ReplyConfirmedSend(connection, now);
  if (parse.server_closes) {
    if (parse.close_implied) ++stats_.reconnects_after_http10;
    // The close the last request asked for (http's "Connection: close").
    if (SocketDone(connection)) {
      ++stats_.reconnects_by_client;
    }
    AwaitServerClose(connection, now);
    return;
  }
  if (SocketDone(connection)) {
    // --requests-per-connection: this socket's requests are all answered.
    // After the window there is nothing left to send on a new one.
    if (now >= measure_end_ns_) return;
    ++stats_.reconnects_by_client;
    Reopen(connection, now);
    return;
  }
  if (config_.OpenLoop()) {
    SendDue(connection, now);
  } else if (now < measure_end_ns_) {
    SendClosedLoop(connection, now);
  }
}

void Worker::ServerClosed(Connection& connection, int64_t now) {
  if (connection.state == State::kClosing) {
    // The close the last reply announced (and counted as a reconnect).
    NewSocket(connection, now);
    return;
  }
  // A reply whose end is the close (http without a length) is complete now,
  // and the connection is opened again as after "Connection: close".
  ReplyParse parse;
  if (connection.codec && !Line()) parse = connection.codec->EndOfStream();
  if (parse.completed == 0) {
    ++stats_.errors.closed_by_server;
    CloseOrReplace(connection, now);
    return;
  }
  if (!CountParse(connection, parse, {}, now)) return;
  if (connection.active) ++stats_.reconnects_after_close_ended_reply;
  AfterReplies(connection, parse, now);
  // The FIN that reply now waits for is the one just read.
  if (connection.state == State::kClosing) NewSocket(connection, now);
}

void Worker::AwaitServerClose(Connection& connection, int64_t now) {
  // Reopening at once would often close this socket before the server's FIN
  // arrives, and the port would wait in TIME_WAIT here (1 in 200 closes with
  // --io uring), where every connect searches them. Requests sent after the
  // announcing reply stay in flight, to go again on the next socket; a server
  // that never closes is given up on after --timeout (ExpireRequests).
  ++stats_.reconnects;
  connection.state = State::kClosing;
  connection.closing_since_ns = now;
  if (!ring_) SetInterest(connection, kReadableInterest);
}

void Worker::ReadUntilServerCloses(Connection& connection, int64_t now) {
  IoResult result = ReadSome(connection.fd.Get(), read_chunk_.data(), read_chunk_.size());
  // Bytes after the reply that announced the close answer nothing: dropped.
  if (result.status == IoStatus::kClosed || result.status == IoStatus::kError) {
    NewSocket(connection, now);
  }
}

void Worker::NoteErrorReplies(const ReplyParse& parse) {
  stats_.error_replies += parse.error_replies;
  if (stats_.first_error_reply.empty()) stats_.first_error_reply = Quotable(parse.first_error, 120);
}

void Worker::NoteProtocolError(const char* what, std::string_view bytes) {
  ++stats_.errors.protocol;
  if (!stats_.first_protocol_error.empty()) return;
  // The bytes say what the server speaks: "HTTP/1.1 400 Bad Request\r\n..."
  // tells a user who forgot --protocol more than a count does.
  stats_.first_protocol_error = std::string(what) + ": \"" + Quotable(bytes, 48) + "\"";
}

bool Worker::CompleteReplies(Connection& connection, uint32_t completed, int64_t now) {
  if (completed > connection.in_flight) return false;
  completed_ += completed;
  for (uint32_t i = 0; i < completed; ++i) {
    const InFlight& request = in_flight_[connection.ring + connection.oldest];
    connection.oldest = (connection.oldest + 1) % depth_;
    --connection.in_flight;
    // InWindow each time: the reply that makes --requests ends the window.
    if (InWindow(now) && CountsTowardRequests(now)) {
      ++connection.window_completed;
      RecordLatency(now - request.intended_ns, now - request.sent_ns, now);
    }
  }
  return true;
}

bool Worker::CountsTowardRequests(int64_t now) {
  if (config_.requests == 0) return true;
  uint64_t counted = clock_.window_requests.fetch_add(1, std::memory_order_relaxed) + 1;
  if (counted < config_.requests) return true;
  // The window ends just after the last reply that counts: this worker's
  // here, the others' when they next look (EndWindowAtRequests). Past the
  // count (another worker counted the last one meanwhile), the reply is after
  // the window.
  if (counted == config_.requests) {
    measure_end_ns_ = now + 1;
    clock_.requests_done_ns.store(measure_end_ns_, std::memory_order_release);
    return true;
  }
  measure_end_ns_ = now;
  return false;
}

void Worker::Delivered(const MessageStamp& stamp) {
  ++completed_;
  // A message belongs to the window its slot was in, wherever it is received,
  // so the deliveries that finish during the drain still count.
  if (!InWindow(stamp.intended_ns)) return;
  ++receiving_->window_delivered;
  if (expected_known_) ++delivered_open_;
  RecordLatency(receiving_at_ns_ - stamp.intended_ns, receiving_at_ns_ - stamp.sent_ns,
                receiving_at_ns_);
}

void Worker::RecordLatency(int64_t corrected, int64_t uncorrected, int64_t completed_ns) {
  stats_.latency.Record(corrected);
  stats_.latency_uncorrected.Record(uncorrected);
  ++stats_.requests;
  // The time series counts what completed in each second of the window. A
  // line delivered after the window (sent in it, so in the totals) is in none.
  if (completed_ns >= measure_end_ns_) return;
  int64_t into_window = std::max<int64_t>(completed_ns - measure_start_ns_, 0);
  this_second_.Record(static_cast<size_t>(into_window / kNanosPerSecond), corrected);
}

void Worker::ExpireRequests(int64_t now) {
  for (auto& connection : connections_) {
    if (connection.state == State::kConnecting && connection.reopening &&
        connection.connect_started_ns + config_.connect_timeout_ns <= now) {
      --connecting_;
      Fail(connection, ETIMEDOUT);
      continue;
    }
    if (connection.state == State::kClosing) {
      // The server announced a close it has not made: open the next anyway.
      if (connection.closing_since_ns + config_.request_timeout_ns <= now) {
        NewSocket(connection, now);
      }
      continue;
    }
    if (connection.state != State::kOpen || connection.in_flight == 0) continue;
    const InFlight& oldest = in_flight_[connection.ring + connection.oldest];
    if (oldest.sent_ns + config_.request_timeout_ns > now) continue;
    // The replies may still come, but could no longer be told apart from the
    // replies to later requests: count every request in flight and give up
    // on the connection.
    stats_.errors.timeout += connection.in_flight;
    CloseOrReplace(connection, now);
  }
}

void Worker::SetInterest(Connection& connection, uint8_t interest) {
  if (connection.interest == interest) return;
  epoll_event event{};
  event.data.u32 = IndexOf(connection);
  if (interest & kReadableInterest) event.events |= EPOLLIN;
  if (interest & kWritableInterest) event.events |= EPOLLOUT;
  epoll_ctl(epoll_.Fd(), EPOLL_CTL_MOD, connection.fd.Get(), &event);
  connection.interest = interest;
}

void Worker::Fail(Connection& connection, int error) {
  // A reopen's connect: the server is gone or out of room, so the connection
  // stays closed even with --reconnect-on-error.
  stats_.errors.Count(error);
  Close(connection);
}

void Worker::Lose(Connection& connection, int error, int64_t now) {
  // An open connection's error: reset by the server, a send that failed.
  stats_.errors.Count(error);
  CloseOrReplace(connection, now);
}

void Worker::CloseOrReplace(Connection& connection, int64_t now) {
  // Replaced only while requests still go out: after the window nothing
  // would use the new connection.
  if (config_.reconnect_on_error && now < measure_end_ns_) {
    Replace(connection, now);
  } else {
    Close(connection);
  }
}

void Worker::Close(Connection& connection) {
  // A socket with a receive armed in the ring stays open until that receive
  // ends; shutting it down ends it, and the server sees the close now. Its
  // queued operations go to the kernel before its fd number is freed.
  if (ring_ && connection.fd.Valid()) {
    shutdown(connection.fd.Get(), SHUT_RDWR);
    ring_->SubmitQueued();
  }
  if (expected_known_ && connection.state == State::kOpen) {
    // A line receiver that is gone no longer waits for anything.
    expected_open_ -= window_messages_ - connection.window_sent;
    delivered_open_ -= connection.window_delivered;
  }
  connection.fd.Reset();
  connection.state = State::kClosed;
  connection.in_flight = 0;
  connection.reopening = false;
}

}  // namespace c10k
