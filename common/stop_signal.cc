#include "common/stop_signal.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace c10k {

namespace {

std::atomic<bool> stop_requested{false};
int stop_pipe[2] = {-1, -1};

void OnStopSignal(int) {
  int saved_errno = errno;
  RequestStop();
  errno = saved_errno;
}

}  // namespace

void InstallStopSignalHandlers() {
  if (stop_pipe[0] < 0 && pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    stop_pipe[0] = stop_pipe[1] = -1;
  }
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

bool StopRequested() { return stop_requested.load(std::memory_order_relaxed); }

int StopSignalFd() { return stop_pipe[0]; }

void RequestStop() {
  // Async-signal-safe: an atomic store and a write(2).
  if (!stop_requested.exchange(true) && stop_pipe[1] >= 0) {
    char byte = 1;
    [[maybe_unused]] ssize_t n = write(stop_pipe[1], &byte, 1);
  }
}

}  // namespace c10k
