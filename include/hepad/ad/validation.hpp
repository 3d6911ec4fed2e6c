// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/validation.hpp
/// @brief The template's systematic uncertainty from a validation region without signal: the
/// control-region hold-out. The trained CWoLa ensemble (all members: none has seen a CR event)
/// scores the CR data hold-out and the method's CR template (`background_estimate::cr`: Reweight's
/// weighted MC-CR hold-out, Generate's flow samples at the data-CR hold-out contexts, Morph's
/// transported MC-CR hold-out, Ideal's independent CR events); at each template efficiency eps of
/// the significance scan the cut is placed at the CR template's weighted eps-quantile, and the
/// background passing it is predicted exactly as in the SR (ad/significance.hpp: template yield or
/// score sideband). The non-closure
///
///   R = N_data,CR(pass) / N_template,CR(pass),   sigma_R^2 = max(N_data, 1) / N_tmpl^2 + R^2 var(N_tmpl) / N_tmpl^2,
///   relative systematic = sqrt((R - 1)^2 + sigma_R^2)
///
/// is the relative systematic of the SR prediction at that eps (the observed non-closure and its
/// own statistical uncertainty in quadrature: conservative, about sqrt(2) sigma_R when the
/// template closes). What it covers and what not: the CWoLa features (every column but the two
/// context columns) exist in the CR, so the score is defined there, but the template is
/// validated where the method is trained or fitted (interpolation) while the SR prediction is an
/// extrapolation in the context; an SR-only mismodelling is not seen. The CR templates are
/// normalised to the CR data count, so with `template_yield` only the shape is validated, not
/// the SR yield. Not here: the scan itself (ad/significance.hpp).
#ifndef HEPAD_AD_VALIDATION_HPP
#define HEPAD_AD_VALIDATION_HPP

#include <hepad/ad/background_template.hpp>
#include <hepad/ad/cwola.hpp>
#include <hepad/ad/significance.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::ad {

/// The template's non-closure at one cut in a validation region.
struct validation_point {
  double efficiency = 0;          ///< template efficiency of the cut (as in the scan)
  double threshold = 0;           ///< score threshold (the template's eps-quantile in the region)
  double observed = 0;            ///< data events passing
  double predicted = 0;           ///< template prediction of them
  double predicted_error = 0;     ///< its statistical uncertainty
  double ratio = 0;               ///< observed / predicted (0 if nothing is predicted)
  double ratio_error = 0;         ///< statistical uncertainty of the ratio
  double relative_systematic = 0; ///< sqrt((ratio - 1)^2 + ratio_error^2)
  bool valid = false;             ///< false: no template weight passes (or an empty sideband)
  /// Field list (`config::to_value` writes a point as JSON).
  static constexpr auto fields() {
    using p = validation_point;
    return std::tuple{config::field{"efficiency", &p::efficiency},
                      config::field{"threshold", &p::threshold},
                      config::field{"observed", &p::observed},
                      config::field{"predicted", &p::predicted},
                      config::field{"predicted_error", &p::predicted_error},
                      config::field{"ratio", &p::ratio},
                      config::field{"ratio_error", &p::ratio_error},
                      config::field{"relative_systematic", &p::relative_systematic},
                      config::field{"valid", &p::valid}};
  }
};

