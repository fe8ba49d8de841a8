#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace c10k {

// `bytes` made fit to quote in a one-line message: at most `limit` bytes, CR
// and LF written as \r and \n, a backslash as \\, any other byte that is
// not printable ASCII (that would break the line or the terminal, or is part
// of a UTF-8 character) as \xNN, and "..." where it was cut.
std::string Quotable(std::string_view bytes, size_t limit);

}  // namespace c10k
