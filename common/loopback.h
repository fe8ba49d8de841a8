#pragma once

#include <string>
#include <utility>

#include "common/fd.h"

namespace c10k {

// Two connected TCP sockets on 127.0.0.1 (blocking, TCP_NODELAY), the
// smallest real network path this machine has. Invalid fds and `error` set on
// failure.
std::pair<UniqueFd, UniqueFd> TcpLoopbackPair(std::string* error);

// Pins the calling thread to one CPU; false if the CPU does not exist.
bool PinThisThread(int cpu);

}  // namespace c10k
