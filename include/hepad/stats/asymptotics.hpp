// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/asymptotics.hpp
/// @brief Asymptotic distributions of profile-likelihood-ratio test statistics (Cowan, Cranmer,
/// Gross, Vitells, Eur. Phys. J. C 71 (2011) 1554): p-values of q0, qμ and q̃μ, CLs and its
/// expected bands from the Asimov value qμ,A, the Asimov discovery significance of a counting
/// experiment, and normal / χ² quantiles from Boost.Math.
///
/// Notation: qA = qμ,A = (μ/σ)² is the statistic on the background-only Asimov data set. With
/// the variable t = √q - √qA (qμ; q̃μ for q̃ <= qA) or t = (q̃ - qA)/(2√qA) (q̃μ for q̃ > qA), t is
/// N(0, 1) under the background-only hypothesis and N(-√qA, 1) under μ, so
/// CLs+b = 1 - Φ(t + √qA), CLb = 1 - Φ(t), CLs = CLs+b/CLb, and the expected CLs for a background
/// fluctuation of N standard deviations (N > 0: weaker limit) is Φ(N - √qA)/Φ(N).
#ifndef HEPAD_STATS_ASYMPTOTICS_HPP
#define HEPAD_STATS_ASYMPTOTICS_HPP

#include <hepad/core/check.hpp>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>

#include <array>
#include <cmath>
#include <limits>

namespace hepad::stats {

/// Standard normal CDF Φ(x).
template <class T = double>
inline T normal_cdf(T x) { return boost::math::cdf(boost::math::normal_distribution<T>(), x); }
/// 1 - Φ(x), accurate in the tail.
template <class T = double>
inline T normal_sf(T x) {
  return boost::math::cdf(boost::math::complement(boost::math::normal_distribution<T>(), x));
}
/// Φ^-1(p). @throws invalid_argument unless 0 < p < 1.
template <class T = double>
inline T normal_quantile(T p) {
  if (!(p > 0 && p < 1)) throw_invalid_argument("stats::normal_quantile", hepad::detail::concat("p must be in (0, 1), got ", p));
  return boost::math::quantile(boost::math::normal_distribution<T>(), p);
}
/// Significance Z = Φ^-1(1 - p) of a one-sided p-value (+inf for p = 0).
template <class T = double>
inline T significance(T p) {
  check_probability("stats::significance", "p", p);
  if (p <= 0) return std::numeric_limits<T>::infinity();
  if (p >= 1) return -std::numeric_limits<T>::infinity();
  return boost::math::quantile(boost::math::complement(boost::math::normal_distribution<T>(), p));
}
/// One-sided p-value 1 - Φ(Z) of a significance.
template <class T = double>
inline T p_value(T z) { return normal_sf(z); }
/// P(χ²_k > q) (Wilks). @throws invalid_argument unless k >= 1.
template <class T = double>
inline T chi2_sf(T q, int k = 1) {
  check_at_least("stats::chi2_sf", "k", k, 1);
  if (!(q > 0)) return 1.0;
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<T>(k), q));
}
/// The χ²_k quantile: q with P(χ²_k <= q) = p.
template <class T = double>
inline T chi2_quantile(T p, int k = 1) {
  check_at_least("stats::chi2_quantile", "k", k, 1);
  if (!(p > 0 && p < 1)) throw_invalid_argument("stats::chi2_quantile", hepad::detail::concat("p must be in (0, 1), got ", p));
  return boost::math::quantile(boost::math::chi_squared_distribution<T>(k), p);
}

/// Asymptotic p-value of q0 (discovery): 1 - Φ(√q0) (CCGV eq. 53; q0 = 0 gives 0.5, the half
/// delta function at zero).
inline double asymptotic_p0(double q0) { return normal_sf(std::sqrt((std::max)(q0, 0.0))); }

/// Asymptotic p-value of qμ (upper limits): 1 - Φ(√qμ).
inline double asymptotic_p_qmu(double qmu) { return normal_sf(std::sqrt((std::max)(qmu, 0.0))); }

/// Asymptotic p-value of q̃μ given the Asimov value qA (CCGV eq. 66).
inline double asymptotic_p_qmu_tilde(double q, double q_asimov) {
  q = (std::max)(q, 0.0);
  const double sa = std::sqrt((std::max)(q_asimov, 0.0));
  if (q <= q_asimov || sa <= 0) return normal_sf(std::sqrt(q));
  return normal_sf((q + q_asimov) / (2.0 * sa));
}

/// CLs+b, CLb and CLs.
struct cls_values {
  double clsb = 1, clb = 1, cls = 1;
};

/// Asymptotic CLs of an observed qμ (or q̃μ when `tilde`) given the Asimov value qA.
inline cls_values asymptotic_cls(double q, double q_asimov, bool tilde = true) {
  q = (std::max)(q, 0.0);
  const double sa = std::sqrt((std::max)(q_asimov, 0.0));
  const double sq = std::sqrt(q);
  const double t = (!tilde || sq <= sa || sa <= 0) ? sq - sa : (q - q_asimov) / (2.0 * sa);
  cls_values v;
  v.clsb = normal_sf(t + sa);
  v.clb = normal_sf(t);
  v.cls = v.clb > 0 ? v.clsb / v.clb : 1.0;
  return v;
}

/// Expected CLs for background fluctuations N = -2, -1, 0, +1, +2 standard deviations (in this
/// order; N > 0 = weaker limit): Φ(N - √qA)/Φ(N).
inline std::array<double, 5> expected_cls(double q_asimov) {
  const double sa = std::sqrt((std::max)(q_asimov, 0.0));
  std::array<double, 5> out{};
  for (int k = 0; k < 5; ++k) {
    const double n = k - 2.0;
    out[static_cast<std::size_t>(k)] = normal_cdf(n - sa) / normal_cdf(n);
  }
  return out;
}

/// Median discovery significance of a counting experiment with expected signal `s` on a known
/// background `b` (Asimov): Z = sqrt(2((s + b) ln(1 + s/b) - s)); with a background uncertainty
/// `sigma_b` > 0 the profiled version (Cowan):
/// Z = sqrt(2[(s+b) ln((s+b)(b+σ²)/(b²+(s+b)σ²)) - (b²/σ²) ln(1 + σ²s/(b(b+σ²)))]).
/// @throws invalid_argument unless s >= 0, b > 0, sigma_b >= 0.
inline double asimov_discovery_significance(double s, double b, double sigma_b = 0) {
  check_nonnegative("stats::asimov_discovery_significance", "s", s);
  check_positive("stats::asimov_discovery_significance", "b", b);
  check_nonnegative("stats::asimov_discovery_significance", "sigma_b", sigma_b);
  if (sigma_b == 0) return std::sqrt(2.0 * ((s + b) * std::log1p(s / b) - s));
  const double v = sigma_b * sigma_b;
  const double t1 = (s + b) * std::log((s + b) * (b + v) / (b * b + (s + b) * v));
  const double t2 = b * b / v * std::log1p(v * s / (b * (b + v)));
  return std::sqrt(2.0 * (t1 - t2));
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_ASYMPTOTICS_HPP
