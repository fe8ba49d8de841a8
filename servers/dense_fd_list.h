#pragma once

#include <cerrno>
#include <cstddef>
#include <vector>

namespace c10k {

// The registered descriptors of the user-space pollers (poll, busypoll): a
// dense array that a wait walks as it is (poll() takes it whole), and an
// fd -> index table so add, modify and remove stay O(1). Remove moves the
// last entry into the hole, so the array never has gaps. `Entry` has an int
// member `fd`.
template <typename Entry>
class DenseFdList {
 public:
  // False with errno EBADF for a negative descriptor.
  bool Add(const Entry& entry) {
    if (entry.fd < 0) {
      errno = EBADF;
      return false;
    }
    size_t fd = static_cast<size_t>(entry.fd);
    if (fd >= position_.size()) position_.resize(fd + 1024, -1);
    position_[fd] = static_cast<int>(entries_.size());
    entries_.push_back(entry);
    return true;
  }

  // The entry of `fd`, or nullptr with errno ENOENT when it is not registered.
  Entry* Find(int fd) {
    if (fd < 0 || static_cast<size_t>(fd) >= position_.size() || position_[fd] < 0) {
      errno = ENOENT;
      return nullptr;
    }
    return &entries_[position_[fd]];
  }

  void Remove(int fd) {
    Entry* entry = Find(fd);
    if (!entry) return;
    int at = position_[fd];
    *entry = entries_.back();
    position_[entries_[at].fd] = at;
    entries_.pop_back();
    position_[fd] = -1;
  }

  std::vector<Entry>& Entries() { return entries_; }

 private:
  std::vector<Entry> entries_;
  std::vector<int> position_;  // fd -> index in entries_, -1 if absent
};

}  // namespace c10k
