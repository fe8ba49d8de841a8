#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/fd.h"

namespace c10k {

// Carries broadcast lines between event loops that run on different threads
// (reuseport): each loop has an inbox and an eventfd that wakes it. A loop
// publishes a line once; every other loop takes its inbox in one swap and
// fans it out to its own connections, so the lock is held for an append, not
// for the fan-out.
class BroadcastHub {
 public:
  explicit BroadcastHub(int loops);

  // The descriptor loop `loop` watches; readable when its inbox has lines.
  int WakeFd(int loop) const { return inboxes_[loop]->wake.Get(); }

  // Queues `bytes` for every loop but `from`. An inbox already holding
  // kMaxInboxBytes drops the line (counted): a loop that cannot keep up must
  // not make the others buffer for it without bound.
  void Publish(int from, std::string_view bytes);

  // Moves loop `loop`'s queued lines into `out` (replacing its contents).
  void Take(int loop, std::string& out);

  uint64_t Dropped() const;

 private:
  static constexpr size_t kMaxInboxBytes = 64 << 20;
  struct Inbox {
    std::mutex mutex;
    std::string pending;
    UniqueFd wake;
    uint64_t dropped = 0;
  };
  std::vector<std::unique_ptr<Inbox>> inboxes_;
};

}  // namespace c10k
