#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <string>
#include <vector>

#include "common/fd.h"

namespace c10k {

// Descriptors that are open, pollable and never ready: they stand for idle
// connections. One descriptor per entry (an eventfd on Linux, an unbound UDP
// socket elsewhere), so N entries cost N of the open-file limit and no more.
// Empty, with `error` set, when they cannot all be opened.
std::vector<UniqueFd> OpenIdleDescriptors(size_t count, std::string* error);

// A descriptor that is readable and stays readable however often it is polled,
// because nobody ever reads it: the one ready connection among the idle ones.
struct ReadyDescriptor {
  UniqueFd read_end;
  UniqueFd write_end;  // kept open where readiness needs a writer (a pipe)
};
ReadyDescriptor OpenReadyDescriptor(std::string* error);

// True when `needed` more descriptors fit under the soft RLIMIT_NOFILE (with a
// margin for what the process already holds); otherwise false and `why` says
// how many were needed against which limit.
bool FitsFileLimit(size_t needed, std::string* why);

// The raw descriptor numbers, for the APIs that take ints.
std::vector<int> DescriptorNumbers(const std::vector<UniqueFd>& fds);

// The two kinds of connected byte stream the loopback benchmarks compare: TCP
// on 127.0.0.1 (the whole IP stack) and an AF_UNIX socketpair (none of it).
enum class Transport { kTcp, kSocketpair };

// A connected, blocking stream pair and the buffers for one message each way:
// what the send+recv benchmarks (plain and through io_uring) move `message`
// over, from `sender` to `receiver`.
struct MessagePair {
  UniqueFd sender;
  UniqueFd receiver;
  std::vector<char> message;
  std::vector<char> received;
};

// Opens a pair of `transport` for messages of `size` bytes, with a receive
// timeout on both ends so that a message lost by a bug fails the benchmark
// instead of hanging it. False, the benchmark skipped saying why, on failure.
bool OpenMessagePair(benchmark::State& state, Transport transport, size_t size, MessagePair* pair);

// Counts `size`-byte messages, one per iteration, as items and bytes.
void SetMessagesProcessed(benchmark::State& state, size_t size);

// The message sizes of the send+recv benchmarks: one small request and one
// page.
void MessageSizeArguments(benchmark::internal::Benchmark* benchmark);

}  // namespace c10k
