// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/significance.hpp
/// @brief The score -> background estimate -> significance step (no reference code has it). After
/// a cut on the out-of-fold CWoLa score, the background template's weighted efficiency of the cut
/// predicts the background passing it, and the discovery significance of the observed count
/// follows from the profile likelihood of an on/off (counting + auxiliary) model whose auxiliary
/// measurement carries the template's uncertainty:
///
///   n ~ Poisson(mu + b),  m ~ Poisson(tau b),  tau = b_hat / sigma_b^2,  m = tau b_hat,
///   q0 = -2 ln [L(0, b_hat_hat) / L(mu_hat, b_hat)],  Z = sqrt(q0).
///
/// `discovery_significance` evaluates Z in closed form; `discovery_significance_fit` obtains the
/// same q0 by two fits with the statistics layer's minimiser (stats/minimize.hpp), which is what
/// `significance_scan` reports (with the closed form as a check).
///
/// Background prediction per fold g (events are scored by the members that never trained on
/// them): b_g = B_g eps_g with eps_g the template's weighted efficiency of the cut and B_g the
/// SR background normalisation, either from the template's own weights (`template_yield`) or from
/// the data in a signal-poor score sideband (`score_sideband`: B_g = N_data,g(score <= t_sb) /
/// f_g with f_g the template fraction below t_sb; the default, robust against a biased template
/// normalisation).
///
/// Systematic uncertainty: the prediction's statistical variance is enlarged by (r b)^2 with r
/// the quadrature sum of `significance_config::relative_systematic` and, optionally, one relative
/// systematic per efficiency (e.g. the template's non-closure in the control region at the same
/// efficiency, ad/validation.hpp). Each point keeps the significance with the statistical
/// uncertainty only (`z_stat`) next to the one with everything (`z_signed`, `z`).
#ifndef HEPAD_AD_SIGNIFICANCE_HPP
#define HEPAD_AD_SIGNIFICANCE_HPP

#include <hepad/ad/background_template.hpp>
#include <hepad/ad/cwola.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/dataset.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/result.hpp>
#include <hepad/stats/minimize.hpp>
#include <hepad/stats/parameter.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace hepad::ad {

/// Closed-form discovery significance of `n` observed events over a background `b` known with
/// uncertainty `sigma_b` (profile likelihood of the on/off model above; sigma_b = 0: the Poisson
/// likelihood ratio sqrt(2 (n ln(n/b) - (n - b)))). Signed: negative when n < b.
/// @throws invalid_argument for b <= 0, n < 0 or sigma_b < 0.
[[nodiscard]] inline double discovery_significance(double n, double b, double sigma_b) {
  constexpr std::string_view fn = "ad::discovery_significance";
  check_nonnegative(fn, "n", n);
  check_positive(fn, "b", b);
  check_nonnegative(fn, "sigma_b", sigma_b);
  double q0;
  if (sigma_b == 0.0) {
    q0 = 2.0 * ((n > 0 ? n * std::log(n / b) : 0.0) - (n - b));
  } else {
    // on/off with tau = b / sigma_b^2 and m = tau b; with log1p forms that stay accurate when
    // tau is large (sigma_b -> 0): (1 + tau)/(n + m) = (1 + 1/tau) / (b (1 + n/m)).
    const double tau = b / (sigma_b * sigma_b), m = tau * b;
    const double l = std::log1p(1.0 / tau) - std::log1p(n / m);
    q0 = 2.0 * ((n > 0 ? n * (std::log(n / b) + l) : 0.0) + m * l);
  }
  const double z = std::sqrt((std::max)(0.0, q0));
  return n >= b ? z : -z;
}

