#include "runner/calibration.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <functional>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/fd.h"
#include "common/loopback.h"
#include "common/thread_group.h"

namespace c10k {

namespace {

constexpr size_t kMessage = 64;
constexpr int kIdleDescriptors = 1000;
constexpr int kBatches = 7;

// Runs `operation` in batches for about `budget_ms` and returns the median
// nanoseconds per call. The median of several batches shrugs off a batch that
// a context switch or the other core's work disturbed.
double MedianNanosPerCall(int budget_ms, const std::function<bool()>& operation) {
  // Size a batch from a short trial so every batch takes budget/kBatches.
  int64_t trial_start = MonotonicNanos();
  int trial_calls = 0;
  while (MonotonicNanos() - trial_start < kNanosPerMilli && trial_calls < 1'000'000) {
    if (!operation()) return 0;
    ++trial_calls;
  }
  double per_call = static_cast<double>(MonotonicNanos() - trial_start) / std::max(trial_calls, 1);
  int64_t batch_ns = static_cast<int64_t>(budget_ms) * kNanosPerMilli / kBatches;
  int64_t batch_calls = std::max<int64_t>(1, static_cast<int64_t>(batch_ns / std::max(per_call, 1.0)));
  std::vector<double> batches;
  for (int b = 0; b < kBatches; ++b) {
    int64_t start = MonotonicNanos();
    for (int64_t i = 0; i < batch_calls; ++i) {
      if (!operation()) return 0;
    }
    batches.push_back(static_cast<double>(MonotonicNanos() - start) / batch_calls);
  }
  std::nth_element(batches.begin(), batches.begin() + kBatches / 2, batches.end());
  return batches[kBatches / 2];
}

bool SendAll(int fd, const char* data, size_t size) {
  return send(fd, data, size, MSG_NOSIGNAL) == static_cast<ssize_t>(size);
}

bool ReceiveAll(int fd, char* data, size_t size) {
  size_t got = 0;
  while (got < size) {
    ssize_t n = recv(fd, data + got, size - got, 0);
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  return true;
}

double MeasureSendReceive(int budget_ms) {
  auto [a, b] = TcpLoopbackPair(nullptr);
  if (!a) return 0;
  char out[kMessage] = {}, in[kMessage];
  return MedianNanosPerCall(budget_ms, [&, &a = a, &b = b] {
    return SendAll(a.Get(), out, kMessage) && ReceiveAll(b.Get(), in, kMessage);
  });
}

// Two threads bounce 64 bytes; the echo thread is pinned to `echo_cpu`, the
// measuring thread to `ping_cpu`. 0 when either thread cannot be created (the
// limit on threads): not measured.
double MeasureRoundTrip(int budget_ms, int ping_cpu, int echo_cpu) {
  int cpus = static_cast<int>(std::thread::hardware_concurrency());
  if (ping_cpu >= cpus || echo_cpu >= cpus) return 0;
  auto [ping, echo] = TcpLoopbackPair(nullptr);
  if (!ping) return 0;
  // Shut down, the measuring side ends the echo thread's recv.
  auto end_echo = [fd = ping.Get()] { shutdown(fd, SHUT_RDWR); };
  ThreadGroup threads;
  if (threads.Start([fd = echo.Get(), echo_cpu] {
        PinThisThread(echo_cpu);
        char buffer[kMessage];
        while (ReceiveAll(fd, buffer, kMessage) && SendAll(fd, buffer, kMessage)) {
        }
      }) != 0) {
    return 0;
  }
  double result = 0;
  if (threads.Start([&, fd = ping.Get()] {
        PinThisThread(ping_cpu);
        char out[kMessage] = {}, in[kMessage];
        result = MedianNanosPerCall(
            budget_ms, [&] { return SendAll(fd, out, kMessage) && ReceiveAll(fd, in, kMessage); });
        end_echo();
      }) != 0) {
    end_echo();
    result = 0;
  }
  threads.JoinAll();
  return result;
}

// 1,000 idle eventfds plus one that is always readable.
std::vector<UniqueFd> IdleDescriptorsAndOneReady() {
  std::vector<UniqueFd> fds;
  for (int i = 0; i <= kIdleDescriptors; ++i) {
    UniqueFd fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!fd) return {};
    fds.push_back(std::move(fd));
  }
  uint64_t one = 1;
  if (write(fds.back().Get(), &one, sizeof one) != sizeof one) return {};
  return fds;
}

double MeasurePoll(int budget_ms) {
  auto fds = IdleDescriptorsAndOneReady();
  if (fds.empty()) return 0;
  std::vector<pollfd> set;
  set.reserve(fds.size());
  for (const auto& fd : fds) set.push_back({fd.Get(), POLLIN, 0});
  return MedianNanosPerCall(budget_ms, [&] { return poll(set.data(), set.size(), 0) == 1; });
}

double MeasureEpollWait(int budget_ms) {
  auto fds = IdleDescriptorsAndOneReady();
  UniqueFd epoll(epoll_create1(EPOLL_CLOEXEC));
  if (fds.empty() || !epoll) return 0;
  for (const auto& fd : fds) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd.Get();
    if (epoll_ctl(epoll.Get(), EPOLL_CTL_ADD, fd.Get(), &event) != 0) return 0;
  }
  epoll_event ready[64];
  return MedianNanosPerCall(budget_ms, [&] { return epoll_wait(epoll.Get(), ready, 64, 0) == 1; });
}

}  // namespace

