// The conformance suite: every server model x every protocol it offers, each
// server a child process on port 0 stopped by its pid. What is checked is
// what a client relies on whatever the I/O model: exact replies however the
// bytes are split, many clients at once, clients that vanish, bounded memory
// against a client that never reads, and protocol errors that hurt only the
// client that made them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/proc_sample.h"
#include "servers/models.h"
#include "tests/test_client.h"
#include "tests/test_support.h"

namespace c10k {
namespace {

using testing::ServerProcess;
using testing::TestClient;

// One request and the reply it must get (for line: what every other client
// receives; the sender gets nothing).
struct Exchange {
  std::string request;
  std::string reply;
};

std::string Payload(size_t size, int seed) {
  std::string payload(size, '\0');
  uint32_t state = 2166136261u ^ static_cast<uint32_t>(seed);
  for (char& byte : payload) {
    state = state * 16777619u + 1;
    // Printable and never a newline, so the same payload suits every protocol.
    byte = static_cast<char>('!' + (state >> 24) % 90);
  }
  return payload;
}

std::string BigEndian32(uint32_t value) {
  char bytes[4] = {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
                   static_cast<char>(value >> 8), static_cast<char>(value)};
  return {bytes, 4};
}

Exchange MakeExchange(Protocol protocol, int seed, size_t size = 32) {
  std::string payload = Payload(size, seed);
  switch (protocol) {
    case Protocol::kEcho:
      return {payload, payload};
    case Protocol::kFramed: {
      std::string frame = BigEndian32(static_cast<uint32_t>(size)) + payload;
      return {frame, frame};
    }
    case Protocol::kLine:
      return {payload + "\n", payload + "\n"};
    case Protocol::kHttp: {
      std::string body = "hello, world\n";
      return {"GET /" + std::to_string(seed) + " HTTP/1.1\r\nHost: test\r\n\r\n",
              "HTTP/1.1 200 OK\r\nServer: c10k\r\nContent-Type: text/plain\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body};
    }
    case Protocol::kResp: {
      std::string bulk = "$" + std::to_string(size) + "\r\n" + payload + "\r\n";
      return {"*2\r\n$4\r\nECHO\r\n" + bulk, bulk};
    }
  }
  return {};
}

struct SentAndReceived {
  bool sent_all = false;                // every piece of the request went out
  std::optional<std::string> received;  // nullopt: the reply stopped short
};

// Sends `request` in `piece`-byte writes from a second thread while this one
// reads `reply_size` bytes, starting `read_after` later: a server that waits
// for either side to finish first stalls.
SentAndReceived SendWhileReading(
    TestClient& client, const std::string& request, size_t piece, size_t reply_size,
    std::chrono::milliseconds read_after = std::chrono::milliseconds(0)) {
  std::atomic<bool> sent_all{false};
  std::thread sender([&] {
    for (size_t at = 0; at < request.size(); at += piece) {
      if (!client.Send(std::string_view(request).substr(at, piece))) return;
    }
    sent_all = true;
  });
  std::this_thread::sleep_for(read_after);
  auto received = client.Read(reply_size);
  sender.join();
  return {sent_all, std::move(received)};
}

struct ModelAndProtocol {
  std::string model;
  Protocol protocol;
  friend void PrintTo(const ModelAndProtocol& pair, std::ostream* out) { *out << pair.Name(); }
  std::string Name() const {
    std::string name = model + "_" + std::string(ProtocolName(protocol));
    for (char& c : name) {
      if (c == '-') c = '_';
    }
    return name;
  }
};

// Every compiled model with every protocol it offers (optionally without the
// blocking model, which serves one client at a time by design).
std::vector<ModelAndProtocol> AllOffered(std::initializer_list<Protocol> protocols,
                                         bool with_blocking = true) {
  std::vector<ModelAndProtocol> pairs;
  for (const auto& model : ServerModels()) {
    if (!model.compiled || (!with_blocking && model.name == "blocking")) continue;
    for (Protocol protocol : protocols) {
      if (model.refuses(protocol).empty()) pairs.push_back({std::string(model.name), protocol});
    }
  }
  return pairs;
}

constexpr std::initializer_list<Protocol> kAllProtocols = {
    Protocol::kEcho, Protocol::kFramed, Protocol::kLine, Protocol::kHttp, Protocol::kResp};

class ConformanceTest : public ::testing::TestWithParam<ModelAndProtocol> {
 protected:
  void SetUp() override {
    log_ = testing::TempDir() + "/server.log";
    server_ = testing::StartServer(GetParam().model, std::string(ProtocolName(GetParam().protocol)),
                                   {}, log_);
    ASSERT_TRUE(server_) << "the server did not start";
  }

  void TearDown() override {
    if (!server_) return;
    ExitStatus status = server_->process.Stop(SIGTERM, 10 * kNanosPerSecond);
    EXPECT_TRUE(status.Clean()) << GetParam().model << " did not stop cleanly: " << status.Describe()
                                << "\n" << testing::ReadFile(log_);
  }

  Protocol protocol() const { return GetParam().protocol; }
  std::unique_ptr<TestClient> Connect() {
    auto client = std::make_unique<TestClient>(server_->address);
    EXPECT_TRUE(client->Connected());
    return client;
  }

  // One exchange on a fresh connection: the server is still serving.
  void ExpectStillServing() {
    Exchange exchange = MakeExchange(protocol(), 99);
    if (protocol() == Protocol::kLine) {
      auto receiver = Connect();
      auto sender = Connect();
      WaitUntilBothRegistered(*receiver, *sender);
      ASSERT_TRUE(sender->Send(exchange.request));
      // Lines the clients before it sent may still come first: the threads
      // and reuseport models forward a line from the thread that read it.
      EXPECT_TRUE(receiver->ReadUntil(exchange.reply)) << "the line did not arrive";
      return;
    }
    auto client = Connect();
    ASSERT_TRUE(client->Send(exchange.request));
    EXPECT_EQ(client->Read(exchange.reply.size()), exchange.reply);
  }

  // Line: a receiver only gets lines sent after the server accepted it. A
  // probe line from the sender that reaches the receiver proves both are in.
  // The probes are numbered and one sender's lines arrive in order, so once
  // the receiver has read up to the one it saw, no other is on its way to it.
  void WaitUntilBothRegistered(TestClient& receiver, TestClient& sender) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::string probe = "probe " + std::to_string(attempt) + "\n";
      ASSERT_TRUE(sender.Send(probe));
      if (receiver.ReadUntil(probe, 50)) return;
    }
    FAIL() << "the receiver never got the sender's lines";
  }

