// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/evaluation.hpp
/// @brief `ad::evaluate_scores`: the S0 §7 figures of merit of one score vector on a labelled test
/// set: AUC, max SIC with the minimum-FPR guard 1/(0.16 N_bkg), SIC at rejection 10^3 and 10^4
/// (NaN and flagged when the ROC never crosses), and SIC / rejection curves on the standard TPR
/// grid for seed bands. Built on stats/roc.hpp, stats/sic.hpp and stats/curves.hpp.
#ifndef HEPAD_AD_EVALUATION_HPP
#define HEPAD_AD_EVALUATION_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/dataset.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/stats/curves.hpp>
#include <hepad/stats/roc.hpp>
#include <hepad/stats/sic.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::ad {

/// Settings of the figures of merit.
struct evaluation_config {
  double relative_uncertainty = 0.4;         ///< max SIC over FPR > 1/(rel^2 N_bkg) (S0 §7)
  std::vector<double> rejections{1e3, 1e4};  ///< SIC at these background rejections

  static constexpr std::string_view name = "evaluation";
  static constexpr auto fields() {
    return std::tuple{config::field{"relative_uncertainty", &evaluation_config::relative_uncertainty},
                      config::field{"rejections", &evaluation_config::rejections}};
  }
};

/// Figures of merit of one score vector.
struct score_metrics {
  double auc = std::numeric_limits<double>::quiet_NaN();
  double max_sic = std::numeric_limits<double>::quiet_NaN();
  double max_sic_tpr = std::numeric_limits<double>::quiet_NaN();  ///< where max SIC was read
  double max_sic_fpr = std::numeric_limits<double>::quiet_NaN();
  double min_fpr = 0;                        ///< the FPR floor used
  std::vector<double> sic_at_rejection;      ///< per `rejections`; NaN if undefined
  std::vector<bool> sic_at_rejection_defined;
  stats::interpolated_curves curves;         ///< SIC(TPR), R(TPR) on the S0 grids
};

/// Evaluates `scores` (larger = more signal-like) against truth `labels` (1 signal, 0 background).
/// @throws invalid_argument if sizes differ or a class is empty.
template <class S>
[[nodiscard]] inline score_metrics evaluate_scores(vector_cref<S> scores, label_cref labels,
                                                   const evaluation_config& cfg = {}) {
  constexpr std::string_view fn = "ad::evaluate_scores";
  check_size(fn, "labels", static_cast<std::size_t>(labels.size()), static_cast<std::size_t>(scores.size()));
  std::vector<double> s(static_cast<std::size_t>(scores.size()));
  std::vector<int> y(s.size());
  double nb = 0;
  for (index_t i = 0; i < scores.size(); ++i) {
    s[static_cast<std::size_t>(i)] = static_cast<double>(scores(i));
    y[static_cast<std::size_t>(i)] = labels(i);
    nb += labels(i) == 0 ? 1.0 : 0.0;
  }
  check_positive(fn, "background events", nb);
  check_positive(fn, "signal events", static_cast<double>(s.size()) - nb);
  const stats::roc r = stats::roc_curve(s, y);
  score_metrics m;
  m.auc = stats::auc(r);
  m.min_fpr = stats::max_sic_min_fpr(nb, cfg.relative_uncertainty);
  const auto ms = stats::max_sic(r, m.min_fpr);
  if (ms.ok()) {
    m.max_sic = ms.value.value;
    m.max_sic_tpr = ms.value.tpr;
    m.max_sic_fpr = ms.value.fpr;
  }
  for (const double rej : cfg.rejections) {
    const auto v = stats::sic_at_rejection(r, rej);
    m.sic_at_rejection.push_back(v.ok() ? v.value.value : std::numeric_limits<double>::quiet_NaN());
    m.sic_at_rejection_defined.push_back(v.ok());
  }
  m.curves = stats::interpolate_curves(r);
  return m;
}

}  // namespace hepad::ad

#endif  // HEPAD_AD_EVALUATION_HPP
