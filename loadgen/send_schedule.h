#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace c10k {

// The open loop's timer: every active connection sends on its own fixed
// schedule, a phase plus whole multiples of one interval (wrk2's model), and
// those waiting for their next slot sit in this min-heap keyed by the slot's
// time. Each connection is in it at most once, so reserving one entry per
// connection up front keeps the run free of allocation.
class SendSchedule {
 public:
  void Reserve(size_t connections) { heap_.reserve(connections); }

  void Push(int64_t due_ns, uint32_t connection) {
    heap_.push_back({due_ns, connection});
    std::push_heap(heap_.begin(), heap_.end(), Later);
  }

  // The earliest slot waiting, INT64_MAX when none.
  int64_t NextDue() const { return heap_.empty() ? INT64_MAX : heap_.front().due_ns; }

  // Takes one connection whose slot is at or before `now`.
  bool PopDue(int64_t now, uint32_t* connection) {
    if (heap_.empty() || heap_.front().due_ns > now) return false;
    *connection = heap_.front().connection;
    std::pop_heap(heap_.begin(), heap_.end(), Later);
    heap_.pop_back();
    return true;
  }

 private:
  struct Entry {
    int64_t due_ns;
    uint32_t connection;
  };
  static bool Later(const Entry& a, const Entry& b) { return a.due_ns > b.due_ns; }

  std::vector<Entry> heap_;
};

}  // namespace c10k
