#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

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

}  // namespace c10k
