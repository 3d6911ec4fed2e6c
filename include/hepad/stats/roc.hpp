// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/roc.hpp
/// @brief Weighted ROC curves in scikit-learn's convention (`roc_curve`, `auc`, `roc_auc`).
///
/// Here: the curve itself and its area. Derived figures (SIC, max SIC, SIC at a rejection, FPR at a
/// TPR) are in stats/sic.hpp; interpolated curves and seed bands in stats/curves.hpp; metric
/// policies for pipelines in stats/metrics.hpp. See docs/design/stats.md.
///
/// Convention (identical to `sklearn.metrics.roc_curve` 1.2, `drop_intermediate=True`): events are
/// sorted by decreasing score (ties kept in reverse input order, so cumulative sums round exactly as
/// scikit-learn's); one point per distinct score; points whose second difference in both FPR and
/// TPR is exactly zero (collinear) are dropped; a first point (0, 0) with threshold +inf is
/// prepended (scikit-learn 1.2 uses max score + 1 there, 1.3+ uses inf). Weights may be negative;
/// the class totals must be positive.
#ifndef HEPAD_STATS_ROC_HPP
#define HEPAD_STATS_ROC_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/error.hpp>
#include <hepad/stats/detail/span.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

namespace hepad::stats {

/// Options of `roc_curve`.
struct roc_options {
  /// Drop points that are collinear with their neighbours (scikit-learn's `drop_intermediate`).
  bool drop_intermediate = true;
};

/// A ROC curve: `fpr[i]`, `tpr[i]` for events with score >= `thresholds[i]`, ordered by decreasing
/// threshold (so FPR and TPR increase for non-negative weights). Point 0 is (0, 0) at threshold +inf,
/// the last point is (1, 1).
struct roc {
  std::vector<double> fpr;         ///< background efficiency (false-positive rate)
  std::vector<double> tpr;         ///< signal efficiency (true-positive rate)
  std::vector<double> thresholds;  ///< score thresholds (decreasing)
  double signal_total = 0;         ///< sum of signal (label 1) weights
  double background_total = 0;     ///< sum of background (label 0) weights
  /// Number of points.
  [[nodiscard]] std::size_t size() const noexcept { return fpr.size(); }
};

namespace detail {

template <class S, class L, class W>
inline roc roc_curve_impl(std::span<const S> scores, std::span<const L> labels, std::span<const W> weights,
                          const roc_options& opt) {
  constexpr std::string_view fn = "stats::roc_curve";
  const std::size_t n = scores.size();
  check_not_empty(fn, "scores", n);
  check_size(fn, "labels", labels.size(), n);
  const bool weighted = !weights.empty();
  if (weighted) check_size(fn, "weights", weights.size(), n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(static_cast<double>(scores[i])))
      throw_invalid_argument(fn, hepad::detail::concat("scores must be finite, got ",
                                                       static_cast<double>(scores[i]), " at index ", i));
    if (!(labels[i] == L(0) || labels[i] == L(1)))
      throw_invalid_argument(fn, hepad::detail::concat("labels must be 0 or 1, got ",
                                                       static_cast<double>(labels[i]), " at index ", i));
    if (weighted && !std::isfinite(static_cast<double>(weights[i])))
      throw_invalid_argument(fn, hepad::detail::concat("weights must be finite, got ",
                                                       static_cast<double>(weights[i]), " at index ", i));
  }
  // scikit-learn: argsort(score, kind="mergesort")[::-1] -> stable ascending, then reversed.
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), std::uint32_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return scores[a] < scores[b]; });
  std::reverse(order.begin(), order.end());

  std::vector<double> tps, fps, thr;
  double ct = 0, cf = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t i = order[k];
    const double w = weighted ? static_cast<double>(weights[i]) : 1.0;
    if (labels[i] == L(1)) ct += w;
    else cf += w;
    if (k + 1 == n || scores[order[k + 1]] != scores[i]) {
      tps.push_back(ct);
      fps.push_back(cf);
      thr.push_back(static_cast<double>(scores[i]));
    }
  }
  if (!(ct > 0) || !(cf > 0))
    throw_invalid_argument(fn, hepad::detail::concat(
                                   "needs a positive total weight in both classes, got signal ", ct,
                                   " and background ", cf));
  roc r;
  r.signal_total = ct;
  r.background_total = cf;
  const std::size_t m = tps.size();
  std::vector<std::size_t> keep;
  keep.reserve(m);
  if (opt.drop_intermediate && m > 2) {
    keep.push_back(0);
    for (std::size_t i = 1; i + 1 < m; ++i) {
      const double d2f = (fps[i + 1] - fps[i]) - (fps[i] - fps[i - 1]);
      const double d2t = (tps[i + 1] - tps[i]) - (tps[i] - tps[i - 1]);
      if (d2f != 0.0 || d2t != 0.0) keep.push_back(i);
    }
    keep.push_back(m - 1);
  } else {
    for (std::size_t i = 0; i < m; ++i) keep.push_back(i);
  }
  r.fpr.reserve(keep.size() + 1);
  r.tpr.reserve(keep.size() + 1);
  r.thresholds.reserve(keep.size() + 1);
  r.fpr.push_back(0.0);
  r.tpr.push_back(0.0);
  r.thresholds.push_back(std::numeric_limits<double>::infinity());
  for (std::size_t i : keep) {
    r.fpr.push_back(fps[i] / cf);
    r.tpr.push_back(tps[i] / ct);
    r.thresholds.push_back(thr[i]);
  }
  return r;
}

}  // namespace detail

