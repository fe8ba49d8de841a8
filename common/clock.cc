#include "common/clock.h"

#include <time.h>

#include <charconv>
#include <cmath>
#include <cstdio>

namespace c10k {

int64_t MonotonicNanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * kNanosPerSecond + ts.tv_nsec;
}

namespace {

std::string FormatUtc(const char* format) {
  time_t now = time(nullptr);
  tm utc;
  gmtime_r(&now, &utc);
  char buf[32];
  strftime(buf, sizeof buf, format, &utc);
  return buf;
}

}  // namespace

std::string UtcTimestamp() { return FormatUtc("%Y-%m-%dT%H:%M:%SZ"); }
std::string UtcTimestampForFileName() { return FormatUtc("%Y%m%dT%H%M%SZ"); }

std::optional<int64_t> ParseDuration(std::string_view text) {
  size_t unit_at = 0;
  while (unit_at < text.size() &&
         ((text[unit_at] >= '0' && text[unit_at] <= '9') || text[unit_at] == '.')) {
    ++unit_at;
  }
  if (unit_at == 0) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + unit_at, value);
  if (ec != std::errc() || end != text.data() + unit_at || !std::isfinite(value)) {
    return std::nullopt;
  }
  std::string_view unit = text.substr(unit_at);
  double scale;
  if (unit.empty() || unit == "s") {
    scale = kNanosPerSecond;
  } else if (unit == "ms") {
    scale = kNanosPerMilli;
  } else if (unit == "us") {
    scale = kNanosPerMicro;
  } else if (unit == "m") {
    scale = 60.0 * kNanosPerSecond;
  } else if (unit == "h") {
    scale = 3600.0 * kNanosPerSecond;
  } else {
    return std::nullopt;
  }
  double nanos = value * scale;
  if (nanos > 9.0e18) return std::nullopt;
  return static_cast<int64_t>(std::llround(nanos));
}

std::string FormatDuration(int64_t nanos) {
  char buf[32];
  if (nanos % kNanosPerSecond == 0) {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(nanos / kNanosPerSecond));
  } else if (nanos >= kNanosPerSecond) {
    std::snprintf(buf, sizeof buf, "%gs", static_cast<double>(nanos) / kNanosPerSecond);
  } else if (nanos >= kNanosPerMilli) {
    std::snprintf(buf, sizeof buf, "%gms", static_cast<double>(nanos) / kNanosPerMilli);
  } else {
    std::snprintf(buf, sizeof buf, "%gus", static_cast<double>(nanos) / kNanosPerMicro);
  }
  return buf;
}

}  // namespace c10k
