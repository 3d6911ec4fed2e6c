// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/pooling.hpp
/// @brief Set pooling as parameter-free module policies over sets of `set_size` rows (jets of
/// constituents, events of objects; rows [b P, (b + 1) P) form set b, the result has one row per
/// set): `nn::sum_pooling<S>`, `nn::mean_pooling<S>` and `nn::weighted_pooling<S>` (per-member
/// weights such as pT fractions or learned scores, optionally normalised per set). Each takes an
/// optional key-padding mask (B x P, non-zero = padded member, as `nn::multi_head_attention`).
/// The tape operations underneath are `autodiff::set_sum` and `autodiff::set_mean`
/// (autodiff/ops/pooling.hpp). Learned attention pooling (scores from a network) is a
/// `weighted_pooling` fed with those scores; it is not a separate module here.
#ifndef HEPAD_NN_POOLING_HPP
#define HEPAD_NN_POOLING_HPP

#include <hepad/autodiff/ops/arithmetic.hpp>
#include <hepad/autodiff/ops/pooling.hpp>
#include <hepad/autodiff/ops/reduce.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hepad::nn {

namespace detail {
/// @throws invalid_argument unless `set_size` >= 1 divides the rows of `x` and `mask` is empty or
/// (rows / set_size) x set_size.
template <class S>
inline index_t check_pooling_input(std::string_view fn, index_t set_size, autodiff::node<S> x,
                                   autodiff::node<S> mask) {
  check_positive(fn, "set_size", set_size);
  if (x.rows() % set_size != 0)
    throw_invalid_argument(fn, hepad::detail::concat("x has ", x.rows(), " rows, not a multiple of set_size (",
                                                     set_size, ")"));
  const index_t B = x.rows() / set_size;
  if (mask.valid() && (mask.rows() != B || mask.cols() != set_size))
    throw_invalid_argument(fn, hepad::detail::concat("mask must be ", B, " x ", set_size, " (sets x set_size), got ",
                                                     mask.rows(), " x ", mask.cols()));
  return B;
}
/// Constant B x P node: 1 for real members (mask zero), 0 for padded ones.
template <class S>
inline autodiff::node<S> keep_weights(autodiff::tape<S>& t, autodiff::node<S> mask) {
  matrix<S> keep(mask.rows(), mask.cols());
  const S* m = mask.data()->value;
  for (index_t k = 0; k < keep.size(); ++k) keep.data()[k] = m[k] == S(0) ? S(1) : S(0);
  return t.constant(keep);
}
}  // namespace detail

/// out(b, :) = sum of x over the real members of set b (all members without a mask).
/// Complexity: O(rows x cols).
template <class S = float>
struct sum_pooling {
  using scalar_type = S;
  index_t set_size = 1;  ///< rows per set (P)
  /// Sum over all members of each set. @throws invalid_argument if set_size does not divide the rows.
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x) { return forward(t, x, {}); }
  /// Sum over the members whose `mask` entry (B x P, constant) is zero.
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S> mask) {
    detail::check_pooling_input("nn::sum_pooling::forward", set_size, x, mask);
    return autodiff::set_sum(x, set_size, mask.valid() ? detail::keep_weights(t, mask) : autodiff::node<S>{});
  }
  std::vector<autodiff::parameter<S>*> parameters() { return {}; }
  [[nodiscard]] std::string architecture() const { return hepad::detail::concat("sum_pooling(set=", set_size, ")"); }
};

/// out(b, :) = mean of x over the real members of set b; a set whose members are all padded
/// gives zeros. Complexity: O(rows x cols).
template <class S = float>
struct mean_pooling {
  using scalar_type = S;
  index_t set_size = 1;  ///< rows per set (P)
  /// Mean over all members of each set.
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x) { return forward(t, x, {}); }
  /// Mean over the members whose `mask` entry (B x P, constant) is zero.
  autodiff::node<S> forward(autodiff::tape<S>&, autodiff::node<S> x, autodiff::node<S> mask) {
    detail::check_pooling_input("nn::mean_pooling::forward", set_size, x, mask);
    return autodiff::set_mean(x, set_size, mask);
  }
  std::vector<autodiff::parameter<S>*> parameters() { return {}; }
  [[nodiscard]] std::string architecture() const { return hepad::detail::concat("mean_pooling(set=", set_size, ")"); }
};

/// out(b, :) = sum_p c(b, p) x(b P + p, :) with c = w (1 - padded), divided by sum_p c(b, p) when
/// `normalize` (a weighted mean, e.g. the pT-weighted mean of constituent features). The weights
/// w (B x P, any sign) may carry a gradient (learned pooling scores); without weights every
/// member has weight 1 (sum or mean pooling). Complexity: O(rows x cols).
template <class S = float>
struct weighted_pooling {
  using scalar_type = S;
  index_t set_size = 1;    ///< rows per set (P)
  bool normalize = false;  ///< divide each set by its total (unmasked) weight
  /// Uniform weights.
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x) { return forward(t, x, {}, {}); }
  /// @param w B x P weights (empty: all 1); @param mask B x P constant, non-zero = padded (empty: none).
  /// @throws invalid_argument for mis-shaped inputs, or with `normalize` if the weights of a set
  /// sum to zero (the weighted mean is undefined).
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S> w,
                            autodiff::node<S> mask = {}) {
    constexpr std::string_view fn = "nn::weighted_pooling::forward";
    const index_t B = detail::check_pooling_input(fn, set_size, x, mask);
    if (w.valid() && (w.rows() != B || w.cols() != set_size))
      throw_invalid_argument(fn, hepad::detail::concat("w must be ", B, " x ", set_size, " (sets x set_size), got ",
                                                       w.rows(), " x ", w.cols()));
    autodiff::node<S> c = w;
    if (mask.valid()) c = w.valid() ? autodiff::mul(w, detail::keep_weights(t, mask)) : detail::keep_weights(t, mask);
    if (!c.valid() && normalize) c = t.constant(B, set_size, S(1));
    auto pooled = autodiff::set_sum(x, set_size, c);
    if (!normalize) return pooled;
    const S* cv = c.data()->value;
    for (index_t b = 0; b < B; ++b) {
      S total = 0;
      for (index_t p = 0; p < set_size; ++p) total += cv[b * set_size + p];
      if (total == S(0))
        throw_invalid_argument(fn, hepad::detail::concat("the weights of set ", b,
                                                         " sum to zero: the normalised (mean) pooling is undefined"));
    }
    return autodiff::div(pooled, autodiff::sum(c, 1));
  }
  std::vector<autodiff::parameter<S>*> parameters() { return {}; }
  [[nodiscard]] std::string architecture() const {
    return hepad::detail::concat("weighted_pooling(set=", set_size, normalize ? ", normalized)" : ")");
  }
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_POOLING_HPP
