// c10k: one executable, one verb per subcommand (serve, load, run, calibrate,
// models). Usage errors end with one line on stderr and exit code 2, whatever
// the verb.
#include <cstdio>
#include <vector>

#include "app/command.h"
#include "common/build_info.h"

namespace c10k {
namespace {

int Main(int argc, char** argv) {
  CLI::App app{
      "c10k-bench: serve one protocol with every classic I/O model, drive it with a "
      "nonblocking load generator, and record where each model hits its ceiling."};
  app.name("c10k");
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(ToolVersion()) + " (" + std::string(GitSha()) + ")");
  std::vector<Command> commands = {
      AddServeCommand(app),
      AddLoadCommand(app),
      AddRunCommand(app),
      AddCalibrateCommand(app),
      AddModelsCommand(app),
  };
  // An empty value is never what was meant, and read as the option not
  // given: `c10k load --json ""` measured, wrote nothing and exited 0.
  for (const auto& command : commands) {
    for (CLI::Option* option : command.app->get_options()) {
      if (option->get_type_size() > 0) option->check(NonEmptyFlag());
    }
  }
  bool known_verb = argc < 2 || argv[1][0] == '-';
  for (const auto& command : commands) known_verb = known_verb || command.app->get_name() == argv[1];
  if (!known_verb) {
    std::string verbs;
    for (const auto& command : commands) verbs += (verbs.empty() ? "" : ", ") + command.app->get_name();
    std::fprintf(stderr, "c10k: unknown command \"%s\"; commands: %s (see c10k --help)\n", argv[1],
                 verbs.c_str());
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string where = "c10k";
    for (const auto* sub : app.get_subcommands()) where += " " + sub->get_name();
    std::fprintf(stderr, "%s: %s (see %s --help)\n", where.c_str(), e.what(), where.c_str());
    return kExitUsage;
  }
  for (auto& command : commands) {
    if (!command.app->parsed()) continue;
    try {
      return command.run();
    } catch (const UsageError& e) {
      std::fprintf(stderr, "c10k %s: %s\n", command.app->get_name().c_str(), e.what());
      return kExitUsage;
    }
  }
  return kExitUsage;
}

}  // namespace
}  // namespace c10k

int main(int argc, char** argv) {
  try {
    return c10k::Main(argc, argv);
  } catch (const std::exception& e) {
    // Not expected: every failure we know of has its own message. Still one
    // line and an exit code rather than std::terminate's abort.
    std::fprintf(stderr, "c10k: failed: %s\n", e.what());
    return c10k::kExitFailed;
  }
}
