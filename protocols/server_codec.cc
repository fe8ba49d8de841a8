#include "protocols/server_codec.h"

#include "protocols/echo_server.h"
#include "protocols/framed_server.h"
#include "protocols/http_server.h"
#include "protocols/line_server.h"
#include "protocols/resp_server.h"

namespace c10k {

ConsumeResult ConsumeArrived(ServerCodec& codec, ByteBuffer& pending, std::string_view arrived,
                             ReplySink& sink) {
  if (pending.Empty()) {
    ConsumeResult result = codec.Consume(arrived, sink);
    if (result.consumed < arrived.size()) pending.Append(arrived.substr(result.consumed));
    return result;
  }
  pending.Append(arrived);
  ConsumeResult result = codec.Consume(pending.Readable(), sink);
  pending.Consume(result.consumed);
  return result;
}

std::unique_ptr<ServerState> MakeServerState(Protocol) { return std::make_unique<ServerState>(); }

std::unique_ptr<ServerCodec> MakeServerCodec(Protocol protocol, const CodecOptions& options,
                                             ServerState& state) {
  switch (protocol) {
    case Protocol::kEcho:
      return std::make_unique<EchoServerCodec>();
    case Protocol::kFramed:
      return std::make_unique<FramedServerCodec>(options);
    case Protocol::kLine:
      return std::make_unique<LineServerCodec>(options);
    case Protocol::kHttp:
      return std::make_unique<HttpServerCodec>(options);
    case Protocol::kResp:
      return std::make_unique<RespServerCodec>(options, state);
  }
  return nullptr;
}

}  // namespace c10k
