// c10k models: the server models this build knows, which are compiled here,
// and the ceiling each one demonstrates.
#include <cstdio>

#include "app/command.h"
#include "servers/models.h"

namespace c10k {

Command AddModelsCommand(CLI::App& root) {
  CLI::App* app = root.add_subcommand("models", "List the server models compiled on this platform");
  return {app, [] {
            for (const auto& model : ServerModels()) {
              std::printf("%-10s %-14s %s\n           ceiling: %s\n", std::string(model.name).c_str(),
                          model.compiled ? "compiled" : "not available",
                          std::string(model.summary).c_str(), std::string(model.ceiling).c_str());
            }
            return kExitOk;
          }};
}

}  // namespace c10k
