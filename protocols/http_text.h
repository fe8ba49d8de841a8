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

// Header names and tokens compare without regard to case.
inline bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

// Whether `text` begins with `prefix`, without regard to case (a URL's
// scheme, RFC 3986 3.1).
inline bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoringCase(text.substr(0, prefix.size()), prefix);
}

// Without the optional whitespace (spaces and tabs) around a field value or
// a list item.
inline std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// True when the comma-separated value lists `token` in any case, as
// "Connection: keep-alive, Upgrade" lists keep-alive.
inline bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (EqualsIgnoringCase(TrimWhitespace(value.substr(0, comma)), token)) return true;
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
