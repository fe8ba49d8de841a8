#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <filesystem>

#include "app/command.h"
#include "common/byte_size.h"
#include "common/clock.h"
#include "common/io_status.h"
#include "common/result_json.h"
#include "loadgen/client_ring.h"

namespace c10k {

int64_t DurationFlag(const std::string& flag, const std::string& text) {
  auto nanos = ParseDuration(text);
  if (!nanos) {
    // Past ~285 years the nanoseconds no longer fit: a shape that would
    // parse but for its size is told so, not sent to look for a typo.
    throw UsageError(flag + ": \"" + text +
                     "\" is not a duration of up to 2500000h; use a number with us, ms, s, m or h, "
                     "e.g. 500ms, 10s, 2m");
  }
  return *nanos;
}

uint64_t ByteSizeFlag(const std::string& flag, const std::string& text) {
  auto bytes = ParseByteSize(text);
  if (!bytes) {
    throw UsageError(flag + ": \"" + text +
                     "\" is not a size; use bytes or K/KiB, M/MiB, G/GiB, e.g. 4096, 64KiB, 1MiB");
  }
  return *bytes;
}

CLI::Validator RateFlag() {
  // CLI::Range and CLI::PositiveNumber let "nan" through (every comparison
  // with it is false) and, for a double, print DBL_MAX as a 300-digit bound.
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        double rate = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), rate);
        bool whole = error == std::errc() && end == text.data() + text.size();
        if (whole && rate >= kMinRate && rate <= kMaxRate) return "";
        return "\"" + text + "\" is not a rate from 1 to 1e9 per second";
      },
      "1 to 1e9");
}

CLI::Validator WholeNumberFlag(int64_t min, int64_t max) {
  // CLI::Range says "Value abc not in range 1 to 10000000" of a word, which
  // reads as if abc were a number.
  std::string range = std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, range](const std::string& text) -> std::string {
        int64_t value = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        bool whole = error == std::errc() && end == text.data() + text.size();
        if (whole && value >= min && value <= max) return "";
        return "\"" + text + "\" is not a whole number from " + range;
      },
      range);
}

CLI::Validator NonEmptyFlag() {
  return CLI::Validator(
      [](const std::string& text) -> std::string {
        return text.empty() ? "needs a value, not an empty string" : "";
      },
      "");
}

LoadIo IoFlag(const std::string& text) {
  auto io = ParseLoadIo(text);
  if (!io) throw UsageError("--io \"" + text + "\" is not epoll or uring");
  return *io;
}

void RequireUsableIo(LoadIo io, const std::string& where) {
  if (io != LoadIo::kUring) return;
  if (std::string missing = ClientRing::Probe(); !missing.empty()) throw UsageError(where + missing);
}

void RequireWritableJson(const std::string& path) {
  if (IsJsonStream(path)) {
    // Written straight through, so it must open for writing; nothing is
    // created beside it.
    if (path != "-" && ::access(path.c_str(), W_OK) != 0) {
      throw UsageError("--json " + path + ": " + ErrnoText(errno));
    }
    return;
  }
  std::filesystem::path json(FileJsonReplaces(path));
  if (std::filesystem::is_directory(json)) {
    throw UsageError("--json " + path + " is a directory; name a file in it");
  }
  std::string dir = json.has_parent_path() ? json.parent_path().string() : ".";
  if (std::string error = CheckCanWriteInto(dir); !error.empty()) {
    throw UsageError("--json: " + error);
  }
}

std::shared_ptr<const std::string> BodyFileFlag(const std::string& path) {
  std::string problem;
  auto body = ReadRequestBody(path, &problem);
  if (!body) throw UsageError("--body-file " + path + problem);
  return body;
}

}  // namespace c10k
