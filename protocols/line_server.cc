// line: the broadcast chat server. Every complete line a client sends (up to
// and including its '\n') goes to every other client and never back to the
// sender. A line is relayed whole, so it must fit in --max-frame: a client
// that sends more without a newline is closed rather than buffered forever.
#include "protocols/line_server.h"

namespace c10k {

ConsumeResult LineServerCodec::Consume(std::string_view input, ReplySink& sink) {
  size_t consumed = 0;
  // Full() is this sender's own output; broadcasting does not add to it, but
  // a sender held back for its own replies stays held back.
  while (consumed < input.size() && !sink.Full()) {
    size_t newline = input.find('\n', consumed);
    if (newline == std::string_view::npos) break;
    size_t length = newline + 1 - consumed;
    if (length > max_line_) return RejectAfter(consumed, "line longer than --max-frame");
    sink.Broadcast(input.substr(consumed, length));
    consumed += length;
  }
  if (input.size() - consumed > max_line_) return RejectAfter(consumed, "line longer than --max-frame");
  return Consumed(consumed);
}

}  // namespace c10k
