#include "common/tcp_counters.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "common/io_status.h"
#include "common/loopback.h"
#include "common/net.h"

namespace c10k {
namespace {

// The shape of /proc/net/snmp and /proc/net/netstat: each group is a line of
// names and then a line of values, and several groups share a file.
constexpr char kSnmp[] =
    "Ip: Forwarding DefaultTTL InReceives\n"
    "Ip: 1 64 12345\n"
    "Tcp: RtoAlgorithm RtoMin ActiveOpens OutSegs RetransSegs\n"
    "Tcp: 1 200 17 1519070 3\n"
    "Udp: InDatagrams OutSegs\n"
    "Udp: 5 99\n";

constexpr char kNetstat[] =
    "TcpExt: SyncookiesSent DelayedACKs DelayedACKLocked\n"
    "TcpExt: 0 510318 12\n"
    "IpExt: InNoRoutes\n"
    "IpExt: 0\n";

TEST(TcpCountersTest, FindsACounterByGroupAndName) {
  EXPECT_EQ(ProcNetCounter(kSnmp, "Tcp", "OutSegs"), 1519070u);
  EXPECT_EQ(ProcNetCounter(kSnmp, "Udp", "OutSegs"), 99u);  // same name, other group
  EXPECT_EQ(ProcNetCounter(kNetstat, "TcpExt", "DelayedACKs"), 510318u);
  EXPECT_EQ(ProcNetCounter(kNetstat, "TcpExt", "DelayedACKLocked"), 12u);
}

TEST(TcpCountersTest, MissingOrMalformedIsNothing) {
  EXPECT_FALSE(ProcNetCounter(kSnmp, "Tcp", "NoSuchCounter").has_value());
  EXPECT_FALSE(ProcNetCounter(kSnmp, "Sctp", "OutSegs").has_value());
  EXPECT_FALSE(ProcNetCounter("Tcp: OutSegs\n", "Tcp", "OutSegs").has_value());  // no values
  EXPECT_FALSE(ProcNetCounter("Tcp: OutSegs\nTcp: 12x\n", "Tcp", "OutSegs").has_value());
  EXPECT_FALSE(ProcNetCounter("", "Tcp", "OutSegs").has_value());
}

TEST(TcpCountersTest, SegmentsGrowWithLoopbackTraffic) {
  auto before = ReadTcpCounters();
  ASSERT_TRUE(before.has_value()) << "/proc/net/snmp or /proc/net/netstat unreadable";
  std::string error;
  auto [client, server] = TcpLoopbackPair(&error);
  ASSERT_TRUE(client && server) << error;
  char byte = 'x';
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(send(client.Get(), &byte, 1, 0), 1);
    ASSERT_EQ(recv(server.Get(), &byte, 1, 0), 1);
  }
  auto after = ReadTcpCounters();
  ASSERT_TRUE(after.has_value());
  // The handshake and ten data segments at least; other tests' traffic only adds.
  EXPECT_GE(after->segments_out - before->segments_out, 10u);
}

std::string ProcFile(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(TcpCountersTest, DelayedAcksIsTheKernelsTcpExtCounter) {
  // Read between two readings of /proc/net/netstat, the value can only lie
  // between them; a counter taken from another column or file would not.
  auto low = ProcNetCounter(ProcFile("/proc/net/netstat"), "TcpExt", "DelayedACKs");
  auto counters = ReadTcpCounters();
  auto high = ProcNetCounter(ProcFile("/proc/net/netstat"), "TcpExt", "DelayedACKs");
  ASSERT_TRUE(low && high && counters);
  EXPECT_GE(counters->delayed_acks, *low);
  EXPECT_LE(counters->delayed_acks, *high);
}

// The shape of /proc/net/tcp: listening sockets (st 0A) first, rx_queue the
// accept queue's length; then every other socket, where rx_queue is unread
// bytes. 127.0.0.1 is 0100007F, port 8080 is 1F90.
constexpr char kProcNetTcp[] =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid\n"
    "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000007 00:00000000 00000000     0\n"
    "   1: 0100007F:1F91 00000000:0000 0A 00000000:00000064 00:00000000 00000000     0\n"
    "   2: 00000000:1F90 00000000:0000 0A 00000000:0000000B 00:00000000 00000000     0\n"
    "   3: 0100007F:1F90 00000000:0000 0A 00000000:00000010 00:00000000 00000000     0\n"
    "   4: 0100007F:1F90 0100007F:9C40 01 00000000:000000FF 00:00000000 00000000     0\n"
    "   5: 0100007F:1F90 00000000:0000 0A 00000000:00000100 00:00000000 00000000     0\n";

std::optional<uint64_t> QueuedIn(const char* text, std::vector<std::string> addresses,
                                 uint16_t port) {
  std::istringstream rows(text);
  return AcceptQueueInProcNetTcp(rows, addresses, port);
}

TEST(TcpCountersTest, AcceptQueueSumsTheListenersOfThePort) {
  // Two listeners on 127.0.0.1:8080 (SO_REUSEPORT): 7 + 16. The row after
  // the first connection is past the listening rows and never read, and a
  // connection's unread bytes are not an accept queue.
  EXPECT_EQ(QueuedIn(kProcNetTcp, {"0100007F"}, 8080), 23u);
  // With the wildcard address too: + 11.
  EXPECT_EQ(QueuedIn(kProcNetTcp, {"0100007F", "00000000"}, 8080), 34u);
  EXPECT_EQ(QueuedIn(kProcNetTcp, {"0100007F"}, 8081), 100u);
  // No listener there: not a server on this machine.
  EXPECT_FALSE(QueuedIn(kProcNetTcp, {"0100007F"}, 8082).has_value());
  EXPECT_FALSE(QueuedIn(kProcNetTcp, {"0200007F"}, 8080).has_value());
  EXPECT_FALSE(QueuedIn("", {"0100007F"}, 8080).has_value());
}

// Connects `count` clients to `listener` that nobody accepts.
std::vector<UniqueFd> ConnectClients(const SocketAddress& listener, int count) {
  std::vector<UniqueFd> clients;
  for (int i = 0; i < count; ++i) {
    UniqueFd client(socket(listener.Family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
    EXPECT_EQ(connect(client.Get(), listener.Get(), listener.length), 0) << ErrnoText(errno);
    clients.push_back(std::move(client));
  }
  return clients;
}

TEST(TcpCountersTest, AcceptQueueOfARealListener) {
  for (const char* host : {"127.0.0.1", "::1"}) {
    SCOPED_TRACE(host);
    std::string error;
    UniqueFd listener = ListenTcp(*ParseAddress(host, 0), false, false, &error);
    ASSERT_TRUE(listener) << error;
    SocketAddress address = *LocalAddress(listener.Get());
    EXPECT_EQ(AcceptQueueLength(address), 0u);
    std::vector<UniqueFd> clients = ConnectClients(address, 3);
    EXPECT_EQ(AcceptQueueLength(address), 3u);
    UniqueFd accepted(accept4(listener.Get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(accepted);
    EXPECT_EQ(AcceptQueueLength(address), 2u);
    listener.Reset();
    EXPECT_FALSE(AcceptQueueLength(address).has_value()) << "no listener any more";
  }
}

}  // namespace
}  // namespace c10k
