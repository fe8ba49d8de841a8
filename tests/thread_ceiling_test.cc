// The threads model at its ceiling: when no thread can be had for a new
// connection, that connection is closed, the failure is logged once (with the
// word "thread", which the runner reads) and counted, and every client that
// has a thread goes on being served.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <vector>

#include "common/clock.h"
#include "tests/test_client.h"
#include "tests/test_support.h"

namespace c10k {
namespace {

TEST(ThreadCeilingTest, ConnectionsWithoutAThreadAreClosedAndCounted) {
  std::string log = testing::TempDir() + "/threads.log";
  auto server = testing::StartServer("threads", "echo", {"--max-threads", "5"}, log);
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<testing::TestClient>> clients;
  int served = 0, closed = 0;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<testing::TestClient>(server->address, 5000));
    std::string message = "hello " + std::to_string(i);
    if (clients.back()->Send(message) && clients.back()->Read(message.size()) == message) {
      ++served;
    } else {
      // Not served must mean closed: a connection left hanging (a read that
      // times out) is neither.
      EXPECT_TRUE(clients.back()->WaitForClose()) << "connection " << i << " was left open";
      ++closed;
    }
  }
  EXPECT_EQ(served, 5);
  EXPECT_EQ(closed, 3);
  std::string text = testing::ReadFile(log);
  EXPECT_NE(text.find("cannot create a thread"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << "logged once:\n" << text;
  // Room again once clients leave.
  clients.clear();
  usleep(200'000);
  testing::TestClient again(server->address);
  ASSERT_TRUE(again.Send("again"));
  EXPECT_EQ(again.Read(5), "again");
  ExitStatus status = server->process.Stop(SIGTERM, 10 * kNanosPerSecond);
  EXPECT_TRUE(status.Clean()) << status.Describe();
  EXPECT_NE(testing::ReadFile(log).find("3 refused for lack of a thread"), std::string::npos)
      << testing::ReadFile(log);
}

}  // namespace
}  // namespace c10k
