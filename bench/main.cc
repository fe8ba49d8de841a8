// c10k_bench: the micro-benchmarks behind the harness's curves. Google
// Benchmark's own flags apply (--benchmark_filter, --benchmark_min_time,
// --benchmark_repetitions, --benchmark_out); scripts/bench runs them all and
// keeps the JSON in results/.
#include <benchmark/benchmark.h>
#include <sys/select.h>
#include <sys/utsname.h>

#include <string>

#include "bench/codec_bench.h"
#include "common/build_info.h"
#include "common/net.h"

int main(int argc, char** argv) {
  // The wait benchmarks hold up to 16,385 descriptors at once, far past the
  // usual soft limit of 1,024.
  uint64_t file_limit = c10k::RaiseFileLimit();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  c10k::RegisterCodecBenchmarks();

  // What the numbers depend on, kept in the JSON's context beside them.
  utsname system{};
  uname(&system);
  benchmark::AddCustomContext("c10k_version", std::string(c10k::ToolVersion()));
  benchmark::AddCustomContext("c10k_git_sha", std::string(c10k::GitSha()));
  benchmark::AddCustomContext("c10k_build_type", std::string(c10k::BuildType()));
  benchmark::AddCustomContext("kernel", std::string(system.sysname) + " " + system.release);
  benchmark::AddCustomContext("rlimit_nofile", std::to_string(file_limit));
  benchmark::AddCustomContext("fd_setsize", std::to_string(FD_SETSIZE));

  // A filter that matches nothing is a mistake (a renamed benchmark), not a
  // success: the smoke test relies on this.
  size_t ran = benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return ran > 0 ? 0 : 1;
}
