#include "common/io_status.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace c10k {

namespace {

IoResult FromReturn(ssize_t n) {
  if (n > 0) return {IoStatus::kOk, static_cast<size_t>(n), 0};
  if (n == 0) return {IoStatus::kClosed, 0, 0};
  if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::kRetry, 0, errno};
  return {IoStatus::kError, 0, errno};
}

}  // namespace

IoResult ReadSome(int fd, char* buf, size_t len) {
  ssize_t n;
  do {
    n = ::recv(fd, buf, len, 0);
  } while (n < 0 && errno == EINTR);
  return FromReturn(n);
}

IoResult WriteSome(int fd, const char* buf, size_t len) {
  ssize_t n;
  do {
    n = ::send(fd, buf, len, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  // A zero-byte send is success, not end of stream.
  if (n == 0) return {IoStatus::kOk, 0, 0};
  return FromReturn(n);
}

std::string ErrnoText(int error) {
  const char* name = strerrorname_np(error);
  std::string text = name ? name : "errno " + std::to_string(error);
  // strerrordesc_np, unlike strerror, is thread-safe: worker threads call this.
  const char* description = strerrordesc_np(error);
  text += " (";
  text += description ? description : "unknown error";
  text += ")";
  return text;
}

}  // namespace c10k