/// ROC curve of `scores` for binary `labels` (1 = signal) with per-event `weights` (may be
/// negative; empty = unit weights).
/// @throws invalid_argument for empty input, size mismatches, non-finite scores or weights,
/// labels other than 0/1, or a class with non-positive total weight.
/// Complexity: O(n log n).
template <stats::detail::contiguous_data Scores, stats::detail::contiguous_data Labels,
          stats::detail::contiguous_data Weights>
inline roc roc_curve(const Scores& scores, const Labels& labels, const Weights& weights,
                     const roc_options& opt = {}) {
  constexpr std::string_view fn = "stats::roc_curve";
  return detail::roc_curve_impl(stats::detail::as_span(scores, fn, "scores"),
                                stats::detail::as_span(labels, fn, "labels"),
                                stats::detail::as_span(weights, fn, "weights"), opt);
}

/// Unweighted ROC curve.
template <stats::detail::contiguous_data Scores, stats::detail::contiguous_data Labels>
inline roc roc_curve(const Scores& scores, const Labels& labels, const roc_options& opt = {}) {
  constexpr std::string_view fn = "stats::roc_curve";
  return detail::roc_curve_impl(stats::detail::as_span(scores, fn, "scores"),
                                stats::detail::as_span(labels, fn, "labels"), std::span<const double>{},
                                opt);
}

/// ROC curve from separate signal and background score arrays (optionally weighted; pass empty
/// weight containers for unit weights). Signal events come first in the tie order.
template <class S>
inline roc roc_curve_sb(std::span<const S> signal, std::span<const S> background,
                        std::span<const double> signal_weights = {},
                        std::span<const double> background_weights = {}, const roc_options& opt = {}) {
  constexpr std::string_view fn = "stats::roc_curve_sb";
  if (!signal_weights.empty()) check_size(fn, "signal_weights", signal_weights.size(), signal.size());
  if (!background_weights.empty())
    check_size(fn, "background_weights", background_weights.size(), background.size());
  const std::size_t n = signal.size() + background.size();
  std::vector<double> s(n), w(n);
  std::vector<std::int8_t> y(n);
  for (std::size_t i = 0; i < signal.size(); ++i) {
    s[i] = static_cast<double>(signal[i]);
    y[i] = 1;
    w[i] = signal_weights.empty() ? 1.0 : signal_weights[i];
  }
  for (std::size_t i = 0; i < background.size(); ++i) {
    s[signal.size() + i] = static_cast<double>(background[i]);
    y[signal.size() + i] = 0;
    w[signal.size() + i] = background_weights.empty() ? 1.0 : background_weights[i];
  }
  return detail::roc_curve_impl(std::span<const double>(s), std::span<const std::int8_t>(y),
                                std::span<const double>(w), opt);
}

/// Area under a curve by the trapezoidal rule (`numpy.trapz(y, x)`), as `sklearn.metrics.auc`.
/// @throws invalid_argument if the sizes differ or fewer than 2 points are given.
inline double trapezoid(std::span<const double> x, std::span<const double> y) {
  check_size("stats::trapezoid", "y", y.size(), x.size());
  check_at_least("stats::trapezoid", "number of points", x.size(), std::size_t{2});
  double s = 0;
  for (std::size_t i = 1; i < x.size(); ++i) s += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2.0;
  return s;
}

/// Area under a ROC curve (trapezoidal). With non-negative weights this equals
/// `sklearn.metrics.roc_auc_score`; with negative weights FPR may decrease locally and the signed
/// area is returned (scikit-learn raises there).
inline double auc(const roc& r) { return trapezoid(r.fpr, r.tpr); }

/// Weighted ROC AUC of `scores` for `labels` (= `auc(roc_curve(scores, labels, weights))`).
template <stats::detail::contiguous_data Scores, stats::detail::contiguous_data Labels,
          stats::detail::contiguous_data Weights>
inline double roc_auc(const Scores& scores, const Labels& labels, const Weights& weights) {
  return auc(roc_curve(scores, labels, weights));
}

/// Unweighted ROC AUC.
template <stats::detail::contiguous_data Scores, stats::detail::contiguous_data Labels>
inline double roc_auc(const Scores& scores, const Labels& labels) {
  return auc(roc_curve(scores, labels));
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_ROC_HPP
