#include "protocols/client_codec.h"

#include "protocols/echo.h"

namespace c10k {

std::unique_ptr<ClientCodec> MakeClientCodec(Protocol protocol, const ClientCodecOptions& options) {
  switch (protocol) {
    case Protocol::kEcho:
      return std::make_unique<EchoClientCodec>(options);
    default:
      return nullptr;
  }
}

}  // namespace c10k