  // Receivers registered earlier also got the probes sent for later ones: a
  // last line from the sender, which each reads up to, drops them all.
  void DropProbes(const std::vector<TestClient*>& receivers, TestClient& sender) {
    ASSERT_TRUE(sender.Send("end of probes\n"));
    for (TestClient* receiver : receivers) {
      ASSERT_TRUE(receiver->ReadUntil("end of probes\n")) << "a receiver missed the sender's line";
    }
  }

  std::optional<ServerProcess> server_;
  std::string log_;
};

// The same fixture, instantiated for the protocols a check applies to.
class LineConformanceTest : public ConformanceTest {};
class EchoingConformanceTest : public ConformanceTest {};
class FramingConformanceTest : public ConformanceTest {};
class RequestReplyConformanceTest : public ConformanceTest {};  // not line: it broadcasts
class ConcurrentConformanceTest : public ConformanceTest {};

TEST_P(ConformanceTest, OneByteAtATime) {
  if (protocol() == Protocol::kLine) {
    auto receiver = Connect();
    auto sender = Connect();
    WaitUntilBothRegistered(*receiver, *sender);
    for (int i = 0; i < 3; ++i) {
      Exchange exchange = MakeExchange(protocol(), i);
      ASSERT_TRUE(sender->SendByteByByte(exchange.request));
      EXPECT_EQ(receiver->Read(exchange.reply.size()), exchange.reply);
    }
    return;
  }
  auto client = Connect();
  for (int i = 0; i < 3; ++i) {
    Exchange exchange = MakeExchange(protocol(), i);
    ASSERT_TRUE(client->SendByteByByte(exchange.request));
    EXPECT_EQ(client->Read(exchange.reply.size()), exchange.reply) << "message " << i;
  }
}

TEST_P(ConformanceTest, ManyMessagesPipelinedInOneWrite) {
  std::string requests, replies;
  for (int i = 0; i < 100; ++i) {
    Exchange exchange = MakeExchange(protocol(), i, 10 + i);
    requests += exchange.request;
    replies += exchange.reply;
  }
  if (protocol() == Protocol::kLine) {
    auto receiver = Connect();
    auto sender = Connect();
    WaitUntilBothRegistered(*receiver, *sender);
    ASSERT_TRUE(sender->Send(requests));
    EXPECT_EQ(receiver->Read(replies.size()), replies);
    EXPECT_EQ(sender->ReadAvailable(100), "") << "a sender must not get its own lines";
    return;
  }
  auto client = Connect();
  ASSERT_TRUE(client->Send(requests));
  EXPECT_EQ(client->Read(replies.size()), replies);
}

TEST_P(RequestReplyConformanceTest, LargePayloadInOddFragmentsWhileReading) {
  // 1 MiB through the protocol's largest message, sent in 7,777-byte pieces
  // by one thread while this one reads: neither side may wait for the other.
  std::string request, reply;
  switch (protocol()) {
    case Protocol::kEcho:
    case Protocol::kFramed:
      for (int i = 0; i < 16; ++i) {
        Exchange exchange = MakeExchange(protocol(), i, 65536 - (protocol() == Protocol::kFramed ? 4 : 0));
        request += exchange.request;
        reply += exchange.reply;
      }
      break;
    case Protocol::kResp: {
      Exchange exchange = MakeExchange(protocol(), 1, (1 << 20) - 64);
      request = exchange.request;
      reply = exchange.reply;
      break;
    }
    case Protocol::kHttp:
      for (int i = 0; request.size() < (1 << 20); ++i) {
        Exchange exchange = MakeExchange(protocol(), i);
        request += exchange.request;
        reply += exchange.reply;
      }
      break;
    case Protocol::kLine:  // not instantiated: lines go to the other clients, see
      return;              // LineConformanceTest.BroadcastLargeLines
  }
  auto client = Connect();
  auto [sent_all, received] = SendWhileReading(*client, request, 7777, reply.size());
  EXPECT_TRUE(sent_all);
  ASSERT_TRUE(received) << "the reply did not arrive whole";
  EXPECT_EQ(received->size(), reply.size());
  EXPECT_TRUE(*received == reply) << "the reply differs from what was sent";
}

TEST_P(LineConformanceTest, BroadcastLargeLines) {
  auto receiver = Connect();
  auto sender = Connect();
  WaitUntilBothRegistered(*receiver, *sender);
  std::string lines;
  for (int i = 0; i < 8; ++i) lines += Payload(64 * 1024 - 1, i) + "\n";
  std::thread writer([&] {
    for (size_t at = 0; at < lines.size(); at += 7777) sender->Send(std::string_view(lines).substr(at, 7777));
  });
  auto received = receiver->Read(lines.size());
  writer.join();
  ASSERT_TRUE(received);
  EXPECT_TRUE(*received == lines);
}

TEST_P(ConcurrentConformanceTest, ManyConcurrentClients) {
  if (protocol() == Protocol::kLine) {
    // 20 receivers, one sender: every receiver gets every line.
    std::vector<std::unique_ptr<TestClient>> receivers;
    auto sender = Connect();
    for (int i = 0; i < 20; ++i) {
      receivers.push_back(Connect());
      WaitUntilBothRegistered(*receivers.back(), *sender);
    }
    std::vector<TestClient*> all;
    for (auto& receiver : receivers) all.push_back(receiver.get());
    DropProbes(all, *sender);
    Exchange exchange = MakeExchange(protocol(), 5);
    ASSERT_TRUE(sender->Send(exchange.request));
    for (auto& receiver : receivers) EXPECT_EQ(receiver->Read(exchange.reply.size()), exchange.reply);
    return;
  }
  constexpr int kClients = 200;
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(Connect());
  // All send before any reads: the server must keep 200 conversations apart.
  for (int i = 0; i < kClients; ++i) ASSERT_TRUE(clients[i]->Send(MakeExchange(protocol(), i).request));
  for (int i = 0; i < kClients; ++i) {
    std::string expected = MakeExchange(protocol(), i).reply;
    EXPECT_EQ(clients[i]->Read(expected.size()), expected) << "client " << i;
  }
}

TEST_P(ConformanceTest, ClientsThatVanishDoNotHurtOthers) {
  Exchange exchange = MakeExchange(protocol(), 7, 4096);
  {
    // Gone mid-stream: half a request, then close.
    auto client = Connect();
    ASSERT_TRUE(client->Send(exchange.request.substr(0, exchange.request.size() / 2)));
  }
  {
    // Reset (SO_LINGER 0) with a request and replies in flight.
    auto client = Connect();
    ASSERT_TRUE(client->Send(exchange.request + exchange.request));
    client->Reset();
  }
  if (protocol() == Protocol::kLine) {
    // Half-closed: its line still reaches the others, then it gets EOF.
    auto receiver = Connect();
    auto sender = Connect();
    WaitUntilBothRegistered(*receiver, *sender);
    ASSERT_TRUE(sender->Send(exchange.request));
    sender->ShutdownWrite();
    EXPECT_EQ(receiver->Read(exchange.reply.size()), exchange.reply);
    EXPECT_TRUE(sender->WaitForClose());
  } else {
    // Half-closed: it still gets every reply, then EOF.
    auto client = Connect();
    ASSERT_TRUE(client->Send(exchange.request));
    client->ShutdownWrite();
    EXPECT_EQ(client->Read(exchange.reply.size()), exchange.reply);
    EXPECT_TRUE(client->WaitForClose());
  }
  ExpectStillServing();
}

TEST_P(EchoingConformanceTest, ClientThatNeverReadsKeepsServerMemoryBounded) {
  auto before = SampleProcess(server_->process.Pid());
  ASSERT_TRUE(before);
  auto client = Connect();
  ASSERT_TRUE(SetNonBlocking(client->Fd()));
  // Up to 256 MiB of requests, never reading a reply; the server must stop
  // reading once its output to us passes --output-limit.
  std::string chunk;
  for (int i = 0; i < 16; ++i) chunk += MakeExchange(protocol(), i, 4092).request;
  constexpr uint64_t kTarget = 256ull << 20;
  uint64_t sent = 0;
  int64_t last_progress = MonotonicNanos();
  int64_t deadline = MonotonicNanos() + 20 * kNanosPerSecond;
  size_t offset = 0;
  while (sent < kTarget && MonotonicNanos() < deadline &&
         MonotonicNanos() - last_progress < 1500 * kNanosPerMilli) {
    ssize_t n = send(client->Fd(), chunk.data() + offset, chunk.size() - offset, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<uint64_t>(n);
      offset = (offset + static_cast<size_t>(n)) % chunk.size();
      last_progress = MonotonicNanos();
    } else if (n < 0 && errno != EAGAIN) {
      break;
    } else {
      usleep(1000);
    }
  }
  auto after = SampleProcess(server_->process.Pid());
  ASSERT_TRUE(after) << "the server died";
  EXPECT_LT(after->rss_kib - before->rss_kib, 64 * 1024)
      << "server RSS grew from " << before->rss_kib << " KiB to " << after->rss_kib << " KiB after "
      << sent / (1 << 20) << " MiB unread";
  // The blocking model serves nobody else while this client is connected.
  client->Reset();
  ExpectStillServing();
}

TEST_P(RequestReplyConformanceTest, RepliesWaitForAClientThatStartsReadingLate) {
  // 8 MiB of replies requested while the client reads nothing for half a
  // second: they overflow the client's small receive buffer, the server's
  // send buffer and --output-limit, so the server stops reading and can
  // deliver the rest only when it hears that its socket is writable again,
  // in order. A model that never asks for writability (or a backend that
  // never reports it) stalls here for good; the concurrent reader of the test
  // above never lets the server's output back up that far.
  // 64 KiB messages; http's replies are the server's page whatever the size.
  size_t size = protocol() == Protocol::kHttp     ? 0
                : protocol() == Protocol::kFramed ? 65536 - 4
                                                  : 65536;
  std::string request, reply;
  for (int i = 0; reply.size() < (8u << 20); ++i) {
    Exchange exchange = MakeExchange(protocol(), i, size);
    request += exchange.request;
    reply += exchange.reply;
  }
  auto client = Connect();
  int small = 32 * 1024;
  ASSERT_EQ(setsockopt(client->Fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
  auto [sent_all, received] =
      SendWhileReading(*client, request, 65536, reply.size(), std::chrono::milliseconds(500));
  EXPECT_TRUE(sent_all);
  ASSERT_TRUE(received) << "the replies stopped: the server never resumed writing";
  EXPECT_TRUE(*received == reply) << "the replies differ from what was sent";
}

TEST_P(FramingConformanceTest, ProtocolErrorsHurtOnlyTheirConnection) {
  auto bad = Connect();
  switch (protocol()) {
    case Protocol::kEcho:
      break;  // echo has no framing to break
    case Protocol::kFramed:
      // A header announcing 2 MiB, above the default --max-frame (1 MiB).
      ASSERT_TRUE(bad->Send(BigEndian32(2 << 20) + "xxxx"));
      EXPECT_TRUE(bad->WaitForClose());
      break;
    case Protocol::kLine: {
      // More than --max-frame without a newline.
      std::string endless(1100 * 1024, 'x');
      bad->Send(endless);
      EXPECT_TRUE(bad->WaitForClose());
      break;
    }
    case Protocol::kHttp:
      ASSERT_TRUE(bad->Send("THIS IS NOT HTTP\r\n\r\n"));
      EXPECT_EQ(bad->ReadUntil("\r\n").value_or(""), "HTTP/1.1 400 Bad Request\r\n");
      EXPECT_TRUE(bad->WaitForClose());
      break;
    case Protocol::kResp:
      ASSERT_TRUE(bad->Send("*2\r\n$4\r\nECHO\r\n+not-a-bulk\r\n"));
      EXPECT_EQ(bad->ReadUntil("\r\n").value_or("").substr(0, 20), "-ERR Protocol error:");
      EXPECT_TRUE(bad->WaitForClose());
      break;
  }
  bad.reset();
  ExpectStillServing();
  // The server's last words say what the refused input was: the count alone
  // left a user guessing which client was wrong.
  ExitStatus status = server_->process.Stop(SIGTERM, 10 * kNanosPerSecond);
  server_.reset();
  EXPECT_TRUE(status.Clean()) << status.Describe();
  std::string log = testing::ReadFile(log_);
  std::map<Protocol, std::string> first_error = {
      {Protocol::kFramed, "frame larger than --max-frame"},
      {Protocol::kHttp, "malformed HTTP request"},
      {Protocol::kResp, "expected '$'"},
      // The codec's own limit, or the server's when it reads past it first.
      {Protocol::kLine, "--max-frame"}};
  if (protocol() == Protocol::kEcho) {
    EXPECT_EQ(log.find("protocol errors"), std::string::npos) << log;
  } else {
    size_t at = log.find("1 closed for protocol errors (the first: ");
    ASSERT_NE(at, std::string::npos) << log;
    EXPECT_NE(log.find(first_error[protocol()] + ")", at), std::string::npos) << log;
  }
}

TEST_P(LineConformanceTest, EachLineReachesEveryOtherClientNeverItsSender) {
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(Connect());
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      if (i != j) WaitUntilBothRegistered(*clients[j], *clients[i]);
    }
  }
  for (int i = 0; i < 3; ++i) {
    std::vector<TestClient*> others;
    for (int j = 0; j < 3; ++j) {
      if (j != i) others.push_back(clients[j].get());
    }
    DropProbes(others, *clients[i]);
  }
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(clients[i]->Send("from " + std::to_string(i) + "\n"));
  for (int i = 0; i < 3; ++i) {
    // The other two clients' lines, in either order, each read as soon as it
    // arrives; then a pause in which the client's own line must not follow.
    std::string got;
    for (int line = 0; line < 2; ++line) {
      std::optional<std::string> one = clients[i]->ReadUntil("\n");
      if (!one) break;
      got += *one;
    }
    got += clients[i]->ReadAvailable(100);
    for (int j = 0; j < 3; ++j) {
      bool has = got.find("from " + std::to_string(j) + "\n") != std::string::npos;
      EXPECT_EQ(has, i != j) << "client " << i << " and the line from " << j << ": " << got;
    }
  }
}

auto NameOf = [](const auto& info) { return info.param.Name(); };
INSTANTIATE_TEST_SUITE_P(Models, ConformanceTest, ::testing::ValuesIn(AllOffered(kAllProtocols)),
                         NameOf);
INSTANTIATE_TEST_SUITE_P(Models, ConcurrentConformanceTest,
                         ::testing::ValuesIn(AllOffered(kAllProtocols, /*with_blocking=*/false)),
                         NameOf);
INSTANTIATE_TEST_SUITE_P(Models, LineConformanceTest, ::testing::ValuesIn(AllOffered({Protocol::kLine})),
                         NameOf);
INSTANTIATE_TEST_SUITE_P(Models, EchoingConformanceTest,
                         ::testing::ValuesIn(AllOffered({Protocol::kEcho, Protocol::kFramed})), NameOf);
INSTANTIATE_TEST_SUITE_P(Models, RequestReplyConformanceTest,
                         ::testing::ValuesIn(AllOffered({Protocol::kEcho, Protocol::kFramed,
                                                         Protocol::kHttp, Protocol::kResp})),
                         NameOf);
INSTANTIATE_TEST_SUITE_P(Models, FramingConformanceTest,
                         ::testing::ValuesIn(AllOffered({Protocol::kFramed, Protocol::kLine,
                                                         Protocol::kHttp, Protocol::kResp})),
                         NameOf);

}  // namespace
}  // namespace c10k
