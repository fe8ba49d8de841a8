#include "bench/bench_support.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "common/io_status.h"
#include "common/loopback.h"

#if defined(__linux__)
#include <sys/eventfd.h>
#endif

namespace c10k {

namespace {

// What the process may already hold besides the benchmark's own descriptors:
// stdio, the JSON output file, an epoll or kqueue instance, a ring.
constexpr size_t kFileLimitMargin = 64;

// Long enough never to fire on a loaded machine, short enough that a message
// lost by a bug costs seconds, not the CI run.
constexpr int kStreamReceiveTimeoutSeconds = 5;

UniqueFd OpenIdleDescriptor() {
#if defined(__linux__)
  return UniqueFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
#else
  // No eventfd outside Linux; an unbound datagram socket is just as idle and
  // still one descriptor.
  return UniqueFd(socket(AF_INET, SOCK_DGRAM, 0));
#endif
}

}  // namespace

std::vector<UniqueFd> OpenIdleDescriptors(size_t count, std::string* error) {
  std::vector<UniqueFd> fds;
  fds.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    UniqueFd fd = OpenIdleDescriptor();
    if (!fd) {
      *error = "cannot open idle descriptor " + std::to_string(i + 1) + " of " +
               std::to_string(count) + ": " + ErrnoText(errno);
      return {};
    }
    fds.push_back(std::move(fd));
  }
  return fds;
}

ReadyDescriptor OpenReadyDescriptor(std::string* error) {
  ReadyDescriptor ready;
#if defined(__linux__)
  ready.read_end.Reset(eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!ready.read_end) *error = "cannot open an eventfd: " + ErrnoText(errno);
#else
  int ends[2];
  if (pipe(ends) != 0) {
    *error = "cannot open a pipe: " + ErrnoText(errno);
    return ready;
  }
  ready.read_end.Reset(ends[0]);
  ready.write_end.Reset(ends[1]);
  char byte = 1;
  if (write(ends[1], &byte, 1) != 1) {
    *error = "cannot write to a pipe: " + ErrnoText(errno);
    ready.read_end.Reset();
  }
#endif
  return ready;
}

bool FitsFileLimit(size_t needed, std::string* why) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    *why = "cannot read RLIMIT_NOFILE: " + ErrnoText(errno);
    return false;
  }
  if (limit.rlim_cur != RLIM_INFINITY && needed + kFileLimitMargin > limit.rlim_cur) {
    *why = "needs " + std::to_string(needed) + " descriptors (+" +
           std::to_string(kFileLimitMargin) + " spare) but RLIMIT_NOFILE is " +
           std::to_string(limit.rlim_cur);
    return false;
  }
  return true;
}

std::vector<int> DescriptorNumbers(const std::vector<UniqueFd>& fds) {
  std::vector<int> numbers;
  numbers.reserve(fds.size());
  for (const UniqueFd& fd : fds) numbers.push_back(fd.Get());
  return numbers;
}

bool OpenMessagePair(benchmark::State& state, Transport transport, size_t size, MessagePair* pair) {
  std::string error;
  if (transport == Transport::kTcp) {
    auto [client, server] = TcpLoopbackPair(&error);
    pair->sender = std::move(client);
    pair->receiver = std::move(server);
  } else {
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) == 0) {
      pair->sender.Reset(ends[0]);
      pair->receiver.Reset(ends[1]);
    } else {
      error = "cannot open a socketpair: " + ErrnoText(errno);
    }
  }
  timeval timeout{};
  timeout.tv_sec = kStreamReceiveTimeoutSeconds;
  for (const UniqueFd* fd : {&pair->sender, &pair->receiver}) {
    if (error.empty() &&
        setsockopt(fd->Get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) {
      error = "cannot set SO_RCVTIMEO: " + ErrnoText(errno);
    }
  }
  if (!error.empty()) {
    state.SkipWithError(error.c_str());
    return false;
  }
  pair->message.assign(size, 'x');
  pair->received.assign(size, 0);
  // One untimed round first: a fresh connection's first segment can take a
  // slow path (and on a busy machine wait for ksoftirqd), and Google
  // Benchmark sizes its runs from the first iterations it times.
  if (send(pair->sender.Get(), pair->message.data(), size, MSG_NOSIGNAL) !=
          static_cast<ssize_t>(size) ||
      recv(pair->receiver.Get(), pair->received.data(), size, MSG_WAITALL) !=
          static_cast<ssize_t>(size)) {
    state.SkipWithError(("the first message did not arrive: " + ErrnoText(errno)).c_str());
    return false;
  }
  return true;
}

void SetMessagesProcessed(benchmark::State& state, size_t size) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(size));
}

void MessageSizeArguments(benchmark::internal::Benchmark* benchmark) {
  benchmark->ArgsProduct({{64, 4096}})->ArgNames({"size"})->UseRealTime();
}

}  // namespace c10k
