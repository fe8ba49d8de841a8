#pragma once

#include "protocols/key_value_store.h"

namespace c10k {

// State shared by every connection of one server. Models with several
// threads share one instance, so whatever it holds synchronises itself.
class ServerState {
 public:
  ServerState() = default;
  ServerState(const ServerState&) = delete;
  ServerState& operator=(const ServerState&) = delete;

  KeyValueStore& Store() { return store_; }

 private:
  KeyValueStore store_;  // the resp protocol's data
};

}  // namespace c10k
