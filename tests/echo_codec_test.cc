#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "common/byte_buffer.h"
#include "protocols/echo_client.h"
#include "protocols/echo_server.h"

namespace c10k {
namespace {

class StringSink final : public ReplySink {
 public:
  void Reply(std::string_view bytes) override { out.append(bytes); }
  void Broadcast(std::string_view bytes) override { broadcast.append(bytes); }
  bool Full() const override { return full; }
  std::string out, broadcast;
  bool full = false;
};

TEST(EchoCodecTest, ServerEchoesEverythingAndStopsWhenFull) {
  EchoServerCodec codec;
  StringSink sink;
  ConsumeResult result = codec.Consume("hello", sink);
  EXPECT_EQ(result.consumed, 5u);
  EXPECT_FALSE(result.close);
  EXPECT_EQ(sink.out, "hello");
  sink.full = true;
  EXPECT_EQ(codec.Consume("more", sink).consumed, 0u);
}

TEST(EchoCodecTest, ClientVerifiesItsOwnStreamInAnyFragmentation) {
  ClientCodecOptions options{.message_size = 100'000, .stream_seed = 12345};
  EchoClientCodec client(options);
  ByteBuffer sent;
  client.WriteRequest(sent);
  client.WriteRequest(sent);
  ASSERT_EQ(sent.Size(), 200'000u);
  // Echoed back in odd fragments, the replies complete exactly twice.
  std::string_view all = sent.Readable();
  uint32_t completed = 0, mismatches = 0;
  for (size_t at = 0; at < all.size();) {
    size_t n = std::min<size_t>(7'777, all.size() - at);
    ReplyParse parse = client.ParseReplies(all.substr(at, n));
    EXPECT_EQ(parse.consumed, n);
    completed += parse.completed;
    mismatches += parse.mismatches;
    at += n;
  }
  EXPECT_EQ(completed, 2u);
  EXPECT_EQ(mismatches, 0u);
}

TEST(EchoCodecTest, ClientCountsCorruptedReplies) {
  EchoClientCodec client({.message_size = 16, .stream_seed = 1});
  ByteBuffer sent;
  for (int i = 0; i < 3; ++i) client.WriteRequest(sent);
  std::string reply(sent.Readable());
  reply[20] ^= 0x01;  // the second reply
  ReplyParse parse = client.ParseReplies(reply);
  EXPECT_EQ(parse.completed, 3u);
  EXPECT_EQ(parse.mismatches, 1u);
}

// The words a mismatch report gives for a byte that came back wrong.
std::string WrongByte(char got, size_t at, size_t size, char sent) {
  char words[96];
  std::snprintf(words, sizeof words, "had 0x%02x at offset %zu of %zu where 0x%02x was sent",
                static_cast<unsigned char>(got), at, size, static_cast<unsigned char>(sent));
  return words;
}

TEST(EchoCodecTest, AMismatchIsDescribedByItsFirstWrongByte) {
  EchoClientCodec client({.message_size = 16, .stream_seed = 1});
  ByteBuffer sent;
  for (int i = 0; i < 3; ++i) client.WriteRequest(sent);
  std::string reply(sent.Readable());
  reply[16 + 4] ^= 0x01;
  reply[16 + 9] ^= 0x40;  // later in the same reply: not the first
  reply[32 + 2] ^= 0x10;  // the third reply, wrong too
  // The second reply's wrong byte arrives in the first read, its end in the
  // second: the words wait for the reply to complete.
  ReplyParse first = client.ParseReplies(std::string_view(reply).substr(0, 22));
  EXPECT_EQ(first.mismatches, 0u);
  EXPECT_TRUE(first.first_mismatch.empty());
  ReplyParse rest = client.ParseReplies(std::string_view(reply).substr(22));
  EXPECT_EQ(rest.mismatches, 2u);
  EXPECT_EQ(rest.first_mismatch, WrongByte(reply[20], 4, 16, static_cast<char>(reply[20] ^ 0x01)));
}

TEST(EchoCodecTest, DifferentConnectionsSendDifferentBytes) {
  EchoClientCodec a({.message_size = 64, .stream_seed = 0});
  EchoClientCodec b({.message_size = 64, .stream_seed = 7919});
  ByteBuffer from_a, from_b;
  a.WriteRequest(from_a);
  b.WriteRequest(from_b);
  EXPECT_NE(from_a.Readable(), from_b.Readable());
  // b's reply arriving on a's connection is a mismatch.
  EXPECT_EQ(a.ParseReplies(from_b.Readable()).mismatches, 1u);
}

}  // namespace
}  // namespace c10k
