#include "common/quotable.h"

namespace c10k {

std::string Quotable(std::string_view bytes, size_t limit) {
  std::string text;
  for (char c : bytes.substr(0, limit)) {
    if (c == '\r') {
      text += "\\r";
    } else if (c == '\n') {
      text += "\\n";
    } else if (c == '\\') {
      text += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      text += c;
    } else {
      // Which byte it was: "?" said only that it was not printable.
      static constexpr char kHex[] = "0123456789abcdef";
      auto byte = static_cast<unsigned char>(c);
      text += "\\x";
      text += kHex[byte >> 4];
      text += kHex[byte & 0xf];
    }
  }
  if (bytes.size() > limit) text += "...";
  return text;
}

}  // namespace c10k
