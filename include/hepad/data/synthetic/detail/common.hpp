// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/synthetic/detail/common.hpp
/// @brief Internals of the synthetic generators: log-densities, logistic helpers, the per-event
/// generation loop (event i draws from `r.split(i)`, optionally on a thread pool) and quadrature.
/// Not part of the public API.
#ifndef HEPAD_DATA_SYNTHETIC_DETAIL_COMMON_HPP
#define HEPAD_DATA_SYNTHETIC_DETAIL_COMMON_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/table.hpp>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

namespace hepad::data::synthetic::detail {

inline constexpr double log_sqrt_2pi = 0.91893853320467274178;  // log(sqrt(2 pi))
inline constexpr double neg_inf = -std::numeric_limits<double>::infinity();

/// log N(x; mu, sd^2).
inline double log_normal_pdf(double x, double mu, double sd) noexcept {
  const double z = (x - mu) / sd;
  return -0.5 * z * z - std::log(sd) - log_sqrt_2pi;
}
/// log of the log-normal density of y > 0 (ln y ~ N(mu, sd^2)); -inf for y <= 0.
inline double log_lognormal_pdf(double y, double mu, double sd) noexcept {
  if (!(y > 0.0)) return neg_inf;
  return log_normal_pdf(std::log(y), mu, sd) - std::log(y);
}
/// Standard normal upper tail P(Z > z).
inline double normal_sf(double z) noexcept { return 0.5 * std::erfc(z / std::numbers::sqrt2); }
/// log(exp(a) + exp(b)).
inline double log_add_exp(double a, double b) noexcept {
  if (a == neg_inf) return b;
  if (b == neg_inf) return a;
  const double m = (std::max)(a, b);
  return m + std::log1p(std::exp(-std::abs(a - b)));
}
/// logistic sigma(z) = 1 / (1 + e^-z), computed without overflow.
inline double sigmoid(double z) noexcept {
  return z >= 0.0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
}
/// logit(t) = log(t / (1 - t)).
inline double logit(double t) noexcept { return std::log(t) - std::log1p(-t); }
/// Normal truncated to x > lo, by rejection (efficient when P(x > lo) is not small).
inline double truncated_normal_above(rng& r, double mu, double sd, double lo) {
  for (;;) {
    const double x = r.normal(mu, sd);
    if (x > lo) return x;
  }
}

/// Number of events per parallel task (results never depend on it: every event has its own stream).
inline constexpr std::int64_t events_per_task = 2048;

/// Fills a table of `n` events with `n_cols` float columns: `fill(e, row)` writes event
/// `first + i` into `row` (a double[n_cols]) drawing from `e = r.split(first + i)` and returns its
/// label. Runs on `pool` if given; the result is identical for any pool size.
template <class S, class F>
inline table<S> generate(std::vector<std::string> names, std::int64_t first, std::int64_t n, const rng& r,
                         F&& fill, thread_pool* pool = nullptr) {
  check_nonnegative("data::synthetic", "n", n);
  check_nonnegative("data::synthetic", "first", first);
  const auto n_cols = static_cast<Eigen::Index>(names.size());
  matrix<S> v(n, n_cols);
  label_vector y(n);
  auto task = [&](std::int64_t t) {
    std::vector<double> row(static_cast<std::size_t>(n_cols));
    const std::int64_t b = t * events_per_task, e = (std::min)(n, b + events_per_task);
    for (std::int64_t i = b; i < e; ++i) {
      rng ev = r.split(static_cast<std::uint64_t>(first + i));
      y(i) = static_cast<std::int32_t>(fill(ev, row.data()));
      for (Eigen::Index j = 0; j < n_cols; ++j) v(i, j) = static_cast<S>(row[static_cast<std::size_t>(j)]);
    }
  };
  const std::int64_t tasks = (n + events_per_task - 1) / events_per_task;
  if (pool)
    pool->run(tasks, task);
  else
    for (std::int64_t t = 0; t < tasks; ++t) task(t);
  table<S> out(std::move(names), std::move(v));
  out.set_labels(std::move(y));
  return out;
}

/// Integral of f over [a, b] (b may be +inf) by adaptive Gauss-Kronrod (61 points).
template <class F>
inline double integrate(F&& f, double a, double b, double tol = 1e-11) {
  return boost::math::quadrature::gauss_kronrod<double, 61>::integrate(f, a, b, 15, tol);
}

}  // namespace hepad::data::synthetic::detail

#endif  // HEPAD_DATA_SYNTHETIC_DETAIL_COMMON_HPP
