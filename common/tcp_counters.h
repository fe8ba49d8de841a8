#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/net.h"

namespace c10k {

// The kernel's TCP counters for this network namespace (every socket on the
// host, both ends of a loopback connection included). They explain what a
// request cost the kernel: an echo round trip is two segments, request and
// reply, each carrying the other's ACK; more means bare ACKs were sent.
struct TcpCounters {
  uint64_t segments_out = 0;  // /proc/net/snmp Tcp OutSegs
  uint64_t delayed_acks = 0;  // /proc/net/netstat TcpExt DelayedACKs: the
                              // delayed-ACK timer fired and sent a bare ACK
};

// Reads both files; nullopt when /proc/net is not there (not Linux, or a
// sandbox without it).
std::optional<TcpCounters> ReadTcpCounters();

// One counter from the text of /proc/net/snmp or /proc/net/netstat, where
// each group is two lines: "Group: Name1 Name2 ..." then "Group: 1 2 ...".
std::optional<uint64_t> ProcNetCounter(std::string_view text, std::string_view group,
                                       std::string_view name);

// How many connections wait in the accept queue of the server listening at
// `address`: handshakes the kernel completed that the server has not yet
// accept()ed, whose requests nobody reads. From /proc/net/tcp and tcp6, where
// a listening socket's rx_queue column is that queue's length. Listeners on
// the same port bound to the wildcard address count too when `address` is a
// loopback one, and reuseport's several listeners are summed. nullopt when
// this machine has no such listener (the server is elsewhere) or no /proc/net.
std::optional<uint64_t> AcceptQueueLength(const SocketAddress& address);

// The same from one of those files: listeners on `port` whose local address
// is one of `addresses_hex`, written as the file writes them ("0100007F" for
// 127.0.0.1 on a little-endian machine). Reads only the listening rows, which
// come first.
std::optional<uint64_t> AcceptQueueInProcNetTcp(std::istream& rows,
                                                const std::vector<std::string>& addresses_hex,
                                                uint16_t port);

}  // namespace c10k
