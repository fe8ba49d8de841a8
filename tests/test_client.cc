#include "tests/test_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "common/clock.h"

namespace c10k::testing {

TestClient::TestClient(const SocketAddress& address, int timeout_ms) {
  UniqueFd fd(socket(address.Family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return;
  timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd.Get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd.Get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (connect(fd.Get(), address.Get(), address.length) != 0) return;
  SetNoDelay(fd.Get());
  fd_ = std::move(fd);
}

bool TestClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd_.Get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool TestClient::SendByteByByte(std::string_view bytes) {
  for (char byte : bytes) {
    if (!Send({&byte, 1})) return false;
  }
  return true;
}

std::optional<std::string> TestClient::Read(size_t size) {
  std::string data = std::move(buffered_);
  buffered_.clear();
  while (data.size() < size) {
    char chunk[65536];
    ssize_t n = recv(fd_.Get(), chunk, std::min(sizeof chunk, size - data.size()), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    data.append(chunk, static_cast<size_t>(n));
  }
  buffered_ = data.substr(size);
  data.resize(size);
  return data;
}

std::optional<std::string> TestClient::ReadUntil(std::string_view delimiter, int wait_ms) {
  std::string data = std::move(buffered_);
  buffered_.clear();
  int64_t deadline = MonotonicNanos() + wait_ms * kNanosPerMilli;
  while (true) {
    size_t at = data.find(delimiter);
    if (at != std::string::npos) {
      buffered_ = data.substr(at + delimiter.size());
      data.resize(at + delimiter.size());
      return data;
    }
    if (wait_ms >= 0) {
      int64_t left_ms = (deadline - MonotonicNanos()) / kNanosPerMilli;
      pollfd wait{fd_.Get(), POLLIN, 0};
      if (left_ms <= 0 || poll(&wait, 1, static_cast<int>(left_ms)) != 1) {
        buffered_ = std::move(data);
        return std::nullopt;
      }
    }
    char chunk[4096];
    ssize_t n = recv(fd_.Get(), chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    data.append(chunk, static_cast<size_t>(n));
  }
}

bool TestClient::WaitForClose() {
  buffered_.clear();
  while (true) {
    char chunk[65536];
    ssize_t n = recv(fd_.Get(), chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;  // a timeout is not a close
  }
}

std::string TestClient::ReadAvailable(int wait_ms) {
  std::string data = std::move(buffered_);
  buffered_.clear();
  pollfd wait{fd_.Get(), POLLIN, 0};
  while (poll(&wait, 1, wait_ms) == 1) {
    char chunk[4096];
    ssize_t n = recv(fd_.Get(), chunk, sizeof chunk, MSG_DONTWAIT);
    if (n <= 0) break;
    data.append(chunk, static_cast<size_t>(n));
  }
  return data;
}

void TestClient::ShutdownWrite() { shutdown(fd_.Get(), SHUT_WR); }

void TestClient::Reset() {
  linger abort{1, 0};
  setsockopt(fd_.Get(), SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  fd_.Reset();
}

}  // namespace c10k::testing
