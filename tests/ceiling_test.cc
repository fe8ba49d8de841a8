// The ceiling a point is judged to have hit, and how many connections it says
// the model kept, from what the load generator and the server's log saw.
#include "runner/ceiling.h"

#include <gtest/gtest.h>

namespace c10k {
namespace {

PointObservation Observation(std::string model, int connections, std::string log_line) {
  PointObservation observation;
  observation.model = std::move(model);
  observation.connections = connections;
  observation.server_log = {log_line};
  observation.server_log_since_start = {log_line};
  return observation;
}

TEST(CeilingTest, ConnectionsClosedOrStarvedAreNotKept) {
  // The threads model out of descriptors: the kernel still completes every
  // handshake, but 11 connections wait in the accept queue, never served.
  LoadResult load;
  load.stats.established = 20;
  load.stats.starved = 11;
  LoadVerdict verdict = JudgePoint(
      load, {"error", "11 of 20 active connections got no reply in the measured window"},
      Observation("threads", 20, "c10k serve: out of file descriptors (RLIMIT_NOFILE reached)"));
  EXPECT_EQ(verdict.status, "ceiling");
  EXPECT_EQ(verdict.reason,
            "threads ran out of file descriptors (RLIMIT_NOFILE): 9 of 20 connections kept");
  // The event loops close what they cannot take instead.
  load.stats.starved = 0;
  load.stats.errors.closed_by_server = 13;
  EXPECT_EQ(ConnectionsKept(load), 7u);
}

TEST(CeilingTest, WrongBytesAreAnErrorEvenBesideALimit) {
  LoadResult load;
  load.stats.established = 5;
  load.stats.mismatches = 1;
  LoadVerdict verdict = JudgePoint(load, {"error", "1 replies did not match what was sent"},
                                   Observation("epoll", 5, "c10k serve: out of file descriptors"));
  EXPECT_EQ(verdict.status, "error");
  EXPECT_EQ(verdict.reason, "1 replies did not match what was sent");
}

TEST(CeilingTest, TheLoadGeneratorOutOfItsOwnDescriptorsOrPortsIsAnErrorNotACeiling) {
  // Its connects failed with EMFILE or EADDRNOTAVAIL in its own process: the
  // server never saw them, and the point once read as the model's ceiling.
  LoadResult load;
  load.stats.established = 900;
  load.stats.errors.no_descriptors = 100;
  const LoadVerdict short_of_fds{
      "error", "900 of 1000 connections established (100 found no free file descriptor (EMFILE))"};
  LoadVerdict verdict = JudgePoint(load, short_of_fds, Observation("epoll", 1000, ""));
  EXPECT_EQ(verdict.status, "error");
  EXPECT_EQ(verdict.reason,
            "the load generator ran out of file descriptors of its own, no ceiling of epoll: " +
                short_of_fds.reason);
  load.stats.errors.no_ports = 3;
  EXPECT_EQ(JudgePoint(load, short_of_fds, Observation("epoll", 1000, "")).reason,
            "the load generator ran out of file descriptors and local ports of its own, no "
            "ceiling of epoll: " +
                short_of_fds.reason);
  // Even beside a limit the server logged: the point measured the client.
  load.stats.errors.no_descriptors = 0;
  verdict = JudgePoint(load, short_of_fds, Observation("select", 1000, "fd >= FD_SETSIZE"));
  EXPECT_EQ(verdict.status, "error");
  EXPECT_EQ(verdict.reason,
            "the load generator ran out of local ports of its own, no ceiling of "
            "select: " +
                short_of_fds.reason);
  // Refused connects are the server's doing: still its ceiling.
  load.stats.errors.no_ports = 0;
  load.stats.errors.refused = 100;
  EXPECT_EQ(JudgePoint(load, short_of_fds, Observation("epoll", 1000, "")).status, "ceiling");
}

TEST(CeilingTest, ConnectionsWithoutAThreadAreBlamedOnTheAcceptingThread) {
  // No limit was logged: the threads server just had not reached 373 of its
  // connections (1 accepting thread + 627 client threads at most).
  LoadResult load;
  load.stats.established = 1000;
  load.stats.starved = 373;
  load.server_peak_threads = 628;
  const LoadVerdict starved{"error",
                            "373 of 1000 active connections got no reply in the measured window"};
  PointObservation threads = Observation("threads", 1000, "c10k serve: listening");
  LoadVerdict verdict = JudgePoint(load, starved, threads);
  EXPECT_EQ(verdict.status, "ceiling");
  EXPECT_EQ(verdict.reason,
            "threads started only 627 of 1000 client threads: its accepting thread gets one share "
            "of the CPU among every busy client thread; 373 of 1000 active connections got no "
            "reply in the measured window");
  // A thread for every connection: they starve each other of the CPU.
  load.server_peak_threads = 1001;
  EXPECT_EQ(JudgePoint(load, starved, threads).reason,
            "threads ran a thread for each of the 1000 connections, and they wait their turns on "
            "the CPU; " +
                starved.reason);
  // Another model's starved connections say nothing of threads, nor do
  // threads' when the server's thread count was not sampled.
  load.server_peak_threads = 1;
  EXPECT_EQ(JudgePoint(load, starved, Observation("blocking", 1000, "")).reason, starved.reason);
  load.server_peak_threads = 0;
  EXPECT_EQ(JudgePoint(load, starved, threads).reason, starved.reason);
}

}  // namespace
}  // namespace c10k
