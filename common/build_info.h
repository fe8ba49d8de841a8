#pragma once

#include <string_view>

namespace c10k {

// Filled in at build time by cmake/write_build_info.cmake.
std::string_view ToolVersion();
std::string_view GitSha();
std::string_view BuildType();

}  // namespace c10k
