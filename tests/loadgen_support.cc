#include "tests/loadgen_support.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/io_status.h"
#include "common/net.h"
#include "common/result_json.h"

namespace c10k::testing {

std::optional<ServerProcess> StartFakeServer(const std::string& mode) {
  return StartListening({kFakeServer, "--mode", mode});
}

uint16_t FreePort() {
  std::string error;
  UniqueFd probe = ListenTcp(*ParseAddress("127.0.0.1", 0), false, false, &error);
  return probe ? LocalAddress(probe.Get())->Port() : 0;
}

bool WaitForPort(uint16_t port, int64_t timeout_ns) {
  auto address = ParseAddress("127.0.0.1", port);
  int64_t deadline = MonotonicNanos() + timeout_ns;
  while (MonotonicNanos() < deadline) {
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (connect(fd.Get(), address->Get(), address->length) == 0) return true;
    usleep(20'000);
  }
  return false;
}

nlohmann::json OnlyRun(const std::string& path) {
  nlohmann::json document = ReadJsonFile(path);
  EXPECT_EQ(document["runs"].size(), 1u);
  return document["runs"][0];
}

RawListener::RawListener() {
  std::string error;
  listener_ = ListenTcp(*ParseAddress("127.0.0.1", 0), true, false, &error);
  EXPECT_TRUE(listener_) << error;
  if (listener_) port_ = LocalAddress(listener_.Get())->Port();
  thread_ = std::thread([this] { Serve(); });
}

RawListener::~RawListener() { Stop(); }

std::string RawListener::AddressText() const { return "127.0.0.1:" + std::to_string(port_); }

bool RawListener::WaitForPeers(size_t count, int64_t timeout_ns) {
  int64_t deadline = MonotonicNanos() + timeout_ns;
  while (MonotonicNanos() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (peers_.size() >= count) return true;
    }
    usleep(10'000);
  }
  return false;
}

std::vector<RawListener::Peer> RawListener::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  return peers_;
}

void RawListener::Serve() {
  std::vector<UniqueFd> open;
  std::vector<size_t> peer_of;  // index into peers_ for each open fd
  std::vector<char> chunk(16 * 1024);
  while (!stop_.load()) {
    std::vector<pollfd> fds{{listener_.Get(), POLLIN, 0}};
    for (auto& fd : open) fds.push_back({fd.Get(), POLLIN, 0});
    if (poll(fds.data(), fds.size(), 20) <= 0) continue;
    if (fds[0].revents & POLLIN) {
      while (true) {
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        int fd = accept4(listener_.Get(), reinterpret_cast<sockaddr*>(&peer), &length,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        char text[INET6_ADDRSTRLEN] = {};
        if (peer.ss_family == AF_INET) {
          inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&peer)->sin_addr, text, sizeof text);
        }
        std::lock_guard<std::mutex> lock(mutex_);
        peers_.push_back({text, 0});
        peer_of.push_back(peers_.size() - 1);
        open.emplace_back(fd);
      }
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      IoResult result = ReadSome(open[i - 1].Get(), chunk.data(), chunk.size());
      if (result.Ok()) {
        std::lock_guard<std::mutex> lock(mutex_);
        peers_[peer_of[i - 1]].bytes += result.bytes;
      } else if (result.status != IoStatus::kRetry) {
        // Closed: stop polling it (it stays counted).
        open[i - 1].Reset();
      }
    }
    for (size_t i = 0; i < open.size();) {
      if (open[i]) {
        ++i;
        continue;
      }
      open[i] = std::move(open.back());
      peer_of[i] = peer_of.back();
      open.pop_back();
      peer_of.pop_back();
    }
  }
}

}  // namespace c10k::testing
