#pragma once

#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace c10k {

// Creates a thread running `body`, or throws std::system_error when the
// system will not, as the std::thread constructor does. Tests pass one that
// fails on purpose: the real limits cannot be lowered for root.
using ThreadFactory = std::function<std::thread(std::function<void()> body)>;

// The std::thread constructor itself.
std::thread StdThread(std::function<void()> body);

// Threads started one by one and joined together. A std::vector<std::thread>
// filled in a loop aborts the whole process (std::terminate) when a thread
// cannot be created part way: the exception destroys the vector while the
// threads already started are still joinable. Start reports the failure
// instead, so that the owner can tell those threads to stop and join them.
class ThreadGroup {
 public:
  explicit ThreadGroup(ThreadFactory factory = StdThread) : factory_(std::move(factory)) {}
  ThreadGroup(const ThreadGroup&) = delete;
  ThreadGroup& operator=(const ThreadGroup&) = delete;
  // Joins the threads still running (an exception passing through): never
  // std::terminate's abort, though a thread nobody told to stop keeps the
  // owner waiting.
  ~ThreadGroup() { JoinAll(); }

  // Starts a thread running `body`: 0, or the errno the system refused it
  // with (EAGAIN: the limit on threads).
  int Start(std::function<void()> body);
  // Waits for every thread started and forgets them.
  void JoinAll();
  size_t Running() const { return threads_.size(); }

 private:
  ThreadFactory factory_;
  std::vector<std::thread> threads_;
};

// Thread `index` (from 0) of a group of `count` that the system would not
// create, and why (an errno).
struct ThreadStartFailure {
  int index = 0;
  int count = 0;
  int error = 0;
};

// Starts `count` threads in `group`, the i-th running `body(i)`. When the
// system refuses one, calls `stop`, which must make the ones already running
// return, joins them, and returns the failure; nothing is left running then.
// Each thread has its own copy of `body`.
std::optional<ThreadStartFailure> StartThreads(ThreadGroup& group, int count,
                                               const std::function<void(int)>& body,
                                               const std::function<void()>& stop);

// "cannot start worker thread 5 of 20: EAGAIN (Resource temporarily
// unavailable): the limit on threads is reached (RLIMIT_NPROC, the cgroup's
// pids.max or kernel.threads-max)", `what` being "worker thread".
std::string ThreadStartFailureText(const ThreadStartFailure& failure, const std::string& what);

}  // namespace c10k
