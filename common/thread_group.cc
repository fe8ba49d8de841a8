#include "common/thread_group.h"

#include <cerrno>
#include <system_error>

#include "common/io_status.h"

namespace c10k {

std::thread StdThread(std::function<void()> body) { return std::thread(std::move(body)); }

int ThreadGroup::Start(std::function<void()> body) {
  try {
    threads_.push_back(factory_(std::move(body)));
  } catch (const std::system_error& error) {
    return error.code().value() != 0 ? error.code().value() : EAGAIN;
  }
  return 0;
}

void ThreadGroup::JoinAll() {
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

std::optional<ThreadStartFailure> StartThreads(ThreadGroup& group, int count,
                                               const std::function<void(int)>& body,
                                               const std::function<void()>& stop) {
  for (int i = 0; i < count; ++i) {
    if (int error = group.Start([body, i] { body(i); }); error != 0) {
      stop();
      group.JoinAll();
      return ThreadStartFailure{i, count, error};
    }
  }
  return std::nullopt;
}

std::string ThreadStartFailureText(const ThreadStartFailure& failure, const std::string& what) {
  std::string text = "cannot start " + what + " " + std::to_string(failure.index + 1) + " of " +
                     std::to_string(failure.count) + ": " + ErrnoText(failure.error);
  // EAGAIN is how pthread_create says a limit on tasks was reached, not a
  // passing condition: trying again will not help.
  if (failure.error == EAGAIN) {
    text +=
        ": the limit on threads is reached (RLIMIT_NPROC, the cgroup's pids.max or "
        "kernel.threads-max)";
  }
  return text;
}

}  // namespace c10k
