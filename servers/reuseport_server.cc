// reuseport: N event loops on N threads, each with its own epoll instance and
// its own listening socket bound to the same port with SO_REUSEPORT (Linux
// 3.9). The kernel spreads incoming connections over the listeners by a hash
// of the connection's addresses, so the loops share nothing on the accept
// path: no thundering herd, no lock, every core busy. This is how nginx
// (reuseport) and most modern servers use a many-core machine.
//
// Quirks: a connection stays on the loop that accepted it, so load is only as
// even as the hash; connections queued on a listener that closes are reset.
// The line protocol's broadcast crosses loops through a BroadcastHub.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <thread>
#include <vector>

#include "common/net.h"
#include "common/stop_signal.h"
#include "common/thread_group.h"
#include "servers/broadcast_hub.h"
#include "servers/model_runners.h"
#include "servers/reactor.h"

namespace c10k {

int RunReusePortModel(const ServerConfig& config, UniqueFd listener) {
  int loops = config.threads > 0 ? config.threads
                                 : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  auto address = LocalAddress(listener.Get());
  std::vector<UniqueFd> listeners;
  listeners.push_back(std::move(listener));
  for (int i = 1; i < loops; ++i) {
    std::string error;
    UniqueFd another = ListenTcp(*address, /*nonblocking=*/true, /*reuse_port=*/true, &error);
    if (!another) {
      std::fprintf(stderr, "c10k serve: reuseport: loop %d: %s\n", i, error.c_str());
      return 1;
    }
    listeners.push_back(std::move(another));
  }
  auto state = MakeServerState(config.protocol);
  std::unique_ptr<BroadcastHub> hub;
  if (config.protocol == Protocol::kLine) hub = std::make_unique<BroadcastHub>(loops);

  std::vector<std::unique_ptr<Reactor>> reactors;
  for (int i = 0; i < loops; ++i) {
    std::string error;
    auto poller = MakePoller("epoll", &error);
    if (!poller) {
      std::fprintf(stderr, "c10k serve: reuseport: %s\n", error.c_str());
      return 1;
    }
    reactors.push_back(std::make_unique<Reactor>(std::move(poller), std::move(listeners[i]), config,
                                                 *state, hub.get(), i));
  }
  // SIGINT and SIGTERM must land in a loop, which wakes on the stop pipe the
  // handler writes, and not in this thread parked in join(): ThreadSanitizer
  // runs a handler only when the interrupted thread is in a call it knows
  // blocks, and join() is not one, so the stop would never be heard. Blocked
  // here, unblocked in each loop.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
  std::vector<std::string> errors(loops);
  ThreadGroup threads;
  // The loops already running stop as they would on SIGTERM.
  auto failure = StartThreads(
      threads, loops,
      [&](int i) {
        pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
        if (!reactors[i]->Run(&errors[i])) {
          errors[i] = "loop " + std::to_string(i) + ": " + errors[i];
        }
      },
      RequestStop);
  threads.JoinAll();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (failure) {
    // Worded as the threads model words its ceiling; no counters, as the
    // server never ran with all its loops.
    std::fprintf(stderr, "c10k serve: reuseport: %s; use fewer --threads\n",
                 ThreadStartFailureText(*failure, "event loop thread").c_str());
    return 1;
  }
  ServerCounters total;
  for (const auto& reactor : reactors) total.Add(reactor->Counters());
  std::fprintf(stderr, "%s\n", total.Summary().c_str());
  if (hub && hub->Dropped() > 0) {
    std::fprintf(stderr, "c10k serve: reuseport: %llu broadcast lines dropped between loops\n",
                 static_cast<unsigned long long>(hub->Dropped()));
  }
  int status = 0;
  for (const auto& error : errors) {
    if (!error.empty()) {
      std::fprintf(stderr, "c10k serve: reuseport: %s\n", error.c_str());
      status = 1;
    }
  }
  return status;
}

}  // namespace c10k
