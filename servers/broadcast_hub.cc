#include "servers/broadcast_hub.h"

#include <sys/eventfd.h>
#include <unistd.h>

namespace c10k {

BroadcastHub::BroadcastHub(int loops) {
  for (int i = 0; i < loops; ++i) {
    auto inbox = std::make_unique<Inbox>();
    inbox->wake.Reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    inboxes_.push_back(std::move(inbox));
  }
}

void BroadcastHub::Publish(int from, std::string_view bytes) {
  for (int loop = 0; loop < static_cast<int>(inboxes_.size()); ++loop) {
    if (loop == from) continue;
    Inbox& inbox = *inboxes_[loop];
    bool was_empty;
    {
      std::lock_guard lock(inbox.mutex);
      if (inbox.pending.size() + bytes.size() > kMaxInboxBytes) {
        ++inbox.dropped;
        continue;
      }
      was_empty = inbox.pending.empty();
      inbox.pending.append(bytes);
    }
    // One wakeup per batch: the loop takes everything queued when it wakes.
    if (was_empty) {
      uint64_t one = 1;
      [[maybe_unused]] ssize_t n = write(inbox.wake.Get(), &one, sizeof one);
    }
  }
}

void BroadcastHub::Take(int loop, std::string& out) {
  Inbox& inbox = *inboxes_[loop];
  uint64_t count;
  [[maybe_unused]] ssize_t n = read(inbox.wake.Get(), &count, sizeof count);
  out.clear();
  std::lock_guard lock(inbox.mutex);
  out.swap(inbox.pending);
}

uint64_t BroadcastHub::Dropped() const {
  uint64_t dropped = 0;
  for (const auto& inbox : inboxes_) {
    std::lock_guard lock(inbox->mutex);
    dropped += inbox->dropped;
  }
  return dropped;
}

}  // namespace c10k
