#pragma once

// The bits of HTTP/1.1's grammar (RFC 9110) that both the server and the
// client codec read heads with. Inline: the servers call them for every
// header of every request.
#include <algorithm>
#include <string_view>

namespace c10k {

inline char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Header names and tokens compare without regard to case. Every name the
// code looks for is written in lower case, so only `text` is folded: this
// runs for every header of every reply the load generator reads.
inline bool EqualsLowercase(std::string_view text, std::string_view lowercase) {
  return text.size() == lowercase.size() &&
         std::equal(text.begin(), text.end(), lowercase.begin(),
                    [](char x, char lower) { return AsciiLower(x) == lower; });
}

// Whether `text` begins with `lowercase` in any case (a URL's scheme, RFC
// 3986 3.1).
inline bool StartsWithLowercase(std::string_view text, std::string_view lowercase) {
  return text.size() >= lowercase.size() &&
         EqualsLowercase(text.substr(0, lowercase.size()), lowercase);
}

// Without the optional whitespace (spaces and tabs) around a field value or
// a list item.
inline std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// True when the comma-separated value lists `token` (lower case) in any
// case, as "Connection: keep-alive, Upgrade" lists keep-alive.
inline bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (EqualsLowercase(TrimWhitespace(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// What is wrong with text that is not a token, in words for a usage error.
inline constexpr std::string_view kNotATokenWords =
    "is empty or holds a space, control character or one of \"(),/:;<=>?@[\\]{}\"";

// A token (a method, a header name): one or more tchar.
inline bool IsToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

}  // namespace c10k
