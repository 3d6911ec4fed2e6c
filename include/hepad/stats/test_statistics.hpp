// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/test_statistics.hpp
/// @brief Profile-likelihood-ratio test statistics on any likelihood model with a parameter of
/// interest: q0 (discovery), qμ and q̃μ (upper limits), as free functions and as policies modelling
/// `hepad::test_statistic`, with asymptotic p-values, significance and CLs (the Asimov value for
/// qμ,A from the background-only Asimov data set, when the likelihood can make one).
///
/// With F = -ln L (errordef 0.5) or -2 ln L (errordef 1), q = (F_conditional - F_min)/errordef:
/// - q0 = q at μ = 0 if μ̂ >= 0, else 0;
/// - qμ = q at μ if μ̂ <= μ, else 0;
/// - q̃μ: as qμ, but for μ̂ < 0 the reference is the fit at μ = 0.
/// The POI must not be bounded below by 0 for μ̂ < 0 to be seen (HistFactory normfactors are not).
#ifndef HEPAD_STATS_TEST_STATISTICS_HPP
#define HEPAD_STATS_TEST_STATISTICS_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/concepts/likelihood.hpp>
#include <hepad/core/concepts/test_statistic.hpp>
#include <hepad/stats/asymptotics.hpp>
#include <hepad/stats/fit.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>

