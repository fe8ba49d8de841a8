#pragma once

#include <string>

#include "common/fd.h"
#include "protocols/protocol.h"
#include "servers/server_config.h"

namespace c10k {

// The entry point of each server model (see models.cc for the registry).
// Each serves on `listener` until a stop signal and returns the exit code.
int RunReactorModel(const ServerConfig& config, UniqueFd listener);
int RunBlockingModel(const ServerConfig& config, UniqueFd listener);
int RunThreadsModel(const ServerConfig& config, UniqueFd listener);
int RunReusePortModel(const ServerConfig& config, UniqueFd listener);
int RunUringModel(const ServerConfig& config, UniqueFd listener);

// Why a model does not serve a protocol ("" when it does).
std::string BlockingRefuses(Protocol protocol);

}  // namespace c10k
