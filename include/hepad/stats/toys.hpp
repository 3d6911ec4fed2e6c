// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/toys.hpp
/// @brief Pseudo-experiments: distributions of a test statistic on toys generated from a
/// likelihood at given parameters, CLs and p-values from toys, and coverage studies of any
/// interval procedure. Toy i draws from `r.split(i)` and writes its own slot, so the results are
/// identical for any number of threads (core/parallel.hpp).
#ifndef HEPAD_STATS_TOYS_HPP
#define HEPAD_STATS_TOYS_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/concepts/likelihood.hpp>
#include <hepad/core/concepts/test_statistic.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/stats/asymptotics.hpp>
#include <hepad/stats/curves.hpp>
#include <hepad/stats/fit.hpp>
#include <hepad/stats/test_statistics.hpp>

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace hepad::stats {

/// Values of a statistic on toys. Failed toys keep NaN and their status.
struct toy_distribution {
  std::vector<double> values{};
  std::vector<hepad::status> statuses{};
  /// Toys whose statistic could be computed.
  [[nodiscard]] std::size_t n_valid() const {
    std::size_t c = 0;
    for (double v : values) c += std::isnan(v) ? 0 : 1;
    return c;
  }
  /// Fraction of valid toys with value >= q (the toy p-value of an observed q).
  [[nodiscard]] double tail_fraction(double q) const {
    std::size_t c = 0, n = 0;
    for (double v : values) {
      if (std::isnan(v)) continue;
      ++n;
      c += v >= q ? 1 : 0;
    }
    return n ? static_cast<double>(c) / static_cast<double>(n) : std::numeric_limits<double>::quiet_NaN();
  }
  /// The `p`-quantile of the valid values (numpy "linear").
  [[nodiscard]] double quantile(double p) const { return percentile(values, 100.0 * p); }
};

/// The statistic `stat` evaluated on `n_toys` pseudo-experiments of `l` generated at `theta`.
/// @throws invalid_argument if `theta` has the wrong size or n_toys < 1.
template <sampleable_likelihood L, class Stat>
  requires test_statistic<Stat, L>
toy_distribution make_toy_distribution(const L& l, std::span<const double> theta, const Stat& stat, std::int64_t n_toys,
                                       const rng& r, thread_pool& pool) {
  check_size("stats::make_toy_distribution", "theta", theta.size(), l.n_parameters());
  check_positive("stats::make_toy_distribution", "n_toys", n_toys);
  toy_distribution d;
  d.values.assign(static_cast<std::size_t>(n_toys), std::numeric_limits<double>::quiet_NaN());
  d.statuses.assign(static_cast<std::size_t>(n_toys), status::not_converged);
  const std::vector<double> th(theta.begin(), theta.end());
  pool.run(n_toys, [&](std::int64_t i) {
    rng ri = r.split(static_cast<std::uint64_t>(i));
    const L toy = l.sample(th, ri);
    const test_result t = stat.evaluate(toy);
    d.statuses[static_cast<std::size_t>(i)] = t.status;
    if (t.ok()) d.values[static_cast<std::size_t>(i)] = t.value;
  });
  return d;
}

/// CLs of `mu` from toys: CLs+b = P(q >= q_obs | μ), CLb = P(q >= q_obs | 0), both with the
/// nuisance parameters of the conditional fits to the observed data (and global observables
/// randomised). Also returns the observed statistic.
template <sampleable_likelihood L>
  requires has_poi<L>
test_result cls_toys(const L& l, double mu, std::int64_t n_toys, const rng& r, thread_pool& pool, bool tilde = true,
                     const hypotest_options& opt = {}) {
  hypotest_options o = opt;
  o.asymptotic = false;
  const minimum g = fit_likelihood(l, o.fit);
  test_result out;
  out.statistic = tilde ? "qmu_tilde" : "qmu";
  if (!g.valid()) return detail::failed(out.statistic, g.status, "unconditional fit");
  out = detail::qmu_value(l, g, mu, tilde, o);
  if (!out.ok()) return out;
  const std::size_t k = l.poi();
  const auto c_sb = conditional_fit(l, g, k, mu, o.conditional);
  const auto c_b = conditional_fit(l, g, k, 0.0, o.conditional);
  if (!c_sb.status.valid() || !c_b.status.valid())
    return detail::failed(out.statistic, c_sb.status.valid() ? c_b.status : c_sb.status, "conditional fit for toy generation");
  const qmu_statistic stat{.mu = mu, .tilde = tilde, .options = o};
  const auto d_sb = make_toy_distribution(l, c_sb.values, stat, n_toys, r.split(0), pool);
  const auto d_b = make_toy_distribution(l, c_b.values, stat, n_toys, r.split(1), pool);
  out.clsb = d_sb.tail_fraction(out.value);
  out.clb = d_b.tail_fraction(out.value);
  out.cls = out.clb > 0 ? out.clsb / out.clb : 1.0;
  out.p_value = out.clsb;
  out.significance = significance((std::min)(1.0, (std::max)(0.0, out.clsb)));
  return out;
}

/// Result of a coverage study.
struct coverage_result {
  double coverage = 0;        ///< covered / n_toys (failed toys count as not covering)
  double coverage_valid = 0;  ///< covered / valid toys
  double error = 0;           ///< binomial standard error of `coverage`
  std::int64_t n_toys = 0, n_valid = 0, n_covered = 0;
  std::vector<double> lower{}, upper{};  ///< per-toy interval (NaN when failed)
};

/// Coverage of an interval procedure for parameter value `truth`: toys of `l` at `theta`, each
/// passed to `interval(toy)`, which returns an object with `lower`, `upper` and `valid` members
/// (e.g. a lambda wrapping MINOS). Toys run in parallel, identical to serial.
template <sampleable_likelihood L, class Interval>
coverage_result coverage(const L& l, std::span<const double> theta, double truth, Interval&& interval, std::int64_t n_toys,
                         const rng& r, thread_pool& pool) {
  check_size("stats::coverage", "theta", theta.size(), l.n_parameters());
  check_positive("stats::coverage", "n_toys", n_toys);
  coverage_result c;
  c.n_toys = n_toys;
  c.lower.assign(static_cast<std::size_t>(n_toys), std::numeric_limits<double>::quiet_NaN());
  c.upper = c.lower;
  std::vector<char> valid(static_cast<std::size_t>(n_toys), 0);
  const std::vector<double> th(theta.begin(), theta.end());
  pool.run(n_toys, [&](std::int64_t i) {
    rng ri = r.split(static_cast<std::uint64_t>(i));
    const L toy = l.sample(th, ri);
    const auto iv = interval(toy);
    if (iv.valid) {
      valid[static_cast<std::size_t>(i)] = 1;
      c.lower[static_cast<std::size_t>(i)] = iv.lower;
      c.upper[static_cast<std::size_t>(i)] = iv.upper;
    }
  });
  for (std::size_t i = 0; i < valid.size(); ++i) {
    if (!valid[i]) continue;
    ++c.n_valid;
    c.n_covered += (c.lower[i] <= truth && truth <= c.upper[i]) ? 1 : 0;
  }
  c.coverage = static_cast<double>(c.n_covered) / static_cast<double>(n_toys);
  c.coverage_valid = c.n_valid ? static_cast<double>(c.n_covered) / static_cast<double>(c.n_valid) : 0.0;
  c.error = std::sqrt(c.coverage * (1 - c.coverage) / static_cast<double>(n_toys));
  return c;
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_TOYS_HPP
