#include "common/quotable.h"

namespace c10k {

std::string Quotable(std::string_view bytes, size_t limit) {
  std::string text;
  for (char c : bytes.substr(0, limit)) {
    if (c == '\r') {
      text += "\\r";
    } else if (c == '\n') {
      text += "\\n";
    } else {
      text += c >= 0x20 && c < 0x7f ? c : '?';
    }
  }
  if (bytes.size() > limit) text += "...";
  return text;
}

}  // namespace c10k
