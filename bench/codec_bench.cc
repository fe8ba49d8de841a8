// Codec throughput, in bytes/s and messages/s, for every protocol: the server
// consuming requests (parsing them and writing its replies into an output
// buffer), the client encoding requests, and the client parsing and verifying
// replies. These bound how fast any model can go before a single system call
// is made.
//
// The benchmarks are written over the Protocol enum through the codec
// factories, so a codec is measured as soon as it exists: requests come from
// the client codec, replies from the server codec (for the line protocol, what
// it broadcasts). Where a factory has no codec yet, the benchmark skips,
// saying so.
//
// Each benchmark walks a corpus of kCorpusMessages messages, `batch` messages
// per codec call: batch 1 is a request-response client at depth 1 (one
// message per read), batch 16 a pipelining one.
#include "bench/codec_bench.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/byte_buffer.h"
#include "protocols/client_codec.h"
#include "protocols/protocol.h"
#include "protocols/server_codec.h"

namespace c10k {

namespace {

// Large enough that the walk is not one cache-hot message, small enough (at
// most a few hundred KiB) to stay in L2, as a server's recent input does.
constexpr size_t kCorpusMessages = 256;
// resp alternates SET and GET over this many keys, so the server's table
// holds real values and every GET finds one.
constexpr uint32_t kRespKeys = 64;

ClientCodecOptions OptionsFor(Protocol protocol, size_t message_size) {
  ClientCodecOptions options;
  options.message_size = message_size;
  options.stream_seed = 12345;
  options.keys = protocol == Protocol::kResp ? kRespKeys : 0;
  options.sender = 1;
  return options;
}

// A server's output buffer: replies and broadcasts are both appended, because
// for this benchmark what the line protocol broadcasts is its reply.
class CaptureSink final : public ReplySink {
 public:
  void Reply(std::string_view bytes) override { output_.Append(bytes); }
  void Broadcast(std::string_view bytes) override { output_.Append(bytes); }
  bool Full() const override { return false; }

  ByteBuffer& Output() { return output_; }

 private:
  ByteBuffer output_;
};

// Counts the stamps of broadcast messages, so their parse is not optimised
// away and a damaged one is noticed.
class CountingStampSink final : public StampSink {
 public:
  void Delivered(const MessageStamp& stamp) override { senders_ += stamp.sender; }

 private:
  uint64_t senders_ = 0;
};

void WriteOne(ClientCodec& client, ByteBuffer& out, uint32_t sequence) {
  if (client.Broadcasts()) {
    int64_t now = 1'000'000'000 + int64_t{sequence} * 1000;
    client.WriteMessage(out, {now, now, 1});
  } else {
    client.WriteRequest(out);
  }
}

ReplyParse ParseSome(ClientCodec& client, std::string_view input) {
  if (!client.Broadcasts()) return client.ParseReplies(input);
  CountingStampSink stamps;
  return client.ParseMessages(input, stamps);
}

// A stream of messages with where each one ends, so it can be cut into
// batches at message boundaries.
struct Stream {
  std::string bytes;
  std::vector<size_t> ends;

  std::string_view Batch(size_t first, size_t count) const {
    size_t begin = first == 0 ? 0 : ends[first - 1];
    return std::string_view(bytes).substr(begin, ends[first + count - 1] - begin);
  }
};

// The requests one client writes and the replies the server gives them, the
// replies verified by a second client codec as the load generator would.
struct Corpus {
  Stream requests;
  Stream replies;
};

// Walks a stream `batch` messages at a time, wrapping at its end, and counts
// what it handed out for the benchmark's rates.
class Walk {
 public:
  Walk(const Stream& stream, size_t batch) : stream_(stream), batch_(batch) {}

  bool AtStart() const { return first_ == 0; }
  size_t Batch() const { return batch_; }

  std::string_view Next() {
    std::string_view messages = stream_.Batch(first_, batch_);
    first_ = (first_ + batch_) % kCorpusMessages;
    messages_ += static_cast<int64_t>(batch_);
    bytes_ += static_cast<int64_t>(messages.size());
    return messages;
  }

  void Report(benchmark::State& state) const {
    state.SetItemsProcessed(messages_);
    state.SetBytesProcessed(bytes_);
  }

