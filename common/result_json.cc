#include "common/result_json.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/build_info.h"
#include "common/clock.h"
#include "common/fd.h"
#include "common/io_status.h"

namespace c10k {

double NanosToMicros(int64_t nanos) {
  // Three decimals keep nanosecond resolution, so buckets round-trip exactly.
  return std::round(static_cast<double>(nanos)) / 1000.0;
}

std::string CheckCanWriteInto(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return "cannot create directory " + dir + ": " + ec.message();
  std::string probe = (fs::path(dir) / ".c10k-probe.XXXXXX").string();
  UniqueFd fd(mkstemp(probe.data()));
  if (!fd) return "cannot create files in " + dir + ": " + ErrnoText(errno);
  ::unlink(probe.c_str());
  return "";
}

bool IsJsonStream(const std::string& path) {
  if (path == "-") return true;
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return false;
  return !S_ISREG(info.st_mode) && !S_ISDIR(info.st_mode);
}

bool JsonGoesToStdout(const std::string& path) {
  if (path == "-") return true;
  struct stat named {};
  struct stat out {};
  return ::stat(path.c_str(), &named) == 0 && ::fstat(STDOUT_FILENO, &out) == 0 &&
         named.st_dev == out.st_dev && named.st_ino == out.st_ino;
}

std::string FileJsonReplaces(const std::string& path) {
  struct stat link {};
  if (::lstat(path.c_str(), &link) != 0 || !S_ISLNK(link.st_mode)) return path;
  std::error_code ec;
  std::filesystem::path target = std::filesystem::canonical(path, ec);
  return ec ? path : target.string();  // a dangling link is replaced itself
}

namespace {

// Writes all of `text` to `fd`; false with errno set when it cannot.
bool WriteAll(int fd, const std::string& text) {
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

std::string WriteJsonToStream(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fflush(stdout);  // what was printed before comes first
    if (!WriteAll(STDOUT_FILENO, text))
      return "cannot write to standard output: " + ErrnoText(errno);
    return "";
  }
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return "cannot open " + path + ": " + ErrnoText(errno);
  if (!WriteAll(fd.Get(), text)) return "cannot write " + path + ": " + ErrnoText(errno);
  return "";
}

// WriteJsonAtomically and WriteNewJsonAtomically: a temporary file, then
// rename(2) over `path`; or, given `existed`, link(2) to a `path` that must
// not exist, setting `*existed` when it did.
std::string WriteJsonFile(const std::string& path, const nlohmann::json& document, bool* existed) {
  namespace fs = std::filesystem;
  // A flag's text (--label, a header) can be any bytes, and JSON text is
  // UTF-8: a byte that is not becomes U+FFFD rather than losing the run.
  std::string text = document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (IsJsonStream(path)) return WriteJsonToStream(path, text);
  fs::path target = FileJsonReplaces(path);
  std::error_code ec;
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) return "cannot create directory " + target.parent_path().string() + ": " + ec.message();
  }
  std::string temp = target.string() + ".tmp.XXXXXX";
  UniqueFd fd(mkstemp(temp.data()));
  if (!fd) return "cannot create " + temp + ": " + ErrnoText(errno);
  if (!WriteAll(fd.Get(), text)) {
    int error = errno;
    ::unlink(temp.c_str());
    return "cannot write " + temp + ": " + ErrnoText(error);
  }
  // Results are meant to be shared, not private like a mkstemp file.
  ::fchmod(fd.Get(), 0644);
  if (::fsync(fd.Get()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return "cannot sync " + temp + ": " + ErrnoText(error);
  }
  fd.Reset();
  if (existed == nullptr) {
    if (::rename(temp.c_str(), target.c_str()) != 0) {
      int error = errno;
      ::unlink(temp.c_str());
      return "cannot rename " + temp + " to " + target.string() + ": " + ErrnoText(error);
    }
    return "";
  }
  int linked = ::link(temp.c_str(), target.c_str());
  int error = errno;
  ::unlink(temp.c_str());
  if (linked == 0) return "";
  if (error == EEXIST) *existed = true;
  return "cannot create " + target.string() + ": " + ErrnoText(error);
}

}  // namespace

std::string WriteJsonAtomically(const std::string& path, const nlohmann::json& document) {
  return WriteJsonFile(path, document, /*existed=*/nullptr);
}

std::string WriteNewJsonAtomically(const std::string& path, const nlohmann::json& document,
                                   bool* existed) {
  *existed = false;
  return WriteJsonFile(path, document, existed);
}

bool ParseJsonText(const std::string& text, nlohmann::json* document, std::string* error) {
  try {
    *document = nlohmann::json::parse(text, nullptr, true, /*ignore_comments=*/true);
    return true;
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] "; keep the rest.
    size_t bracket = what.find("] ");
    *error = bracket == std::string::npos ? what : what.substr(bracket + 2);
    return false;
  }
}

nlohmann::json ReadJsonFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path + ": " + ErrnoText(errno));
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json document;
  std::string error;
  if (!ParseJsonText(text.str(), &document, &error)) {
    throw std::runtime_error(path + " is not valid JSON: " + error);
  }
  return document;
}

nlohmann::json MakeContext() {
  utsname uts{};
  uname(&uts);
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return {
      {"tool_version", ToolVersion()},
      {"git_sha", GitSha()},
      {"host", host},
      {"kernel", std::string(uts.sysname) + " " + uts.release + " " + uts.machine},
      {"cpus", std::thread::hardware_concurrency()},
      {"rlimit_nofile", {{"soft", nofile.rlim_cur}, {"hard", nofile.rlim_max}}},
      {"fd_setsize", FD_SETSIZE},
      {"build_type", BuildType()},
      {"started_at", UtcTimestamp()},
      {"calibration", nlohmann::json::object()},
  };
}

nlohmann::json LatencySummaryJson(const Histogram& histogram) {
  uint64_t samples = histogram.Count();
  return {
      {"p50", MicrosOrNull(samples, histogram.Percentile(50))},
      {"p90", MicrosOrNull(samples, histogram.Percentile(90))},
      {"p99", MicrosOrNull(samples, histogram.Percentile(99))},
      {"p999", MicrosOrNull(samples, histogram.Percentile(99.9))},
      {"max", MicrosOrNull(samples, histogram.Max())},
      {"mean", MicrosOrNull(samples, std::llround(histogram.Mean()))},
  };
}

nlohmann::json MicrosOrNull(uint64_t samples, int64_t nanos) {
  if (samples == 0) return nullptr;
  return NanosToMicros(nanos);
}

nlohmann::json HistogramBucketsJson(const Histogram& histogram) {
  nlohmann::json buckets = nlohmann::json::array();
  for (auto [upper_nanos, count] : histogram.NonEmptyBuckets()) {
    buckets.push_back({NanosToMicros(upper_nanos), count});
  }
  return buckets;
}

Histogram HistogramFromBucketsJson(const nlohmann::json& buckets) {
  Histogram histogram;
  for (const auto& bucket : buckets) {
    double upper_us = bucket.at(0).get<double>();
    histogram.RecordMany(static_cast<int64_t>(std::llround(upper_us * 1000.0)),
                         bucket.at(1).get<uint64_t>());
  }
  return histogram;
}

}  // namespace c10k
