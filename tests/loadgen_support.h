#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/child_process.h"
#include "common/fd.h"
#include "tests/test_support.h"

namespace c10k::testing {

// The test-only server of tests/fake_server.cc (set by tests/CMakeLists.txt).
inline constexpr const char* kFakeServer = C10K_FAKE_SERVER;

// Starts `fake_server --mode MODE` (echo, corrupt, broadcast) and waits for
// its "listening on" line; fails the test if it does not start.
std::optional<ServerProcess> StartFakeServer(const std::string& mode);

// A loopback port nothing listens on at the moment of the call.
uint16_t FreePort();

// True once something accepts connections on 127.0.0.1:port, polling until
// `timeout_ns` has passed.
bool WaitForPort(uint16_t port, int64_t timeout_ns);

// The one element of "runs" in the results document at `path`.
nlohmann::json OnlyRun(const std::string& path);

// A listener in the test process on 127.0.0.1 port 0: a thread accepts every
// connection, reads and counts what each sends, and keeps them open until
// Stop, which reports every peer seen.
class RawListener {
 public:
  struct Peer {
    std::string address;  // the peer's IP address, without the port
    uint64_t bytes = 0;
  };

  RawListener();
  ~RawListener();
  std::string AddressText() const;  // "127.0.0.1:PORT"
  // Until `count` peers have been accepted or `timeout_ns` passed.
  bool WaitForPeers(size_t count, int64_t timeout_ns);
  std::vector<Peer> Stop();

 private:
  void Serve();

  UniqueFd listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<Peer> peers_;
  std::thread thread_;
};

}  // namespace c10k::testing
