// select's ceiling, met safely: past FD_SETSIZE (1024) descriptors the server
// closes each new connection at once instead of writing past its fd_set, logs
// it once naming FD_SETSIZE, and keeps serving the connections it has. The
// build is fortified (-D_FORTIFY_SOURCE=2), so a single out-of-range FD_SET
// would abort the server and fail this test.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/select.h>

#include <memory>
#include <vector>

#include "common/clock.h"
#include "common/net.h"
#include "tests/test_client.h"
#include "tests/test_support.h"

namespace c10k {
namespace {

TEST(SelectCeilingTest, ConnectionsPastFdSetsizeAreClosedAndTheRestServed) {
  ASSERT_GE(RaiseFileLimit(), 1200u) << "this test needs 1,100 sockets";
  std::string log = testing::TempDir() + "/select.log";
  auto server = testing::StartServer("select", "echo", {}, log);
  ASSERT_TRUE(server);
  constexpr int kConnections = 1100;
  std::vector<std::unique_ptr<testing::TestClient>> clients;
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(std::make_unique<testing::TestClient>(server->address, 5000));
    ASSERT_TRUE(clients.back()->Connected()) << "connection " << i;
  }
  int kept = 0, closed = 0;
  for (int i = 0; i < kConnections; ++i) {
    std::string message = "ping " + std::to_string(i);
    if (clients[i]->Send(message) && clients[i]->Read(message.size()) == message) {
      ++kept;
    } else {
      // Refused means closed: a connection left hanging (a read that times
      // out) is neither served nor refused.
      EXPECT_TRUE(clients[i]->WaitForClose()) << "connection " << i << " was left open";
      ++closed;
    }
  }
  // The server's own descriptors (stdio, listener, poller, stop pipe, spare)
  // take a few of the 1,024 numbers.
  EXPECT_GE(kept, 1000);
  EXPECT_LE(kept, FD_SETSIZE);
  EXPECT_GT(closed, 0);
  std::string text = testing::ReadFile(log);
  EXPECT_NE(text.find("FD_SETSIZE (1024)"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << "logged once:\n" << text;
  // Still serving: an old connection and, once some close, a new one.
  ASSERT_TRUE(clients[0]->Send("again"));
  EXPECT_EQ(clients[0]->Read(5), "again");
  clients.clear();
  testing::TestClient fresh(server->address);
  ASSERT_TRUE(fresh.Send("fresh"));
  EXPECT_EQ(fresh.Read(5), "fresh");
  ExitStatus status = server->process.Stop(SIGTERM, 10 * kNanosPerSecond);
  EXPECT_TRUE(status.Clean()) << status.Describe();
  EXPECT_NE(testing::ReadFile(log).find("refused above the poller's descriptor limit"),
            std::string::npos);
}

}  // namespace
}  // namespace c10k
