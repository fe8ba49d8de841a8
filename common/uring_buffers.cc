#include "common/uring_buffers.h"

#include <sys/mman.h>

#include <cerrno>

#include "common/io_status.h"

namespace c10k {

UringBuffers::~UringBuffers() {
  if (uring_) io_uring_unregister_buf_ring(uring_, kGroup);
  if (ring_) munmap(ring_, ring_bytes_);
}

std::string UringBuffers::Register(io_uring* ring) {
  // The ring of buffer descriptors must be page-aligned memory.
  ring_bytes_ = count_ * sizeof(io_uring_buf);
  void* mapped =
      mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) return "cannot map the buffer ring: " + ErrnoText(errno);
  ring_ = static_cast<io_uring_buf_ring*>(mapped);
  io_uring_buf_reg registration{};
  registration.ring_addr = reinterpret_cast<uint64_t>(ring_);
  registration.ring_entries = static_cast<uint32_t>(count_);
  registration.bgid = kGroup;
  int result = io_uring_register_buf_ring(ring, &registration, 0);
  if (result != 0) {
    return "cannot register provided buffers (needs Linux 5.19): " + ErrnoText(-result);
  }
  uring_ = ring;
  memory_.resize(count_ * size_);
  io_uring_buf_ring_init(ring_);
  for (size_t id = 0; id < count_; ++id) {
    io_uring_buf_ring_add(ring_, memory_.data() + id * size_, static_cast<unsigned>(size_),
                          static_cast<unsigned short>(id), io_uring_buf_ring_mask(count_),
                          static_cast<int>(id));
  }
  io_uring_buf_ring_advance(ring_, static_cast<int>(count_));
  return "";
}

void UringBuffers::Return(uint16_t id) {
  io_uring_buf_ring_add(ring_, memory_.data() + static_cast<size_t>(id) * size_,
                        static_cast<unsigned>(size_), id, io_uring_buf_ring_mask(count_), 0);
  io_uring_buf_ring_advance(ring_, 1);
}

}  // namespace c10k
