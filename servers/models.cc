#include "servers/models.h"

#include "servers/reactor.h"

namespace c10k {

namespace {

std::string ServesEchoOnly(Protocol protocol) {
  if (protocol == Protocol::kEcho) return "";
  return "protocol " + std::string(ProtocolName(protocol)) + " is not implemented yet";
}

}  // namespace

const std::vector<ServerModel>& ServerModels() {
  static const std::vector<ServerModel> models = {
      {"epoll", "level-triggered epoll(7) reactor", "none at C10K: waits cost O(ready)", true,
       false, false, ServesEchoOnly, RunReactorModel},
      {"epoll-et", "edge-triggered epoll(7) reactor, reads and writes until EAGAIN",
       "none at C10K: fewer wakeups than level-triggered", true, false, false, ServesEchoOnly,
       RunReactorModel},
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
