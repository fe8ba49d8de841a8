#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace c10k {

// The RESP protocol's data: one hash table per server, shared by all its
// connections (and threads, hence the mutex; uncontended in one-thread
// models, it costs a few nanoseconds). Its size is capped so that no stream
// of SETs can grow the server without bound, the way Redis's maxmemory does.
class KeyValueStore {
 public:
  static constexpr size_t kDefaultCapacityBytes = 64 << 20;

  explicit KeyValueStore(size_t capacity_bytes = kDefaultCapacityBytes)
      : capacity_bytes_(capacity_bytes) {}

  // False when the value would take the store past its capacity.
  bool Set(std::string_view key, std::string_view value);
  // Calls `found(value)` under the lock when the key exists; false otherwise.
  template <typename Found>
  bool Get(std::string_view key, Found found) const {
    std::lock_guard lock(mutex_);
    auto it = table_.find(key);
    if (it == table_.end()) return false;
    found(std::string_view(it->second));
    return true;
  }
  bool Delete(std::string_view key);
  size_t CapacityBytes() const { return capacity_bytes_; }
  size_t BytesUsed() const;

 private:
  // Lets find() take a string_view without building a std::string.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  // Bytes charged per entry besides key and value: the node and its strings.
  static constexpr size_t kEntryOverhead = 64;

  size_t capacity_bytes_;
  size_t used_bytes_ = 0;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> table_;
};

}  // namespace c10k
