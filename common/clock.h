#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace c10k {

constexpr int64_t kNanosPerMicro = 1'000;
constexpr int64_t kNanosPerMilli = 1'000'000;
constexpr int64_t kNanosPerSecond = 1'000'000'000;

// CLOCK_MONOTONIC in nanoseconds: never jumps with wall-clock changes, so every
// latency and deadline in the project is measured with it.
int64_t MonotonicNanos();

// The time `delay` after `time` (both nanoseconds, delay >= 0), or INT64_MAX,
// never, when that is past what int64 holds: deadlines built from flags of up
// to 2500000h each must not wrap into the past.
inline int64_t NanosAfter(int64_t time, int64_t delay) {
  int64_t sum = 0;
  return __builtin_add_overflow(time, delay, &sum) ? INT64_MAX : sum;
}

// Wall-clock time as "2026-11-23T04:57:00Z" for results documents.
std::string UtcTimestamp();
// The same instant as "20261123T045700Z", safe in file names.
std::string UtcTimestampForFileName();

// Parses "250us", "500ms", "10s", "1.5s", "2m", "1h" (a bare number means
// seconds, as in wrk) into nanoseconds. Returns nullopt on anything else,
// including negative values.
std::optional<int64_t> ParseDuration(std::string_view text);

// The inverse for messages: 1500000000 -> "1.5s".
std::string FormatDuration(int64_t nanos);

}  // namespace c10k
