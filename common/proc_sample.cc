#include "common/proc_sample.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "common/clock.h"

namespace c10k {

std::optional<ProcSample> SampleProcess(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  // The command name (field 2) is in parentheses and may contain spaces or
  // parentheses itself, so fields are counted from the last ')'.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 2));
  // Field 3 is the first after ')'. We want 14 utime, 15 stime, 20
  // num_threads, 24 rss (pages).
  std::string field;
  unsigned long long utime = 0, stime = 0;
  long threads = 0, rss_pages = 0;
  for (int index = 3; index <= 24 && fields >> field; ++index) {
    if (index == 14) utime = std::stoull(field);
    if (index == 15) stime = std::stoull(field);
    if (index == 20) threads = std::stol(field);
    if (index == 24) rss_pages = std::stol(field);
  }
  if (!fields) return std::nullopt;
  static const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  static const long page_kib = sysconf(_SC_PAGESIZE) / 1024;
  ProcSample sample;
  sample.user_s = utime / ticks;
  sample.sys_s = stime / ticks;
  sample.rss_kib = rss_pages * page_kib;
  sample.threads = static_cast<int>(threads);
  sample.at_ns = MonotonicNanos();
  if (threads == 1) {
    // The first field is the thread's time on a CPU in nanoseconds; with one
    // thread, the process's (a thread that came and went between two
    // samples is missed; only the threads model starts any).
    std::ifstream schedstat("/proc/" + std::to_string(pid) + "/schedstat");
    long long on_cpu_ns = -1;
    if (schedstat >> on_cpu_ns && on_cpu_ns >= 0) sample.cpu_ns = on_cpu_ns;
  }
  return sample;
}

std::optional<ProcSample> SampleSelf() { return SampleProcess(getpid()); }

CpuSeconds CpuBetween(const ProcSample& before, const ProcSample& after) {
  CpuSeconds ticked{after.user_s - before.user_s, after.sys_s - before.sys_s};
  if (before.cpu_ns < 0 || after.cpu_ns < 0 || after.cpu_ns < before.cpu_ns) return ticked;
  double total_s = static_cast<double>(after.cpu_ns - before.cpu_ns) / kNanosPerSecond;
  double user_share = ticked.Total() > 0 ? ticked.user_s / ticked.Total() : 0;
  return {total_s * user_share, total_s * (1 - user_share)};
}

double CpuPercentBetween(const ProcSample& before, const ProcSample& after) {
  double wall_s = static_cast<double>(after.at_ns - before.at_ns) / kNanosPerSecond;
  if (wall_s <= 0) return 0;
  return 100.0 * CpuBetween(before, after).Total() / wall_s;
}

}  // namespace c10k
