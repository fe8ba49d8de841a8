#pragma once

#include <nlohmann/json.hpp>

namespace c10k {

// The physical floors of this machine: what the cheapest possible request
// costs, so each model can be shown as a fraction of the floor. All values in
// nanoseconds per operation, medians of several batches; 0 when a measurement
// could not be made (e.g. across cores on a one-CPU machine).
struct Calibration {
  double syscall_ns = 0;                    // a trivial system call (getppid)
  double tcp_send_recv_ns = 0;              // same thread: 64 B send + recv on loopback TCP
  double tcp_round_trip_same_core_ns = 0;   // ping-pong between two threads on one CPU
  double tcp_round_trip_cross_core_ns = 0;  // ping-pong between threads on two CPUs
  double poll_1000_idle_ns = 0;             // poll() over 1,000 idle + 1 ready descriptor
  double epoll_wait_1000_idle_ns = 0;       // epoll_wait() with the same registered
  double took_s = 0;                        // how long calibrating took
};

// Measures every floor, spending about `budget_per_measurement_ms` on each
// (the quick calibration of every run uses 150 ms: under 3 s in all).
Calibration Calibrate(int budget_per_measurement_ms);

nlohmann::json CalibrationJson(const Calibration& calibration);

// Lines for a person: "syscall floor  62 ns", ...
std::string CalibrationText(const Calibration& calibration);

}  // namespace c10k