/// The one-sided discovery significance from the profile likelihood evaluated with
/// `stats::minimize` (two fits: mu >= 0 and b free; mu = 0 and b free), so `value` is
/// max(0, discovery_significance(n, b, sigma_b)) up to the fits' precision. `status` reports the
/// fits.
[[nodiscard]] inline result<double> discovery_significance_fit(double n, double b, double sigma_b) {
  constexpr std::string_view fn = "ad::discovery_significance_fit";
  check_nonnegative(fn, "n", n);
  check_positive(fn, "b", b);
  check_nonnegative(fn, "sigma_b", sigma_b);
  const double tau = sigma_b > 0 ? b / (sigma_b * sigma_b) : 0.0, m = tau * b;
  // -ln L(mu, beta) with beta = b / b_hat (well scaled), up to constants
  auto nll = [n, m, tau, b, sigma_b](auto p) {
    using std::log;
    const auto mu = p[0], beta = p[1];
    const auto bb = beta * b;
    auto v = (mu + bb) - n * log(mu + bb);
    if (sigma_b > 0) v = v + tau * bb - m * log(tau * bb);
    return v;
  };
  const double scale = std::sqrt(b) + sigma_b;
  std::vector<stats::parameter> free{{"mu", (std::max)(n - b, 0.0) + 0.1 * scale, scale, 0.0, std::numeric_limits<double>::infinity()},
                                     {"beta", 1.0, 0.1, 1e-9, std::numeric_limits<double>::infinity(), sigma_b == 0.0}};
  std::vector<stats::parameter> null = free;
  null[0].value = 0.0;
  null[0].fixed = true;
  result<double> out;
  const stats::minimum m1 = stats::minimize(nll, std::span<const stats::parameter>(free));
  const stats::minimum m0 = stats::minimize(nll, std::span<const stats::parameter>(null));
  if (!m1.valid() || !m0.valid()) {
    out.status = !m1.valid() ? m1.status.code : m0.status.code;
    out.message = hepad::detail::concat(fn, ": ", !m1.valid() ? m1.status.message : m0.status.message);
  }
  const double q0 = 2.0 * (m0.fval - m1.fval);
  out.value = std::sqrt((std::max)(0.0, q0));
  out.iterations = m0.n_calls + m1.n_calls;
  return out;
}

/// How the SR background normalisation is obtained.
enum class normalisation_kind : int {
  template_yield = 0,  ///< the template's weights (sum = predicted SR data background)
  score_sideband = 1   ///< data below a score quantile of the template (signal-poor)
};

/// Settings of the significance step.
struct significance_config {
  std::vector<double> efficiencies{1e-1, 1e-2, 1e-3};  ///< template efficiencies of the cuts
  normalisation_kind normalisation = normalisation_kind::score_sideband;
  double sideband_fraction = 0.5;     ///< template fraction in the score sideband
  double relative_systematic = 0.0;   ///< extra relative uncertainty of the background prediction

  static constexpr std::string_view name = "significance";
  static constexpr auto fields() {
    return std::tuple{config::field{"efficiencies", &significance_config::efficiencies},
                      config::field{"normalisation", &significance_config::normalisation},
                      config::field{"sideband_fraction", &significance_config::sideband_fraction},
                      config::field{"relative_systematic", &significance_config::relative_systematic}};
  }
};

/// One cut of the scan.
struct significance_point {
  double efficiency = 0;        ///< requested template efficiency
  double observed = 0;          ///< data events passing
  double background = 0;        ///< predicted background passing
  double background_error = 0;  ///< its uncertainty (statistical and systematic)
  double z = 0;                 ///< one-sided discovery significance (stats fit; 0 when n <= b)
  double z_signed = 0;          ///< closed form, signed (negative when n < b): about N(0, 1) without signal
  double z_naive = 0;           ///< (n - b)/sqrt(b), ignoring the background uncertainty
  double z_stat = 0;            ///< closed form, signed, with the statistical uncertainty of b only
  double relative_systematic = 0;  ///< relative systematic applied to b (all sources, in quadrature)
  hepad::status fit_status = hepad::status::success;
  // truth diagnostics (from the data's labels; not used by the estimate)
  double true_signal = 0;       ///< signal events passing
  double true_background = 0;   ///< background events passing
  [[nodiscard]] double pull() const noexcept {
    return background_error > 0 ? (background - true_background) / background_error : 0.0;
  }
  /// Field list (`config::to_value` writes a point as JSON).
  static constexpr auto fields() {
    using p = significance_point;
    return std::tuple{config::field{"efficiency", &p::efficiency},
                      config::field{"observed", &p::observed},
                      config::field{"background", &p::background},
                      config::field{"background_error", &p::background_error},
                      config::field{"z", &p::z},
                      config::field{"z_signed", &p::z_signed},
                      config::field{"z_naive", &p::z_naive},
                      config::field{"z_stat", &p::z_stat},
                      config::field{"relative_systematic", &p::relative_systematic},
                      config::field{"fit_status", &p::fit_status},
                      config::field{"true_signal", &p::true_signal},
                      config::field{"true_background", &p::true_background}};
  }
};

