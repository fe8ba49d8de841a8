#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/fd.h"
#include "protocols/protocol.h"
#include "servers/server_config.h"

namespace c10k {

// One server model of the C10K story, as `c10k serve --model` and
// `c10k models` know it.
struct ServerModel {
  std::string_view name;
  std::string_view summary;  // what it is
  std::string_view ceiling;  // the limit it demonstrates
  bool compiled = false;     // false: known, but not available on this platform
  bool blocking_listener = false;  // the model accepts with blocking calls
  bool reuse_port_listener = false;
  // Empty when the model serves `protocol`; otherwise why it does not.
  std::string (*refuses)(Protocol protocol) = nullptr;
  // Serves on `listener` until a stop signal; returns the process exit code.
  int (*run)(const ServerConfig& config, UniqueFd listener) = nullptr;
};

// Every model the project knows, compiled here or not, in story order.
const std::vector<ServerModel>& ServerModels();

const ServerModel* FindServerModel(std::string_view name);

// "blocking, threads, ..." of the models compiled here.
std::string CompiledModelNames();

}  // namespace c10k
