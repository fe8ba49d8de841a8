#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "loadgen/load_config.h"
#include "loadgen/load_generator.h"

namespace c10k {

// "ok" or "error" and why, judged from what the run measured: connections
// that failed, replies that did not match, errors, a server that vanished.
struct LoadVerdict {
  std::string status;  // "ok" | "error"
  std::string reason;  // empty when ok
};
LoadVerdict JudgeLoad(const LoadConfig& config, const LoadResult& result);

// One element of the results document's "runs" array.
nlohmann::json LoadRunJson(const LoadConfig& config, const LoadResult& result,
                           const LoadVerdict& verdict);

// A few lines for a person, like wrk's summary.
std::string LoadSummaryText(const LoadConfig& config, const LoadResult& result,
                            const LoadVerdict& verdict);

}  // namespace c10k
