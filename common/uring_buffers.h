#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace c10k {

// A pool of receive buffers the kernel picks from when data arrives (a
// "provided buffer ring", Linux 5.19). A recv armed with IOSQE_BUFFER_SELECT
// names the pool, not a buffer, so memory follows the data in flight rather
// than the number of connections: 10,000 idle connections cost no buffers.
class UringBuffers {
 public:
  static constexpr uint16_t kGroup = 0;

  UringBuffers(size_t count, size_t size) : count_(count), size_(size) {}
  ~UringBuffers();
  UringBuffers(const UringBuffers&) = delete;
  UringBuffers& operator=(const UringBuffers&) = delete;

  // Registers the pool with `ring`; "" or why it failed.
  std::string Register(io_uring* ring);

  // The bytes a completion received into buffer `id`.
  std::string_view Data(uint16_t id, size_t length) const {
    return {memory_.data() + static_cast<size_t>(id) * size_, length};
  }
  // Hands buffer `id` back to the kernel once its bytes have been used.
  void Return(uint16_t id);

 private:
  size_t count_;
  size_t size_;
  std::vector<char> memory_;
  io_uring_buf_ring* ring_ = nullptr;
  size_t ring_bytes_ = 0;
  io_uring* uring_ = nullptr;
};

}  // namespace c10k
