#include "common/tcp_counters.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>

#include "common/loopback.h"

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
  EXPECT_GE(after->delayed_acks, before->delayed_acks);
}

}  // namespace
}  // namespace c10k
