// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/lr_weights.hpp
/// @brief Likelihood-ratio weights from classifier logits, w = exp(logit) = f/(1 - f), with an
/// explicit policy for non-finite values (S0 §3, §11 item 6), and `weight_summary` (count, sum,
/// mean, standard deviation, extremes, non-finite count) for reports.
///
/// The original computes f/(1 - f) from the sigmoid output, which overflows to +inf once f rounds
/// to 1, and silently sets NaN and inf weights to 0. Here the weight is computed from the logit in
/// double precision, so it is finite for every logit below ~709; what remains non-finite is
/// counted and handled by the chosen policy. Not here: cropping (ad/weight_crop.hpp).
#ifndef HEPAD_AD_LR_WEIGHTS_HPP
#define HEPAD_AD_LR_WEIGHTS_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace hepad::ad {

/// What to do with a weight that is NaN or infinite (or does not fit the scalar type).
enum class nonfinite_policy : int {
  zero = 0,   ///< set it to 0 and count it (the original's behaviour, now reported)
  raise = 1   ///< throw `numerical_error` naming the first offending event
};

/// Summary statistics of a weight vector (population standard deviation, as numpy's std).
struct weight_summary {
  std::int64_t n = 0;            ///< events
  std::int64_t n_nonfinite = 0;  ///< non-finite weights met (before the policy)
  std::int64_t n_zero = 0;       ///< weights equal to 0 (after the policy)
  double sum = 0, sum_sq = 0, mean = 0, std = 0;
  double min = std::numeric_limits<double>::quiet_NaN(), max = std::numeric_limits<double>::quiet_NaN();
  /// Kish effective sample size (sum w)^2 / sum w^2.
  [[nodiscard]] double effective_size() const noexcept { return sum_sq > 0 ? sum * sum / sum_sq : 0.0; }
};

/// Summary of `w` (finite entries only; non-finite ones are counted).
template <class S>
[[nodiscard]] inline weight_summary summarize_weights(vector_cref<S> w) {
  weight_summary s;
  s.n = w.size();
  double mn = std::numeric_limits<double>::infinity(), mx = -mn;
  std::int64_t k = 0;
  for (index_t i = 0; i < w.size(); ++i) {
    const double v = static_cast<double>(w(i));
    if (!std::isfinite(v)) {
      ++s.n_nonfinite;
      continue;
    }
    ++k;
    s.sum += v;
    s.sum_sq += v * v;
    if (v == 0.0) ++s.n_zero;
    mn = (std::min)(mn, v);
    mx = (std::max)(mx, v);
  }
  if (k > 0) {
    s.mean = s.sum / static_cast<double>(k);
    s.std = std::sqrt((std::max)(0.0, s.sum_sq / static_cast<double>(k) - s.mean * s.mean));
    s.min = mn;
    s.max = mx;
  }
  return s;
}

/// Weights w_i = exp(logit_i) (a likelihood ratio f/(1 - f) for a classifier output f), computed
/// in double and stored as S; entries that are not finite in S are handled by `policy`.
/// @param summary if not null, receives the summary (with the non-finite count).
/// @throws numerical_error with `nonfinite_policy::raise` if any weight is not finite.
template <class S>
[[nodiscard]] inline vector<S> weights_from_logits(vector_cref<S> logits, nonfinite_policy policy = nonfinite_policy::zero,
                                                   weight_summary* summary = nullptr) {
  vector<S> w(logits.size());
  std::int64_t bad = 0;
  for (index_t i = 0; i < logits.size(); ++i) {
    const double v = std::exp(static_cast<double>(logits(i)));
    const S s = static_cast<S>(v);
    if (!std::isfinite(static_cast<double>(s))) {
      if (policy == nonfinite_policy::raise)
        hepad::detail::raise<numerical_error>(hepad::detail::concat(
            "ad::weights_from_logits: non-finite weight exp(", static_cast<double>(logits(i)), ") at event ", i));
      ++bad;
      w(i) = S(0);
    } else {
      w(i) = s;
    }
  }
  if (summary) {
    *summary = summarize_weights<S>(w);
    summary->n_nonfinite = bad;
  }
  return w;
}

}  // namespace hepad::ad

#endif  // HEPAD_AD_LR_WEIGHTS_HPP
