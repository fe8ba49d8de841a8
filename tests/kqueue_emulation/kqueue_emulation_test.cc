// The emulation stands in for kqueue(2) when the kqueue model's tests run on
// Linux, so it must behave as FreeBSD's kqueue(2) page says the kernel does;
// each test is one statement of that page (or of sys/event.h here, for what
// the emulation refuses).
#include <gtest/gtest.h>
#include <sys/event.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "common/fd.h"

namespace c10k {
namespace {

class KqueueEmulationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kq_ = UniqueFd(kqueue());
    ASSERT_TRUE(kq_.Valid()) << "kqueue: " << errno;
    int pair[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
    ours_ = UniqueFd(pair[0]);
    peer_ = UniqueFd(pair[1]);
  }

  // One change, no event list: 0, or -1 with errno.
  int Change(int fd, short filter, unsigned short flags) {
    struct kevent change;
    EV_SET(&change, fd, filter, flags, 0, 0, nullptr);
    return kevent(kq_.Get(), &change, 1, nullptr, 0, nullptr);
  }

  // What is ready now (a zero timeout), with room for 8 events.
  std::vector<struct kevent> Wait() {
    std::vector<struct kevent> events(8);
    timespec no_wait{0, 0};
    int n = kevent(kq_.Get(), nullptr, 0, events.data(), static_cast<int>(events.size()), &no_wait);
    EXPECT_GE(n, 0) << "kevent: " << errno;
    events.resize(static_cast<size_t>(std::max(n, 0)));
    return events;
  }

  void PeerSends(const char* bytes) {
    ASSERT_EQ(write(peer_.Get(), bytes, strlen(bytes)), static_cast<ssize_t>(strlen(bytes)));
  }

  UniqueFd kq_, ours_, peer_;
};

TEST_F(KqueueEmulationTest, AReadFilterFiresWhenDataArrives) {
  ASSERT_EQ(Change(ours_.Get(), EVFILT_READ, EV_ADD), 0);
  EXPECT_TRUE(Wait().empty());
  PeerSends("x");
  auto events = Wait();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].ident, static_cast<uintptr_t>(ours_.Get()));
  EXPECT_EQ(events[0].filter, EVFILT_READ);
  EXPECT_EQ(events[0].flags & (EV_EOF | EV_ERROR), 0);
}

TEST_F(KqueueEmulationTest, WithoutEvClearReadinessIsReportedUntilConsumed) {
  ASSERT_EQ(Change(ours_.Get(), EVFILT_READ, EV_ADD), 0);
  PeerSends("x");
  EXPECT_EQ(Wait().size(), 1u);
  EXPECT_EQ(Wait().size(), 1u) << "unread data must be reported again";
  char byte;
  ASSERT_EQ(read(ours_.Get(), &byte, 1), 1);
  EXPECT_TRUE(Wait().empty());
}

TEST_F(KqueueEmulationTest, AFilterAddedDisabledStaysSilentUntilEnabled) {
  // An empty socket is writable at once.
  ASSERT_EQ(Change(ours_.Get(), EVFILT_WRITE, EV_ADD | EV_DISABLE), 0);
  EXPECT_TRUE(Wait().empty());
  ASSERT_EQ(Change(ours_.Get(), EVFILT_WRITE, EV_ENABLE), 0);
  auto events = Wait();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].filter, EVFILT_WRITE);
  ASSERT_EQ(Change(ours_.Get(), EVFILT_WRITE, EV_DISABLE), 0);
  EXPECT_TRUE(Wait().empty());
  // EV_ADD on a filter already there changes it: here, enables it again.
  ASSERT_EQ(Change(ours_.Get(), EVFILT_WRITE, EV_ADD), 0);
  EXPECT_EQ(Wait().size(), 1u);
}

TEST_F(KqueueEmulationTest, ReadingAndWritingAreSeparateEventsForOneDescriptor) {
  ASSERT_EQ(Change(ours_.Get(), EVFILT_READ, EV_ADD), 0);
  ASSERT_EQ(Change(ours_.Get(), EVFILT_WRITE, EV_ADD), 0);
  PeerSends("x");
  auto events = Wait();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].ident, events[1].ident);
  EXPECT_EQ(events[0].filter + events[1].filter, EVFILT_READ + EVFILT_WRITE);
}

