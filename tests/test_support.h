#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/child_process.h"
#include "common/net.h"

namespace c10k::testing {

// The c10k binary under test and the source tree (set by tests/CMakeLists.txt).
inline constexpr const char* kBinary = C10K_BINARY;
inline constexpr const char* kSourceDir = C10K_SOURCE_DIR;

// A `c10k serve` child on 127.0.0.1 port 0, stopped by pid (SIGTERM) when the
// test is done with it.
struct ServerProcess {
  ChildProcess process;
  SocketAddress address;
  std::string address_text;  // "127.0.0.1:PORT"
};

// Starts `argv` and waits for its "listening on HOST:PORT" line; fails the
// current test (and returns nullopt) if it does not come.
std::optional<ServerProcess> StartListening(const std::vector<std::string>& argv,
                                            const std::string& stderr_path = "");

// Starts `c10k serve --model M --protocol P --port 0 EXTRA...` and waits for
// "listening on". Fails the current test (and returns nullopt) if it does not
// start. `stderr_path`, when given, receives the server's log lines.
std::optional<ServerProcess> StartServer(const std::string& model, const std::string& protocol,
                                         const std::vector<std::string>& extra = {},
                                         const std::string& stderr_path = "");

// Starts `c10k ARGS...` without waiting for it, for tests that act while it
// runs (stop the server, send SIGINT). Fails the test if it cannot start.
std::optional<ChildProcess> StartC10k(const std::vector<std::string>& args,
                                      const std::string& stderr_path = "");

// Runs `argv` to completion (bounded by `timeout_s`) and returns its exit
// status and stdout. Fails the test if it cannot start or on timeout.
struct CommandResult {
  ExitStatus status;
  std::string out;
};
CommandResult RunCommand(const std::vector<std::string>& argv, int timeout_s = 60,
                         const std::string& stderr_path = "");

// RunCommand for `c10k ARGS...`.
CommandResult RunC10k(const std::vector<std::string>& args, int timeout_s = 60,
                      const std::string& stderr_path = "");

// The path of an installed program, looked for in the sbin and bin
// directories (Debian puts nginx and redis-server in sbin), or "".
std::string Which(const std::string& program);

// `c10k ARGS...` as a command that runs under a real limit on threads: as a
// user of its own (a uid no other process has, chosen from this test's pid)
// allowed `tasks` tasks in all (RLIMIT_NPROC), through prlimit and setpriv.
// Root, which the tests run as, is not held to RLIMIT_NPROC itself. Empty,
// with `why` set, when that cannot be done here (not root, no util-linux).
std::vector<std::string> C10kUnderTaskLimit(int tasks, const std::vector<std::string>& args,
                                            std::string* why);

// A fresh directory under /tmp for one test's files, removed at exit.
std::string TempDir();

// Runs tests/validate_schema.py on the results document at `path`; returns
// its complaint, or "" when the document is valid.
std::string SchemaComplaint(const std::string& path);

// The whole content of a file ("" if missing).
std::string ReadFile(const std::string& path);
// Writes `bytes` to `path` (replacing it); false if it could not.
bool WriteFile(const std::string& path, std::string_view bytes);

}  // namespace c10k::testing
