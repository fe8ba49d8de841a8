#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/byte_buffer.h"
#include "protocols/protocol.h"

namespace c10k {

// resp with keys: how many SETs and GETs each round sends, as memtier's
// --ratio; every GET of a round reads a key a SET of the same round wrote.
struct SetGetRatio {
  uint32_t sets = 1;
  uint32_t gets = 1;
  bool operator==(const SetGetRatio&) const = default;
};

// What the load generator asks of a protocol.
struct ClientCodecOptions {
  size_t message_size = 64;  // payload bytes per request (echo, framed, resp values, line)
  uint64_t stream_seed = 0;  // makes each connection's payload bytes distinct
  uint32_t keys = 0;         // resp: 0 sends PING; K sends SETs and GETs over K keys
  SetGetRatio ratio = {};    // resp with keys: SETs to GETs
  std::string http_host = "localhost";  // http: the Host header
  std::string http_method = "GET";  // http: every request's method (HttpMethodProblem passed it)
  std::string http_path = "/";      // http: the path every request asks for
  // http: the body every request carries, with its Content-Length; null: no
  // body and no Content-Length. Shared, since every connection sends the same.
  std::shared_ptr<const std::string> http_body = nullptr;
  // http: more "Name: value" header lines for every request (HttpHeaderProblem
  // has passed them); a Host among them replaces the default.
  std::vector<std::string> http_headers = {};
  uint32_t sender = 0;                  // line: this connection's number, carried in each line
};

struct ReplyParse {
  size_t consumed = 0;          // bytes of input used; the rest is kept
  uint32_t completed = 0;       // replies completed, in request order
  uint32_t mismatches = 0;      // completed replies whose content was wrong
  // Completed replies in which the server reported an error (an HTTP status
  // of 400 or more, a RESP error): well-formed answers that say "no", so not
  // mismatches. `first_error` is the first one's status or error line, valid
  // until the codec's next call.
  uint32_t error_replies = 0;
  std::string_view first_error;
  // The first mismatch, in words that follow "the first": "had 0x41 at
  // offset 17 of 64 where 0x3a was sent"; valid until the codec's next call.
  std::string_view first_mismatch;
  bool protocol_error = false;  // the reply stream cannot be parsed any further
  // The last completed reply said the server closes the connection after it
  // (HTTP's "Connection: close"); parsing stopped there. Requests sent after
  // it will not be answered on this connection, and a codec only says this
  // when they can be sent again unchanged on a new one.
  bool server_closes = false;
  // The close was not said but implied: an HTTP/1.0 reply without
  // "Connection: keep-alive" (Python's http.server).
  bool close_implied = false;
};

// Counts a codec's mismatched replies into a ReplyParse and keeps the words
// for the first of them (ReplyParse::first_mismatch) until the next parse.
// `describe` is called for that first one only: a stream that goes wrong
// does not also pay for words nobody reads.
class MismatchReport {
 public:
  template <typename Describe>
  void Count(ReplyParse& result, Describe describe) {
    ++result.mismatches;
    if (!result.first_mismatch.empty()) return;
    reported_ = describe();
    result.first_mismatch = reported_;
  }

 private:
  std::string reported_;
};

// The times a broadcast message carries with it, so that whoever receives it
// can measure its latency without asking the sender.
struct MessageStamp {
  int64_t intended_ns = 0;  // when the send schedule meant it to leave
  int64_t sent_ns = 0;      // when it was actually written
  uint32_t sender = 0;      // the sending connection's number
};

// Told about each intact broadcast message a codec parses.
class StampSink {
 public:
  virtual void Delivered(const MessageStamp& stamp) = 0;

 protected:
  ~StampSink() = default;
};

// A per-connection client-side state machine, sans I/O: the load generator
// asks it for requests and feeds it reply bytes; it verifies every reply.
//
// Request/response protocols (echo, framed, http, resp) answer each request
// on the same connection, in order. Broadcast protocols (line) do not: a
// message goes to every other connection, so it carries its own stamp, and
// the receiving side reports each one through a StampSink.
class ClientCodec {
 public:
  virtual ~ClientCodec() = default;
  // Appends the next request to `out`.
  virtual void WriteRequest(ByteBuffer& out) = 0;
  // The same for the last request the generator sends on a connection before
  // it closes it (--requests-per-connection). http says so ("Connection:
  // close", as RFC 9112 9.6 asks of a client), so the server closes first
  // and the port waiting in TIME_WAIT is the server's.
  virtual void WriteLastRequest(ByteBuffer& out) { WriteRequest(out); }
  // Parses as many complete replies as `input` holds.
  virtual ReplyParse ParseReplies(std::string_view input) = 0;
  // The server closed the connection. A reply that the close delimits (an
  // HTTP body with no length) is complete now, and is returned as a parse
  // of no bytes that says the server closes; nothing else ends that way.
  virtual ReplyParse EndOfStream() { return {}; }

  // True for broadcast protocols, which are driven through the two calls
  // below instead of the two above.
  virtual bool Broadcasts() const { return false; }
  // Appends the next message, carrying `stamp`.
  virtual void WriteMessage(ByteBuffer& out, const MessageStamp& /*stamp*/) { WriteRequest(out); }
  // Parses complete messages, telling `sink` about each intact one;
  // `completed` counts every message, `mismatches` the damaged ones.
  virtual ReplyParse ParseMessages(std::string_view input, StampSink& /*sink*/) {
    return ParseReplies(input);
  }
};

// nullptr when the load generator does not drive `protocol` (yet).
std::unique_ptr<ClientCodec> MakeClientCodec(Protocol protocol, const ClientCodecOptions& options);

}  // namespace c10k
