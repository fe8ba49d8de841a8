// The load generator's client codecs against bytes: replies split at every
// possible point, corrupted replies, and streams that are not the protocol.
#include <gtest/gtest.h>

#include <cstdio>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "common/byte_buffer.h"
#include "common/quotable.h"
#include "protocols/framed_client.h"
#include "protocols/http_client.h"
#include "protocols/line_client.h"
#include "protocols/payload_pattern.h"
#include "protocols/resp_client.h"

namespace c10k {
namespace {

// Everything a codec returned over a sequence of feeds.
struct Totals {
  uint32_t completed = 0;
  uint32_t mismatches = 0;
  uint32_t error_replies = 0;
  bool protocol_error = false;
};

// Feeds `stream` to `parse` in pieces of `piece` bytes, keeping unconsumed
// bytes for the next call exactly as the worker does.
template <typename Parse>
Totals FeedInPieces(std::string_view stream, size_t piece, Parse parse) {
  Totals totals;
  std::string pending;
  for (size_t at = 0; at < stream.size() && !totals.protocol_error; at += piece) {
    pending.append(stream.substr(at, piece));
    ReplyParse result = parse(std::string_view(pending));
    EXPECT_LE(result.consumed, pending.size());
    pending.erase(0, result.consumed);
    totals.completed += result.completed;
    totals.mismatches += result.mismatches;
    totals.error_replies += result.error_replies;
    totals.protocol_error = result.protocol_error;
  }
  return totals;
}

std::string Requests(ClientCodec& codec, int count) {
  ByteBuffer out;
  for (int i = 0; i < count; ++i) codec.WriteRequest(out);
  return std::string(out.Readable());
}

// --- framed -----------------------------------------------------------------

TEST(FramedClientTest, EchoedFramesVerifyInAnyFragmentation) {
  for (size_t piece : {1u, 3u, 4u, 5u, 67u, 1000u}) {
    FramedClientCodec client({.message_size = 64, .stream_seed = 99});
    std::string sent = Requests(client, 5);
    ASSERT_EQ(sent.size(), 5 * (4 + 64u));
    Totals totals =
        FeedInPieces(sent, piece, [&](std::string_view in) { return client.ParseReplies(in); });
    EXPECT_EQ(totals.completed, 5u) << piece;
    EXPECT_EQ(totals.mismatches, 0u) << piece;
    EXPECT_FALSE(totals.protocol_error);
  }
}

TEST(FramedClientTest, CorruptedPayloadIsAMismatch) {
  FramedClientCodec client({.message_size = 32, .stream_seed = 1});
  std::string sent = Requests(client, 3);
  sent[36 + 4 + 10] ^= 0x01;  // inside the second frame's payload
  ReplyParse parse = client.ParseReplies(sent);
  EXPECT_EQ(parse.completed, 3u);
  EXPECT_EQ(parse.mismatches, 1u);
  char words[96];
  std::snprintf(words, sizeof words, "had 0x%02x at offset 10 of 32 where 0x%02x was sent",
                static_cast<unsigned char>(sent[50]), static_cast<unsigned char>(sent[50] ^ 0x01));
  EXPECT_EQ(parse.first_mismatch, words);
}

TEST(FramedClientTest, WrongLengthIsAMismatchAndTheStreamGoesOn) {
  FramedClientCodec client({.message_size = 8, .stream_seed = 0});
  Requests(client, 2);
  std::string reply("\0\0\0\3abc", 7);
  ByteBuffer second;
  FramedClientCodec twin({.message_size = 8, .stream_seed = 0});
  twin.WriteRequest(second);
  twin.WriteRequest(second);
  reply += std::string(second.Readable().substr(12));  // the real second frame
  ReplyParse parse = client.ParseReplies(reply);
  EXPECT_EQ(parse.completed, 2u);
  // The short frame is wrong; the next reply is still checked against the
  // second request, not thrown off by the first.
  EXPECT_EQ(parse.mismatches, 1u);
  EXPECT_EQ(parse.first_mismatch, "was a frame of 3 B for a request of 8 B");
  EXPECT_FALSE(parse.protocol_error);
}

TEST(FramedClientTest, ImpossibleLengthIsAProtocolError) {
  FramedClientCodec client({.message_size = 8});
  Requests(client, 1);
  ReplyParse parse = client.ParseReplies(std::string("\x7f\0\0\0", 4));
  EXPECT_TRUE(parse.protocol_error);
}

TEST(FramedClientTest, ZeroLengthFramesComplete) {
  FramedClientCodec client({.message_size = 0});
  std::string sent = Requests(client, 3);
  EXPECT_EQ(sent, std::string(12, '\0'));
  ReplyParse parse = client.ParseReplies(sent);
  EXPECT_EQ(parse.completed, 3u);
  EXPECT_EQ(parse.mismatches, 0u);
}

// --- http -------------------------------------------------------------------

constexpr std::string_view kOk =
    "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello";

TEST(HttpClientTest, WritesAKeepAliveGet) {
  HttpClientCodec client({.http_host = "127.0.0.1:8080", .http_path = "/x"});
  // Only what HTTP/1.1 requires, byte for byte wrk's request: every other
  // header would be work for the server that the benchmark did not ask for.
  EXPECT_EQ(Requests(client, 1), "GET /x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
}

TEST(HttpClientTest, HeadersAreAddedAndHostReplaced) {
  HttpClientCodec added({.http_host = "127.0.0.1:8080",
                         .http_path = "/",
                         .http_headers = {"Authorization: Bearer x", "X-A: 1"}});
  EXPECT_EQ(Requests(added, 1),
            "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
            "Authorization: Bearer x\r\nX-A: 1\r\n\r\n");
  HttpClientCodec replaced({.http_host = "127.0.0.1:8080",
                            .http_path = "/",
                            .http_headers = {"user-agent: me", "HOST: example.com"}});
  EXPECT_EQ(Requests(replaced, 1), "GET / HTTP/1.1\r\nuser-agent: me\r\nHOST: example.com\r\n\r\n");
}

TEST(HttpClientTest, CredentialsAreLeftOutOfTheRecord) {
  EXPECT_EQ(HeaderForTheRecord("X-Trace: abc"), "X-Trace: abc");
  EXPECT_EQ(HeaderForTheRecord("Authorization: Bearer x"), "Authorization: (not recorded)");
  EXPECT_EQ(HeaderForTheRecord("proxy-authorization:Basic y"),
            "proxy-authorization: (not recorded)");
  EXPECT_EQ(HeaderForTheRecord("COOKIE: a=1"), "COOKIE: (not recorded)");
  EXPECT_EQ(HeaderForTheRecord("X-Cookie: a=1"), "X-Cookie: a=1");
}

TEST(HttpClientTest, ARequestedCloseIsFoundInAnyCaseAndList) {
  EXPECT_TRUE(RequestsClose({"X-A: 1", "connection: Keep-Alive, CLOSE"}));
  EXPECT_TRUE(RequestsClose({"Connection:close"}));
  EXPECT_FALSE(RequestsClose({"Connection: keep-alive", "X-Connection: close"}));
  EXPECT_FALSE(RequestsClose({"Connection: closed"}));
  EXPECT_FALSE(RequestsClose({}));
}

TEST(HttpClientTest, HeadersThatWouldBreakTheRequestAreNamed) {
  EXPECT_EQ(HttpHeaderProblem("X-Token: a b\tc"), "");
  EXPECT_EQ(HttpHeaderProblem("X-Empty:"), "");
  EXPECT_EQ(HttpHeaderProblem("X-Name: Ren\xc3\xa9"), "");  // obs-text, not a control character
  EXPECT_EQ(
      HttpPathProblem("/caf\xc3\xa9"),
      "has a character that is not ASCII; percent-encode its UTF-8 bytes (\xc3\xa9 is %C3%A9)");
  EXPECT_EQ(HttpPathProblem("/a b"),
            "has a space or control character; percent-encode it (a space is %20)");
  EXPECT_EQ(HttpPathProblem("/caf%C3%A9?q=1"), "");
  EXPECT_EQ(HttpHeaderProblem("X-Token"), "is not \"Name: value\"");
  for (const char* bad_name : {": v", "X Y: v", "X\tY: v", "X(: v", "X\r\n: v"}) {
    EXPECT_NE(HttpHeaderProblem(bad_name).find("has a name that is empty or holds"),
              std::string::npos)
        << bad_name;
  }
  for (const char* bad_value : {"X: a\r\nY: b", "X: a\n", "X: \x7f"}) {
    EXPECT_EQ(HttpHeaderProblem(bad_value), "has a control character in its value") << bad_value;
  }
  for (const char* body : {"Content-Length: 5", "transfer-encoding: chunked"}) {
    EXPECT_EQ(HttpHeaderProblem(body),
              "frames the body, which c10k load does itself: a Content-Length with --body-file, "
              "none without")
        << body;
  }
}

TEST(HttpClientTest, ABodyGoesAfterItsContentLengthInEveryRequest) {
  auto body = std::make_shared<const std::string>("{\"a\": 1}");
  HttpClientCodec client({.http_host = "h",
                          .http_method = "POST",
                          .http_path = "/in",
                          .http_body = body,
                          .http_headers = {"Content-Type: application/json"}});
  std::string one =
      "POST /in HTTP/1.1\r\nHost: h\r\nContent-Type: "
      "application/json\r\nContent-Length: 8\r\n\r\n{\"a\": 1}";
  EXPECT_EQ(Requests(client, 2), one + one);
  // An empty body is still announced: a POST without Content-Length is one
  // whose end the server cannot find.
  HttpClientCodec empty(
      {.http_host = "h", .http_method = "PUT", .http_body = std::make_shared<const std::string>()});
  EXPECT_EQ(Requests(empty, 1), "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
}

TEST(HttpClientTest, ALastRequestAsksTheServerToClose) {
  // --requests-per-connection: the server closes first, so the port waiting
  // in TIME_WAIT is the server's.
  auto body = std::make_shared<const std::string>("abc");
  HttpClientCodec client({.http_host = "h", .http_method = "POST", .http_body = body});
  ByteBuffer out;
  client.WriteLastRequest(out);
  EXPECT_EQ(out.Readable(),
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
            "Connection: close\r\n\r\nabc");
  // The others keep the connection, as before.
  EXPECT_EQ(Requests(client, 1).find("Connection"), std::string::npos);
  // A Connection header of the user's own is left as it is, not doubled.
  HttpClientCodec own({.http_host = "h", .http_headers = {"Connection: keep-alive"}});
  ByteBuffer last;
  own.WriteLastRequest(last);
  EXPECT_EQ(last.Readable(), Requests(own, 1));
}

TEST(HttpClientTest, RepliesToHeadHaveNoBodyWhateverTheirContentLength) {
  HttpClientCodec client({.http_method = "HEAD"});
  EXPECT_EQ(Requests(client, 1).rfind("HEAD / HTTP/1.1\r\n", 0), 0u);
  std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
  ReplyParse parse = client.ParseReplies(head + head + head);
  EXPECT_EQ(parse.completed, 3u);
  EXPECT_EQ(parse.consumed, 3 * head.size());
  // A GET client takes the next head's first bytes as the body, and then
  // cannot read on.
  HttpClientCodec get({});
  ReplyParse as_get = get.ParseReplies(head + head + head);
  EXPECT_EQ(as_get.completed, 1u);
  EXPECT_TRUE(as_get.protocol_error);
}

TEST(HttpClientTest, UrlsSplitAsWrkTakesThem) {
  struct Case {
    const char* url;
    const char* host_port;
    const char* path;
  };
  for (const Case& c : {Case{"http://127.0.0.1:8080/index.html", "127.0.0.1:8080", "/index.html"},
                        Case{"http://127.0.0.1:8080", "127.0.0.1:8080", "/"},
                        Case{"HTTP://localhost/", "localhost:80", "/"},
                        Case{"http://[::1]/a?b=1#frag", "[::1]:80", "/a?b=1"},
                        Case{"http://[::1]:9000?q", "[::1]:9000", "/?q"}}) {
    auto url = SplitHttpUrl(c.url);
    ASSERT_TRUE(url) << c.url;
    EXPECT_EQ(url->host_port, c.host_port) << c.url;
    EXPECT_EQ(url->path, c.path) << c.url;
  }
  for (const char* not_http : {"127.0.0.1:8080", "https://127.0.0.1/", "http:/x", ""}) {
    EXPECT_FALSE(SplitHttpUrl(not_http)) << not_http;
  }
}

TEST(HttpClientTest, MethodsThatCannotBeSentAreNamed) {
  for (const char* good : {"GET", "POST", "PROPFIND", "x-custom"}) {
    EXPECT_EQ(HttpMethodProblem(good), "") << good;
  }
  for (const char* bad : {"", "GE T", "GET\r\n", "P(ST"}) {
    EXPECT_NE(HttpMethodProblem(bad).find("is not a method name"), std::string::npos) << bad;
  }
  EXPECT_EQ(HttpMethodProblem("CONNECT"), "opens a tunnel, not a request and reply");
}

// Feeds `stream` to a fresh http client in pieces of each size and expects
// the same totals (and no protocol error) every time.
void ExpectHttpTotalsInAnyFragmentation(std::string_view stream,
                                        std::initializer_list<size_t> pieces,
                                        const Totals& expected) {
  for (size_t piece : pieces) {
    HttpClientCodec client({});
    Totals totals =
        FeedInPieces(stream, piece, [&](std::string_view in) { return client.ParseReplies(in); });
    EXPECT_EQ(totals.completed, expected.completed) << piece;
    EXPECT_EQ(totals.mismatches, expected.mismatches) << piece;
    EXPECT_EQ(totals.error_replies, expected.error_replies) << piece;
    EXPECT_FALSE(totals.protocol_error) << piece;
  }
}

TEST(HttpClientTest, RepliesCompleteInAnyFragmentation) {
  std::string stream;
  for (int i = 0; i < 4; ++i) stream += kOk;
  stream += "HTTP/1.1 200 OK\r\ncontent-length:   0\r\n\r\n";
  ExpectHttpTotalsInAnyFragmentation(stream, {1, 2, 7, 50, 4096}, {.completed = 5});
}

TEST(HttpClientTest, HeaderNamesAndTokensMatchInAnyCase) {
  // A body of 3 read as such: the next reply starts right after it.
  HttpClientCodec client({});
  ReplyParse parse = client.ParseReplies(
      "HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 3\r\n\r\nabcHTTP/1.1 200 OK\r\ncontent-Length: 0\r\n"
      "ConNecTion: Keep-Alive, CLOSE\r\n\r\n");
  EXPECT_EQ(parse.completed, 2u);
  EXPECT_FALSE(parse.protocol_error);
  EXPECT_TRUE(parse.server_closes);
  // A name that only looks like one is not it.
  HttpClientCodec lookalike({});
  parse = lookalike.ParseReplies(
      "HTTP/1.1 200 OK\r\nContent-Lengthy: 3\r\nContent_Length: 3\r\n\r\nabc");
  EXPECT_EQ(parse.completed, 0u);  // no length: the body runs until the close
  EXPECT_EQ(lookalike.EndOfStream().completed, 1u);
}

TEST(HttpClientTest, ErrorStatusesAreErrorRepliesAndTheFirstIsKept) {
  HttpClientCodec client({});
  std::string stream = "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnop" + std::string(kOk) +
                       "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n";
  ReplyParse parse = client.ParseReplies(stream);
  EXPECT_EQ(parse.completed, 3u);
  EXPECT_EQ(parse.error_replies, 2u);
  EXPECT_EQ(parse.mismatches, 0u);
  EXPECT_EQ(parse.first_error, "HTTP/1.1 404 Not Found");
  EXPECT_EQ(parse.consumed, stream.size());
}

TEST(HttpClientTest, AnErrorReplyWhoseBodyComesLaterIsNamedWhenItCompletes) {
  HttpClientCodec client({});
  ReplyParse head = client.ParseReplies("HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\nab");
  EXPECT_EQ(head.completed, 0u);
  ReplyParse rest = client.ParseReplies("cd");
  EXPECT_EQ(rest.error_replies, 1u);
  EXPECT_EQ(rest.first_error, "HTTP/1.1 500 Oops");
}

TEST(HttpClientTest, SuccessAndRedirectsAreAnswersOtherStatusesMismatches) {
  HttpClientCodec client({});
  std::string stream = "HTTP/1.1 100 Continue\r\n\r\n" + std::string(kOk) +
                       "HTTP/1.1 204 No Content\r\n\r\n" +
                       "HTTP/1.1 301 Moved\r\nContent-Length: 0\r\n\r\n" +
                       "HTTP/1.1 700 What\r\nContent-Length: 0\r\n\r\n";
  ReplyParse parse = client.ParseReplies(stream);
  EXPECT_EQ(parse.completed, 4u);   // the 100 is not a reply of its own
  EXPECT_EQ(parse.mismatches, 1u);  // 700 is no HTTP status
  EXPECT_EQ(parse.first_mismatch, "had the status line \"HTTP/1.1 700 What\"");
  EXPECT_EQ(parse.error_replies, 0u);
  EXPECT_FALSE(parse.protocol_error);
}

TEST(HttpClientTest, AReplyThatClosesTheConnectionEndsTheParse) {
  HttpClientCodec client({});
  std::string closing =
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive, CLOSE\r\n\r\nok";
  ReplyParse parse = client.ParseReplies(std::string(kOk) + closing + std::string(kOk));
  EXPECT_EQ(parse.completed, 2u);
  EXPECT_TRUE(parse.server_closes);
  EXPECT_FALSE(parse.close_implied);  // said, not implied by the version
  EXPECT_EQ(parse.consumed, kOk.size() + closing.size());
  // The codec starts the next connection clean.
  ReplyParse next = client.ParseReplies(kOk);
  EXPECT_EQ(next.completed, 1u);
  EXPECT_FALSE(next.server_closes);
}

TEST(HttpClientTest, HttpOneZeroClosesUnlessItKeepsAlive) {
  std::string_view body = "Content-Length: 0\r\n\r\n";
  HttpClientCodec closes({});
  ReplyParse implied = closes.ParseReplies("HTTP/1.0 200 OK\r\n" + std::string(body));
  EXPECT_TRUE(implied.server_closes);
  EXPECT_TRUE(implied.close_implied);
  // Said as well: the summary names the header, not the version.
  HttpClientCodec says_close({});
  ReplyParse said =
      says_close.ParseReplies("HTTP/1.0 200 OK\r\nConnection: close\r\n" + std::string(body));
  EXPECT_TRUE(said.server_closes);
  EXPECT_FALSE(said.close_implied);
  HttpClientCodec keeps({});
  EXPECT_FALSE(
      keeps.ParseReplies("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n" + std::string(body))
          .server_closes);
  HttpClientCodec closing_word_in_a_value({});
  EXPECT_FALSE(closing_word_in_a_value
                   .ParseReplies("HTTP/1.1 200 OK\r\nX-Note: close\r\nConnection: closed\r\n" +
                                 std::string(body))
                   .server_closes);
}

TEST(HttpClientTest, ABodyWithNoLengthEndsWhenTheServerCloses) {
  // As simple servers send them (RFC 9112, 6.3): wrk takes these, and they
  // were protocol errors here.
  for (std::string_view head : {std::string_view("HTTP/1.1 200 OK\r\n\r\n"),
                                std::string_view("HTTP/1.0 200 OK\r\nServer: toy\r\n\r\n"),
                                std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                                                 "Transfer-Encoding: gzip\r\n\r\n")}) {
    HttpClientCodec client({});
    ReplyParse parse = client.ParseReplies(std::string(head) + "body, with \r\n\r\n in it");
    EXPECT_FALSE(parse.protocol_error) << head;
    EXPECT_EQ(parse.completed, 0u) << head;
    EXPECT_EQ(client.ParseReplies("more of it").consumed, 10u) << head;
    ReplyParse closed = client.EndOfStream();
    EXPECT_EQ(closed.completed, 1u) << head;
    EXPECT_TRUE(closed.server_closes) << head;
    // The next connection starts clean; a close with nothing pending is no reply.
    EXPECT_EQ(client.ParseReplies(kOk).completed, 1u);
    EXPECT_EQ(client.EndOfStream().completed, 0u);
  }
  HttpClientCodec refused({});
  refused.ParseReplies("HTTP/1.1 503 Busy\r\n\r\ntry later");
  ReplyParse closed = refused.EndOfStream();
  EXPECT_EQ(closed.error_replies, 1u);
  EXPECT_EQ(closed.first_error, "HTTP/1.1 503 Busy");
}

TEST(HttpClientTest, UndelimitedOrMalformedRepliesAreProtocolErrors) {
  for (std::string_view bad :
       {std::string_view("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        std::string_view("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n"),
        std::string_view("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY"),
        std::string_view("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "fffffffffffffffff\r\n"),
        std::string_view("HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\n"),
        std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
        std::string_view("SSH-2.0-OpenSSH\r\n\r\n"), std::string_view("HTTP/1.1 2x0 OK\r\n\r\n"),
        std::string_view("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")}) {
    HttpClientCodec client({});
    EXPECT_TRUE(client.ParseReplies(bad).protocol_error) << bad;
  }
}

TEST(HttpClientTest, ChunkedRepliesCompleteInAnyFragmentation) {
  std::string stream =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
      "1A ; name=value\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n" +
      std::string(kOk) +
      // Chunked overrides a Content-Length; trailers follow the last chunk.
      "HTTP/1.1 404 Not Found\r\nContent-Length: 99\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "3\r\nnop\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n" +
      std::string(kOk);
  ExpectHttpTotalsInAnyFragmentation(stream, {1, 2, 3, 7, 4096},
                                     {.completed = 4, .error_replies = 1});
}

TEST(HttpClientTest, BareLineFeedsEndLinesAsCrlfDoes) {
  // RFC 9112 (2.2) lets a recipient take a bare LF for CRLF, and wrk's parser
  // does; each of these was a protocol error, its connection closed.
  std::string stream =
      // Bare LF throughout, a body holding what would end a CRLF head.
      "HTTP/1.1 200 OK\nContent-Length: 4\n\n\r\n\r\n" +
      // Mixed, the blank line CRLF after a bare LF.
      std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\n\r\nok") +
      // Chunked, with chunk sizes, chunk ends and a trailer in bare LFs.
      "HTTP/1.1 503 Busy\nTransfer-Encoding: chunked\n\n5\nhello\n2\r\nab\n0\nX-T: 1\n\n" +
      std::string(kOk);
  ExpectHttpTotalsInAnyFragmentation(stream, {1, 2, 3, 7, 4096},
                                     {.completed = 4, .error_replies = 1});
  // A leading empty line is not a head that ended: the status line is missing.
  HttpClientCodec client({});
  EXPECT_TRUE(client.ParseReplies("\nHTTP/1.1 200 OK\n\n").protocol_error);
}

TEST(HttpClientTest, AnEndlessChunkSizeLineIsAProtocolError) {
  std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  HttpClientCodec client({});
  EXPECT_FALSE(client.ParseReplies(head + "1").protocol_error);
  HttpClientCodec endless({});
  EXPECT_TRUE(endless.ParseReplies(head + std::string(HttpClientCodec::kMaxChunkLine + 1, '1'))
                  .protocol_error);
}

TEST(HttpClientTest, EndlessHeadIsAProtocolErrorNotABuffer) {
  HttpClientCodec client({});
  std::string head = "HTTP/1.1 200 OK\r\n" + std::string(HttpClientCodec::kMaxHead, 'x');
  EXPECT_TRUE(client.ParseReplies(head).protocol_error);
  HttpClientCodec patient({});
  EXPECT_FALSE(patient.ParseReplies(head.substr(0, 1000)).protocol_error);
}

// --- resp -------------------------------------------------------------------

TEST(RespClientTest, PingsAndPongsInAnyFragmentation) {
  RespClientCodec client({});
  EXPECT_EQ(Requests(client, 2), "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n");
  for (size_t piece : {1u, 2u, 3u, 100u}) {
    RespClientCodec fresh({});
    Requests(fresh, 3);
    Totals totals = FeedInPieces("+PONG\r\n+PONG\r\n+PONG\r\n", piece,
                                 [&](std::string_view in) { return fresh.ParseReplies(in); });
    EXPECT_EQ(totals.completed, 3u);
    EXPECT_EQ(totals.mismatches, 0u);
  }
}

// The reply a correct server gives to a GET of `key`.
std::string ValueReply(uint32_t key, size_t size) {
  ByteBuffer value;
  PayloadPattern::AppendTo(value, RespClientCodec::ValueOffset(key), size);
  std::string reply = "$";
  reply.append(std::to_string(size)).append("\r\n").append(value.Readable()).append("\r\n");
  return reply;
}

// The reply a correct server gives to the request with this sequence number
// (SET and GET alternating).
std::string GoodSetGetReply(const ClientCodecOptions& options, uint64_t sequence) {
  if (sequence % 2 == 0) return "+OK\r\n";
  uint32_t key = static_cast<uint32_t>((options.stream_seed + sequence / 2) % options.keys);
  return ValueReply(key, options.message_size);
}

TEST(RespClientTest, SetGetMixIsVerified) {
  ClientCodecOptions options{.message_size = 20, .stream_seed = 3, .keys = 5};
  RespClientCodec client(options);
  std::string requests = Requests(client, 4);
  EXPECT_EQ(requests.rfind("*3\r\n$3\r\nSET\r\n$14\r\nkey:0000000003\r\n$20\r\n", 0), 0u)
      << requests;
  EXPECT_NE(requests.find("*2\r\n$3\r\nGET\r\n$14\r\nkey:0000000003\r\n"), std::string::npos);
  EXPECT_NE(requests.find("key:0000000004"), std::string::npos);
  std::string replies;
  for (uint64_t i = 0; i < 4; ++i) replies += GoodSetGetReply(options, i);
  Totals totals =
      FeedInPieces(replies, 7, [&](std::string_view in) { return client.ParseReplies(in); });
  EXPECT_EQ(totals.completed, 4u);
  EXPECT_EQ(totals.mismatches, 0u);
}

TEST(RespClientTest, ARatioSendsRoundsOfSetsThenGetsOfTheKeysTheyWrote) {
  ClientCodecOptions options{
      .message_size = 4, .stream_seed = 5, .keys = 100, .ratio = {.sets = 2, .gets = 3}};
  RespClientCodec client(options);
  std::string requests = Requests(client, 10);
  // Round 0 writes keys 5 and 6 and reads 5, 6, 5; round 1 writes 7 and 8.
  std::vector<std::string> expected_order = {"SET", "5",   "SET", "6",   "GET", "5",   "GET",
                                             "6",   "GET", "5",   "SET", "7",   "SET", "8",
                                             "GET", "7",   "GET", "8",   "GET", "7"};
  size_t at = 0;
  for (size_t i = 0; i < expected_order.size(); i += 2) {
    std::string command =
        "$3\r\n" + expected_order[i] + "\r\n$14\r\nkey:000000000" + expected_order[i + 1] + "\r\n";
    size_t found = requests.find(command, at);
    ASSERT_NE(found, std::string::npos) << "request " << i / 2 << " in " << requests;
    at = found + command.size();
  }
  std::string replies = "+OK\r\n+OK\r\n" + ValueReply(5, 4) + ValueReply(6, 4) + ValueReply(5, 4) +
                        "+OK\r\n+OK\r\n" + ValueReply(7, 4) + ValueReply(8, 4) + ValueReply(7, 4);
  Totals totals =
      FeedInPieces(replies, 5, [&](std::string_view in) { return client.ParseReplies(in); });
  EXPECT_EQ(totals.completed, 10u);
  EXPECT_EQ(totals.mismatches, 0u);
  // Round 2: the first SET is refused, so a nil in that round is explained;
  // round 3's SETs are accepted, so its nil is a lost value.
  Requests(client, 10);
  ReplyParse refused =
      client.ParseReplies("-OOM full\r\n+OK\r\n$-1\r\n" + ValueReply(10, 4) + "$-1\r\n");
  EXPECT_EQ(refused.completed, 5u);
  EXPECT_EQ(refused.error_replies, 1u);
  EXPECT_EQ(refused.mismatches, 0u);
  ReplyParse lost = client.ParseReplies("+OK\r\n+OK\r\n$-1\r\n");
  EXPECT_EQ(lost.mismatches, 1u);
  EXPECT_EQ(lost.first_mismatch,
            "was \"$-1\\r\\n\" where the 4 B value SET to key:0000000011 was expected");
}

TEST(RespClientTest, ARatioIsSetsColonGetsWithAtLeastOneSet) {
  EXPECT_EQ(ParseSetGetRatio("1:10"), (SetGetRatio{.sets = 1, .gets = 10}));
  EXPECT_EQ(ParseSetGetRatio("1:0"), (SetGetRatio{.sets = 1, .gets = 0}));
  EXPECT_EQ(ParseSetGetRatio("1000000:1000000"), (SetGetRatio{.sets = 1000000, .gets = 1000000}));
  for (const char* bad : {"0:1", "1:", ":1", "1", "a:b", "1:2:3", " 1:1", "-1:1", "+1:1",
                          "1000001:1", "1:99999999999", ""}) {
    EXPECT_EQ(ParseSetGetRatio(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(SetGetRatioText({.sets = 3, .gets = 7}), "3:7");
}

TEST(RespClientTest, WrongValuesNilsAndWrongTypesAreMismatches) {
  ClientCodecOptions options{.message_size = 8, .stream_seed = 0, .keys = 10};
  RespClientCodec client(options);
  Requests(client, 6);
  std::string corrupted = GoodSetGetReply(options, 1);
  corrupted[6] ^= 0x01;
  std::string replies = "+OK\r\n" + corrupted + "+OK\r\n" + "$-1\r\n" + "+OK\r\n" + ":1\r\n";
  ReplyParse parse = client.ParseReplies(replies);
  EXPECT_EQ(parse.completed, 6u);
  EXPECT_EQ(parse.mismatches, 3u);
  EXPECT_EQ(parse.first_mismatch, "was \"" + Quotable(corrupted, 48) +
                                      "\" where the 8 B value SET to key:0000000000 was expected");
  EXPECT_EQ(parse.error_replies, 0u);
  EXPECT_FALSE(parse.protocol_error);
}

TEST(RespClientTest, ErrorRepliesAreCountedAndExplainTheNilAfterARefusedSet) {
  ClientCodecOptions options{.message_size = 8, .stream_seed = 0, .keys = 10};
  RespClientCodec client(options);
  Requests(client, 6);
  // SET refused, so its GET finds nothing; SET accepted; GET answered with an
  // error; SET accepted, but its GET finds nothing: the store lost it.
  std::string replies = "-OOM full\r\n$-1\r\n+OK\r\n-ERR busy\r\n" + std::string("+OK\r\n");
  ReplyParse parse = client.ParseReplies(replies);
  EXPECT_EQ(parse.completed, 5u);
  EXPECT_EQ(parse.error_replies, 2u);
  EXPECT_EQ(parse.mismatches, 0u);
  EXPECT_EQ(parse.first_error, "-OOM full");
  EXPECT_EQ(client.ParseReplies("$-1\r\n").mismatches, 1u);
}

TEST(RespClientTest, NonRespIsAProtocolError) {
  for (std::string_view bad : {std::string_view("PONG\r\n"), std::string_view("$3\r\nabcd\r\n"),
                               std::string_view("$x\r\n"), std::string_view("*-5\r\n")}) {
    RespClientCodec client({});
    Requests(client, 1);
    EXPECT_TRUE(client.ParseReplies(bad).protocol_error) << bad;
  }
}

TEST(RespClientTest, ValueLengthOfNestedAndPartialValues) {
  EXPECT_EQ(RespValueLength("*2\r\n$1\r\na\r\n:5\r\n"), 15);
  EXPECT_EQ(RespValueLength("*2\r\n$1\r\na\r\n"), 0);
  EXPECT_EQ(RespValueLength("$5\r\nhel"), 0);
  EXPECT_EQ(RespValueLength("$-1\r\n"), 5);
  EXPECT_EQ(RespValueLength("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"),
            -1);
}

// --- line -------------------------------------------------------------------

class CollectStamps final : public StampSink {
 public:
  void Delivered(const MessageStamp& stamp) override { stamps.push_back(stamp); }
  std::vector<MessageStamp> stamps;
};

TEST(LineClientTest, MessagesCarryTheirStampsThroughAnyFragmentation) {
  LineClientCodec sender({.message_size = 100, .sender = 42});
  ByteBuffer out;
  sender.WriteMessage(out, {.intended_ns = 1'000'000'123, .sent_ns = 1'000'000'456});
  sender.WriteMessage(out, {.intended_ns = 2'000'000'000, .sent_ns = 2'000'000'001});
  std::string stream(out.Readable());
  ASSERT_EQ(stream.size(), 200u);
  EXPECT_EQ(stream[99], '\n');
  EXPECT_EQ(std::count(stream.begin(), stream.end(), '\n'), 2);
  for (size_t piece : {1u, 13u, 99u, 100u, 101u}) {
    LineClientCodec receiver({.message_size = 100, .sender = 7});
    CollectStamps sink;
    Totals totals = FeedInPieces(
        stream, piece, [&](std::string_view in) { return receiver.ParseMessages(in, sink); });
    EXPECT_EQ(totals.completed, 2u);
    EXPECT_EQ(totals.mismatches, 0u);
    ASSERT_EQ(sink.stamps.size(), 2u);
    EXPECT_EQ(sink.stamps[0].sender, 42u);
    EXPECT_EQ(sink.stamps[0].intended_ns, 1'000'000'123);
    EXPECT_EQ(sink.stamps[0].sent_ns, 1'000'000'456);
    EXPECT_EQ(sink.stamps[1].intended_ns, 2'000'000'000);
  }
}

TEST(LineClientTest, ShortMessageSizeStillCarriesTheHeader) {
  LineClientCodec sender({.message_size = 10, .sender = 1});
  ByteBuffer out;
  sender.WriteMessage(out, {.intended_ns = 5, .sent_ns = 6});
  EXPECT_EQ(out.Size(), LineClientCodec::kHeaderSize + 1);
}

TEST(LineClientTest, DamagedLinesAreMismatchesAndParsingGoesOn) {
  LineClientCodec sender({.message_size = 64, .sender = 3});
  ByteBuffer out;
  for (int i = 0; i < 3; ++i) sender.WriteMessage(out, {.intended_ns = i + 1, .sent_ns = i + 2});
  std::string stream(out.Readable());
  stream[64 + 60] = stream[64 + 60] == 'A' ? 'B' : 'A';  // the second line's payload
  stream.insert(128, "garbage\n");
  LineClientCodec receiver({.message_size = 64, .sender = 9});
  CollectStamps sink;
  ReplyParse parse = receiver.ParseMessages(stream, sink);
  EXPECT_EQ(parse.completed, 4u);
  EXPECT_EQ(parse.mismatches, 2u);
  std::string_view second = std::string_view(stream).substr(64);
  second = second.substr(0, second.find('\n'));
  EXPECT_EQ(parse.first_mismatch,
            "was \"" + Quotable(second, 48) + "\", not a line any sender wrote");
  EXPECT_EQ(sink.stamps.size(), 2u);
  EXPECT_FALSE(parse.protocol_error);
}

TEST(LineClientTest, CrLfEndingsAreAccepted) {
  LineClientCodec sender({.message_size = 64, .sender = 3});
  ByteBuffer out;
  sender.WriteMessage(out, {.intended_ns = 1, .sent_ns = 2});
  std::string line(out.Readable().substr(0, out.Size() - 1));
  line.append("\r\n");
  LineClientCodec receiver({.message_size = 64});
  CollectStamps sink;
  EXPECT_EQ(receiver.ParseMessages(line, sink).mismatches, 0u);
  EXPECT_EQ(sink.stamps.size(), 1u);
}

TEST(LineClientTest, EndlessLineIsAProtocolError) {
  LineClientCodec receiver({.message_size = 64});
  CollectStamps sink;
  EXPECT_FALSE(receiver.ParseMessages(std::string(100, 'a'), sink).protocol_error);
  EXPECT_TRUE(receiver.ParseMessages(std::string(100'000, 'a'), sink).protocol_error);
}

}  // namespace
}  // namespace c10k
