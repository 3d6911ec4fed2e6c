// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/metrics.hpp
/// @brief Metric policies (model `hepad::metric`): `roc_auc_metric`, `max_sic_metric`,
/// `sic_at_rejection_metric`, `fpr_at_tpr_metric`. Each is an aggregate config with a `name` and a
/// field list, and `evaluate(scores, labels, weights)` returning a `result<double>`.
///
/// The underlying free functions are in stats/roc.hpp and stats/sic.hpp. Not here: curves and
/// bands (stats/curves.hpp).
#ifndef HEPAD_STATS_METRICS_HPP
#define HEPAD_STATS_METRICS_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/result.hpp>
#include <hepad/stats/roc.hpp>
#include <hepad/stats/sic.hpp>

#include <string_view>
#include <tuple>

namespace hepad::stats {

/// Area under the weighted ROC curve.
struct roc_auc_metric {
  static constexpr std::string_view name = "roc_auc";
  static constexpr auto fields() { return std::tuple{}; }
  template <class Scores, class Labels, class Weights>
  [[nodiscard]] result<double> evaluate(const Scores& s, const Labels& y, const Weights& w) const {
    return {auc(w.size() == 0 ? roc_curve(s, y) : roc_curve(s, y, w))};
  }
};

/// Maximum SIC over ROC points with FPR > `min_fpr`; if `min_fpr` is 0 (default) the floor is
/// `max_sic_min_fpr(background weight total, relative_uncertainty)`, i.e. FPR > 1/(0.16 N_bkg).
struct max_sic_metric {
  double min_fpr = 0;                  ///< explicit FPR floor (0: derive from the background total)
  double relative_uncertainty = 0.4;   ///< used when `min_fpr` is 0
  static constexpr std::string_view name = "max_sic";
  static constexpr auto fields() {
    return std::tuple{config::field{"min_fpr", &max_sic_metric::min_fpr},
                      config::field{"relative_uncertainty", &max_sic_metric::relative_uncertainty}};
  }
  template <class Scores, class Labels, class Weights>
  [[nodiscard]] result<double> evaluate(const Scores& s, const Labels& y, const Weights& w) const {
    const roc r = w.size() == 0 ? roc_curve(s, y) : roc_curve(s, y, w);
    const double floor = min_fpr > 0 ? min_fpr : max_sic_min_fpr(r.background_total, relative_uncertainty);
    const auto m = max_sic(r, floor);
    return {m.value.value, m.status, 0, m.message};
  }
};

/// SIC at background rejection `rejection` (no interpolation; undefined if never crossed).
struct sic_at_rejection_metric {
  double rejection = 1e3;
  static constexpr std::string_view name = "sic_at_rejection";
  static constexpr auto fields() {
    return std::tuple{config::field{"rejection", &sic_at_rejection_metric::rejection}};
  }
  template <class Scores, class Labels, class Weights>
  [[nodiscard]] result<double> evaluate(const Scores& s, const Labels& y, const Weights& w) const {
    const auto m = sic_at_rejection(w.size() == 0 ? roc_curve(s, y) : roc_curve(s, y, w), rejection);
    return {m.value.value, m.status, 0, m.message};
  }
};

/// Background efficiency (FPR) at signal efficiency `tpr`, interpolated along the ROC curve.
struct fpr_at_tpr_metric {
  double tpr = 0.5;
  static constexpr std::string_view name = "fpr_at_tpr";
  static constexpr auto fields() { return std::tuple{config::field{"tpr", &fpr_at_tpr_metric::tpr}}; }
  template <class Scores, class Labels, class Weights>
  [[nodiscard]] result<double> evaluate(const Scores& s, const Labels& y, const Weights& w) const {
    const auto m = fpr_at_tpr(w.size() == 0 ? roc_curve(s, y) : roc_curve(s, y, w), tpr);
    return {m.value.value, m.status, 0, m.message};
  }
};

}  // namespace hepad::stats

#endif  // HEPAD_STATS_METRICS_HPP
