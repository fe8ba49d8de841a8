#include "tests/test_support.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/clock.h"

namespace c10k::testing {

namespace {

// Starts argv with stderr to `stderr_path` (or inherited); a failure to
// start fails the test and gives nullopt.
std::optional<ChildProcess> StartChild(const std::vector<std::string>& argv,
                                       const std::string& stderr_path) {
  ChildOptions options;
  options.argv = argv;
  options.stderr_path = stderr_path;
  std::string error;
  auto child = ChildProcess::Start(options, &error);
  if (!child) ADD_FAILURE() << "cannot start " << argv[0] << ": " << error;
  return child;
}

std::vector<std::string> C10kArgv(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {kBinary};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

std::optional<ServerProcess> StartListening(const std::vector<std::string>& argv,
                                            const std::string& stderr_path) {
  auto child = StartChild(argv, stderr_path);
  if (!child) return std::nullopt;
  std::string error;
  auto listening = child->WaitForListening(30 * kNanosPerSecond, &error);
  if (!listening) {
    std::string command;
    for (const auto& arg : argv) command += (command.empty() ? "" : " ") + arg;
    ADD_FAILURE() << command << ": " << error;
    return std::nullopt;
  }
  auto address = ParseHostPort(*listening);
  if (!address) {
    ADD_FAILURE() << "unparseable listening line: " << *listening;
    return std::nullopt;
  }
  return ServerProcess{std::move(*child), *address, *listening};
}

std::optional<ServerProcess> StartServer(const std::string& model, const std::string& protocol,
                                         const std::vector<std::string>& extra,
                                         const std::string& stderr_path) {
  std::vector<std::string> args = {"serve", "--model", model, "--protocol", protocol, "--port", "0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return StartListening(C10kArgv(args), stderr_path);
}

std::optional<ChildProcess> StartC10k(const std::vector<std::string>& args,
                                      const std::string& stderr_path) {
  return StartChild(C10kArgv(args), stderr_path);
}

CommandResult RunCommand(const std::vector<std::string>& argv, int timeout_s,
                         const std::string& stderr_path) {
  auto child = StartChild(argv, stderr_path);
  if (!child) return {};
  CommandResult result;
  int64_t deadline = MonotonicNanos() + timeout_s * kNanosPerSecond;
  while (MonotonicNanos() < deadline) {
    auto line = child->ReadLine(deadline - MonotonicNanos());
    if (!line) break;
    result.out += *line + "\n";
  }
  auto status = child->WaitExit(std::max<int64_t>(deadline - MonotonicNanos(), kNanosPerSecond));
  if (!status) {
    ADD_FAILURE() << argv[0] << " did not finish within " << timeout_s << " s";
    result.status = child->Stop(SIGKILL, 0);
    return result;
  }
  result.status = *status;
  return result;
}

CommandResult RunC10k(const std::vector<std::string>& args, int timeout_s,
                      const std::string& stderr_path) {
  return RunCommand(C10kArgv(args), timeout_s, stderr_path);
}

std::string Which(const std::string& program) {
  for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/usr/local/sbin/", "/usr/local/bin/"}) {
    std::string path = dir + program;
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

std::vector<std::string> C10kUnderTaskLimit(int tasks, const std::vector<std::string>& args,
                                            std::string* why) {
  std::string prlimit = Which("prlimit");
  std::string setpriv = Which("setpriv");
  if (geteuid() != 0) {
    *why = "only root can run a command as another user";
    return {};
  }
  if (prlimit.empty() || setpriv.empty()) {
    *why = "prlimit and setpriv (util-linux) are not installed";
    return {};
  }
  // RLIMIT_NPROC counts every task of the user: a uid of its own keeps
  // other processes, and tests running in parallel, out of the count.
  std::string uid = std::to_string(2'000'000 + getpid());
  std::vector<std::string> argv = {prlimit, "--nproc=" + std::to_string(tasks)};
  argv.insert(argv.end(), {setpriv, "--reuid=" + uid, "--regid=" + uid, "--clear-groups"});
  argv.push_back(kBinary);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::string TempDir() {
  std::string pattern = std::filesystem::temp_directory_path() / "c10k-test-XXXXXX";
  char* made = mkdtemp(pattern.data());
  if (!made) {
    ADD_FAILURE() << "mkdtemp failed";
    return "/tmp";
  }
  static std::vector<std::string> to_remove;
  static bool registered = false;
  to_remove.push_back(made);
  if (!registered) {
    registered = true;
    atexit([] {
      for (const auto& dir : to_remove) std::filesystem::remove_all(dir);
    });
  }
  return made;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out.flush());
}

std::string SchemaComplaint(const std::string& document) {
  std::string out = TempDir() + "/validate.out";
  ChildOptions options;
  options.argv = {"/usr/bin/python3",
                  std::string(testing::kSourceDir) + "/tests/validate_schema.py",
                  std::string(testing::kSourceDir) + "/results/schema.json", document};
  options.stderr_path = out;
  std::string error;
  auto child = ChildProcess::Start(options, &error);
  if (!child) return "cannot start the validator: " + error;
  std::string printed;
  while (auto line = child->ReadLine(60 * kNanosPerSecond)) printed += *line + "\n";
  auto status = child->WaitExit(60 * kNanosPerSecond);
  if (!status || !status->Clean()) return printed + ReadFile(out) + "(validator: not clean)";
  return "";
}

}  // namespace c10k::testing
