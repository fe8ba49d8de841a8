#pragma once

#include <string>

#include "protocols/client_codec.h"

namespace c10k {

// http, client side: keep-alive GETs of one path; each reply's status line,
// headers and Content-Length are checked, and the body is consumed as it
// arrives. A 4xx or 5xx status is an error reply; 2xx and 3xx are answers.
class HttpClientCodec final : public ClientCodec {
 public:
  explicit HttpClientCodec(const ClientCodecOptions& options);
  void WriteRequest(ByteBuffer& out) override;
  ReplyParse ParseReplies(std::string_view input) override;

  // A reply head longer than this is a protocol error, not a reason to buffer.
  static constexpr size_t kMaxHead = 64 * 1024;

 private:
  // Parses one complete head (through the blank line). False on a malformed
  // head; sets status_ and body_left_ (or has_length_ = false).
  bool ParseHead(std::string_view head);

  std::string request_;
  int status_ = 0;
  std::string error_line_;      // the status line of the reply being read, when 400 or more
  std::string reported_error_;  // what the last ParseReplies gave as first_error
  bool closes_ = false;         // the reply being read ends the connection
  bool keeps_alive_ = false;    // it said keep-alive (HTTP/1.0)
  bool in_body_ = false;
  uint64_t body_left_ = 0;
};

}  // namespace c10k
