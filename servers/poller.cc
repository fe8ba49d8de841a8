#include "servers/poller.h"

#include <cerrno>

#include "common/io_status.h"

namespace c10k {

std::unique_ptr<Poller> MakeEpollPoller(bool edge_triggered);

namespace {

struct Backend {
  std::string_view name;
  std::unique_ptr<Poller> (*make)();
};

// The backends compiled on this platform; CMake decides which files exist.
const std::vector<Backend>& Backends() {
  static const std::vector<Backend> backends = {
      {"epoll", [] { return MakeEpollPoller(false); }},
      {"epoll-et", [] { return MakeEpollPoller(true); }},
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
    if (!poller && error) *error = "cannot create the " + std::string(name) + " poller: " + ErrnoText(errno);
    return poller;
  }
  if (error) {
    *error = "no readiness backend called " + std::string(name) + "; compiled here:";
    for (auto known : PollerNames()) *error += " " + std::string(known);
  }
  return nullptr;
}

}  // namespace c10k