namespace hepad::stats {

/// Settings shared by the test statistics.
struct hypotest_options {
  fit_options fit{.hesse = false};                         ///< the unconditional fit
  migrad conditional{.strategy = 1, .tolerance = 0.01};   ///< the conditional fits
  bool asymptotic = true;                                  ///< compute asymptotic p-values / CLs (needs Asimov data for q̃μ)
};

namespace detail {
inline test_result failed(std::string name, const fit_status& s, std::string what) {
  test_result r;
  r.statistic = std::move(name);
  r.status = s.code == status::success ? status::not_converged : s.code;
  r.message = what + ": " + s.message;
  return r;
}
/// qμ or q̃μ with a given global fit; no p-values.
template <class L>
test_result qmu_value(const L& l, const minimum& global, double mu, bool tilde, const hypotest_options& opt) {
  const std::size_t k = l.poi();
  const double up = global.errordef;
  test_result r;
  r.statistic = tilde ? "qmu_tilde" : "qmu";
  r.poi_hat = global.values[k];
  r.poi_tested = mu;
  if (r.poi_hat > mu) {
    r.value = 0;
    return r;
  }
  const auto c = conditional_fit(l, global, k, mu, opt.conditional);
  if (!c.status.valid()) return failed(r.statistic, c.status, "conditional fit at the tested value");
  double ref = global.fval;
  if (tilde && r.poi_hat < 0) {
    const auto c0 = conditional_fit(l, global, k, 0.0, opt.conditional);
    if (!c0.status.valid()) return failed(r.statistic, c0.status, "conditional fit at mu = 0");
    ref = c0.fval;
  }
  r.value = (std::max)(0.0, (c.fval - ref) / up);
  return r;
}
}  // namespace detail

/// q0 of likelihood `l` (discovery test of μ = 0) with its asymptotic p-value and significance.
template <has_poi L>
test_result q0_test(const L& l, const hypotest_options& opt = {}) {
  const minimum g = fit_likelihood(l, opt.fit);
  if (!g.valid()) return detail::failed("q0", g.status, "unconditional fit");
  const std::size_t k = l.poi();
  test_result r;
  r.statistic = "q0";
  r.poi_hat = g.values[k];
  r.poi_tested = 0.0;
  if (r.poi_hat > 0) {
    const auto c = conditional_fit(l, g, k, 0.0, opt.conditional);
    if (!c.status.valid()) return detail::failed("q0", c.status, "conditional fit at mu = 0");
    r.value = (std::max)(0.0, (c.fval - g.fval) / g.errordef);
  }
  if (opt.asymptotic) {
    r.p_value = asymptotic_p0(r.value);
    r.significance = std::sqrt(r.value);
  }
  return r;
}

/// qμ (`tilde` = false) or q̃μ (`tilde` = true) of `l` at `mu`, with asymptotic CLs from the
/// background-only Asimov data set when `l` models `asimov_likelihood`; else the p-value only
/// (for q̃μ with μ̂ < 0, through σ² = (μ - μ̂)²/qμ and CCGV eq. 66).
template <has_poi L>
test_result qmu_test(const L& l, double mu, bool tilde = true, const hypotest_options& opt = {}) {
  check_finite("stats::qmu_test", "mu", mu);
  const minimum g = fit_likelihood(l, opt.fit);
  if (!g.valid()) return detail::failed(tilde ? "qmu_tilde" : "qmu", g.status, "unconditional fit");
  test_result r = detail::qmu_value(l, g, mu, tilde, opt);
  if (!r.ok() || !opt.asymptotic) return r;
  if constexpr (asimov_likelihood<L>) {
    // background-only Asimov data: nuisances from the fit at μ = 0 on the observed data
    const std::size_t k = l.poi();
    const auto c0 = conditional_fit(l, g, k, 0.0, opt.conditional);
    if (!c0.status.valid()) return detail::failed(r.statistic, c0.status, "conditional fit at mu = 0 for the Asimov data");
    const L a = l.asimov(c0.values);
    auto pa = fit_parameters(a);
    for (std::size_t i = 0; i < pa.size(); ++i) pa[i].value = c0.values[i];
    const minimum ga = fit_likelihood(a, std::span<const parameter>(pa), opt.fit);
    if (!ga.valid()) return detail::failed(r.statistic, ga.status, "fit of the Asimov data");
    const auto ca = conditional_fit(a, ga, k, mu, opt.conditional);
    if (!ca.status.valid()) return detail::failed(r.statistic, ca.status, "conditional fit of the Asimov data");
    const double qa = (std::max)(0.0, (ca.fval - ga.fval) / ga.errordef);
    const auto v = asymptotic_cls(r.value, qa, tilde);
    r.clsb = v.clsb;
    r.clb = v.clb;
    r.cls = v.cls;
    r.p_value = v.clsb;
    r.significance = significance((std::min)(1.0, (std::max)(0.0, v.clsb)));
  } else if (tilde && r.poi_hat < 0 && r.value > 0 && mu > 0) {
    // Without Asimov data, σ comes from the plain qμ = (μ - μ̂)²/σ² of the same fit, and
    // q_A = μ²/σ²; then CCGV eq. 66 gives the p-value of q̃μ (1 - Φ(√q̃) would be wrong here).
    const test_result plain = detail::qmu_value(l, g, mu, false, opt);
    if (!plain.ok()) return plain;
    if (!(plain.value > 0)) {
      fit_status fs;
      fs.message = "qmu is 0 although mu-hat < mu";
      return detail::failed(r.statistic, fs, "the width of the asymptotic distribution");
    }
    const double d = mu - r.poi_hat, qa = mu * mu * plain.value / (d * d);
    r.p_value = asymptotic_p_qmu_tilde(r.value, qa);
    r.significance = significance((std::min)(1.0, (std::max)(0.0, r.p_value)));
  } else {
    r.p_value = asymptotic_p_qmu(r.value);
    r.significance = significance(r.p_value);
  }
  return r;
}

/// Policy: q0 (models `test_statistic` and `asymptotic_statistic` on likelihoods with a POI).
struct q0_statistic {
  hypotest_options options{};
  static constexpr std::string_view name = "q0";
  template <has_poi L>
  [[nodiscard]] test_result evaluate(const L& l) const { return q0_test(l, options); }
  /// P(q0 >= q) under μ = 0: 1 - Φ(√q).
  [[nodiscard]] double asymptotic_p_value(double q) const { return asymptotic_p0(q); }
};

/// Policy: qμ or q̃μ at `mu`.
struct qmu_statistic {
  double mu = 1.0;
  bool tilde = true;
  hypotest_options options{};
  static constexpr std::string_view name = "qmu";
  static constexpr auto fields() {
    return std::tuple{config::field{"mu", &qmu_statistic::mu}, config::field{"tilde", &qmu_statistic::tilde}};
  }
  template <has_poi L>
  [[nodiscard]] test_result evaluate(const L& l) const { return qmu_test(l, mu, tilde, options); }
  /// P(qμ >= q) under μ: 1 - Φ(√q) (for q̃μ valid where q <= qA).
  [[nodiscard]] double asymptotic_p_value(double q) const { return asymptotic_p_qmu(q); }
};

}  // namespace hepad::stats

#endif  // HEPAD_STATS_TEST_STATISTICS_HPP
