#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "loadgen/load_config.h"
#include "loadgen/request_body.h"

namespace c10k {

// A verb of the c10k executable: its CLI11 subcommand and what runs when it
// was the one parsed. `run` returns the exit code.
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Thrown by a command for bad usage found after parsing (a malformed
// duration, an unknown model): main prints it as one line and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Exit codes shared by every verb.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;  // ran, but something failed or hit a ceiling
constexpr int kExitUsage = 2;   // bad usage or input; nothing written

Command AddServeCommand(CLI::App& root);
Command AddLoadCommand(CLI::App& root);
Command AddModelsCommand(CLI::App& root);
Command AddRunCommand(CLI::App& root);
Command AddCalibrateCommand(CLI::App& root);

// Parses a --duration style value or throws UsageError naming the flag.
int64_t DurationFlag(const std::string& flag, const std::string& text);
// Parses a --max-frame style value or throws UsageError naming the flag.
uint64_t ByteSizeFlag(const std::string& flag, const std::string& text);
// Checks a --rate style value: a number of events per second in total, from
// kMinRate to kMaxRate.
CLI::Validator RateFlag();
// A whole number from `min` to `max`, said in words when it is not.
CLI::Validator WholeNumberFlag(int64_t min, int64_t max);
// Refuses an empty value: `--json ""` had read as no --json at all.
CLI::Validator NonEmptyFlag();
// Parses an --io value or throws UsageError.
LoadIo IoFlag(const std::string& text);
// Throws UsageError, in `where`'s words, when this kernel or build cannot run
// the engine `io` (io_uring too old, disabled, or not compiled in).
void RequireUsableIo(LoadIo io, const std::string& where = "");
// Throws UsageError when a --json file could not be written at `path` (a
// directory, or in a directory that cannot be created or written), so the
// run is refused before it starts rather than lost when it ends.
void RequireWritableJson(const std::string& path);
// Reads --body-file, or throws UsageError saying why it cannot be a body.
std::shared_ptr<const std::string> BodyFileFlag(const std::string& path);

}  // namespace c10k
