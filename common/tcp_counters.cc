#include "common/tcp_counters.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace c10k {

namespace {

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t at = 0;
  while (at < line.size()) {
    size_t start = line.find_first_not_of(' ', at);
    if (start == std::string_view::npos) break;
    size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    words.push_back(line.substr(start, end - start));
    at = end;
  }
  return words;
}

std::optional<std::string> ReadWhole(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::optional<uint64_t> ProcNetCounter(std::string_view text, std::string_view group,
                                       std::string_view name) {
  std::string prefix = std::string(group) + ":";
  std::vector<std::string_view> names;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.substr(0, prefix.size()) != prefix) continue;
    std::vector<std::string_view> words = Words(line.substr(prefix.size()));
    if (names.empty()) {  // the first line of the group names the columns
      names = std::move(words);
      continue;
    }
    for (size_t i = 0; i < names.size() && i < words.size(); ++i) {
      if (names[i] != name) continue;
      uint64_t value = 0;
      auto [end_of_number, error] =
          std::from_chars(words[i].data(), words[i].data() + words[i].size(), value);
      if (error != std::errc() || end_of_number != words[i].data() + words[i].size()) {
        return std::nullopt;
      }
      return value;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<TcpCounters> ReadTcpCounters() {
  std::optional<std::string> snmp = ReadWhole("/proc/net/snmp");
  std::optional<std::string> netstat = ReadWhole("/proc/net/netstat");
  if (!snmp || !netstat) return std::nullopt;
  std::optional<uint64_t> segments = ProcNetCounter(*snmp, "Tcp", "OutSegs");
  std::optional<uint64_t> delayed = ProcNetCounter(*netstat, "TcpExt", "DelayedACKs");
  if (!segments || !delayed) return std::nullopt;
  return TcpCounters{*segments, *delayed};
}

}  // namespace c10k