TEST_F(KqueueEmulationTest, ChangingAFilterNeverAddedFailsWithEnoent) {
  errno = 0;
  EXPECT_EQ(Change(ours_.Get(), EVFILT_WRITE, EV_DELETE), -1);
  EXPECT_EQ(errno, ENOENT);
  errno = 0;
  EXPECT_EQ(Change(ours_.Get(), EVFILT_READ, EV_ENABLE), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(KqueueEmulationTest, AFailedChangeComesBackAsAnEventWhenThereIsRoom) {
  struct kevent changes[2];
  EV_SET(&changes[0], ours_.Get(), EVFILT_READ, EV_ADD, 0, 0, nullptr);
  EV_SET(&changes[1], ours_.Get(), EVFILT_WRITE, EV_DELETE, 0, 0, nullptr);
  struct kevent events[4];
  // Returned at once: no wait for readiness once a change has failed.
  timespec long_wait{30, 0};
  ASSERT_EQ(kevent(kq_.Get(), changes, 2, events, 4, &long_wait), 1);
  EXPECT_EQ(events[0].flags, EV_ERROR);
  EXPECT_EQ(events[0].data, ENOENT);
  EXPECT_EQ(events[0].filter, EVFILT_WRITE);
  EXPECT_EQ(events[0].ident, static_cast<uintptr_t>(ours_.Get()));
  // The change that was valid took effect.
  PeerSends("x");
  auto ready = Wait();
  ASSERT_EQ(ready.size(), 1u);
  EXPECT_EQ(ready[0].filter, EVFILT_READ);
}

TEST_F(KqueueEmulationTest, ThePeerClosingSetsEofOnTheReadFilterWithDataStillReadable) {
  ASSERT_EQ(Change(ours_.Get(), EVFILT_READ, EV_ADD), 0);
  PeerSends("bye");
  peer_.Reset();
  auto events = Wait();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].filter, EVFILT_READ);
  EXPECT_NE(events[0].flags & EV_EOF, 0);
  char bytes[8];
  EXPECT_EQ(read(ours_.Get(), bytes, sizeof bytes), 3);
}

TEST_F(KqueueEmulationTest, DeletedFiltersAreNoLongerReported) {
  ASSERT_EQ(Change(ours_.Get(), EVFILT_READ, EV_ADD), 0);
  ASSERT_EQ(Change(ours_.Get(), EVFILT_WRITE, EV_ADD), 0);
  ASSERT_EQ(Change(ours_.Get(), EVFILT_READ, EV_DELETE), 0);
  ASSERT_EQ(Change(ours_.Get(), EVFILT_WRITE, EV_DELETE), 0);
  PeerSends("x");
  EXPECT_TRUE(Wait().empty());
  peer_.Reset();  // a hangup neither
  EXPECT_TRUE(Wait().empty());
}

TEST_F(KqueueEmulationTest, WhatItDoesNotEmulateIsRefusedWithEinval) {
  errno = 0;
  EXPECT_EQ(Change(ours_.Get(), EVFILT_READ, EV_ADD | 0x0020 /* EV_CLEAR */), -1);
  EXPECT_EQ(errno, EINVAL);
  errno = 0;
  EXPECT_EQ(Change(ours_.Get(), -4 /* EVFILT_VNODE */, EV_ADD), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(KqueueEmulationTest, AClosedDescriptorFailsWithEbadf) {
  int fd = ours_.Get();
  ours_.Reset();
  errno = 0;
  EXPECT_EQ(Change(fd, EVFILT_READ, EV_ADD), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(KqueueEmulationTest, ADescriptorNumberClosedWithoutDeletingCanBeAddedAgain) {
  ASSERT_EQ(Change(ours_.Get(), EVFILT_READ, EV_ADD), 0);
  int number = ours_.Get();
  ours_.Reset();
  peer_.Reset();
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), 0);
  ours_ = UniqueFd(pair[0]);
  peer_ = UniqueFd(pair[1]);
  ASSERT_EQ(ours_.Get(), number) << "the lowest free number is reused";
  ASSERT_EQ(Change(ours_.Get(), EVFILT_READ, EV_ADD), 0);
  PeerSends("x");
  EXPECT_EQ(Wait().size(), 1u);
}

TEST_F(KqueueEmulationTest, ATimeoutWithNothingReadyReturnsZero) {
  ASSERT_EQ(Change(ours_.Get(), EVFILT_READ, EV_ADD), 0);
  timespec timeout{0, 20 * 1000000L};
  struct kevent event;
  EXPECT_EQ(kevent(kq_.Get(), nullptr, 0, &event, 1, &timeout), 0);
}

TEST_F(KqueueEmulationTest, ADescriptorThatIsNotAKqueueFailsWithEbadf) {
  struct kevent event;
  timespec timeout{0, 0};
  errno = 0;
  EXPECT_EQ(kevent(ours_.Get(), nullptr, 0, &event, 1, &timeout), -1);
  EXPECT_EQ(errno, EBADF);
}

}  // namespace
}  // namespace c10k
