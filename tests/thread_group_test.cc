// ThreadGroup and StartThreads: a thread the system will not create part way
// through a group is reported, and the threads already running are stopped
// and joined (a std::vector<std::thread> left them joinable: std::terminate).
#include "common/thread_group.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <functional>
#include <memory>
#include <system_error>
#include <thread>

namespace c10k {
namespace {

// A factory that creates real threads until its `fail_at`-th call (from 0),
// which fails as pthread_create does at the limit on threads.
ThreadFactory FailingAt(int fail_at) {
  auto calls = std::make_shared<int>(0);
  return [calls, fail_at](std::function<void()> body) {
    if ((*calls)++ == fail_at) {
      throw std::system_error(EAGAIN, std::generic_category(), "pthread_create");
    }
    return std::thread(std::move(body));
  };
}

TEST(ThreadGroupTest, ARefusedThreadStopsAndJoinsTheOnesAlreadyRunning) {
  std::atomic<bool> stop{false};
  std::atomic<int> started{0}, finished{0};
  ThreadGroup group(FailingAt(3));
  auto failure = StartThreads(
      group, 8,
      [&](int) {
        started.fetch_add(1);
        while (!stop.load()) std::this_thread::yield();
        finished.fetch_add(1);
      },
      [&] { stop.store(true); });
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->index, 3);
  EXPECT_EQ(failure->count, 8);
  EXPECT_EQ(failure->error, EAGAIN);
  EXPECT_TRUE(stop.load()) << "the running threads were told to stop";
  EXPECT_EQ(started.load(), 3);
  EXPECT_EQ(finished.load(), 3) << "and joined before StartThreads returned";
  EXPECT_EQ(group.Running(), 0u);
  EXPECT_EQ(ThreadStartFailureText(*failure, "worker thread"),
            "cannot start worker thread 4 of 8: EAGAIN (Resource temporarily unavailable): the "
            "limit on threads is reached (RLIMIT_NPROC, the cgroup's pids.max or "
            "kernel.threads-max)");
  stop.store(true);  // were they not stopped, the group's end would wait for them forever
}

TEST(ThreadGroupTest, EveryThreadStartsWhenTheSystemAllowsThem) {
  std::atomic<int> ran{0};
  bool stopped = false;
  ThreadGroup group;
  auto failure = StartThreads(
      group, 4, [&](int i) { ran.fetch_add(i + 1); }, [&] { stopped = true; });
  EXPECT_FALSE(failure);
  group.JoinAll();
  EXPECT_EQ(ran.load(), 1 + 2 + 3 + 4) << "each thread ran its own index";
  EXPECT_FALSE(stopped);
}

TEST(ThreadGroupTest, TheDestructorJoinsWhatStillRuns) {
  std::atomic<bool> done{false};
  {
    ThreadGroup group;
    ASSERT_EQ(group.Start([&] { done.store(true); }), 0);
  }  // std::terminate here if it did not join
  EXPECT_TRUE(done.load());
}

}  // namespace
}  // namespace c10k
