// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/source_location.hpp
/// @brief `hepad::source_location`: `hepad::source_location` where the standard library provides it,
/// otherwise an equivalent built on the compiler builtins. (clang 14 with libstdc++ 12 — Debian 12's
/// clang, used by the fuzz preset — lacks `__builtin_source_location`, so `<source_location>` is empty
/// there.)
#ifndef HEPAD_CORE_SOURCE_LOCATION_HPP
#define HEPAD_CORE_SOURCE_LOCATION_HPP

#include <version>

#if defined(__cpp_lib_source_location)
#include <source_location>
namespace hepad {
using source_location = std::source_location;
}  // namespace hepad
#else
#include <cstdint>
namespace hepad {
/// Where an error was raised: file, line and function (column is 0 where unknown).
struct source_location {
  static constexpr source_location current(const char* file = __builtin_FILE(),
                                           const char* function = __builtin_FUNCTION(),
                                           std::uint_least32_t line = __builtin_LINE()) noexcept {
    source_location s;
    s.file_ = file;
    s.function_ = function;
    s.line_ = line;
    return s;
  }
  [[nodiscard]] constexpr std::uint_least32_t line() const noexcept { return line_; }
  [[nodiscard]] constexpr std::uint_least32_t column() const noexcept { return 0; }
  [[nodiscard]] constexpr const char* file_name() const noexcept { return file_; }
  [[nodiscard]] constexpr const char* function_name() const noexcept { return function_; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  std::uint_least32_t line_ = 0;
};
}  // namespace hepad
#endif

#endif  // HEPAD_CORE_SOURCE_LOCATION_HPP
