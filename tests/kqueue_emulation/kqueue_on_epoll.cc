// kqueue(2) emulated on epoll(7), for tests on Linux; sys/event.h here says
// what is covered. Each kqueue is an epoll instance. kqueue keeps one entry
// per (descriptor, filter), each enabled or disabled, where epoll keeps one
// interest mask per descriptor, so the filters live here and every change
// recomputes the descriptor's mask.
#include <fcntl.h>
#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "sys/event.h"

namespace {

enum class Filter : uint8_t { kAbsent, kEnabled, kDisabled };

struct Watch {
  Filter read = Filter::kAbsent;
  Filter write = Filter::kAbsent;
  bool in_epoll = false;
};

struct Queue {
  std::unordered_map<int, Watch> watches;  // by descriptor
};

constexpr unsigned kSupportedFlags = EV_ADD | EV_DELETE | EV_ENABLE | EV_DISABLE;

// Every kqueue of the process by its descriptor, guarded by RegistryMutex():
// like the kernel's, a kqueue may be changed from one thread while another
// waits on it.
std::mutex& RegistryMutex() {
  static std::mutex mutex;
  return mutex;
}

std::unordered_map<int, Queue>& Registry() {
  static std::unordered_map<int, Queue> queues;
  return queues;
}

Queue* FindQueue(int kq) {
  auto found = Registry().find(kq);
  return found == Registry().end() ? nullptr : &found->second;
}

uint32_t EpollMask(const Watch& watch) {
  uint32_t mask = 0;
  if (watch.read == Filter::kEnabled) mask |= EPOLLIN | EPOLLRDHUP;
  if (watch.write == Filter::kEnabled) mask |= EPOLLOUT;
  return mask;
}

// Makes epoll's mask for `fd` match its enabled filters; 0 or an errno. A
// descriptor with no enabled filter leaves epoll, which would otherwise still
// report its HUP and ERR where kqueue reports nothing.
int SyncEpoll(int epoll_fd, int fd, Watch& watch) {
  uint32_t mask = EpollMask(watch);
  if (mask == 0) {
    // Fails harmlessly if the descriptor was closed: epoll forgot it then.
    if (watch.in_epoll) epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    watch.in_epoll = false;
    return 0;
  }
  epoll_event event{};
  event.events = mask;
  event.data.fd = fd;
  if (epoll_ctl(epoll_fd, watch.in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) != 0) {
    // ENOENT on a modify: the descriptor was closed without its filters being
    // deleted and its number reused; epoll dropped the old one, so add it.
    if (errno != ENOENT || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) return errno;
  }
  watch.in_epoll = true;
  return 0;
}

// One entry of a changelist; 0 or the errno the kernel would report.
int ApplyChange(int epoll_fd, Queue& queue, const struct kevent& change) {
  if (change.filter != EVFILT_READ && change.filter != EVFILT_WRITE) return EINVAL;
  if ((change.flags & ~kSupportedFlags) != 0) return EINVAL;
  int fd = static_cast<int>(change.ident);
  if (fcntl(fd, F_GETFD) < 0) return EBADF;

  auto found = queue.watches.find(fd);
  Watch watch = found == queue.watches.end() ? Watch{} : found->second;
  Filter& filter = change.filter == EVFILT_READ ? watch.read : watch.write;
  Filter asked = (change.flags & EV_DISABLE) ? Filter::kDisabled : Filter::kEnabled;
  if (change.flags & EV_DELETE) {
    if (filter == Filter::kAbsent) return ENOENT;
    filter = Filter::kAbsent;
  } else if (change.flags & EV_ADD) {
    filter = asked;  // adds, or changes one already there
  } else if (change.flags & (EV_ENABLE | EV_DISABLE)) {
    if (filter == Filter::kAbsent) return ENOENT;
    filter = asked;
  } else {
    return EINVAL;
  }
  if (int error = SyncEpoll(epoll_fd, fd, watch)) return error;
  if (watch.read == Filter::kAbsent && watch.write == Filter::kAbsent) {
    queue.watches.erase(fd);
  } else {
    queue.watches[fd] = watch;
  }
  return 0;
}

int TimeoutMillis(const struct timespec* timeout) {
  if (timeout == nullptr) return -1;
  // Rounded up, so a short timeout never becomes a poll that returns at once.
  long long millis = std::max(
      0LL, static_cast<long long>(timeout->tv_sec) * 1000 + (timeout->tv_nsec + 999999) / 1000000);
  return static_cast<int>(std::min<long long>(millis, INT_MAX));
}

struct kevent Event(int fd, short filter, unsigned short flags) {
  struct kevent event {};
  EV_SET(&event, static_cast<uintptr_t>(fd), filter, flags, 0, 0, nullptr);
  return event;
}

int WaitForEvents(int kq, struct kevent* eventlist, int nevents, const struct timespec* timeout) {
  if (nevents == 0) return 0;
  // A descriptor can give two events (read and write), so ask epoll for at
  // most half as many; level triggering reports anything left over next time.
  std::vector<epoll_event> ready(static_cast<size_t>(std::max(1, nevents / 2)));
  int n = epoll_wait(kq, ready.data(), static_cast<int>(ready.size()), TimeoutMillis(timeout));
  if (n < 0) return -1;

  std::lock_guard lock(RegistryMutex());
  Queue* queue = FindQueue(kq);
  if (queue == nullptr) {
    errno = EBADF;
    return -1;
  }
  int count = 0;
  for (int i = 0; i < n; ++i) {
    int fd = ready[i].data.fd;
    uint32_t events = ready[i].events;
    auto found = queue->watches.find(fd);
    if (found == queue->watches.end()) continue;  // deleted while this thread waited
    const Watch& watch = found->second;
    // EV_EOF: on the read filter, the peer shut down its side (data may still
    // be buffered); on the write filter, the connection can take no more.
    if (watch.read == Filter::kEnabled && count < nevents &&
        (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
      bool eof = events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR);
      eventlist[count++] = Event(fd, EVFILT_READ, eof ? EV_EOF : 0);
    }
    if (watch.write == Filter::kEnabled && count < nevents &&
        (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))) {
      bool eof = events & (EPOLLHUP | EPOLLERR);
      eventlist[count++] = Event(fd, EVFILT_WRITE, eof ? EV_EOF : 0);
    }
  }
  return count;
}

}  // namespace

extern "C" int kqueue(void) {
  int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return -1;
  std::lock_guard lock(RegistryMutex());
  Registry()[fd] = Queue{};  // a reused descriptor number starts empty
  return fd;
}

extern "C" int kevent(int kq, const struct kevent* changelist, int nchanges,
                      struct kevent* eventlist, int nevents, const struct timespec* timeout) {
  if (nchanges < 0 || nevents < 0) {
    errno = EINVAL;
    return -1;
  }
  int errors = 0;
  {
    std::lock_guard lock(RegistryMutex());
    Queue* queue = FindQueue(kq);
    if (queue == nullptr) {
      errno = EBADF;
      return -1;
    }
    for (int i = 0; i < nchanges; ++i) {
      struct kevent change = changelist[i];  // the lists may be the same array
      int error = ApplyChange(kq, *queue, change);
      if (error == 0) continue;
      if (errors == nevents) {  // no room to report it: the call fails
        errno = error;
        return -1;
      }
      change.flags = EV_ERROR;
      change.data = error;
      eventlist[errors++] = change;
    }
  }
  // As in the kernel, failed changes are returned at once, without waiting.
  if (errors > 0) return errors;
  return WaitForEvents(kq, eventlist, nevents, timeout);
}
