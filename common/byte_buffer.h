#pragma once

#include <cstddef>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace c10k {

// A contiguous FIFO of bytes for one direction of one connection: the reader
// takes from the front, the writer appends at the back. Storage is kept and
// reused, so a connection in steady state does not allocate. Callers bound its
// size (the output limit, the read chunk); the buffer itself never refuses.
class ByteBuffer {
 public:
  ByteBuffer() = default;
  explicit ByteBuffer(size_t initial_capacity) { storage_.resize(initial_capacity); }

  size_t Size() const { return end_ - begin_; }
  bool Empty() const { return begin_ == end_; }
  std::string_view Readable() const { return {storage_.data() + begin_, Size()}; }

  // Drops `n` bytes from the front.
  void Consume(size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }

  void Append(std::string_view bytes) {
    if (bytes.empty()) return;  // memcpy from a null pointer is undefined, even for 0 bytes
    std::memcpy(Reserve(bytes.size()).data(), bytes.data(), bytes.size());
    end_ += bytes.size();
  }

  // Space for at least `min_bytes` at the back, to recv() into directly; then
  // Commit the number of bytes actually written there.
  std::span<char> Reserve(size_t min_bytes) {
    if (storage_.size() - end_ < min_bytes) MakeRoom(min_bytes);
    return {storage_.data() + end_, storage_.size() - end_};
  }
  void Commit(size_t n) { end_ += n; }

  void Clear() { begin_ = end_ = 0; }
  size_t Capacity() const { return storage_.size(); }
  // Returns the storage to the allocator (for connections that go idle).
  void Release() {
    Clear();
    std::vector<char>().swap(storage_);
  }

 private:
  void MakeRoom(size_t min_bytes) {
    // Slide the unread bytes to the front first; grow only when that is not
    // enough, so a buffer that is drained as fast as it is filled stays small.
    if (begin_ > 0) {
      std::memmove(storage_.data(), storage_.data() + begin_, Size());
      end_ -= begin_;
      begin_ = 0;
    }
    if (storage_.size() - end_ < min_bytes) {
      size_t wanted = end_ + min_bytes;
      size_t grown = storage_.size() * 2;
      storage_.resize(grown > wanted ? grown : wanted);
    }
  }

  std::vector<char> storage_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace c10k