Calibration Calibrate(int budget_ms) {
  int64_t start = MonotonicNanos();
  Calibration calibration;
  calibration.syscall_ns =
      MedianNanosPerCall(budget_ms, [] { return syscall(SYS_getppid) > 0; });
  calibration.tcp_send_recv_ns = MeasureSendReceive(budget_ms);
  calibration.tcp_round_trip_same_core_ns = MeasureRoundTrip(budget_ms, 0, 0);
  calibration.tcp_round_trip_cross_core_ns = MeasureRoundTrip(budget_ms, 0, 1);
  calibration.poll_1000_idle_ns = MeasurePoll(budget_ms);
  calibration.epoll_wait_1000_idle_ns = MeasureEpollWait(budget_ms);
  calibration.took_s = static_cast<double>(MonotonicNanos() - start) / kNanosPerSecond;
  return calibration;
}

nlohmann::json CalibrationJson(const Calibration& c) {
  auto rounded = [](double ns) { return std::round(ns * 10) / 10; };
  return {
      {"syscall_ns", rounded(c.syscall_ns)},
      {"tcp_send_recv_ns", rounded(c.tcp_send_recv_ns)},
      {"tcp_round_trip_same_core_ns", rounded(c.tcp_round_trip_same_core_ns)},
      {"tcp_round_trip_cross_core_ns", rounded(c.tcp_round_trip_cross_core_ns)},
      {"poll_1000_idle_ns", rounded(c.poll_1000_idle_ns)},
      {"epoll_wait_1000_idle_ns", rounded(c.epoll_wait_1000_idle_ns)},
      {"took_s", std::round(c.took_s * 100) / 100},
  };
}

std::string CalibrationText(const Calibration& c) {
  char text[1024];
  auto cross = c.tcp_round_trip_cross_core_ns > 0
                   ? std::to_string(static_cast<long>(c.tcp_round_trip_cross_core_ns)) + " ns"
                   : std::string("n/a (one CPU)");
  std::snprintf(text, sizeof text,
                "calibration (medians, %.1f s):\n"
                "  syscall floor (getppid)              %8.0f ns\n"
                "  TCP send+recv 64 B, same thread      %8.0f ns\n"
                "  TCP round trip, same core            %8.0f ns\n"
                "  TCP round trip, across cores         %11s\n"
                "  poll, 1000 idle + 1 ready            %8.0f ns\n"
                "  epoll_wait, 1000 idle + 1 ready      %8.0f ns\n",
                c.took_s, c.syscall_ns, c.tcp_send_recv_ns, c.tcp_round_trip_same_core_ns,
                cross.c_str(), c.poll_1000_idle_ns, c.epoll_wait_1000_idle_ns);
  return text;
}

}  // namespace c10k
