#include "protocols/key_value_store.h"

namespace c10k {

bool KeyValueStore::Set(std::string_view key, std::string_view value) {
  std::lock_guard lock(mutex_);
  auto it = table_.find(key);
  size_t old_size = it == table_.end() ? 0 : kEntryOverhead + key.size() + it->second.size();
  size_t new_size = kEntryOverhead + key.size() + value.size();
  if (used_bytes_ - old_size + new_size > capacity_bytes_) return false;
  used_bytes_ = used_bytes_ - old_size + new_size;
  if (it == table_.end()) {
    table_.emplace(std::string(key), std::string(value));
  } else {
    // assign() reuses the string's storage when the new value fits.
    it->second.assign(value);
  }
  return true;
}

bool KeyValueStore::Delete(std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = table_.find(key);
  if (it == table_.end()) return false;
  used_bytes_ -= kEntryOverhead + it->first.size() + it->second.size();
  table_.erase(it);
  return true;
}

size_t KeyValueStore::BytesUsed() const {
  std::lock_guard lock(mutex_);
  return used_bytes_;
}

}  // namespace c10k
