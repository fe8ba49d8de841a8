// http: just enough HTTP/1.1 for wrk, ab and h2load. Every GET (and HEAD) is
// answered 200 with a small fixed body, on a keep-alive connection, and
// pipelined requests are answered in order; so are POST and PUT, whose bodies
// are read and dropped (ab -p and -u, h2load -d, c10k load --body-file), and
// any other method is answered 405. Anything that is not a request
// line plus headers is answered 400 and the connection closed, because after
// a malformed head there is no telling where the next request starts. Request
// bodies are read by Content-Length; chunked bodies are refused (501), as
// the benchmark clients never send them. HTTP/1.0 closes after the reply
// unless it asked for keep-alive, and then the reply says it stays open;
// "Connection: close" is honoured.
#include "protocols/http_server.h"

#include <algorithm>
#include <charconv>

#include "protocols/http_text.h"

namespace c10k {

namespace {

// Enough for any real client's head; a larger one is refused, not buffered.
constexpr size_t kMaxHead = 16 * 1024;

constexpr std::string_view kOk =
    "HTTP/1.1 200 OK\r\nServer: c10k\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
    "hello, world\n";
constexpr std::string_view kOkHead =
    "HTTP/1.1 200 OK\r\nServer: c10k\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n";
constexpr std::string_view kOkClose =
    "HTTP/1.1 200 OK\r\nServer: c10k\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
    "Connection: close\r\n\r\nhello, world\n";
constexpr std::string_view kOkHeadClose =
    "HTTP/1.1 200 OK\r\nServer: c10k\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
    "Connection: close\r\n\r\n";
constexpr std::string_view kNotAllowed =
    "HTTP/1.1 405 Method Not Allowed\r\nServer: c10k\r\nAllow: GET, HEAD, POST, PUT\r\n"
    "Content-Length: 0\r\n\r\n";
constexpr std::string_view kNotAllowedClose =
    "HTTP/1.1 405 Method Not Allowed\r\nServer: c10k\r\nAllow: GET, HEAD, POST, PUT\r\n"
    "Content-Length: 0\r\n"
    "Connection: close\r\n\r\n";
// HTTP/1.0 keeps a connection open only when the reply says so: ab -k, for
// one, otherwise waits for the server to close it.
constexpr std::string_view kOkKeepAlive =
    "HTTP/1.1 200 OK\r\nServer: c10k\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
    "Connection: keep-alive\r\n\r\nhello, world\n";
constexpr std::string_view kOkHeadKeepAlive =
    "HTTP/1.1 200 OK\r\nServer: c10k\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
    "Connection: keep-alive\r\n\r\n";
constexpr std::string_view kNotAllowedKeepAlive =
    "HTTP/1.1 405 Method Not Allowed\r\nServer: c10k\r\nAllow: GET, HEAD, POST, PUT\r\n"
    "Content-Length: 0\r\n"
    "Connection: keep-alive\r\n\r\n";
constexpr std::string_view kBadRequest =
    "HTTP/1.1 400 Bad Request\r\nServer: c10k\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
constexpr std::string_view kHeadTooLarge =
    "HTTP/1.1 431 Request Header Fields Too Large\r\nServer: c10k\r\nContent-Length: 0\r\n"
    "Connection: close\r\n\r\n";
// A body past --max-frame is not a header problem (RFC 9110, 15.5.14).
constexpr std::string_view kBodyTooLarge =
    "HTTP/1.1 413 Content Too Large\r\nServer: c10k\r\nContent-Length: 0\r\n"
    "Connection: close\r\n\r\n";
constexpr std::string_view kNotImplemented =
    "HTTP/1.1 501 Not Implemented\r\nServer: c10k\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

// The replies to a GET (or POST, PUT), a HEAD and any other method, for one way the
// connection goes on after them.
struct Replies {
  std::string_view ok, ok_head, not_allowed;
};
constexpr Replies kKeptOpen{kOk, kOkHead, kNotAllowed};  // HTTP/1.1: kept unless it says otherwise
constexpr Replies kKeptOpenSaidSo{kOkKeepAlive, kOkHeadKeepAlive, kNotAllowedKeepAlive};
constexpr Replies kClosing{kOkClose, kOkHeadClose, kNotAllowedClose};

}  // namespace

HttpServerCodec::HttpServerCodec(const CodecOptions& options)
    : max_head_(std::min(kMaxHead, options.max_frame)), max_body_(options.max_frame) {}

bool HttpServerCodec::ParseHead(std::string_view head, Request* request) const {
  // Request line: METHOD SP TARGET SP HTTP/1.x
  size_t line_end = head.find("\r\n");
  std::string_view line = head.substr(0, line_end);
  size_t first_space = line.find(' ');
  size_t last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space) return false;
  std::string_view method = line.substr(0, first_space);
  std::string_view target = line.substr(first_space + 1, last_space - first_space - 1);
  std::string_view version = line.substr(last_space + 1);
  if (!IsToken(method) || target.empty() || target.find(' ') != std::string_view::npos) return false;
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return false;
  request->answered = method == "GET" || method == "HEAD" || method == "POST" || method == "PUT";
  request->head = method == "HEAD";
  request->http10 = version == "HTTP/1.0";
  request->keep_alive = !request->http10;
  bool has_length = false;
  std::string_view rest = head.substr(line_end + 2);
  while (!rest.empty()) {
    size_t next = rest.find("\r\n");
    std::string_view header = rest.substr(0, next);
    rest = rest.substr(next + 2);
    if (header.empty()) break;
    size_t colon = header.find(':');
    if (colon == std::string_view::npos || !IsToken(header.substr(0, colon))) return false;
    std::string_view name = header.substr(0, colon);
    std::string_view value = TrimWhitespace(header.substr(colon + 1));
    if (EqualsLowercase(name, "content-length")) {
      uint64_t length = 0;
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (error != std::errc() || end != value.data() + value.size() || value.empty()) return false;
      if (has_length && length != request->body_length) return false;
      has_length = true;
      request->body_length = length;
    } else if (EqualsLowercase(name, "connection")) {
      if (HasToken(value, "close")) request->keep_alive = false;
      if (HasToken(value, "keep-alive")) request->keep_alive = true;
    } else if (EqualsLowercase(name, "transfer-encoding")) {
      // Marked for the caller: chunked bodies are not read.
      request->body_length = UINT64_MAX;
    }
  }
  return true;
}

