// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/detail/span.hpp
/// @brief Internal: views of contiguous containers (std::vector, std::span, Eigen vectors) as
/// `std::span`, with a runtime check that Eigen expressions have unit inner stride.
#ifndef HEPAD_STATS_DETAIL_SPAN_HPP
#define HEPAD_STATS_DETAIL_SPAN_HPP

#include <hepad/core/error.hpp>

#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>

namespace hepad::stats::detail {

/// Anything with `data()` and `size()` (std::vector, std::array, std::span, Eigen vectors).
template <class R>
concept contiguous_data = requires(const R& r) {
  r.data();
  r.size();
};

/// Element type of a contiguous container.
template <class R>
using element_t = std::remove_cvref_t<decltype(*std::declval<const R&>().data())>;

/// `r` as a read-only span. Throws `invalid_argument` (naming `fn` and `arg`) if `r` is a strided
/// Eigen expression (e.g. a column of a row-major matrix).
template <contiguous_data R>
inline std::span<const element_t<R>> as_span(const R& r, std::string_view fn, std::string_view arg) {
  if constexpr (requires { r.innerStride(); }) {
    if (r.size() > 1 && r.innerStride() != 1)
      throw_invalid_argument(fn, hepad::detail::concat(arg, " must be contiguous (inner stride 1), got stride ",
                                                       static_cast<long long>(r.innerStride())));
  }
  return std::span<const element_t<R>>(r.data(), static_cast<std::size_t>(r.size()));
}

}  // namespace hepad::stats::detail

#endif  // HEPAD_STATS_DETAIL_SPAN_HPP
