#include "protocols/client_codec.h"

#include "protocols/echo_client.h"
#include "protocols/framed_client.h"
#include "protocols/http_client.h"
#include "protocols/line_client.h"
#include "protocols/resp_client.h"

namespace c10k {

std::unique_ptr<ClientCodec> MakeClientCodec(Protocol protocol, const ClientCodecOptions& options) {
  switch (protocol) {
    case Protocol::kEcho:
      return std::make_unique<EchoClientCodec>(options);
    case Protocol::kFramed:
      return std::make_unique<FramedClientCodec>(options);
    case Protocol::kLine:
      return std::make_unique<LineClientCodec>(options);
    case Protocol::kHttp:
      return std::make_unique<HttpClientCodec>(options);
    case Protocol::kResp:
      return std::make_unique<RespClientCodec>(options);
  }
  return nullptr;
}

}  // namespace c10k