ConsumeResult HttpServerCodec::Consume(std::string_view input, ReplySink& sink) {
  size_t consumed = 0;
  while (consumed < input.size()) {
    if (body_left_ > 0) {
      size_t take = static_cast<size_t>(std::min<uint64_t>(body_left_, input.size() - consumed));
      body_left_ -= take;
      consumed += take;
      if (body_left_ > 0) break;
      if (close_after_body_) return CloseAfter(consumed, "client asked to close");
      continue;
    }
    if (sink.Full()) break;
    std::string_view rest = input.substr(consumed);
    size_t head_end = rest.find("\r\n\r\n");
    if (head_end == std::string_view::npos) {
      if (rest.size() > max_head_) {
        sink.Reply(kHeadTooLarge);
        return RejectAfter(input.size(), "request head too large");
      }
      break;
    }
    size_t head_size = head_end + 4;
    Request request;
    if (head_size > max_head_) {
      sink.Reply(kHeadTooLarge);
      return RejectAfter(input.size(), "request head too large");
    }
    if (!ParseHead(rest.substr(0, head_size), &request)) {
      sink.Reply(kBadRequest);
      // h2load without --h1 opens with HTTP/2's preface; say so in the log.
      return RejectAfter(input.size(), rest.starts_with("PRI * HTTP/2.0\r\n")
                                           ? "an HTTP/2 preface, and this server speaks HTTP/1.x "
                                             "only (h2load needs --h1)"
                                           : "malformed HTTP request");
    }
    consumed += head_size;
    if (request.body_length == UINT64_MAX) {
      sink.Reply(kNotImplemented);
      return RejectAfter(input.size(), "chunked request body");
    }
    if (request.body_length > max_body_) {
      sink.Reply(kBodyTooLarge);
      return RejectAfter(input.size(), "request body larger than --max-frame");
    }
    const Replies& replies = !request.keep_alive ? kClosing
                             : request.http10    ? kKeptOpenSaidSo
                                                 : kKeptOpen;
    sink.Reply(!request.answered ? replies.not_allowed
               : request.head    ? replies.ok_head
                                 : replies.ok);
    body_left_ = request.body_length;
    close_after_body_ = !request.keep_alive;
    if (body_left_ == 0 && close_after_body_) return CloseAfter(consumed, "client asked to close");
  }
  return Consumed(consumed);
}

}  // namespace c10k
