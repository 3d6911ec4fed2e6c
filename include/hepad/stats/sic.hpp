// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/sic.hpp
/// @brief Significance improvement: the SIC curve (TPR/sqrt(FPR)), max SIC with a minimum-FPR
/// floor, SIC at a background rejection, and FPR (rejection) at a given TPR, all from a `roc`.
///
/// Definitions follow docs/design/stats.md (which follows the S0 specification, §7): points with
/// FPR = 0 are dropped; rejection R = 1/FPR; max SIC is taken over points with FPR > `min_fpr`;
/// SIC at rejection R* is the SIC of the last ROC point with R >= R* whose next point has R < R*
/// (no interpolation), and `status::undefined` if the curve never crosses R*. Not here:
/// interpolated curves and seed bands (stats/curves.hpp).
#ifndef HEPAD_STATS_SIC_HPP
#define HEPAD_STATS_SIC_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/result.hpp>
#include <hepad/stats/roc.hpp>

#include <cmath>
#include <cstddef>
#include <vector>

namespace hepad::stats {

/// The SIC curve: ROC points with FPR > 0, in ROC order (increasing FPR for non-negative weights).
struct sic_points {
  std::vector<double> tpr;        ///< signal efficiency
  std::vector<double> fpr;        ///< background efficiency (> 0)
  std::vector<double> rejection;  ///< 1 / fpr
  std::vector<double> sic;        ///< tpr / sqrt(fpr)
  std::vector<double> thresholds; ///< score thresholds
  [[nodiscard]] std::size_t size() const noexcept { return tpr.size(); }
};

/// SIC = TPR/sqrt(FPR) at every ROC point with FPR > 0. Complexity O(points).
inline sic_points sic_curve(const roc& r) {
  sic_points s;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (!(r.fpr[i] > 0)) continue;
    s.tpr.push_back(r.tpr[i]);
    s.fpr.push_back(r.fpr[i]);
    s.rejection.push_back(1.0 / r.fpr[i]);
    s.sic.push_back(r.tpr[i] / std::sqrt(r.fpr[i]));
    s.thresholds.push_back(r.thresholds[i]);
  }
  return s;
}

/// The FPR floor of max SIC: at least `1/relative_uncertainty^2` background events must pass, i.e.
/// FPR > 1/(relative_uncertainty^2 * n_background). With the default 0.4 and 200,000 test background
/// events this is 3.125e-5 (S0 §7).
/// @throws invalid_argument unless both arguments are positive.
inline double max_sic_min_fpr(double n_background, double relative_uncertainty = 0.4) {
  check_positive("stats::max_sic_min_fpr", "n_background", n_background);
  check_positive("stats::max_sic_min_fpr", "relative_uncertainty", relative_uncertainty);
  return 1.0 / (relative_uncertainty * relative_uncertainty * n_background);
}

/// A figure read off a ROC curve, with where it was read.
struct roc_point {
  double value = 0;      ///< SIC (or FPR for `fpr_at_tpr`)
  double tpr = 0;        ///< signal efficiency of the point
  double fpr = 0;        ///< background efficiency of the point
  double threshold = 0;  ///< score threshold of the point (interpolated for `fpr_at_tpr`)
};

/// Maximum SIC over points with FPR > `min_fpr` (strict). `status::undefined` (value 0) if no point
/// qualifies. @throws invalid_argument if `min_fpr` is negative or not finite.
inline result<roc_point> max_sic(const roc& r, double min_fpr) {
  check_nonnegative("stats::max_sic", "min_fpr", min_fpr);
  check_finite("stats::max_sic", "min_fpr", min_fpr);
  result<roc_point> out;
  bool found = false;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (!(r.fpr[i] > min_fpr)) continue;
    const double s = r.tpr[i] / std::sqrt(r.fpr[i]);
    if (!found || s > out.value.value) {
      out.value = {s, r.tpr[i], r.fpr[i], r.thresholds[i]};
      found = true;
    }
  }
  if (!found) {
    out.status = status::undefined;
    out.message = hepad::detail::concat("stats::max_sic: no ROC point with FPR > ", min_fpr);
  }
  return out;
}

/// SIC at background rejection `rejection` (R* = 1/FPR*): the SIC of the last ROC point (FPR > 0)
/// with R >= R* whose next point has R < R*; no interpolation. `status::undefined` (value 0) if the
/// curve never crosses R*. @throws invalid_argument unless `rejection` >= 1 and finite.
inline result<roc_point> sic_at_rejection(const roc& r, double rejection) {
  check_at_least("stats::sic_at_rejection", "rejection", rejection, 1.0);
  check_finite("stats::sic_at_rejection", "rejection", rejection);
  result<roc_point> out;
  std::size_t prev = r.size();  // previous point with FPR > 0
  std::size_t hit = r.size();
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (!(r.fpr[i] > 0)) continue;
    if (prev != r.size() && 1.0 / r.fpr[prev] >= rejection && 1.0 / r.fpr[i] < rejection) hit = prev;
    prev = i;
  }
  if (hit == r.size()) {
    out.status = status::undefined;
    out.message = hepad::detail::concat("stats::sic_at_rejection: the ROC curve never crosses rejection ",
                                        rejection);
    return out;
  }
  out.value = {r.tpr[hit] / std::sqrt(r.fpr[hit]), r.tpr[hit], r.fpr[hit], r.thresholds[hit]};
  return out;
}

/// FPR at signal efficiency `tpr` by linear interpolation along the ROC curve between the first
/// point with TPR >= `tpr` and its predecessor (`value` = FPR; rejection = 1/value).
/// `status::undefined` if the curve never reaches `tpr`.
/// @throws invalid_argument unless 0 < tpr <= 1.
inline result<roc_point> fpr_at_tpr(const roc& r, double tpr = 0.5) {
  check_in_range("stats::fpr_at_tpr", "tpr", tpr, 0.0, 1.0);
  check_positive("stats::fpr_at_tpr", "tpr", tpr);
  result<roc_point> out;
  for (std::size_t i = 1; i < r.size(); ++i) {
    if (r.tpr[i] >= tpr) {
      const double t0 = r.tpr[i - 1], t1 = r.tpr[i];
      const double a = t1 > t0 ? (tpr - t0) / (t1 - t0) : 1.0;
      const double f = r.fpr[i - 1] + a * (r.fpr[i] - r.fpr[i - 1]);
      const double th = std::isfinite(r.thresholds[i - 1])
                            ? r.thresholds[i - 1] + a * (r.thresholds[i] - r.thresholds[i - 1])
                            : r.thresholds[i];
      out.value = {f, tpr, f, th};
      return out;
    }
  }
  out.status = status::undefined;
  out.message = hepad::detail::concat("stats::fpr_at_tpr: the ROC curve never reaches TPR ", tpr);
  return out;
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_SIC_HPP
