// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/optimal.hpp
/// @brief The closed-form optimum for known-truth data. By Neyman-Pearson the best classifier
/// is the likelihood ratio p_S(x)/p_B(x); with the true per-event log ratio (from a generator's
/// closed-form densities) `optimal_roc` gives the upper-bound ROC (and, through stats/sic.hpp,
/// the SIC curve every method is compared with, as the S0 "CWoLa oracle"). For two equal-width
/// Gaussians separated by δ standard deviations everything is analytic: TPR(FPR) =
/// 1 - Φ(Φ^-1(1 - FPR) - δ), AUC = Φ(δ/√2).
#ifndef HEPAD_STATS_OPTIMAL_HPP
#define HEPAD_STATS_OPTIMAL_HPP

#include <hepad/core/check.hpp>
#include <hepad/stats/asymptotics.hpp>
#include <hepad/stats/roc.hpp>

#include <cmath>

namespace hepad::stats {

/// The optimal ROC: the ROC of the true log likelihood ratio ln(p_S/p_B) per event (any strictly
/// increasing function of it gives the same curve).
template <class LogRatio, class Labels, class Weights>
inline roc optimal_roc(const LogRatio& log_ratio, const Labels& labels, const Weights& weights, const roc_options& opt = {}) {
  return roc_curve(log_ratio, labels, weights, opt);
}
template <class LogRatio, class Labels>
inline roc optimal_roc(const LogRatio& log_ratio, const Labels& labels, const roc_options& opt = {}) {
  return roc_curve(log_ratio, labels, opt);
}

/// TPR at a given FPR for two unit-width Gaussians `delta` apart (optimal cut).
/// @throws invalid_argument unless 0 <= fpr <= 1.
inline double gaussian_optimal_tpr(double fpr, double delta) {
  check_probability("stats::gaussian_optimal_tpr", "fpr", fpr);
  if (fpr <= 0) return 0.0;
  if (fpr >= 1) return 1.0;
  return normal_sf(normal_quantile(1.0 - fpr) - delta);
}
/// AUC of the optimal classifier for two unit-width Gaussians `delta` apart: Φ(δ/√2).
inline double gaussian_optimal_auc(double delta) { return normal_cdf(delta / std::sqrt(2.0)); }
/// SIC = TPR/sqrt(FPR) of the optimal classifier at `fpr` (> 0).
inline double gaussian_optimal_sic(double fpr, double delta) {
  check_positive("stats::gaussian_optimal_sic", "fpr", fpr);
  return gaussian_optimal_tpr(fpr, delta) / std::sqrt(fpr);
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_OPTIMAL_HPP
