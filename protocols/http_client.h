#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/client_codec.h"

namespace c10k {

// http, client side: keep-alive requests of one method and path (GET unless
// told otherwise, with a body when given one); each reply's status line,
// headers and Content-Length (or chunks) are checked, and the body is
// consumed as it arrives. A 4xx or 5xx status is an error reply; 2xx and 3xx are answers.
class HttpClientCodec final : public ClientCodec {
 public:
  explicit HttpClientCodec(const ClientCodecOptions& options);
  void WriteRequest(ByteBuffer& out) override;
  void WriteLastRequest(ByteBuffer& out) override;
  ReplyParse ParseReplies(std::string_view input) override;
  ReplyParse EndOfStream() override;

  // A reply head (or a trailer line) longer than this is a protocol error,
  // not a reason to buffer; so is a chunk-size line longer than kMaxChunkLine.
  static constexpr size_t kMaxHead = 64 * 1024;
  static constexpr size_t kMaxChunkLine = 1024;

 private:
  // Where in a reply the parser is.
  enum class Part : uint8_t {
    kHead,        // status line and headers, up to the blank line
    kBody,        // body_left_ bytes of a Content-Length body (or none)
    kChunkSize,   // a chunk's size line
    kChunkData,   // body_left_ bytes of the chunk
    kChunkEnd,    // the CRLF after a chunk's data
    kTrailer,     // trailer lines after the last (zero) chunk, to a blank line
    kUntilClose,  // a body with neither length nor chunks: it ends when the server closes
  };

  // Parses the reply head at the start of `input`, through the blank line
  // that ends it, in one pass: its length, kHeadIncomplete while the blank
  // line has not come, or kHeadMalformed. A line that is wrong is refused as
  // soon as it is complete, without waiting for a blank line that may never
  // come (a server of another protocol). When complete, sets status_, part_
  // and body_left_.
  static constexpr size_t kHeadIncomplete = 0;
  static constexpr size_t kHeadMalformed = std::numeric_limits<size_t>::max();
  static_assert(kHeadMalformed > kMaxHead,
                "ParseReplies refuses kHeadMalformed as a head past kMaxHead");
  size_t ParseHead(std::string_view input);
  // Counts the reply just completed into `result` (an error reply, a status
  // that is not HTTP's) and starts the next one.
  void CompleteReply(ReplyParse& result);
  // At a chunk-size line: its length with the CRLF (0: incomplete, -1:
  // malformed); sets body_left_ and the next part.
  int64_t ParseChunkSize(std::string_view input);

  std::string request_;  // the request line and headers, through the blank line
  // The same with "Connection: close", unless --header gave a Connection
  // header of its own.
  std::string last_request_;
  std::shared_ptr<const std::string> body_;
  bool head_requests_ = false;  // HEAD: replies announce a body they do not carry
  int status_ = 0;
  // The status line of the reply being read, when it is an error (400 or
  // more) or no HTTP status at all (under 200 or 600 and more).
  std::string error_line_;
  std::string reported_error_;  // what the last ParseReplies gave as first_error
  bool closes_ = false;         // the reply being read ends the connection
  bool close_implied_ = false;  // ... because it is HTTP/1.0, not because it said so
  MismatchReport mismatches_;
  Part part_ = Part::kHead;
  uint64_t body_left_ = 0;
};

// An http:// URL split as wrk takes it: HOST:PORT (port 80 when the URL
// gives none) and the request target ("/" when it gives none; a query kept, a
// #fragment dropped, as clients never send it). nullopt when `text` is not
// an http:// URL; HOST is checked by ParseHostPort, not here.
struct HttpUrl {
  std::string host_port;
  std::string path;
};
std::optional<HttpUrl> SplitHttpUrl(std::string_view text);

// Why `method` (as given to `c10k load --method`) cannot be every request's
// method, in words for a usage error; "" when it can.
std::string HttpMethodProblem(std::string_view method);

// Why `path` (as given to `c10k load --path`) cannot be every request's
// target, in words for a usage error; "" when it can.
std::string HttpPathProblem(std::string_view path);

// Why `header` ("Name: value", as given to `c10k load --header`) cannot go
// into every request, in words for a usage error; "" when it can.
std::string HttpHeaderProblem(std::string_view header);

// `header` as a results document may show it: the value of a credential
// (Authorization, Proxy-Authorization, Cookie) is left out, since results
// are kept and attached to CI runs.
std::string HeaderForTheRecord(std::string_view header);

// True when these request headers (as HttpHeaderProblem passed them) ask the
// server to close the connection after each reply ("Connection: close").
bool RequestsClose(const std::vector<std::string>& headers);

}  // namespace c10k
