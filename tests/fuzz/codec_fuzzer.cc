// libFuzzer target for one protocol codec in one direction, chosen at compile
// time (C10K_FUZZ_PROTOCOL, C10K_FUZZ_SERVER_SIDE): the server side parsing
// requests, or the client side parsing replies. The input is cut into
// fragments whose sizes the input itself decides, because a codec must give
// the same result however TCP splits the stream.
//
// Besides "no crash, no sanitizer report", it checks what the servers and the
// load generator rely on: a codec never claims more bytes than it was given,
// a remainder it left must stay unconsumed when offered again unchanged
// (otherwise a server would spin), and output stays proportional to input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/byte_buffer.h"
#include "protocols/client_codec.h"
#include "protocols/server_codec.h"

namespace c10k {
namespace {

constexpr Protocol kProtocol = Protocol::C10K_FUZZ_PROTOCOL;

class CountingSink final : public ReplySink {
 public:
  void Reply(std::string_view bytes) override { replied += bytes.size(); }
  void Broadcast(std::string_view bytes) override { broadcast += bytes.size(); }
  bool Full() const override { return full; }
  size_t replied = 0;
  size_t broadcast = 0;
  bool full = false;
};

class NullStampSink final : public StampSink {
 public:
  void Delivered(const MessageStamp&) override {}
};

void Check(bool condition) {
  if (!condition) std::abort();
}

// Feeds `input` to `parse` the way a connection would: fresh bytes appended
// to what was left over, in fragments sized by `sizes`.
template <typename Parse>
void FeedInFragments(std::string_view sizes, std::string_view input, Parse parse) {
  ByteBuffer pending;
  size_t at = 0;
  size_t next_size = 0;
  while (at < input.size()) {
    size_t fragment = sizes.empty() ? input.size()
                                    : 1 + static_cast<unsigned char>(sizes[next_size++ % sizes.size()]);
    fragment = std::min(fragment, input.size() - at);
    pending.Append(input.substr(at, fragment));
    at += fragment;
    std::string_view data = pending.Readable();
    size_t consumed = parse(data);
    if (consumed == SIZE_MAX) return;  // the codec closed the stream
    Check(consumed <= data.size());
    pending.Consume(consumed);
    // A remainder it has seen must not be consumed by asking again.
    if (!pending.Empty()) Check(parse(pending.Readable()) == 0);
  }
}

}  // namespace
}  // namespace c10k

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace c10k;
  if (size < 2) return 0;
  // Byte 0 says how many of the next bytes (0 to 8) are fragment sizes; the
  // rest is the stream.
  size_t header = std::min<size_t>(data[0] % 9, size - 1);
  std::string_view sizes(reinterpret_cast<const char*>(data) + 1, header);
  std::string_view stream(reinterpret_cast<const char*>(data) + 1 + header, size - 1 - header);
#if C10K_FUZZ_SERVER_SIDE
  auto state = MakeServerState(kProtocol);
  CodecOptions options;
  // Small enough that the fuzzer reaches the "frame too large" paths.
  options.max_frame = 4096;
  auto codec = MakeServerCodec(kProtocol, options, *state);
  if (!codec) return 0;
  CountingSink sink;
  size_t fed = 0;
  FeedInFragments(sizes, stream, [&](std::string_view input) -> size_t {
    ConsumeResult result = codec->Consume(input, sink);
    if (result.close) return SIZE_MAX;
    fed += result.consumed;
    return result.consumed;
  });
  // Replies are bounded by what came in: no request may make a reply grow
  // without bound (a GET of a large value is bounded by the SET that stored it).
  Check(sink.replied <= 64 * (fed + stream.size()) + 64 * 1024);
#else
  ClientCodecOptions options;
  options.message_size = 16;
  options.keys = 4;
  auto codec = MakeClientCodec(kProtocol, options);
  if (!codec) return 0;
  // Put some requests in flight so replies have something to match.
  ByteBuffer requests;
  for (int i = 0; i < 4; ++i) {
    if (codec->Broadcasts()) {
      codec->WriteMessage(requests, MessageStamp{1, 2, 3});
    } else {
      codec->WriteRequest(requests);
    }
  }
  NullStampSink stamps;
  FeedInFragments(sizes, stream, [&](std::string_view input) -> size_t {
    ReplyParse parse = codec->Broadcasts() ? codec->ParseMessages(input, stamps)
                                           : codec->ParseReplies(input);
    // The worker drops what follows a reply that closes the connection.
    if (parse.protocol_error || parse.server_closes) return SIZE_MAX;
    return parse.consumed;
  });
#endif
  return 0;
}