/// The non-closure of a template against data in a region without signal, on scores already
/// computed: `template_scores` with `template_weights` (their sum: the data count the template
/// stands for) and `data_scores`, at each efficiency of `cfg` with its normalisation.
/// Complexity O(n log n) per efficiency.
/// @throws invalid_argument for empty or mismatched inputs, negative or non-finite weights and
/// efficiencies outside (0, 1].
template <class S>
[[nodiscard]] inline std::vector<validation_point> validate_template_scores(std::type_identity_t<vector_cref<S>> template_scores,
                                                                            std::type_identity_t<vector_cref<S>> template_weights,
                                                                            std::type_identity_t<vector_cref<S>> data_scores,
                                                                            const significance_config& cfg = {}) {
  constexpr std::string_view fn = "ad::validate_template_scores";
  check_not_empty(fn, "template scores", static_cast<std::size_t>(template_scores.size()));
  check_not_empty(fn, "data scores", static_cast<std::size_t>(data_scores.size()));
  check_size(fn, "template weights", static_cast<std::size_t>(template_weights.size()),
             static_cast<std::size_t>(template_scores.size()));
  check_all_finite(fn, "template weights", template_weights);
  if ((template_weights.array() < S(0)).any()) throw_invalid_argument(fn, "template weights must be non-negative");
  check_in_range(fn, "sideband_fraction", cfg.sideband_fraction, 0.01, 0.99);
  std::vector<std::pair<double, double>> sw;
  sw.reserve(static_cast<std::size_t>(template_scores.size()));
  double yield = 0;
  for (index_t i = 0; i < template_scores.size(); ++i) {
    sw.emplace_back(static_cast<double>(template_scores(i)), static_cast<double>(template_weights(i)));
    yield += static_cast<double>(template_weights(i));
  }
  std::vector<double> data(static_cast<std::size_t>(data_scores.size()));
  for (index_t i = 0; i < data_scores.size(); ++i) data[static_cast<std::size_t>(i)] = static_cast<double>(data_scores(i));
  std::vector<validation_point> out;
  for (const double eff : cfg.efficiencies) {
    detail::check_efficiency(fn, eff, cfg);
    const detail::cut_prediction c = detail::predict_cut(sw, data, eff, yield, cfg.normalisation, cfg.sideband_fraction);
    validation_point p;
    p.efficiency = eff;
    p.threshold = c.t_cut;
    p.observed = c.observed;
    p.valid = c.valid;
    if (c.valid) {
      p.predicted = c.predicted;
      p.predicted_error = std::sqrt(c.variance);
      p.ratio = c.observed / c.predicted;
      p.ratio_error = std::sqrt((std::max)(c.observed, 1.0) / (c.predicted * c.predicted) +
                                p.ratio * p.ratio * c.variance / (c.predicted * c.predicted));
      p.relative_systematic = std::sqrt((p.ratio - 1.0) * (p.ratio - 1.0) + p.ratio_error * p.ratio_error);
    }
    out.push_back(p);
  }
  return out;
}

/// The non-closure of `region_template` against `region_data` (features, no signal) under the
/// score of the trained CWoLa ensemble `cw` (averaged over all members, clipped as `cw` is; the
/// region's events were seen by none), at each efficiency of `cfg`.
/// @throws invalid_argument for empty inputs or a feature width other than the ensemble's.
template <class S>
[[nodiscard]] inline std::vector<validation_point> validate_template(const cwola_result<S>& cw,
                                                                     const background_template<S>& region_template,
                                                                     std::type_identity_t<matrix_cref<S>> region_data,
                                                                     const significance_config& cfg = {}) {
  constexpr std::string_view fn = "ad::validate_template";
  region_template.validate(fn);
  check_not_empty(fn, "region template", static_cast<std::size_t>(region_template.size()));
  check_not_empty(fn, "region data", static_cast<std::size_t>(region_data.rows()));
  check_size(fn, "region data feature columns", static_cast<std::size_t>(region_data.cols()),
             static_cast<std::size_t>(region_template.features.cols()));
  const vector<S> st = cw.predict_score(region_template.features);
  const vector<S> sd = cw.predict_score(region_data);
  return validate_template_scores<S>(st, region_template.weights, sd, cfg);
}

/// The relative systematics of a validation, one per point (those of invalid points: `fallback`),
/// for `significance_scan(..., systematics)`.
[[nodiscard]] inline std::vector<double> relative_systematics(const std::vector<validation_point>& v,
                                                              double fallback = 1.0) {
  std::vector<double> out;
  out.reserve(v.size());
  for (const auto& p : v) out.push_back(p.valid ? p.relative_systematic : fallback);
  return out;
}

}  // namespace hepad::ad

#endif  // HEPAD_AD_VALIDATION_HPP
