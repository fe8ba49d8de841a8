#include "servers/poller.h"

#include <cerrno>

#include "common/io_status.h"

namespace c10k {

// Each backend file defines its factory; CMake compiles the ones this
// platform has and defines C10K_HAVE_<API> for them.
std::unique_ptr<Poller> MakeBusyPoller();
std::unique_ptr<Poller> MakeSelectPoller();
std::unique_ptr<Poller> MakePollPoller();
#if C10K_HAVE_EPOLL
std::unique_ptr<Poller> MakeEpollPoller(bool edge_triggered);
#endif
#if C10K_HAVE_KQUEUE
std::unique_ptr<Poller> MakeKqueuePoller();
#endif

namespace {

struct Backend {
  std::string_view name;
  std::unique_ptr<Poller> (*make)();
};

// The backends compiled on this platform; CMake decides which files exist.
const std::vector<Backend>& Backends() {
  static const std::vector<Backend> backends = {
      {"busypoll", MakeBusyPoller},
      {"select", MakeSelectPoller},
      {"poll", MakePollPoller},
#if C10K_HAVE_EPOLL
      {"epoll", [] { return MakeEpollPoller(false); }},
      {"epoll-et", [] { return MakeEpollPoller(true); }},
#endif
#if C10K_HAVE_KQUEUE
      {"kqueue", MakeKqueuePoller},
#endif
  };
  return backends;
}

}  // namespace

std::vector<std::string_view> PollerNames() {
  std::vector<std::string_view> names;
  for (const auto& backend : Backends()) names.push_back(backend.name);
  return names;
}

std::unique_ptr<Poller> MakePoller(std::string_view name, std::string* error) {
  for (const auto& backend : Backends()) {
    if (backend.name != name) continue;
    auto poller = backend.make();
    if (!poller && error) {
      *error = "cannot create the ";
      error->append(name).append(" poller: ").append(ErrnoText(errno));
    }
    return poller;
  }
  if (error) {
    *error = "no readiness backend called ";
    error->append(name).append("; compiled here:");
    for (auto known : PollerNames()) error->append(" ").append(known);
  }
  return nullptr;
}

}  // namespace c10k
