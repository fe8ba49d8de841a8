#include "protocols/server_codec.h"

#include "protocols/echo.h"

namespace c10k {

std::unique_ptr<ServerState> MakeServerState(Protocol) { return std::make_unique<ServerState>(); }

std::unique_ptr<ServerCodec> MakeServerCodec(Protocol protocol, const CodecOptions&,
                                             ServerState&) {
  switch (protocol) {
    case Protocol::kEcho:
      return std::make_unique<EchoServerCodec>();
    default:
      return nullptr;
  }
}

}  // namespace c10k
