#include "servers/models.h"

#include "servers/model_runners.h"

namespace c10k {

namespace {

std::string ServesEverything(Protocol) { return ""; }

#if C10K_HAVE_EPOLL
constexpr bool kEpoll = true;
#else
constexpr bool kEpoll = false;
#endif
#if C10K_HAVE_KQUEUE
constexpr bool kKqueue = true;
#else
constexpr bool kKqueue = false;
#endif
#if C10K_KQUEUE_EMULATED
// A test build on Linux (C10K_KQUEUE_EMULATION): says so wherever models are listed.
constexpr std::string_view kKqueueSummary =
    "kqueue(2) readiness, EMULATED on epoll in this test build";
#else
constexpr std::string_view kKqueueSummary = "kqueue(2) readiness (BSD, macOS; needs <sys/event.h>)";
#endif
#if C10K_HAVE_URING
constexpr bool kUring = true;
#else
constexpr bool kUring = false;
int RunUringModel(const ServerConfig&, UniqueFd) { return 1; }
#endif

}  // namespace

const std::vector<ServerModel> &ServerModels() {
  // In story order: each model answers the ceiling of the one before.
  static const std::vector<ServerModel> models = {
      {"blocking", "one client at a time: accept, serve until it closes, accept the next",
       "one slow client stalls everyone", true, true, false, BlockingRefuses, RunBlockingModel},
      {"threads", "a thread per connection (64 KiB stacks), blocking waits",
       "memory, thread limits, context switches", true, true, false, ServesEverything,
       RunThreadsModel},
      {"busypoll", "nonblocking sockets, a nonblocking read or write tried on every one, every lap",
       "100% of a core even when idle", true, false, false, ServesEverything, RunReactorModel},
      {"select", "select(2) readiness, rebuilt and scanned every call",
       "FD_SETSIZE (1024): descriptors at or above it are refused", true, false, false,
       ServesEverything, RunReactorModel},
      {"poll", "poll(2) readiness: no size limit, the whole array every call",
       "O(registered) per wait: idle connections slow everyone", true, false, false,
       ServesEverything, RunReactorModel},
      {"epoll", "level-triggered epoll(7): interest registered once, O(ready) waits",
       "none at C10K", kEpoll, false, false, ServesEverything, RunReactorModel},
      {"epoll-et", "edge-triggered epoll(7), reading and writing until EAGAIN",
       "none at C10K; fewer wakeups than level-triggered", kEpoll, false, false, ServesEverything,
       RunReactorModel},
      {"kqueue", kKqueueSummary, "none at C10K, as epoll", kKqueue, false, false, ServesEverything,
       RunReactorModel},
      {"uring", "io_uring completions through liburing, provided buffers, multishot accept",
       "none at C10K; fewer system calls per request", kUring, false, false, ServesEverything,
       RunUringModel},
      {"reuseport",
       "one epoll loop per thread (--threads, default one per core), each with its "
       "own SO_REUSEPORT listener",
       "uses every core; shares nothing on accept", kEpoll, false, true, ServesEverything,
       RunReusePortModel},
  };
  return models;
}

const ServerModel* FindServerModel(std::string_view name) {
  for (const auto& model : ServerModels()) {
    if (model.name == name) return &model;
  }
  return nullptr;
}

std::string CompiledModelNames() {
  std::string names;
  for (const auto& model : ServerModels()) {
    if (!model.compiled) continue;
    if (!names.empty()) names += ", ";
    names += model.name;
  }
  return names;
}

}  // namespace c10k
