#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/fd.h"
#include "common/net.h"

namespace c10k::testing {

// A plain blocking TCP client with timeouts, for tests that need to do what
// a load generator never would: send one byte at a time, half-close, reset,
// stop reading.
class TestClient {
 public:
  // Connects to `address`; Connected() is false if that failed.
  explicit TestClient(const SocketAddress& address, int timeout_ms = 10'000);

  bool Connected() const { return fd_.Valid(); }
  int Fd() const { return fd_.Get(); }

  // Sends everything; false on error or timeout.
  bool Send(std::string_view bytes);
  // Sends each byte in its own send() call.
  bool SendByteByByte(std::string_view bytes);

  // Reads exactly `size` bytes; nullopt on EOF, error or timeout first.
  std::optional<std::string> Read(size_t size);
  // Reads until `delimiter` has been seen (inclusive); nullopt otherwise.
  // With `wait_ms`, gives up after that long instead of the client's timeout
  // and keeps what it read for the next read.
  std::optional<std::string> ReadUntil(std::string_view delimiter, int wait_ms = -1);
  // True when the server closes the connection (EOF or reset) within the
  // timeout, reading and dropping anything before it.
  bool WaitForClose();
  // Whatever arrives within `wait_ms` (for "nothing must arrive").
  std::string ReadAvailable(int wait_ms);

  void ShutdownWrite();
  // Closes with SO_LINGER 0: the kernel sends RST instead of FIN.
  void Reset();
  void Close() { fd_.Reset(); }

 private:
  UniqueFd fd_;
  std::string buffered_;  // read past a delimiter, returned by the next read
};

}  // namespace c10k::testing
