#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/histogram.h"

namespace c10k {

constexpr int kSchemaVersion = 1;

// Writes `document` to `path` so that a reader sees either the old file or the
// complete new one, never a half-written file: the text goes to a temporary
// file in the same directory, is fsync'ed, then renamed over `path` (over the
// file a symbolic link points to, the link kept). Creates the parent
// directory when missing. A stream (see IsJsonStream) is written straight
// through instead: renaming over /dev/stdout or /dev/null would replace the
// device with a file. Returns an empty string on success, or a one-line
// reason.
std::string WriteJsonAtomically(const std::string& path, const nlohmann::json& document);

// The same for a file that must not exist yet: the complete file is linked
// into place, which fails for every writer but one when several name the same
// path at once. Sets `*existed` (and returns a reason) when `path` was taken.
std::string WriteNewJsonAtomically(const std::string& path, const nlohmann::json& document,
                                   bool* existed);

// The file WriteJsonAtomically replaces when asked to write `path`: the one
// a symbolic link points to (so the link stays), else `path` itself.
std::string FileJsonReplaces(const std::string& path);

// True when `path` is "-" (standard output) or names, through any symbolic
// links, something that is not a regular file or a directory: a terminal,
// /dev/stdout, /dev/null, a named pipe.
bool IsJsonStream(const std::string& path);

// True when writing to `path` writes to this process's standard output ("-",
// /dev/stdout, or the file stdout is redirected to), where a summary for a
// person would corrupt the document.
bool JsonGoesToStdout(const std::string& path);

// Makes sure results can be written into `dir` before a run spends its time:
// creates the directory when missing and creates and removes a file in it, as
// WriteJsonAtomically will. Returns an empty string, or a one-line reason.
std::string CheckCanWriteInto(const std::string& dir);

// Parses JSON text (comments allowed). Returns false with `error` set to a
// one-line reason when the text is not JSON or holds a number beyond a double
// (1e400), which nlohmann reports as out_of_range, not as a parse error.
bool ParseJsonText(const std::string& text, nlohmann::json* document, std::string* error);

// Reads and parses a JSON file (comments allowed). Throws std::runtime_error
// with a one-line reason naming the file.
nlohmann::json ReadJsonFile(const std::string& path);

// The "context" object of the results schema: tool version, git sha, host,
// kernel, cpus, limits and start time. "calibration" is left empty for the
// caller to fill.
nlohmann::json MakeContext();

// {"p50","p90","p99","p999","max","mean"} in microseconds; each null when the
// histogram is empty (nothing completed), as MicrosOrNull.
nlohmann::json LatencySummaryJson(const Histogram& histogram);

// `nanos` in microseconds, or null when it stands for no samples at all: 0
// would be a latency measured.
nlohmann::json MicrosOrNull(uint64_t samples, int64_t nanos);

// [[upper_us, count], ...] over non-empty buckets: merges exactly.
nlohmann::json HistogramBucketsJson(const Histogram& histogram);

// Rebuilds a histogram from HistogramBucketsJson output.
Histogram HistogramFromBucketsJson(const nlohmann::json& buckets);

double NanosToMicros(int64_t nanos);

}  // namespace c10k
