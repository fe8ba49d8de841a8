#include "runner/server_process.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "common/clock.h"

namespace c10k {

namespace {

constexpr int64_t kStopGrace = 5 * kNanosPerSecond;

// Whether a child of this process can set its RLIMIT_NOFILE to `nofile`, as
// ChildProcess does for a server: tried in a child that exits at once, so
// this process keeps its own limits.
bool ChildCanSetFileLimit(uint64_t nofile) {
  pid_t pid = fork();
  if (pid < 0) return true;  // cannot tell: the server's start will
  if (pid == 0) {
    rlimit limit{nofile, nofile};
    _exit(setrlimit(RLIMIT_NOFILE, &limit) == 0 ? 0 : 1);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

std::string ServerFileLimitProblem(uint64_t nofile) {
  rlimit limit{};
  if (nofile == 0 || getrlimit(RLIMIT_NOFILE, &limit) != 0 || nofile <= limit.rlim_max) return "";
  // Above the hard limit, a process with CAP_SYS_RESOURCE may still raise it.
  if (ChildCanSetFileLimit(nofile)) return "";
  return std::to_string(nofile) + " is above the hard limit on open files here (RLIMIT_NOFILE " +
         std::to_string(limit.rlim_max) + "), which only a privileged process can raise";
}

bool ServerProcess::Start(std::string* error) {
  ChildOptions options;
  options.argv = {launch_.binary, "serve",         "--model", launch_.model,
                  "--protocol",   launch_.protocol, "--port",  "0"};
  options.argv.insert(options.argv.end(), launch_.extra_args.begin(), launch_.extra_args.end());
  options.pin_cpu = launch_.pin_cpu;
  options.stderr_path = launch_.log_path;
  options.nofile_limit = launch_.nofile_limit;
  // A Ctrl-C interrupts the sweep, which records what it measured and then
  // stops the server; had the server got the Ctrl-C too, the point it was
  // serving would read as "the server died".
  options.own_process_group = true;
  // The log is truncated at each start; read it from the beginning.
  log_offset_ = 0;
  log_since_start_.clear();
  process_ = ChildProcess::Start(options, error);
  if (!process_) return false;
  if (starts_++ > 0) ++restarts_;
  auto listening = process_->WaitForListening(launch_.start_timeout_ns, error);
  if (!listening) {
    auto lines = NewLogLines();
    if (error && !lines.empty()) *error += ": " + lines.back();
    process_->Stop(SIGKILL, kStopGrace);
    process_.reset();
    return false;
  }
  auto address = ParseHostPort(*listening);
  if (!address) {
    if (error) *error = "the server printed an address that is not HOST:PORT: " + *listening;
    Stop();
    return false;
  }
  address_ = *address;
  address_text_ = *listening;
  return true;
}

bool ServerProcess::Running() { return process_ && process_->Running(); }

std::optional<ExitStatus> ServerProcess::ExitIfGone() {
  if (!process_ || process_->Running()) return std::nullopt;
  return process_->WaitExit(0);
}

ExitStatus ServerProcess::Stop() {
  if (!process_) return {};
  ExitStatus status = process_->Stop(SIGTERM, kStopGrace);
  process_.reset();
  return status;
}

std::vector<std::string> ServerProcess::NewLogLines() {
  std::vector<std::string> lines;
  std::ifstream log(launch_.log_path);
  if (!log) return lines;
  log.seekg(static_cast<std::streamoff>(log_offset_));
  std::string line;
  while (std::getline(log, line)) {
    if (log.eof()) break;  // a line still being written; read it next time
    log_offset_ += line.size() + 1;
    log_since_start_.push_back(line);
    lines.push_back(line);
  }
  return lines;
}

}  // namespace c10k
