// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/losses/reduction.hpp
/// @brief `nn::reduction`: how per-event losses l_i with weights w_i become one number.
#ifndef HEPAD_NN_LOSSES_REDUCTION_HPP
#define HEPAD_NN_LOSSES_REDUCTION_HPP

#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>

#include <cmath>
#include <string_view>

namespace hepad::nn {

/// Reduction of weighted per-event losses (weights may be negative).
enum class reduction : int {
  mean = 0,      ///< sum_i w_i l_i / N (torch's `weight=` semantics; N = events, times outputs for
                 ///< elementwise losses). The default, and what trainers assume.
  sum,           ///< sum_i w_i l_i
  weighted_mean  ///< sum_i w_i l_i / sum_i w_i (undefined if the weights sum to zero)
};

namespace detail {
/// Divisor of a reduction: `count` events/elements, weights `w` (n x 1 node or empty), `per` outputs
/// per event. @throws invalid_argument if a weighted mean has a zero weight sum.
template <class S>
inline double reduction_divisor(std::string_view fn, reduction r, index_t count, autodiff::node<S> w, index_t per) {
  switch (r) {
    case reduction::mean: return static_cast<double>(count);
    case reduction::sum: return 1.0;
    case reduction::weighted_mean: {
      if (!w.valid()) return static_cast<double>(count);
      double s = 0;
      for (index_t i = 0; i < w.rows(); ++i) s += static_cast<double>(w.data()->value[i]);
      s *= static_cast<double>(per);
      if (s == 0.0 || !std::isfinite(s))
        throw_invalid_argument(fn, hepad::detail::concat("weighted_mean needs a non-zero finite weight sum, got ", s));
      return s;
    }
  }
  return static_cast<double>(count);
}
/// @throws invalid_argument unless `w` is empty or an n x 1 node on the same tape as `x`.
template <class S>
inline void check_weights(std::string_view fn, autodiff::node<S> x, autodiff::node<S> w) {
  if (!w.valid()) return;
  if (w.data()->owner != x.data()->owner) throw_invalid_argument(fn, "weights belong to a different tape");
  if (w.rows() != x.rows() || w.cols() != 1)
    throw_invalid_argument(fn, hepad::detail::concat("weights must be ", x.rows(), " x 1, got ", w.rows(),
                                                     " x ", w.cols()));
}
}  // namespace detail

}  // namespace hepad::nn

#endif  // HEPAD_NN_LOSSES_REDUCTION_HPP
