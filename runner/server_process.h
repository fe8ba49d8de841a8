#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/child_process.h"
#include "common/clock.h"
#include "common/net.h"

namespace c10k {

// A server that has not printed "listening on" by then will not (c10k run
// --server-start-timeout).
constexpr int64_t kDefaultServerStartTimeout = 10 * kNanosPerSecond;

// How the runner starts one model's server.
struct ServerLaunch {
  std::string binary;        // the c10k executable that serves
  std::string model;
  std::string protocol;
  std::vector<std::string> extra_args;  // --threads, --max-frame, --output-limit
  int pin_cpu = -1;
  std::string log_path;      // the server's stderr goes here
  uint64_t nofile_limit = 0; // the server's RLIMIT_NOFILE; 0: inherited
  int64_t start_timeout_ns = kDefaultServerStartTimeout;
};

// Why a server could not be given `nofile` descriptors (ServerLaunch's
// nofile_limit, set as its soft and hard RLIMIT_NOFILE), or "" when it can.
// Above this process's hard limit only a privileged process can raise it,
// and the server's setrlimit would fail with no one to tell: it would run
// with the limits it inherited.
std::string ServerFileLimitProblem(uint64_t nofile);

// A server child process for one model: started, watched between points,
// restarted after a crash, stopped by pid. Its stderr log is read point by
// point, since the server's one-time log lines (FD_SETSIZE, EMFILE, thread
// creation) explain a ceiling.
class ServerProcess {
 public:
  explicit ServerProcess(ServerLaunch launch) : launch_(std::move(launch)) {}

  // Starts the server and waits for "listening on". False with `error` set
  // when it exits or stays silent instead.
  bool Start(std::string* error);
  bool Running();
  pid_t Pid() const { return process_ ? process_->Pid() : -1; }
  const SocketAddress& Address() const { return address_; }
  const std::string& AddressText() const { return address_text_; }
  int Restarts() const { return restarts_; }

  // The exit status if the server is gone ("killed by SIGSEGV").
  std::optional<ExitStatus> ExitIfGone();

  // SIGTERM, then SIGKILL after a grace period. Returns how it ended.
  ExitStatus Stop();

  // Log lines written since the last call.
  std::vector<std::string> NewLogLines();
  // Every log line read so far since the server (re)started.
  const std::vector<std::string>& LogSinceStart() const { return log_since_start_; }

 private:
  ServerLaunch launch_;
  std::optional<ChildProcess> process_;
  SocketAddress address_;
  std::string address_text_;
  size_t log_offset_ = 0;
  std::vector<std::string> log_since_start_;
  int starts_ = 0;
  int restarts_ = 0;
};

}  // namespace c10k
