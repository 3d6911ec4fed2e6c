// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/detail/str.hpp
/// @brief `hepad::detail::concat`: builds messages from strings and numbers without <format>
/// (GCC 12 lacks it) and without iostreams. Internal to hepad.
#ifndef HEPAD_CORE_DETAIL_STR_HPP
#define HEPAD_CORE_DETAIL_STR_HPP

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

namespace hepad::detail {

/// Appends the shortest round-trip text of a number, a string, a character or a bool.
template <class T>
inline void append(std::string& out, const T& v) {
  using U = std::remove_cvref_t<T>;
  if constexpr (std::is_same_v<U, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_same_v<U, char>) {
    out += v;
  } else if constexpr (std::is_arithmetic_v<U>) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, r.ptr);
  } else if constexpr (std::is_enum_v<U>) {
    append(out, static_cast<std::underlying_type_t<U>>(v));
  } else if constexpr (std::is_convertible_v<const U&, std::string_view>) {
    out += std::string_view(v);
  } else {
    static_assert(!sizeof(U), "hepad::detail::concat: unsupported argument type");
  }
}

/// Concatenates the text of every argument: `concat("got ", 3.5, " events")`.
template <class... A>
inline std::string concat(const A&... a) {
  std::string out;
  (append(out, a), ...);
  return out;
}

}  // namespace hepad::detail

#endif  // HEPAD_CORE_DETAIL_STR_HPP
