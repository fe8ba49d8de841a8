#pragma once

#include <cstdint>

#include "protocols/server_codec.h"

namespace c10k {

class HttpServerCodec final : public ServerCodec {
 public:
  explicit HttpServerCodec(const CodecOptions& options);
  ConsumeResult Consume(std::string_view input, ReplySink& sink) override;

 private:
  // What one request head says.
  struct Request {
    bool answered = false;  // a method this server answers 200 (GET, HEAD, POST, PUT)
    bool head = false;
    bool keep_alive = true;
    bool http10 = false;  // HTTP/1.0: keep-alive only if asked, and then announced
    uint64_t body_length = 0;
  };
  // nullopt-like: false when the head is malformed.
  bool ParseHead(std::string_view head, Request* request) const;

  size_t max_head_;
  uint64_t max_body_;
  uint64_t body_left_ = 0;  // a request body still being skipped
  bool close_after_body_ = false;
};

}  // namespace c10k
