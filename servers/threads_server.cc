// threads: one thread per connection, each serving its client with blocking
// waits (phase 01's loop, once per client). The kernel's scheduler does the
// multiplexing. It fixes the blocking server's stall, and costs a stack, a
// kernel task and context switches per client: 10,000 clients means 10,000
// threads, most of them asleep, and every request a switch in and out. When
// the clients keep them busy, the one thread that accepts is a single runnable
// thread among hundreds and a fair scheduler gives it that share of the CPU:
// new clients wait seconds in the accept queue (runner/ceiling.cc says so).
//
// Stacks are 64 KiB instead of the default 8 MiB (of address space) so that
// the thread count, not the address space, is what runs out. When a thread
// cannot be created (EAGAIN: RLIMIT_NPROC, kernel.threads-max, memory, or
// the --max-threads cap) the connection is closed, counted and logged once,
// and the server keeps going.
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "common/clock.h"
#include "common/io_status.h"
#include "servers/accept_next_client.h"
#include "servers/model_runners.h"
#include "servers/server_counters.h"
#include "servers/session.h"

namespace c10k {

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// Sanitizers instrument every frame and need more room than the real thing.
constexpr size_t kStackSize = 512 * 1024;
#else
constexpr size_t kStackSize = 64 * 1024;
#endif
// How long stopping waits for client threads to see the stop signal.
constexpr int64_t kStopGrace = 3 * kNanosPerSecond;

// What every client thread shares.
struct ThreadsServer {
  const ServerConfig& config;
  std::unique_ptr<ServerState> state;
  SessionRegistry registry;
  std::mutex counters_mutex;
  ServerCounters counters;
  std::atomic<int> live_threads{0};
};

struct ClientThread {
  ThreadsServer* server;
  Session* session;
};

void* ServeClient(void* argument) {
  auto* start = static_cast<ClientThread*>(argument);
  ThreadsServer& server = *start->server;
  Session* session = start->session;
  delete start;
  bool broadcasts = server.config.protocol == Protocol::kLine;
  if (broadcasts) server.registry.Add(session);
  SessionEnd end = session->Serve();
  if (broadcasts) server.registry.Remove(session);
  std::string protocol_error(session->ProtocolError());
  delete session;
  {
    std::lock_guard lock(server.counters_mutex);
    CountSessionEnd(end, protocol_error, server.counters);
  }
  server.live_threads.fetch_sub(1);
  return nullptr;
}

// Starts a detached thread for `client`; false (client closed) if the
// system will not give us one.
bool StartClientThread(ThreadsServer& server, UniqueFd client, const pthread_attr_t& attributes,
                       int* error) {
  // --max-threads stands for the system's own limits, which cannot be
  // lowered for a test (root ignores RLIMIT_NPROC): same error, same path.
  if (server.config.max_threads > 0 && server.live_threads.load() >= server.config.max_threads) {
    *error = EAGAIN;
    return false;
  }
  auto* session = new Session(std::move(client), server.config, *server.state,
                              server.config.protocol == Protocol::kLine ? &server.registry : nullptr);
  auto* start = new ClientThread{&server, session};
  server.live_threads.fetch_add(1);
  pthread_t thread;
  *error = pthread_create(&thread, &attributes, ServeClient, start);
  if (*error == 0) return true;
  server.live_threads.fetch_sub(1);
  delete start;
  delete session;  // closes the client
  return false;
}

}  // namespace

int RunThreadsModel(const ServerConfig& config, UniqueFd listener) {
  ThreadsServer server{config, MakeServerState(config.protocol), {}, {}, {}, {}};
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, kStackSize);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  bool logged_thread_failure = false;
  bool logged_no_descriptors = false;
  while (true) {
    NextClient next = AcceptNextClient(listener.Get(), &logged_no_descriptors);
    if (next.stop) break;
    std::lock_guard lock(server.counters_mutex);
    if (next.no_descriptors) ++server.counters.refused_no_descriptors;
    if (!next.client) continue;
    ++server.counters.accepted;
    int error = 0;
    if (!StartClientThread(server, std::move(next.client), attributes, &error)) {
      ++server.counters.refused_no_thread;
      ++server.counters.closed;
      if (!logged_thread_failure) {
        std::fprintf(stderr,
                     "c10k serve: threads: cannot create a thread for a new connection after %d "
                     "threads: %s; closing such connections (logged once, counted)\n",
                     server.live_threads.load(), ErrnoText(error).c_str());
        logged_thread_failure = true;
      }
    }
  }
  pthread_attr_destroy(&attributes);
  // Every client thread watches the stop signal too; give them a moment.
  int64_t deadline = MonotonicNanos() + kStopGrace;
  while (server.live_threads.load() > 0 && MonotonicNanos() < deadline) usleep(1000);
  int stuck = server.live_threads.load();
  {
    std::lock_guard lock(server.counters_mutex);
    std::fprintf(stderr, "%s\n", server.counters.Summary().c_str());
  }
  if (stuck > 0) {
    // A thread still inside a session must not outlive the state it uses:
    // leave without running destructors.
    std::fflush(stderr);
    _exit(0);
  }
  return 0;
}

}  // namespace c10k
