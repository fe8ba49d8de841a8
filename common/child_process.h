#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/fd.h"

namespace c10k {

// How a child process ended.
struct ExitStatus {
  bool exited = false;  // true: exit code in `code`; false: killed by `signal`
  int code = 0;
  int signal = 0;
  bool Clean() const { return exited && code == 0; }
  // "exit code 0", "killed by SIGKILL".
  std::string Describe() const;
};

struct ChildOptions {
  std::vector<std::string> argv;
  int pin_cpu = -1;          // sched_setaffinity to this CPU when >= 0
  std::string stderr_path;   // redirect stderr to this file when not empty
  uint64_t nofile_limit = 0; // RLIMIT_NOFILE (soft and hard) when > 0: a server with few fds
  // RLIMIT_FSIZE in bytes when > 0: a write past it kills the child with
  // SIGXFSZ inside write(2), a crash at a known point (no core file is written).
  uint64_t file_size_limit = 0;
  // The child leads a process group of its own, out of the terminal's
  // foreground group: a Ctrl-C reaches the parent alone, which stops the child
  // when it is ready to. The child gets SIGTERM if the parent dies first.
  bool own_process_group = false;
};

// A child process whose stdout is a pipe we read: the way tests and the runner
// start servers ("listening on HOST:PORT") and stop them by pid, never by name.
// The destructor kills a child that is still running.
class ChildProcess {
 public:
  static std::optional<ChildProcess> Start(const ChildOptions& options, std::string* error);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t Pid() const { return pid_; }

  // Reads stdout until a line "listening on HOST:PORT" and returns "HOST:PORT".
  // nullopt (with `error` set) when the child exits, closes stdout or the
  // timeout passes first.
  std::optional<std::string> WaitForListening(int64_t timeout_ns, std::string* error);

  // Reads one line of stdout, waiting at most `timeout_ns`.
  std::optional<std::string> ReadLine(int64_t timeout_ns);

  // True while the child has not exited (reaps it when it has).
  bool Running();

  // Sends `signal`, waits up to `grace_ns` for exit, then SIGKILLs.
  ExitStatus Stop(int signal, int64_t grace_ns);

  // Waits up to `timeout_ns` for the child to exit on its own.
  std::optional<ExitStatus> WaitExit(int64_t timeout_ns);

 private:
  ChildProcess(pid_t pid, UniqueFd stdout_fd) : pid_(pid), stdout_(std::move(stdout_fd)) {}

  pid_t pid_ = -1;
  UniqueFd stdout_;
  std::string pending_;  // stdout read but not yet returned as a line
  std::optional<ExitStatus> status_;
};

}  // namespace c10k
