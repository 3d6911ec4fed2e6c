// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/limits.hpp
/// @brief CLs upper limits on the parameter of interest: asymptotic (q̃μ or qμ with the Asimov
/// formulas of stats/asymptotics.hpp; observed and the expected -2..+2 σ band by root finding)
/// and from toys on a grid of μ values (observed and expected band by interpolation).
#ifndef HEPAD_STATS_LIMITS_HPP
#define HEPAD_STATS_LIMITS_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/likelihood.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/core/result.hpp>
#include <hepad/stats/asymptotics.hpp>
#include <hepad/stats/fit.hpp>
#include <hepad/stats/test_statistics.hpp>
#include <hepad/stats/toys.hpp>

#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <tuple>
#include <vector>

namespace hepad::stats {

/// An upper limit with its expected band.
struct upper_limit {
  double observed = std::numeric_limits<double>::quiet_NaN();
  /// Expected limits for background fluctuations of -2, -1, 0, +1, +2 standard deviations.
  std::array<double, 5> expected{};
  std::vector<double> mu{};         ///< scanned or evaluated μ values
  std::vector<double> cls{};        ///< observed CLs at `mu`
  hepad::status status = status::success;
  std::string message{};
  [[nodiscard]] bool ok() const noexcept { return usable(status); }
};

/// Settings of the upper limits.
struct limit_options {
  double cl = 0.95;           ///< confidence level: CLs = 1 - cl at the limit
  bool tilde = true;          ///< q̃μ (true) or qμ
  double precision = 1e-4;    ///< relative precision of the root finding on μ
  hypotest_options hypotest{};
  static constexpr std::string_view name = "upper_limit";
  static constexpr auto fields() {
    return std::tuple{config::field{"cl", &limit_options::cl}, config::field{"tilde", &limit_options::tilde},
                      config::field{"precision", &limit_options::precision}};
  }
};

namespace detail {
/// Root of an increasing-to-decreasing crossing g(x) = 0 on [a, b] with g(a) > 0 > g(b)
/// (Illinois false position, falls back to bisection).
inline double bracketed_root(const std::function<double(double)>& g, double a, double b, double ga, double gb, double rel) {
  int side = 0;
  for (int it = 0; it < 200; ++it) {
    double c = (a * gb - b * ga) / (gb - ga);
    if (!(c > (std::min)(a, b) && c < (std::max)(a, b))) c = 0.5 * (a + b);
    const double gc = g(c);
    if (!std::isfinite(gc)) return std::numeric_limits<double>::quiet_NaN();
    if (std::abs(b - a) < rel * (std::abs(c) + 1e-3)) return c;
    if ((gc > 0) == (ga > 0)) {
      a = c;
      ga = gc;
      if (side == -1) gb *= 0.5;
      side = -1;
    } else {
      b = c;
      gb = gc;
      if (side == +1) ga *= 0.5;
      side = +1;
    }
  }
  return 0.5 * (a + b);
}
}  // namespace detail

/// Asymptotic CLs upper limit on the POI of `l` (which must model `asimov_likelihood`).
template <class L>
  requires has_poi<L> && asimov_likelihood<L>
upper_limit upper_limit_asymptotic(const L& l, const limit_options& opt = {}) {
  check_in_range("stats::upper_limit_asymptotic", "cl", opt.cl, 0.5, 0.999999);
  upper_limit out;
  const double alpha = 1.0 - opt.cl;
  const auto& ho = opt.hypotest;
  const std::size_t k = l.poi();
  const minimum g = fit_likelihood(l, fit_options{.minimizer = ho.fit.minimizer, .hesse = true});
  if (!g.valid()) {
    out.status = g.status.code;
    out.message = "unconditional fit: " + g.status.message;
    return out;
  }
  // background-only Asimov data from the observed data's fit at μ = 0
  const auto c0 = conditional_fit(l, g, k, 0.0, ho.conditional);
  if (!c0.status.valid()) {
    out.status = c0.status.code;
    out.message = "conditional fit at mu = 0: " + c0.status.message;
    return out;
  }
  const L a = l.asimov(c0.values);
  auto pa = fit_parameters(a);
  for (std::size_t i = 0; i < pa.size(); ++i) pa[i].value = c0.values[i];
  const minimum ga = fit_likelihood(a, std::span<const parameter>(pa), fit_options{.minimizer = ho.fit.minimizer, .hesse = true});
  bool failed = false;
  auto q_asimov = [&](double mu) {
    const auto c = conditional_fit(a, ga, k, mu, ho.conditional);
    if (!c.status.valid()) failed = true;
    return (std::max)(0.0, (c.fval - ga.fval) / ga.errordef);
  };
  auto cls_obs = [&](double mu) {
    const test_result t = detail::qmu_value(l, g, mu, opt.tilde, ho);
    if (!t.ok()) failed = true;
    const double v = asymptotic_cls(t.value, q_asimov(mu), opt.tilde).cls;
    out.mu.push_back(mu);
    out.cls.push_back(v);
    return v;
  };
  // bracket: from μ̂ (CLs ~ 1) upwards in steps of the error until CLs < alpha
  const double sigma = g.errors[k] > 0 ? g.errors[k] : 1.0;
  const double start = (std::max)(g.values[k], 0.0);
  auto bracket = [&](const std::function<double(double)>& h, double& lo, double& hi, double& hlo, double& hhi) {
    lo = start;
    hlo = h(lo);
    double step = sigma;
    for (int it = 0; it < 60; ++it) {
      hi = lo + step;
      hhi = h(hi);
      if (hhi < 0) return true;
      lo = hi;
      hlo = hhi;
      step *= 1.6;
    }
    return false;
  };
  {
    const std::function<double(double)> h = [&](double mu) { return cls_obs(mu) - alpha; };
    double lo, hi, hlo, hhi;
    if (bracket(h, lo, hi, hlo, hhi)) out.observed = detail::bracketed_root(h, lo, hi, hlo, hhi, opt.precision);
    else failed = true;
  }
  for (int n = -2; n <= 2; ++n) {
    // expected CLs_N(μ) = Φ(N - √qA)/Φ(N) = alpha  <=>  √qA(μ) = N - Φ^-1(alpha Φ(N))
    const double target = n - normal_quantile(alpha * normal_cdf(static_cast<double>(n)));
    const std::function<double(double)> h = [&](double mu) { return target - std::sqrt(q_asimov(mu)); };
    double lo, hi, hlo, hhi;
    double& e = out.expected[static_cast<std::size_t>(n + 2)];
    e = std::numeric_limits<double>::quiet_NaN();
    if (target <= 0) {
      e = start;
      continue;
    }
    if (bracket(h, lo, hi, hlo, hhi)) e = detail::bracketed_root(h, lo, hi, hlo, hhi, opt.precision);
    else failed = true;
  }
  if (failed) {
    out.status = status::not_converged;
    out.message = "a fit or the bracketing of the CLs crossing failed";
  }
  return out;
}

/// CLs upper limit from toys on a grid of μ values (increasing): CLs(μ) from `n_toys` toys under
/// s+b and b at each point; the observed and expected limits are the first crossings of 1 - cl
/// by linear interpolation of log CLs in μ. `status::undefined` if CLs never crosses.
template <class L>
  requires has_poi<L> && sampleable_likelihood<L>
upper_limit upper_limit_toys(const L& l, std::span<const double> mu_grid, std::int64_t n_toys, const rng& r, thread_pool& pool,
                             const limit_options& opt = {}) {
  check_at_least("stats::upper_limit_toys", "grid size", mu_grid.size(), std::size_t{2});
  check_in_range("stats::upper_limit_toys", "cl", opt.cl, 0.5, 0.999999);
  upper_limit out;
  const double alpha = 1.0 - opt.cl;
  hypotest_options ho = opt.hypotest;
  ho.asymptotic = false;
  const std::size_t k = l.poi();
  const minimum g = fit_likelihood(l, ho.fit);
  if (!g.valid()) {
    out.status = g.status.code;
    out.message = "unconditional fit: " + g.status.message;
    return out;
  }
  std::array<std::vector<double>, 5> exp_cls;
  for (std::size_t j = 0; j < mu_grid.size(); ++j) {
    const double mu = mu_grid[j];
    const test_result t = detail::qmu_value(l, g, mu, opt.tilde, ho);
    const auto c_sb = conditional_fit(l, g, k, mu, ho.conditional);
    const auto c_b = conditional_fit(l, g, k, 0.0, ho.conditional);
    if (!t.ok() || !c_sb.status.valid() || !c_b.status.valid()) {
      out.status = status::not_converged;
      out.message = hepad::detail::concat("fits at mu = ", mu, " failed");
      return out;
    }
    const qmu_statistic stat{.mu = mu, .tilde = opt.tilde, .options = ho};
    const rng rj = r.split(j);
    const auto d_sb = make_toy_distribution(l, c_sb.values, stat, n_toys, rj.split(0), pool);
    const auto d_b = make_toy_distribution(l, c_b.values, stat, n_toys, rj.split(1), pool);
    auto cls_at = [&](double q) {
      const double b = d_b.tail_fraction(q);
      return b > 0 ? d_sb.tail_fraction(q) / b : 1.0;
    };
    out.mu.push_back(mu);
    out.cls.push_back(cls_at(t.value));
    for (int n = -2; n <= 2; ++n) exp_cls[static_cast<std::size_t>(n + 2)].push_back(cls_at(d_b.quantile(normal_cdf(static_cast<double>(-n)))));
  }
  auto crossing = [&](const std::vector<double>& c) {
    for (std::size_t j = 1; j < c.size(); ++j) {
      if (c[j - 1] >= alpha && c[j] < alpha) {
        const double l0 = std::log((std::max)(c[j - 1], 1e-300)), l1 = std::log((std::max)(c[j], 1e-300)), la = std::log(alpha);
        return out.mu[j - 1] + (out.mu[j] - out.mu[j - 1]) * (l0 - la) / (l0 - l1);
      }
    }
    return std::numeric_limits<double>::quiet_NaN();
  };
  out.observed = crossing(out.cls);
  for (std::size_t n = 0; n < 5; ++n) out.expected[n] = crossing(exp_cls[n]);
  if (std::isnan(out.observed)) {
    out.status = status::undefined;
    out.message = "CLs does not cross 1 - cl on the grid";
  }
  return out;
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_LIMITS_HPP
