// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/assert.hpp
/// @brief `HEPAD_ASSERT(cond, msg)`: internal invariant checks, active in debug builds or with
/// `HEPAD_ENABLE_ASSERT`. A failed assertion throws `hepad::error` with `errc::internal`, so that
/// tests can observe it; it never aborts the process.
#ifndef HEPAD_CORE_ASSERT_HPP
#define HEPAD_CORE_ASSERT_HPP

#include <hepad/config.hpp>
#include <hepad/core/error.hpp>

namespace hepad::detail {
[[noreturn]] HEPAD_COLD inline void assertion_failed(const char* expr, const char* msg,
                                                     hepad::source_location where) {
  raise<error>(errc::internal,
               concat("hepad internal assertion failed: ", expr, " (", msg, ") at ",
                      where.file_name(), ":", where.line()),
               where);
}
}  // namespace hepad::detail

#ifdef HEPAD_ENABLE_ASSERT
#define HEPAD_ASSERT(cond, msg)                                                                  \
  (HEPAD_LIKELY(cond) ? void(0)                                                                  \
                      : ::hepad::detail::assertion_failed(#cond, msg,                          \
                                                          ::hepad::source_location::current()))
#else
#define HEPAD_ASSERT(cond, msg) void(0)
#endif

#endif  // HEPAD_CORE_ASSERT_HPP
