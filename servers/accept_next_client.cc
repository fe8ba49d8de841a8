#include "servers/accept_next_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/io_status.h"
#include "common/stop_signal.h"

namespace c10k {

NextClient AcceptNextClient(int listener, bool* logged_no_descriptors) {
  NextClient next;
  if (StopRequested()) {
    next.stop = true;
    return next;
  }
  pollfd waits[2] = {{listener, POLLIN, 0}, {StopSignalFd(), POLLIN, 0}};
  if ((poll(waits, 2, -1) < 0 && errno != EINTR) || waits[1].revents) {
    next.stop = true;
    return next;
  }
  if (!(waits[0].revents & POLLIN)) return next;
  next.client.Reset(accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  if (!next.client && (errno == EMFILE || errno == ENFILE)) {
    next.no_descriptors = true;
    if (!*logged_no_descriptors) {
      std::fprintf(stderr, "c10k serve: out of file descriptors (%s); refusing connections\n",
                   ErrnoText(errno).c_str());
      *logged_no_descriptors = true;
    }
    usleep(10'000);
  }
  return next;
}

}  // namespace c10k
