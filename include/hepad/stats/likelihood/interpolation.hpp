// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/likelihood/interpolation.hpp
/// @brief HistFactory interpolation codes 0, 1 and 4 for normalisation (normsys) and shape
/// (histosys) systematics, as functions of the nuisance parameter α valid for `double` and the
/// forward-mode dual types.
///
/// Conventions (ROOT's FlexibleInterpVar for normsys, PiecewiseInterpolation for histosys; pyhf
/// names in brackets):
/// - normsys factor κ(α) with κ(+1) = hi, κ(-1) = lo:
///   code 0 piecewise linear 1 + α(hi-1) / 1 + α(1-lo) [code0]; code 1 piecewise exponential
///   hi^α / lo^-α [code1]; code 4 a 6th-order polynomial for |α| < 1 matching value, first and
///   second derivatives of the exponential at ±1, exponential outside [code4].
///   Codes 0 and 1 have a kink at α = 0 (different one-sided slopes). Exactly at α = 0 the
///   derivative returned is the mean of the two one-sided slopes (what a central difference sees);
///   the value is continuous. Minimizers learn about the kink from the likelihood's `kinks()`.
/// - histosys per bin, nominal n, up u, down d:
///   code 0 additive Δ = α(u-n) / α(n-d) [code0]; code 1 multiplicative κ = (u/n)^α / (d/n)^-α;
///   code 4 additive, polynomial for |α| < 1, linear outside: Δ = α(S + α A (15 + α²(3α² - 10)))
///   with S = (u-d)/2, A = (u+d-2n)/16 [code4p].
#ifndef HEPAD_STATS_LIKELIHOOD_INTERPOLATION_HPP
#define HEPAD_STATS_LIKELIHOOD_INTERPOLATION_HPP

#include <hepad/core/check.hpp>

#include <hepad/core/eigen.hpp>

#include <utility>

#include <array>
#include <cmath>

namespace hepad::stats {

/// Interpolation codes (HistFactory numbering).
enum class interpolation : int { piecewise_linear = 0, exponential = 1, polynomial = 4 };

/// The 6 coefficients a_1..a_6 of code 4: 1 + Σ a_i α^i equals hi^α, lo^-α and their first and
/// second derivatives at α = +1 and -1 (solved from the six conditions).
/// @throws invalid_argument unless lo, hi > 0.
inline std::array<double, 6> poly6_coefficients(double lo, double hi) {
  check_positive("stats::poly6_coefficients", "lo", lo);
  check_positive("stats::poly6_coefficients", "hi", hi);
  const double lh = std::log(hi), ll = std::log(lo);
  Eigen::Matrix<double, 6, 6> a;
  Eigen::Matrix<double, 6, 1> b;
  // rows: f(1), f(-1), f'(1), f'(-1), f''(1), f''(-1) with f(α) = Σ_{i=1..6} a_i α^i (+1)
  for (int i = 1; i <= 6; ++i) {
    const double s = (i % 2 == 0) ? 1.0 : -1.0;  // (-1)^i
    a(0, i - 1) = 1.0;
    a(1, i - 1) = s;
    a(2, i - 1) = i;
    a(3, i - 1) = -s * i;  // d/dα α^i at -1 = i (-1)^(i-1)
    a(4, i - 1) = i * (i - 1);
    a(5, i - 1) = s * i * (i - 1);  // (-1)^(i-2) = (-1)^i
  }
  // lo^-α at α = -1: value lo, derivative -ln(lo) lo, second ln(lo)^2 lo
  b << hi - 1.0, lo - 1.0, lh * hi, -ll * lo, lh * lh * hi, ll * ll * lo;
  // Gaussian elimination with partial pivoting (6 x 6; the system is regular for any lo, hi)
  for (int c = 0; c < 6; ++c) {
    int piv = c;
    for (int r = c + 1; r < 6; ++r)
      if (std::abs(a(r, c)) > std::abs(a(piv, c))) piv = r;
    a.row(c).swap(a.row(piv));
    std::swap(b[c], b[piv]);
    for (int r = c + 1; r < 6; ++r) {
      const double f = a(r, c) / a(c, c);
      a.row(r) -= f * a.row(c);
      b[r] -= f * b[c];
    }
  }
  Eigen::Matrix<double, 6, 1> x;
  for (int r = 5; r >= 0; --r) {
    double v = b[r];
    for (int c = r + 1; c < 6; ++c) v -= a(r, c) * x[c];
    x[r] = v / a(r, r);
  }
  return {x[0], x[1], x[2], x[3], x[4], x[5]};
}

/// normsys factor κ(α). `coef` is used by code 4 only (from `poly6_coefficients(lo, hi)`).
template <class T>
inline T normsys_factor(interpolation code, const T& alpha, double lo, double hi, const std::array<double, 6>& coef) {
  using std::exp;
  switch (code) {
    case interpolation::piecewise_linear:
      if (alpha == 0.0) return T(1.0 + alpha * (0.5 * (hi - lo)));  // kink: mean of the one-sided slopes
      return alpha > 0.0 ? T(1.0 + alpha * (hi - 1.0)) : T(1.0 + alpha * (1.0 - lo));
    case interpolation::exponential:
      if (alpha == 0.0) return T(exp(alpha * (0.5 * (std::log(hi) - std::log(lo)))));
      return alpha > 0.0 ? T(exp(alpha * std::log(hi))) : T(exp(-alpha * std::log(lo)));
    case interpolation::polynomial:
    default:
      if (alpha >= 1.0) return exp(alpha * std::log(hi));
      if (alpha <= -1.0) return exp(-alpha * std::log(lo));
      return T(1.0 + alpha * (coef[0] + alpha * (coef[1] + alpha * (coef[2] + alpha * (coef[3] + alpha * (coef[4] + alpha * coef[5]))))));
  }
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_LIKELIHOOD_INTERPOLATION_HPP
