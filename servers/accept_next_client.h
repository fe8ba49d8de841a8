#pragma once

#include "common/fd.h"

namespace c10k {

// The accept step of the models that serve with blocking I/O (blocking,
// threads): wait in poll() for a client or the stop signal, then accept it.
struct NextClient {
  bool stop = false;            // the stop signal, or poll() failed: leave the loop
  bool no_descriptors = false;  // EMFILE/ENFILE: count it, the connection waits in the queue
  UniqueFd client;              // empty unless one was accepted
};

// Out of descriptors is logged once per `logged_no_descriptors` and followed
// by a 10 ms pause: the queue stays readable without an accept, and spinning
// on it would only burn the CPU the clients being served need.
NextClient AcceptNextClient(int listener, bool* logged_no_descriptors);

}  // namespace c10k