namespace detail {
// Score thresholds of a weighted sample: `upper` gives the smallest event score t such that the
// weight of events with score >= t is <= q W (+inf if none); `lower` the largest t such that the
// weight of events with score <= t is <= q W (-inf if none). Sorts `sw` (score, weight).
inline double upper_threshold(std::vector<std::pair<double, double>> sw, double q) {
  std::sort(sw.begin(), sw.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  double total = 0, acc = 0, thr = std::numeric_limits<double>::infinity();
  for (const auto& p : sw) total += p.second;
  for (const auto& p : sw) {
    if (acc + p.second > q * total) break;
    acc += p.second;
    thr = p.first;
  }
  return thr;
}
inline double lower_threshold(std::vector<std::pair<double, double>> sw, double q) {
  for (auto& p : sw) p.first = -p.first;
  return -upper_threshold(std::move(sw), q);
}

// A scan efficiency: in (0, 1], and clear of the score sideband when that normalises.
inline void check_efficiency(std::string_view fn, double eff, const significance_config& cfg) {
  check_in_range(fn, "efficiency", eff, 1e-9, 1.0);
  if (cfg.normalisation == normalisation_kind::score_sideband && eff + cfg.sideband_fraction > 1.0)
    throw_invalid_argument(fn, hepad::detail::concat("efficiency ", eff, " overlaps the score sideband (fraction ",
                                                     cfg.sideband_fraction, ")"));
}

// The background predicted to pass a cut at template efficiency `eff` for one group of events
// (a fold, or a validation region): `sw` the template's (score, weight), `data` the data scores,
// `yield` the template-yield normalisation of the group (the data background it stands for).
struct cut_prediction {
  bool valid = false;       // false: no template weight passes, or the sideband is empty
  double t_cut = 0, t_sb = 0;
  double observed = 0;      // data passing
  double predicted = 0;     // background predicted to pass
  double variance = 0;      // its statistical variance
};
inline cut_prediction predict_cut(const std::vector<std::pair<double, double>>& sw, const std::vector<double>& data,
                                  double eff, double yield, normalisation_kind norm, double sideband_fraction) {
  cut_prediction c;
  if (sw.empty()) return c;
  c.t_cut = upper_threshold(sw, eff);
  c.t_sb = lower_threshold(sw, sideband_fraction);
  double W = 0, Wp = 0, Wp2 = 0, Wf2 = 0, Wb = 0, Wb2 = 0;
  for (const auto& q : sw) {
    W += q.second;
    if (q.first >= c.t_cut) {
      Wp += q.second;
      Wp2 += q.second * q.second;
    } else {
      Wf2 += q.second * q.second;
    }
    if (q.first <= c.t_sb) {
      Wb += q.second;
      Wb2 += q.second * q.second;
    }
  }
  double n_sb = 0;
  for (const double s : data) {
    if (s >= c.t_cut) c.observed += 1;
    if (s <= c.t_sb) n_sb += 1;
  }
  if (!(W > 0) || !(Wp > 0)) return c;
  if (norm == normalisation_kind::score_sideband) {
    if (!(Wb > 0) || !(n_sb > 0)) return c;
    c.predicted = n_sb * Wp / Wb;
    c.variance = c.predicted * c.predicted * (1.0 / n_sb + Wp2 / (Wp * Wp) + Wb2 / (Wb * Wb));
  } else {
    const double e = Wp / W;
    c.predicted = yield * e;
    // variance of a weighted efficiency (pass and fail parts); the yield is taken as known
    const double ve = (Wp2 * (1 - e) * (1 - e) + Wf2 * e * e) / (W * W);
    c.variance = yield * yield * ve;
  }
  c.valid = true;
  return c;
}
}  // namespace detail

/// Scans the cuts of `cfg` on a CWoLa result trained with folds (out-of-fold scores):
/// `bkg` is the template the result was trained on (its uncropped weights are used) and
/// `data_labels` the truth labels of the SR data (diagnostics only). `systematics` (empty, or one
/// per efficiency of `cfg`) are relative systematics of the prediction at each cut, added in
/// quadrature to `cfg.relative_systematic` (e.g. `relative_systematics(validate_template(...))`,
/// ad/validation.hpp).
/// @throws invalid_argument if the result has no out-of-fold scores, sizes differ or a
/// systematic is negative or not finite.
template <class S>
[[nodiscard]] inline std::vector<significance_point> significance_scan(const cwola_result<S>& cw,
                                                                       const background_template<S>& bkg,
                                                                       label_cref data_labels,
                                                                       const significance_config& cfg = {},
                                                                       std::span<const double> systematics = {}) {
  constexpr std::string_view fn = "ad::significance_scan";
  if (!cw.has_out_of_fold())
    throw_invalid_argument(fn, "the CWoLa ensemble was trained without folds (set ensemble.folds >= 2)");
  check_size(fn, "template", static_cast<std::size_t>(bkg.size()), static_cast<std::size_t>(cw.template_scores.size()));
  check_size(fn, "data labels", static_cast<std::size_t>(data_labels.size()), static_cast<std::size_t>(cw.data_scores.size()));
  check_in_range(fn, "sideband_fraction", cfg.sideband_fraction, 0.01, 0.99);
  check_nonnegative(fn, "relative_systematic", cfg.relative_systematic);
  if (!systematics.empty()) {
    check_size(fn, "systematics", systematics.size(), cfg.efficiencies.size());
    for (const double v : systematics) {
      check_finite(fn, "systematics", v);
      check_nonnegative(fn, "systematics", v);
    }
  }
  const int k = static_cast<int>(cw.ensemble.config().folds);
  const double yield = bkg.yield();
  const double n_data = static_cast<double>(cw.data_scores.size());
  std::vector<significance_point> out;
  for (std::size_t ie = 0; ie < cfg.efficiencies.size(); ++ie) {
    const double eff = cfg.efficiencies[ie];
    detail::check_efficiency(fn, eff, cfg);
    significance_point p;
    p.efficiency = eff;
    double var = 0;
    for (int g = 0; g < k; ++g) {
      std::vector<std::pair<double, double>> sw;
      for (index_t i = 0; i < bkg.size(); ++i)
        if (cw.template_folds[static_cast<std::size_t>(i)] == g)
          sw.emplace_back(static_cast<double>(cw.template_scores(i)), static_cast<double>(bkg.weights(i)));
      if (sw.empty()) continue;
      std::vector<double> data;
      std::vector<int> labels;
      for (index_t i = 0; i < cw.data_scores.size(); ++i) {
        if (cw.data_folds[static_cast<std::size_t>(i)] != g) continue;
        data.push_back(static_cast<double>(cw.data_scores(i)));
        labels.push_back(static_cast<int>(data_labels(i)));
      }
      const double n_g = static_cast<double>(data.size());
      const detail::cut_prediction c =
          detail::predict_cut(sw, data, eff, yield * n_g / n_data, cfg.normalisation, cfg.sideband_fraction);
      for (std::size_t i = 0; i < data.size(); ++i)
        if (data[i] >= c.t_cut) (labels[i] == 1 ? p.true_signal : p.true_background) += 1;
      if (!c.valid) continue;
      p.observed += c.observed;
      p.background += c.predicted;
      var += c.variance;
    }
    const double extra = systematics.empty() ? 0.0 : systematics[ie];
    p.relative_systematic = std::sqrt(cfg.relative_systematic * cfg.relative_systematic + extra * extra);
    const double stat = std::sqrt(var);
    var += (p.relative_systematic * p.background) * (p.relative_systematic * p.background);
    p.background_error = std::sqrt(var);
    if (p.background > 0) {
      const auto zf = discovery_significance_fit(p.observed, p.background, p.background_error);
      p.z = zf.value;
      p.fit_status = zf.status;
      p.z_signed = discovery_significance(p.observed, p.background, p.background_error);
      p.z_stat = discovery_significance(p.observed, p.background, stat);
      p.z_naive = (p.observed - p.background) / std::sqrt(p.background);
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace hepad::ad

#endif  // HEPAD_AD_SIGNIFICANCE_HPP
