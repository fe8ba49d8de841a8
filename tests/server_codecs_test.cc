// The server side of every protocol, sans I/O: bytes in, replies out.
#include <gtest/gtest.h>

#include <string>

#include "protocols/framed_server.h"
#include "protocols/http_server.h"
#include "protocols/key_value_store.h"
#include "protocols/line_server.h"
#include "protocols/resp_server.h"

namespace c10k {
namespace {

class RecordingSink final : public ReplySink {
 public:
  void Reply(std::string_view bytes) override { replies.append(bytes); }
  void Broadcast(std::string_view bytes) override { broadcasts.append(bytes); }
  bool Full() const override { return replies.size() >= limit; }
  std::string replies, broadcasts;
  size_t limit = SIZE_MAX;
};

std::string Frame(std::string_view payload) {
  uint32_t n = static_cast<uint32_t>(payload.size());
  std::string frame = {static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)};
  return frame + std::string(payload);
}

TEST(FramedServerTest, EchoesFramesIncludingEmptyOnesAcrossSplits) {
  FramedServerCodec codec({.max_frame = 1024});
  RecordingSink sink;
  std::string stream = Frame("hello") + Frame("") + Frame("world!");
  // Split after 3 bytes (inside a header) and again inside a payload.
  std::string pending;
  for (std::string_view piece : {std::string_view(stream).substr(0, 3), std::string_view(stream).substr(3, 5),
                                 std::string_view(stream).substr(8)}) {
    pending += piece;
    ConsumeResult result = codec.Consume(pending, sink);
    EXPECT_FALSE(result.close);
    pending.erase(0, result.consumed);
  }
  EXPECT_EQ(sink.replies, stream);
  EXPECT_EQ(pending, "");
}

TEST(FramedServerTest, OversizedFrameClosesWithAnError) {
  FramedServerCodec codec({.max_frame = 1024});
  RecordingSink sink;
  ConsumeResult result = codec.Consume(Frame(std::string(1025, 'x')), sink);
  EXPECT_TRUE(result.close);
  EXPECT_TRUE(result.error);
  EXPECT_EQ(sink.replies, "");
}

TEST(FramedServerTest, StopsConsumingWhenTheOutputIsFull) {
  FramedServerCodec codec({.max_frame = 1024});
  RecordingSink sink;
  sink.limit = 10;
  std::string stream = Frame("0123456789") + Frame("abc");
  ConsumeResult first = codec.Consume(stream, sink);
  EXPECT_LT(first.consumed, stream.size());
  sink.limit = SIZE_MAX;
  ConsumeResult rest = codec.Consume(std::string_view(stream).substr(first.consumed), sink);
  EXPECT_EQ(first.consumed + rest.consumed, stream.size());
  EXPECT_EQ(sink.replies, stream);
}

TEST(LineServerTest, BroadcastsCompleteLinesOnly) {
  LineServerCodec codec({.max_frame = 64});
  RecordingSink sink;
  ConsumeResult result = codec.Consume("one\ntwo\nthr", sink);
  EXPECT_EQ(result.consumed, 8u);
  EXPECT_EQ(sink.broadcasts, "one\ntwo\n");
  EXPECT_EQ(sink.replies, "") << "a sender never gets its own lines";
  ConsumeResult too_long = codec.Consume(std::string(65, 'x'), sink);
  EXPECT_TRUE(too_long.close);
  EXPECT_TRUE(too_long.error);
}

constexpr std::string_view kOk =
    "HTTP/1.1 200 OK\r\nServer: c10k\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
    "hello, world\n";

TEST(HttpServerTest, AnswersPipelinedGetsInOrder) {
  HttpServerCodec codec({});
  RecordingSink sink;
  std::string get = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  ConsumeResult result = codec.Consume(get + get + get + "GET /partial HTTP/1.1\r\nHo", sink);
  EXPECT_EQ(result.consumed, 3 * get.size());
  EXPECT_FALSE(result.close);
  EXPECT_EQ(sink.replies, std::string(kOk) + std::string(kOk) + std::string(kOk));
}

TEST(HttpServerTest, HonoursConnectionCloseAndHttp10) {
  for (std::string request : {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "GET / HTTP/1.0\r\n\r\n"}) {
    HttpServerCodec codec({});
    RecordingSink sink;
    ConsumeResult result = codec.Consume(request, sink);
    EXPECT_TRUE(result.close) << request;
    EXPECT_FALSE(result.error) << "closing on request is not an error";
    EXPECT_NE(sink.replies.find("Connection: close\r\n"), std::string::npos);
  }
  // HTTP/1.0 with keep-alive stays open, and the replies say so: without
  // "Connection: keep-alive" ab -k waited for a close that never came.
  HttpServerCodec keep({});
  RecordingSink sink;
  std::string keep_alive = "Connection: Keep-Alive\r\n\r\n";
  EXPECT_FALSE(keep.Consume("GET / HTTP/1.0\r\n" + keep_alive + "HEAD / HTTP/1.0\r\n" + keep_alive +
                                "DELETE / HTTP/1.0\r\n" + keep_alive,
                            sink)
                   .close);
  EXPECT_EQ(sink.replies.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << sink.replies;
  size_t announced = 0;
  for (size_t at = sink.replies.find("\r\nConnection: keep-alive\r\n\r\n"); at != std::string::npos;
       at = sink.replies.find("\r\nConnection: keep-alive\r\n\r\n", at + 1)) {
    ++announced;
  }
  EXPECT_EQ(announced, 3u) << sink.replies;
  EXPECT_NE(sink.replies.find("405 Method Not Allowed"), std::string::npos) << sink.replies;
  // HTTP/1.1 keeps the connection by default, so its replies need not say it.
  RecordingSink sink11;
  HttpServerCodec keep11({});
  keep11.Consume("GET / HTTP/1.1\r\n\r\n", sink11);
  EXPECT_EQ(sink11.replies.find("Connection:"), std::string::npos) << sink11.replies;
}

TEST(HttpServerTest, HeadHasNoBodyUploadsAreAnsweredAndOtherMethodsAre405WithBodySkipped) {
  HttpServerCodec codec({});
  RecordingSink sink;
  std::string post = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
  std::string put = "PUT /k HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
  std::string del = "DELETE / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
  ConsumeResult result =
      codec.Consume("HEAD / HTTP/1.1\r\n\r\n" + post + put + del + "GET / HTTP/1.1\r\n\r\n", sink);
  EXPECT_FALSE(result.close);
  std::string head = std::string(kOk.substr(0, kOk.size() - 13));
  std::string not_allowed =
      "HTTP/1.1 405 Method Not Allowed\r\nServer: c10k\r\nAllow: GET, HEAD, POST, PUT\r\n"
      "Content-Length: 0\r\n\r\n";
  // In order: HEAD's head alone, POST and PUT answered with their bodies
  // skipped, DELETE refused with its body skipped, and the GET after them.
  EXPECT_EQ(sink.replies,
            head + std::string(kOk) + std::string(kOk) + not_allowed + std::string(kOk));
}

TEST(HttpServerTest, MalformedRequestsGetAnErrorAndClose) {
  struct Case {
    std::string request;
    std::string status;
    std::string why;  // what the server's log says
  };
  for (const Case& c :
       {Case{"NOT HTTP\r\n\r\n", "400", "malformed HTTP request"},
        Case{"GET / HTTP/2.0\r\n\r\n", "400", "malformed HTTP request"},
        Case{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "400",
             "an HTTP/2 preface, and this server speaks HTTP/1.x only (h2load needs --h1)"},
        Case{"GET / HTTP/1.1\r\nno colon\r\n\r\n", "400", "malformed HTTP request"},
        Case{"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", "400", "malformed HTTP request"},
        Case{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "501",
             "chunked request body"},
        Case{"GET / HTTP/1.1\r\nX: " + std::string(20000, 'a'), "431", "request head too large"},
        // A body past --max-frame (1 MiB by default) is too large content, not a header.
        Case{"POST / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n", "413",
             "request body larger than --max-frame"}}) {
    HttpServerCodec codec({});
    RecordingSink sink;
    ConsumeResult result = codec.Consume(c.request, sink);
    EXPECT_TRUE(result.close) << c.request.substr(0, 40);
    EXPECT_TRUE(result.error);
    EXPECT_EQ(sink.replies.substr(0, 12), "HTTP/1.1 " + c.status) << c.request.substr(0, 40);
    EXPECT_EQ(result.why, c.why) << c.request.substr(0, 40);
  }
}

class RespServerTest : public ::testing::Test {
 protected:
  std::string Run(std::string_view input, ConsumeResult* result = nullptr) {
    RecordingSink sink;
    ConsumeResult consumed = codec_.Consume(input, sink);
    if (result) *result = consumed;
    return sink.replies;
  }
  ServerState state_;
  RespServerCodec codec_{CodecOptions{.max_frame = 1024}, state_};
};

TEST_F(RespServerTest, PingEchoInlineAndArrays) {
  EXPECT_EQ(Run("*1\r\n$4\r\nPING\r\n"), "+PONG\r\n");
  EXPECT_EQ(Run("PING\r\n"), "+PONG\r\n");
  EXPECT_EQ(Run("ping\n"), "+PONG\r\n");
  EXPECT_EQ(Run("*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n"), "$5\r\nhello\r\n");
  EXPECT_EQ(Run("ECHO hi\r\n"), "$2\r\nhi\r\n");
}

TEST_F(RespServerTest, SetGetDelOnTheSharedStore) {
  EXPECT_EQ(Run("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nabc\r\n"), "+OK\r\n");
  EXPECT_EQ(Run("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"), "$3\r\nabc\r\n");
  EXPECT_EQ(Run("*3\r\n$3\r\nDEL\r\n$1\r\nk\r\n$1\r\nz\r\n"), ":1\r\n");
  EXPECT_EQ(Run("GET k\r\n"), "$-1\r\n");
  // Another connection sees the same store.
  RespServerCodec other({}, state_);
  RecordingSink sink;
  Run("SET shared 1\r\n");
  other.Consume("GET shared\r\n", sink);
  EXPECT_EQ(sink.replies, "$1\r\n1\r\n");
}

TEST_F(RespServerTest, ErrorsKeepTheConnectionOpen) {
  ConsumeResult result;
  EXPECT_EQ(Run("FLUSHALL\r\n", &result), "-ERR unknown command 'FLUSHALL'\r\n");
  EXPECT_FALSE(result.close);
  EXPECT_EQ(Run("GET\r\n", &result), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_FALSE(result.close);
  EXPECT_EQ(Run("*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$4\r\nsave\r\n"), "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
}

TEST_F(RespServerTest, AFullStoreRefusesSetsAndNamesItsCapacity) {
  // 64 MiB of 1,000-byte values is about 63,000 SETs; the bound only stops a
  // store that never fills.
  std::string value(1000, 'v');
  std::string reply;
  for (int key = 0; key < 100000; ++key) {
    std::string name = std::to_string(key);
    reply = Run("*3\r\n$3\r\nSET\r\n$" + std::to_string(name.size()) + "\r\n" + name +
                "\r\n$1000\r\n" + value + "\r\n");
    if (reply != "+OK\r\n") break;
  }
  EXPECT_EQ(reply, "-OOM command not allowed: keys and values would pass the store's 64 MiB\r\n");
  EXPECT_EQ(Run("GET 1\r\n").substr(0, 7), "$1000\r\n");
}

TEST_F(RespServerTest, PipelinedCommandsAreAnsweredInOrderAndPartialOnesWait) {
  ConsumeResult result;
  std::string replies = Run("PING\r\n*1\r\n$4\r\nPING\r\nECHO a\r\n*2\r\n$4\r\nECHO\r\n$3\r\nab", &result);
  EXPECT_EQ(replies, "+PONG\r\n+PONG\r\n$1\r\na\r\n");
  EXPECT_EQ(result.consumed, 6u + 14u + 8u);
  EXPECT_FALSE(result.close);
}

TEST_F(RespServerTest, MalformedInputClosesWithAProtocolError) {
  for (const std::string& bad : {std::string("*2\r\n$3\r\nGET\r\n+k\r\n"), std::string("*x\r\n"),
                                 std::string("*1\r\n$-5\r\n"), std::string("*1\r\n$2000\r\n"),
                                 std::string("*1\r\n$3\r\nabcXY"), std::string(70000, 'a')}) {
    ConsumeResult result;
    std::string replies = Run(bad, &result);
    EXPECT_TRUE(result.close) << bad.substr(0, 20);
    EXPECT_TRUE(result.error);
    EXPECT_EQ(replies.substr(0, 20), "-ERR Protocol error:") << bad.substr(0, 20);
  }
}

TEST(KeyValueStoreTest, RefusesToGrowPastItsCapacity) {
  KeyValueStore store(1000);
  EXPECT_TRUE(store.Set("a", std::string(500, 'x')));
  EXPECT_FALSE(store.Set("b", std::string(500, 'x')));
  // Replacing a value frees the old one's share.
  EXPECT_TRUE(store.Set("a", std::string(800, 'y')));
  EXPECT_TRUE(store.Delete("a"));
  EXPECT_EQ(store.BytesUsed(), 0u);
  EXPECT_TRUE(store.Set("b", std::string(500, 'x')));
}

}  // namespace
}  // namespace c10k
