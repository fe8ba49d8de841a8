// echo: every byte that arrives is sent back as it is; there are no messages on
// the wire (the client side, in echo_client.cc, gives the stream its shape).
#include "protocols/echo_server.h"

namespace c10k {

ConsumeResult EchoServerCodec::Consume(std::string_view input, ReplySink& sink) {
  // The sink may be full already; echo what fits the contract (all of it:
  // the server reads at most one chunk before checking Full again).
  if (sink.Full()) return {};
  sink.Reply(input);
  return Consumed(input.size());
}

}  // namespace c10k
