#include "common/loopback.h"

#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>

#include <cerrno>

#include "common/io_status.h"
#include "common/net.h"

namespace c10k {

std::pair<UniqueFd, UniqueFd> TcpLoopbackPair(std::string* error) {
  auto address = ParseAddress("127.0.0.1", 0);
  UniqueFd listener = ListenTcp(*address, /*nonblocking=*/false, /*reuse_port=*/false, error);
  if (!listener) return {};
  auto bound = LocalAddress(listener.Get());
  UniqueFd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!client || connect(client.Get(), bound->Get(), bound->length) != 0) {
    if (error) *error = "cannot connect on loopback: " + ErrnoText(errno);
    return {};
  }
  UniqueFd server(accept4(listener.Get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!server) {
    if (error) *error = "cannot accept on loopback: " + ErrnoText(errno);
    return {};
  }
  SetNoDelay(client.Get());
  SetNoDelay(server.Get());
  return {std::move(client), std::move(server)};
}

bool PinThisThread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

}  // namespace c10k
