// A stand-in for the BSD <sys/event.h>, for tests on Linux only: it declares
// the part of kqueue(2) the kqueue poller uses, and kqueue_on_epoll.cc
// implements it on epoll. With it the kqueue model is compiled and run
// through the conformance suite here, where the real API does not exist. It
// is never part of c10k itself (see C10K_KQUEUE_EMULATION in CMakeLists.txt).
//
// What it covers, as documented in FreeBSD's kqueue(2): EVFILT_READ and
// EVFILT_WRITE, level-triggered, with EV_ADD (enabled unless EV_DISABLE is
// given), EV_DELETE, EV_ENABLE and EV_DISABLE; EV_EOF when the peer closed or
// the socket failed; a change that fails is returned as an EV_ERROR event
// (errno in `data`) when there is room in the event list, and fails the call
// otherwise. Anything else (EV_CLEAR, EV_ONESHOT, other filters) is refused
// with EINVAL rather than half-emulated. Unlike the kernel, the emulation
// cannot see close(2): a caller deletes a descriptor's filters before closing
// it, as the poller does. `data` and `fflags` of returned events are 0.
#pragma once

#include <stdint.h>
#include <time.h>

struct kevent {
  uintptr_t ident;  // the descriptor
  short filter;     // EVFILT_READ or EVFILT_WRITE
  unsigned short flags;
  unsigned int fflags;
  intptr_t data;
  void* udata;
};

#define EVFILT_READ (-1)
#define EVFILT_WRITE (-2)

#define EV_ADD 0x0001
#define EV_DELETE 0x0002
#define EV_ENABLE 0x0004
#define EV_DISABLE 0x0008
#define EV_ERROR 0x4000
#define EV_EOF 0x8000

#define EV_SET(kevp, a, b, c, d, e, f) \
  do {                                 \
    struct kevent* kev_ = (kevp);      \
    kev_->ident = (a);                 \
    kev_->filter = (b);                \
    kev_->flags = (c);                 \
    kev_->fflags = (d);                \
    kev_->data = (e);                  \
    kev_->udata = (f);                 \
  } while (0)

#ifdef __cplusplus
extern "C" {
#endif

int kqueue(void);
int kevent(int kq, const struct kevent* changelist, int nchanges, struct kevent* eventlist,
           int nevents, const struct timespec* timeout);

#ifdef __cplusplus
}
#endif