 private:
  const Stream& stream_;
  size_t batch_;
  size_t first_ = 0;
  int64_t messages_ = 0;
  int64_t bytes_ = 0;
};

std::string NoCodec(Protocol protocol, const char* side) {
  return "protocol " + std::string(ProtocolName(protocol)) + " has no " + side + " codec yet";
}

std::optional<Corpus> BuildCorpus(Protocol protocol, size_t message_size, std::string* error) {
  ClientCodecOptions options = OptionsFor(protocol, message_size);
  std::unique_ptr<ClientCodec> client = MakeClientCodec(protocol, options);
  std::unique_ptr<ServerState> state = MakeServerState(protocol);
  std::unique_ptr<ServerCodec> server = MakeServerCodec(protocol, CodecOptions{}, *state);
  if (!client || !server) {
    *error = NoCodec(protocol, client ? "server" : "client");
    return std::nullopt;
  }
  Corpus corpus;
  ByteBuffer requests;
  CaptureSink sink;
  for (uint32_t i = 0; i < kCorpusMessages; ++i) {
    size_t begin = requests.Size();
    WriteOne(*client, requests, i);
    std::string_view request = requests.Readable().substr(begin);
    ConsumeResult result = server->Consume(request, sink);
    if (result.consumed != request.size() || result.close) {
      *error = "the " + std::string(ProtocolName(protocol)) + " server consumed " +
               std::to_string(result.consumed) + " of a " + std::to_string(request.size()) +
               "-byte request" + (result.close ? ", closing: " + std::string(result.why) : "");
      return std::nullopt;
    }
    corpus.requests.ends.push_back(requests.Size());
    corpus.replies.ends.push_back(sink.Output().Size());
  }
  corpus.requests.bytes = requests.Readable();
  corpus.replies.bytes = sink.Output().Readable();
  ReplyParse check = ParseSome(*MakeClientCodec(protocol, options), corpus.replies.bytes);
  if (check.completed != kCorpusMessages || check.mismatches != 0 || check.protocol_error ||
      check.consumed != corpus.replies.bytes.size()) {
    *error = "the " + std::string(ProtocolName(protocol)) + " client verified " +
             std::to_string(check.completed - check.mismatches) + " of " +
             std::to_string(kCorpusMessages) + " replies" +
             (check.protocol_error ? " (protocol error)" : "");
    return std::nullopt;
  }
  return corpus;
}

// The corpus for the benchmark's message size (its first argument), or
// nothing, the benchmark skipped saying why.
std::optional<Corpus> CorpusOrSkip(benchmark::State& state, Protocol protocol) {
  std::string error;
  std::optional<Corpus> corpus = BuildCorpus(protocol, static_cast<size_t>(state.range(0)), &error);
  if (!corpus) state.SkipWithError(error.c_str());
  return corpus;
}

// The server side: each call parses `batch` requests and appends their
// replies to an output buffer that is emptied between calls, as a server's is
// by its writes.
void BM_ServerConsume(benchmark::State& state, Protocol protocol) {
  std::optional<Corpus> corpus = CorpusOrSkip(state, protocol);
  if (!corpus) return;
  std::unique_ptr<ServerState> server_state = MakeServerState(protocol);
  std::unique_ptr<ServerCodec> server = MakeServerCodec(protocol, CodecOptions{}, *server_state);
  CaptureSink sink;
  Walk walk(corpus->requests, static_cast<size_t>(state.range(1)));
  for (auto _ : state) {
    std::string_view input = walk.Next();
    sink.Output().Clear();
    ConsumeResult result = server->Consume(input, sink);
    if (result.consumed != input.size()) {
      state.SkipWithError("the server did not consume a whole batch of requests");
      break;
    }
  }
  walk.Report(state);
}

// The client side, writing: each call appends `batch` requests to a send
// buffer emptied between calls.
void BM_ClientEncode(benchmark::State& state, Protocol protocol) {
  size_t batch = static_cast<size_t>(state.range(1));
  std::unique_ptr<ClientCodec> client =
      MakeClientCodec(protocol, OptionsFor(protocol, static_cast<size_t>(state.range(0))));
  if (!client) {
    state.SkipWithError(NoCodec(protocol, "client").c_str());
    return;
  }
  ByteBuffer out;
  uint32_t sequence = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    out.Clear();
    for (size_t i = 0; i < batch; ++i) WriteOne(*client, out, sequence++);
    benchmark::DoNotOptimize(out.Readable().data());
    bytes += static_cast<int64_t>(out.Size());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
  state.SetBytesProcessed(bytes);
}

// The client side, reading: each call parses and verifies `batch` replies.
// Clients verify replies against their position in the stream, so the walk
// starts a fresh client codec each time it wraps around the corpus (one
// allocation per kCorpusMessages messages).
void BM_ClientParse(benchmark::State& state, Protocol protocol) {
  std::optional<Corpus> corpus = CorpusOrSkip(state, protocol);
  if (!corpus) return;
  ClientCodecOptions options = OptionsFor(protocol, static_cast<size_t>(state.range(0)));
  std::unique_ptr<ClientCodec> client;
  Walk walk(corpus->replies, static_cast<size_t>(state.range(1)));
  for (auto _ : state) {
    if (walk.AtStart()) client = MakeClientCodec(protocol, options);
    ReplyParse parse = ParseSome(*client, walk.Next());
    if (parse.completed != walk.Batch() || parse.mismatches != 0) {
      state.SkipWithError("the client did not verify a whole batch of replies");
      break;
    }
  }
  walk.Report(state);
}

}  // namespace

// Registered at start-up rather than by macro, one set per protocol that
// ProtocolNames() lists, so a protocol added to the enum is benchmarked
// without touching this file.
void RegisterCodecBenchmarks() {
  using Function = void (*)(benchmark::State&, Protocol);
  const std::pair<const char*, Function> kBenchmarks[] = {
      {"BM_ServerConsume", BM_ServerConsume},
      {"BM_ClientEncode", BM_ClientEncode},
      {"BM_ClientParse", BM_ClientParse},
  };
  for (const auto& [name, function] : kBenchmarks) {
    for (std::string_view protocol_name : ProtocolNames()) {
      Protocol protocol = *ParseProtocol(protocol_name);
      std::string full_name = std::string(name) + "/" + std::string(protocol_name);
      benchmark::RegisterBenchmark(full_name.c_str(), function, protocol)
          ->ArgsProduct({{64, 1024}, {1, 16}})
          ->ArgNames({"size", "batch"});
    }
  }
}

}  // namespace c10k
