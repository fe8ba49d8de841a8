#include "common/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/clock.h"
#include "common/io_status.h"

namespace c10k {

std::string ExitStatus::Describe() const {
  if (exited) return "exit code " + std::to_string(code);
  const char* name = sigabbrev_np(signal);
  return std::string("killed by ") + (name ? std::string("SIG") + name : std::to_string(signal));
}

namespace {

ExitStatus FromWaitStatus(int status) {
  ExitStatus result;
  if (WIFEXITED(status)) {
    result.exited = true;
    result.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

}  // namespace

std::optional<ChildProcess> ChildProcess::Start(const ChildOptions& options, std::string* error) {
  if (options.argv.empty()) {
    if (error) *error = "no program to start";
    return std::nullopt;
  }
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    if (error) *error = "cannot create a pipe: " + ErrnoText(errno);
    return std::nullopt;
  }
  // Everything the child needs is prepared before fork: after fork in a
  // threaded parent only async-signal-safe calls are allowed.
  std::vector<char*> argv;
  for (const auto& arg : options.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  int stderr_fd = -1;
  if (!options.stderr_path.empty()) {
    stderr_fd = open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (stderr_fd < 0) {
      if (error) *error = "cannot open " + options.stderr_path + ": " + ErrnoText(errno);
      close(out[0]);
      close(out[1]);
      return std::nullopt;
    }
  }
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  if (options.pin_cpu >= 0) CPU_SET(options.pin_cpu, &cpus);

  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    if (error) *error = "cannot fork: " + ErrnoText(errno);
    close(out[0]);
    close(out[1]);
    if (stderr_fd >= 0) close(stderr_fd);
    return std::nullopt;
  }
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    if (stderr_fd >= 0) dup2(stderr_fd, STDERR_FILENO);
    if (options.pin_cpu >= 0) sched_setaffinity(0, sizeof cpus, &cpus);
    if (options.nofile_limit > 0) {
      rlimit limit{options.nofile_limit, options.nofile_limit};
      setrlimit(RLIMIT_NOFILE, &limit);
    }
    if (options.file_size_limit > 0) {
      rlimit size{options.file_size_limit, options.file_size_limit};
      setrlimit(RLIMIT_FSIZE, &size);
      rlimit no_core{0, 0};
      setrlimit(RLIMIT_CORE, &no_core);
    }
    // The parent may ignore or block signals; the child starts clean.
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGXFSZ, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, nullptr);
    if (options.own_process_group) {
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(1);  // the parent died before prctl
    }
    execvp(argv[0], argv.data());
    const char message[] = "cannot start the program: exec failed\n";
    [[maybe_unused]] ssize_t n = write(STDERR_FILENO, message, sizeof message - 1);
    _exit(127);
  }
  close(out[1]);
  if (stderr_fd >= 0) close(stderr_fd);
  return ChildProcess(pid, UniqueFd(out[0]));
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdout_(std::move(other.stdout_)),
      pending_(std::move(other.pending_)),
      status_(other.status_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !status_) Stop(SIGKILL, 0);
    pid_ = std::exchange(other.pid_, -1);
    stdout_ = std::move(other.stdout_);
    pending_ = std::move(other.pending_);
    status_ = other.status_;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) Stop(SIGKILL, 2 * kNanosPerSecond);
}

std::optional<std::string> ChildProcess::ReadLine(int64_t timeout_ns) {
  int64_t deadline = MonotonicNanos() + timeout_ns;
  while (true) {
    size_t newline = pending_.find('\n');
    if (newline != std::string::npos) {
      std::string line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      return line;
    }
    if (!stdout_) return std::nullopt;
    int64_t left = deadline - MonotonicNanos();
    if (left <= 0) return std::nullopt;
    pollfd pfd{stdout_.Get(), POLLIN, 0};
    int ready = poll(&pfd, 1, static_cast<int>(left / kNanosPerMilli) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buf[4096];
    ssize_t n = read(stdout_.Get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      stdout_.Reset();
      return std::nullopt;
    }
    pending_.append(buf, static_cast<size_t>(n));
  }
}

std::optional<std::string> ChildProcess::WaitForListening(int64_t timeout_ns, std::string* error) {
  static constexpr std::string_view kPrefix = "listening on ";
  int64_t deadline = MonotonicNanos() + timeout_ns;
  while (true) {
    int64_t left = deadline - MonotonicNanos();
    std::optional<std::string> line = left > 0 ? ReadLine(left) : std::nullopt;
    if (line) {
      if (line->rfind(kPrefix, 0) == 0) return line->substr(kPrefix.size());
      continue;
    }
    if (error) {
      if (auto exit = WaitExit(200 * kNanosPerMilli)) {
        *error = "the server exited before it was listening (" + exit->Describe() + ")";
      } else if (!stdout_) {
        *error = "the server closed its output without printing \"listening on\"";
      } else {
        *error = "the server did not print \"listening on\" within " + FormatDuration(timeout_ns);
      }
    }
    return std::nullopt;
  }
}

bool ChildProcess::Running() {
  if (status_ || pid_ <= 0) return false;
  int status = 0;
  pid_t done = waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    status_ = FromWaitStatus(status);
    return false;
  }
  return true;
}

std::optional<ExitStatus> ChildProcess::WaitExit(int64_t timeout_ns) {
  int64_t deadline = MonotonicNanos() + timeout_ns;
  while (Running()) {
    if (MonotonicNanos() >= deadline) return std::nullopt;
    usleep(5000);
  }
  return status_;
}

ExitStatus ChildProcess::Stop(int signal, int64_t grace_ns) {
  if (Running()) {
    kill(pid_, signal);
    if (!WaitExit(grace_ns)) {
      kill(pid_, SIGKILL);
      int status = 0;
      if (waitpid(pid_, &status, 0) == pid_) status_ = FromWaitStatus(status);
    }
  }
  return status_.value_or(ExitStatus{});
}

}  // namespace c10k
