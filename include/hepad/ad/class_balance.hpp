// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/class_balance.hpp
/// @brief Class balancing of weighted two-class training sets (S0 §6.1): each class's weights are
/// multiplied by a factor so that both classes have the total weight of the larger class; the
/// factors are computed on the training rows and applied to every row (validation included).
#ifndef HEPAD_AD_CLASS_BALANCE_HPP
#define HEPAD_AD_CLASS_BALANCE_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/concepts/dataset.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>

#include <cstdint>
#include <span>
#include <string_view>

namespace hepad::ad {

/// Multipliers of the class-0 and class-1 weights.
struct balance_factors {
  double class0 = 1.0, class1 = 1.0;
  double total0 = 0.0, total1 = 0.0;  ///< class totals on the rows used, before balancing
};

/// Factors that give both classes the larger class total over `rows` (all rows if empty).
/// @throws invalid_argument if a class total is not positive, or sizes differ.
template <class S>
[[nodiscard]] inline balance_factors class_balance(label_cref y, vector_cref<S> w, std::span<const std::int64_t> rows = {}) {
  constexpr std::string_view fn = "ad::class_balance";
  check_size(fn, "weights", static_cast<std::size_t>(w.size()), static_cast<std::size_t>(y.size()));
  balance_factors f;
  auto add = [&](index_t i) {
    if (y(i) == 0)
      f.total0 += static_cast<double>(w(i));
    else
      f.total1 += static_cast<double>(w(i));
  };
  if (rows.empty())
    for (index_t i = 0; i < y.size(); ++i) add(i);
  else
    for (const auto i : rows) add(static_cast<index_t>(i));
  if (!(f.total0 > 0) || !(f.total1 > 0))
    throw_invalid_argument(fn, hepad::detail::concat("both classes need a positive total weight, got ", f.total0,
                                                     " (class 0) and ", f.total1, " (class 1)"));
  const double big = (std::max)(f.total0, f.total1);
  f.class0 = big / f.total0;
  f.class1 = big / f.total1;
  return f;
}

/// Multiplies every weight by its class's factor (in place).
template <class S>
inline void apply_balance(label_cref y, vector<S>& w, const balance_factors& f) {
  check_size("ad::apply_balance", "weights", static_cast<std::size_t>(w.size()), static_cast<std::size_t>(y.size()));
  for (index_t i = 0; i < w.size(); ++i) w(i) = static_cast<S>(static_cast<double>(w(i)) * (y(i) == 0 ? f.class0 : f.class1));
}

}  // namespace hepad::ad

#endif  // HEPAD_AD_CLASS_BALANCE_HPP
