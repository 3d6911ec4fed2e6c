// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/check.hpp
/// @brief `check_*(function, argument, value, ...)` input validation helpers.
///
/// Each helper throws `hepad::invalid_argument` with the message
/// "function: argument must be <condition>, got <value>" and does nothing otherwise. They are for
/// user-facing preconditions; internal invariants use `HEPAD_ASSERT` (core/assert.hpp).
#ifndef HEPAD_CORE_CHECK_HPP
#define HEPAD_CORE_CHECK_HPP

#include <hepad/core/error.hpp>

#include <cmath>
#include <concepts>
#include <cstddef>
#include <hepad/core/source_location.hpp>
#include <string_view>

namespace hepad {

namespace detail {
template <class T>
concept scalar_value = std::is_arithmetic_v<T>;
template <class M>
concept dense_like = requires(const M& m) {
  m.rows();
  m.cols();
  m(0, 0);
};
}  // namespace detail

/// Throws unless `value > 0`.
template <detail::scalar_value T>
inline void check_positive(std::string_view fn, std::string_view arg, T value,
                           hepad::source_location where = hepad::source_location::current()) {
  if (!(value > T(0))) throw_invalid_argument(fn, detail::concat(arg, " must be positive, got ", value), where);
}

/// Throws unless `value >= 0`.
template <detail::scalar_value T>
inline void check_nonnegative(std::string_view fn, std::string_view arg, T value,
                              hepad::source_location where = hepad::source_location::current()) {
  if (!(value >= T(0)))
    throw_invalid_argument(fn, detail::concat(arg, " must be non-negative, got ", value), where);
}

/// Throws unless `value` is finite (not NaN, not infinite).
template <detail::scalar_value T>
inline void check_finite(std::string_view fn, std::string_view arg, T value,
                         hepad::source_location where = hepad::source_location::current()) {
  if constexpr (std::is_floating_point_v<T>) {
    if (!std::isfinite(value))
      throw_invalid_argument(fn, detail::concat(arg, " must be finite, got ", value), where);
  }
}

/// Throws unless `lo <= value <= hi`.
template <detail::scalar_value T, detail::scalar_value U>
inline void check_in_range(std::string_view fn, std::string_view arg, T value, U lo, U hi,
                           hepad::source_location where = hepad::source_location::current()) {
  if (!(value >= lo && value <= hi))
    throw_invalid_argument(
        fn, detail::concat(arg, " must be in [", lo, ", ", hi, "], got ", value), where);
}

/// Throws unless `value >= lo`.
template <detail::scalar_value T, detail::scalar_value U>
inline void check_at_least(std::string_view fn, std::string_view arg, T value, U lo,
                           hepad::source_location where = hepad::source_location::current()) {
  if (!(value >= lo))
    throw_invalid_argument(fn, detail::concat(arg, " must be >= ", lo, ", got ", value), where);
}

/// Throws unless `0 <= value <= 1`.
template <detail::scalar_value T>
inline void check_probability(std::string_view fn, std::string_view arg, T value,
                              hepad::source_location where = hepad::source_location::current()) {
  if (!(value >= T(0) && value <= T(1)))
    throw_invalid_argument(fn, detail::concat(arg, " must be a probability in [0, 1], got ", value),
                           where);
}

/// Throws unless `actual == expected` (sizes, rows, columns).
inline void check_size(std::string_view fn, std::string_view arg, std::size_t actual,
                       std::size_t expected,
                       hepad::source_location where = hepad::source_location::current()) {
  if (actual != expected)
    throw_invalid_argument(fn, detail::concat(arg, " must have size ", expected, ", got ", actual),
                           where);
}

/// Throws if `size == 0`.
inline void check_not_empty(std::string_view fn, std::string_view arg, std::size_t size,
                            hepad::source_location where = hepad::source_location::current()) {
  if (size == 0) throw_invalid_argument(fn, detail::concat(arg, " must not be empty"), where);
}

/// Throws if any element of a dense matrix/array is NaN or infinite, naming the first (row, column).
template <detail::dense_like M>
inline void check_all_finite(std::string_view fn, std::string_view arg, const M& m,
                             hepad::source_location where = hepad::source_location::current()) {
  for (decltype(m.rows()) i = 0; i < m.rows(); ++i)
    for (decltype(m.cols()) j = 0; j < m.cols(); ++j)
      if (!std::isfinite(static_cast<double>(m(i, j))))
        throw_invalid_argument(fn,
                               detail::concat(arg, " must be finite, got ",
                                              static_cast<double>(m(i, j)), " at row ", i,
                                              ", column ", j),
                               where);
}

}  // namespace hepad

#endif  // HEPAD_CORE_CHECK_HPP
