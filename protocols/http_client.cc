// HTTP/1.1 replies on a keep-alive connection are delimited by Content-Length
// or by chunked transfer coding (what servers send when they stream a body of
// unknown length); the chunks are skipped as they arrive, never buffered. A
// reply delimited by neither ends when the server closes the connection
// (RFC 9112, 6.3), as simple servers send them: its body is consumed until
// then, and the close completes it (EndOfStream). 1xx interim
// replies are skipped; 204 and 304 carry no body. A reply that says the server
// closes the connection after it (Connection: close, or HTTP/1.0 without
// keep-alive, as nginx does after keepalive_requests) is reported, so the
// worker can open a new connection the way wrk does. Replies to HEAD have no
// body, whatever their Content-Length says. Lines end in CRLF or, as RFC
// 9112 (2.2) lets a recipient accept and wrk's parser does, a bare LF.
#include "protocols/http_client.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "protocols/http_text.h"

namespace c10k {

namespace {

std::string_view HeaderName(std::string_view header) { return header.substr(0, header.find(':')); }

// The first line of `input`: its text without the CR or LF that end it, and
// how many bytes it takes with them; nullopt while no LF has come.
struct Line {
  std::string_view text;
  size_t length;
};
std::optional<Line> FirstLine(std::string_view input) {
  size_t lf = input.find('\n');
  if (lf == std::string_view::npos) return std::nullopt;
  size_t end = lf > 0 && input[lf - 1] == '\r' ? lf - 1 : lf;
  return Line{input.substr(0, end), lf + 1};
}

bool HasHeader(const std::vector<std::string>& headers, std::string_view name) {
  return std::ranges::any_of(headers, [name](const std::string& header) {
    return EqualsLowercase(HeaderName(header), name);
  });
}

// The request line and headers; the body, if any, follows them. `last`: the
// connection's last request, which says so unless a --header of the user's
// already speaks for the connection.
std::string BuildRequestHead(const ClientCodecOptions& options, bool last) {
  std::string request = options.http_method + " " + options.http_path + " HTTP/1.1\r\n";
  // Host is the one header HTTP/1.1 requires, and the only one sent unasked
  // besides the framing below: nothing else for the server to parse, as
  // wrk's request. A User-Agent cost nginx 14% more instructions per request
  // (it sniffs the browser).
  if (!HasHeader(options.http_headers, "host")) request += "Host: " + options.http_host + "\r\n";
  for (const std::string& header : options.http_headers) request += header + "\r\n";
  if (options.http_body) {
    request += "Content-Length: " + std::to_string(options.http_body->size()) + "\r\n";
  }
  if (last && !HasHeader(options.http_headers, "connection")) request += "Connection: close\r\n";
  return request + "\r\n";
}

}  // namespace

std::optional<HttpUrl> SplitHttpUrl(std::string_view text) {
  constexpr std::string_view kScheme = "http://";
  if (!StartsWithLowercase(text, kScheme)) return std::nullopt;
  text.remove_prefix(kScheme.size());
  text = text.substr(0, text.find('#'));
  size_t authority_end = text.find_first_of("/?");
  HttpUrl url;
  url.host_port = std::string(text.substr(0, authority_end));
  // A port follows the last colon, unless that colon is inside [an IPv6 literal].
  size_t colon = url.host_port.rfind(':');
  size_t bracket = url.host_port.rfind(']');
  if (colon == std::string::npos || (bracket != std::string::npos && colon < bracket)) {
    url.host_port += ":80";
  }
  std::string_view path = authority_end == std::string_view::npos ? "" : text.substr(authority_end);
  url.path = path;
  if (!url.path.starts_with('/')) url.path.insert(0, 1, '/');  // "?q" is "/?q"
  return url;
}

std::string HttpMethodProblem(std::string_view method) {
  if (!IsToken(method)) {
    return "is not a method name: it " + std::string(kNotATokenWords);
  }
  // After a 2xx, CONNECT turns the connection into a tunnel, and what comes
  // back is no longer replies to count.
  if (method == "CONNECT") return "opens a tunnel, not a request and reply";
  return "";
}

std::string HttpPathProblem(std::string_view path) {
  if (!path.starts_with('/')) return "must start with /";
  // It goes into the request line as it is, where a space ends the path.
  if (std::ranges::any_of(path, [](unsigned char c) { return c <= ' ' || c == 0x7f; })) {
    return "has a space or control character; percent-encode it (a space is %20)";
  }
  if (std::ranges::any_of(path, [](unsigned char c) { return c >= 0x80; })) {
    return "has a character that is not ASCII; percent-encode its UTF-8 bytes (\xc3\xa9 is "
           "%C3%A9)";
  }
  return "";
}

std::string HttpHeaderProblem(std::string_view header) {
  size_t colon = header.find(':');
  if (colon == std::string_view::npos) return "is not \"Name: value\"";
  std::string_view name = header.substr(0, colon);
  if (!IsToken(name)) {
    return "has a name that " + std::string(kNotATokenWords);
  }
  // Bytes from 0x80 up are obs-text, which a value may hold (RFC 9110).
  if (std::ranges::any_of(header.substr(colon + 1),
                          [](unsigned char c) { return (c < ' ' && c != '\t') || c == 0x7f; })) {
    return "has a control character in its value";
  }
  if (EqualsLowercase(name, "content-length") || EqualsLowercase(name, "transfer-encoding")) {
    return "frames the body, which c10k load does itself: a Content-Length with --body-file, "
           "none without";
  }
  return "";
}

std::string HeaderForTheRecord(std::string_view header) {
  std::string_view name = HeaderName(header);
  for (std::string_view secret : {"authorization", "proxy-authorization", "cookie"}) {
    if (EqualsLowercase(name, secret)) return std::string(name) + ": (not recorded)";
  }
  return std::string(header);
}

bool RequestsClose(const std::vector<std::string>& headers) {
  return std::ranges::any_of(headers, [](std::string_view header) {
    std::string_view name = HeaderName(header);
    return EqualsLowercase(name, "connection") && HasToken(header.substr(name.size() + 1), "close");
  });
}

HttpClientCodec::HttpClientCodec(const ClientCodecOptions& options)
    : request_(BuildRequestHead(options, /*last=*/false)),
      last_request_(BuildRequestHead(options, /*last=*/true)),
      body_(options.http_body),
      head_requests_(options.http_method == "HEAD") {}

void HttpClientCodec::WriteRequest(ByteBuffer& out) {
  out.Append(request_);
  if (body_) out.Append(*body_);
}

void HttpClientCodec::WriteLastRequest(ByteBuffer& out) {
  out.Append(last_request_);
  if (body_) out.Append(*body_);
}

// One pass over the head, a memchr for each line's LF: finding the blank line
// first and then parsing would read every head twice, and the head is most
// of what the load generator spends per reply in user space.
size_t HttpClientCodec::ParseHead(std::string_view input) {
  std::optional<Line> first = FirstLine(input);
  if (!first) return kHeadIncomplete;
  std::string_view status_line = first->text;
  // "HTTP/1.1 200 OK": the version, one space, three digits.
  if (status_line.size() < 12 || status_line.substr(0, 7) != "HTTP/1." || status_line[8] != ' ') {
    return kHeadMalformed;
  }
  auto [end, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status_);
  if (ec != std::errc() || end != status_line.data() + 12) return kHeadMalformed;
  // Kept until the reply completes (its body may come in later reads); only
  // error replies and statuses that are not HTTP's pay for the copy.
  if (status_ >= 400 || status_ < 200) error_line_.assign(status_line);
  bool has_length = false;
  bool chunked = false;
  bool coded_until_close = false;
  uint64_t length = 0;
  closes_ = false;
  close_implied_ = false;
  bool keeps_alive = false;
  size_t head_length = first->length;
  while (true) {
    std::optional<Line> next = FirstLine(input.substr(head_length));
    if (!next) return kHeadIncomplete;
    head_length += next->length;
    std::string_view line = next->text;
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return kHeadMalformed;
    std::string_view name = line.substr(0, colon);
    // Only the headers that frame the reply are read: the value of any other
    // (Server, Date, Content-Type) is not even trimmed.
    auto value_of = [&line, colon] { return TrimWhitespace(line.substr(colon + 1)); };
    if (EqualsLowercase(name, "content-length")) {
      std::string_view value = value_of();
      uint64_t parsed = 0;
      auto [stop, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (error != std::errc() || stop != value.data() + value.size()) return kHeadMalformed;
      if (has_length && parsed != length) return kHeadMalformed;
      has_length = true;
      length = parsed;
    } else if (EqualsLowercase(name, "transfer-encoding")) {
      // Only a final "chunked" delimits the body (gzip, chunked is fine: the
      // body is skipped, not decoded); any other coding ends at close.
      std::string_view value = value_of();
      size_t last = value.rfind(',');
      chunked = EqualsLowercase(
          TrimWhitespace(value.substr(last == std::string_view::npos ? 0 : last + 1)), "chunked");
      coded_until_close = !chunked;
    } else if (EqualsLowercase(name, "connection")) {
      std::string_view value = value_of();
      closes_ = HasToken(value, "close");
      keeps_alive = HasToken(value, "keep-alive");
    }
  }
  // HTTP/1.0 closes after each reply unless it says otherwise.
  if (status_line[7] == '0' && !keeps_alive && !closes_) closes_ = close_implied_ = true;
  // A reply to HEAD says what a GET's body would be, and carries none.
  bool bodyless =
      head_requests_ || (status_ >= 100 && status_ < 200) || status_ == 204 || status_ == 304;
  body_left_ = 0;
  if (bodyless) {
    part_ = Part::kBody;
    return head_length;
  }
  // Chunked coding overrides a Content-Length (RFC 9112, 6.3).
  if (chunked) {
    part_ = Part::kChunkSize;
    return head_length;
  }
  // A coding other than chunked last ends at close, whatever Content-Length
  // says (RFC 9112, 6.3); so does a body with no length at all.
  if (coded_until_close || !has_length) {
    part_ = Part::kUntilClose;
    return head_length;
  }
  part_ = Part::kBody;
  body_left_ = length;
  return head_length;
}

int64_t HttpClientCodec::ParseChunkSize(std::string_view input) {
  std::optional<Line> size_line = FirstLine(input);
  if (!size_line) return input.size() > kMaxChunkLine ? -1 : 0;
  // "1a3f", then optional extensions after a ';', which say nothing needed here.
  std::string_view line = size_line->text;
  std::string_view digits = TrimWhitespace(line.substr(0, line.find(';')));
  auto [stop, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), body_left_, 16);
  if (digits.empty() || error != std::errc() || stop != digits.data() + digits.size()) return -1;
  part_ = body_left_ == 0 ? Part::kTrailer : Part::kChunkData;
  return static_cast<int64_t>(size_line->length);
}

void HttpClientCodec::CompleteReply(ReplyParse& result) {
  part_ = Part::kHead;
  ++result.completed;
  // As wrk counts them: 2xx and 3xx are answers, 4xx and 5xx the server
  // saying no, and any other status is not HTTP's.
  if (status_ >= 400 && status_ < 600) {
    ++result.error_replies;
    if (result.first_error.empty()) {
      // A copy: a later reply in this input overwrites error_line_.
      reported_error_ = error_line_;
      result.first_error = reported_error_;
    }
  } else if (status_ < 200 || status_ >= 400) {
    mismatches_.Count(result, [this] { return "had the status line \"" + error_line_ + "\""; });
  }
}

ReplyParse HttpClientCodec::EndOfStream() {
  ReplyParse result;
  if (part_ != Part::kUntilClose) return result;
  CompleteReply(result);
  result.server_closes = true;
  return result;
}

ReplyParse HttpClientCodec::ParseReplies(std::string_view input) {
  ReplyParse result;
  // Moves past `n` bytes the current part has used.
  auto use = [&](size_t n) {
    input.remove_prefix(n);
    result.consumed += n;
  };
  while (true) {
    switch (part_) {
      case Part::kHead: {
        size_t head_length = ParseHead(input);
        if (head_length == kHeadIncomplete) {
          if (input.size() > kMaxHead) result.protocol_error = true;
          return result;
        }
        // kHeadMalformed is past kMaxHead too (see the header).
        if (head_length > kMaxHead) {
          result.protocol_error = true;
          return result;
        }
        use(head_length);
        // An interim reply (100 Continue) is followed by the real one.
        if (status_ >= 100 && status_ < 200) part_ = Part::kHead;
        continue;
      }
      case Part::kBody:
      case Part::kChunkData: {
        size_t take = input.size() < body_left_ ? input.size() : static_cast<size_t>(body_left_);
        body_left_ -= take;
        use(take);
        if (body_left_ > 0) return result;
        if (part_ == Part::kBody) break;  // the reply is complete
        part_ = Part::kChunkEnd;
        continue;
      }
      case Part::kChunkEnd: {
        // The CRLF (or bare LF) after a chunk's data, and nothing else.
        size_t ending = input.starts_with("\r\n") ? 2 : input.starts_with('\n') ? 1 : 0;
        if (ending == 0) {
          // Nothing yet, or a CR whose LF is still coming, is not an error.
          result.protocol_error = !input.empty() && input != "\r";
          return result;
        }
        use(ending);
        part_ = Part::kChunkSize;
        continue;
      }
      case Part::kChunkSize: {
        int64_t line = ParseChunkSize(input);
        if (line <= 0) {
          result.protocol_error = line < 0;
          return result;
        }
        use(static_cast<size_t>(line));
        continue;
      }
      case Part::kUntilClose:
        use(input.size());  // all of it is body, until the close says the reply is done
        return result;
      case Part::kTrailer: {
        // Trailer fields, if any, then the empty line that ends the reply.
        std::optional<Line> trailer = FirstLine(input);
        if (!trailer) {
          if (input.size() > kMaxHead) result.protocol_error = true;
          return result;
        }
        use(trailer->length);
        if (!trailer->text.empty()) continue;
        break;
      }
    }
    CompleteReply(result);
    if (closes_) {
      // Whatever follows on this connection is not an answer; the worker
      // opens a new one and sends the unanswered requests again.
      result.server_closes = true;
      result.close_implied = close_implied_;
      return result;
    }
  }
}

}  // namespace c10k
