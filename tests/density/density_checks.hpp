// SPDX-License-Identifier: BSL-1.0
// Generic checks written only against the density-estimator concepts, shared by the density and
// flows test executables: quadrature normalisation in 1-D and 2-D, recovery of a known density
// (KL divergence estimated on fresh truth samples, with its standard error), and consistency of
// sample() with log_prob() (a chi-square test of sample counts against quadrature of exp(log_prob)
// over bins).
#ifndef HEPAD_TESTS_DENSITY_DENSITY_CHECKS_HPP
#define HEPAD_TESTS_DENSITY_DENSITY_CHECKS_HPP

#include <doctest/doctest.h>

#include <hepad/core/concepts/density.hpp>
#include <hepad/core/concepts/fit.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <vector>

namespace hepad_test {

/// A known density on R^d (d = 1 or 2): sampler, log density and a box holding all but a
/// negligible part of its mass (used for quadrature and binning).
struct truth {
  int d = 1;
  std::function<hepad::matrix<double>(std::int64_t, hepad::rng&)> sample;
  std::function<double(const double*)> log_prob;
  double lo[2] = {0, 0}, hi[2] = {1, 1};
};

/// 1-D: 0.3 N(-1, 0.5^2) + 0.7 N(1.5, 0.8^2).
inline truth bimodal_1d() {
  truth t;
  t.d = 1;
  t.lo[0] = -6.0;
  t.hi[0] = 7.0;
  t.sample = [](std::int64_t n, hepad::rng& r) {
    hepad::matrix<double> x(n, 1);
    for (std::int64_t i = 0; i < n; ++i)
      x(i, 0) = r.uniform<double>() < 0.3 ? r.normal(-1.0, 0.5) : r.normal(1.5, 0.8);
    return x;
  };
  t.log_prob = [](const double* x) {
    auto g = [](double v, double m, double s) {
      return std::exp(-0.5 * (v - m) * (v - m) / (s * s)) / (s * std::sqrt(2 * std::numbers::pi));
    };
    return std::log(0.3 * g(x[0], -1.0, 0.5) + 0.7 * g(x[0], 1.5, 0.8));
  };
  return t;
}

/// 2-D: 0.4 N((-1, 0), [[0.5, 0.3], [0.3, 0.6]]) + 0.6 N((1.5, 1), [[0.8, -0.4], [-0.4, 0.7]]).
inline truth bimodal_2d() {
  struct comp {
    double w, m0, m1, c00, c01, c11;
  };
  static constexpr comp cs[2] = {{0.4, -1.0, 0.0, 0.5, 0.3, 0.6}, {0.6, 1.5, 1.0, 0.8, -0.4, 0.7}};
  truth t;
  t.d = 2;
  t.lo[0] = -6.0;
  t.hi[0] = 7.0;
  t.lo[1] = -5.5;
  t.hi[1] = 6.0;
  t.sample = [](std::int64_t n, hepad::rng& r) {
    hepad::matrix<double> x(n, 2);
    for (std::int64_t i = 0; i < n; ++i) {
      const comp& c = r.uniform<double>() < cs[0].w ? cs[0] : cs[1];
      const double l00 = std::sqrt(c.c00), l10 = c.c01 / l00, l11 = std::sqrt(c.c11 - l10 * l10);
      const double z0 = r.normal<double>(), z1 = r.normal<double>();
      x(i, 0) = c.m0 + l00 * z0;
      x(i, 1) = c.m1 + l10 * z0 + l11 * z1;
    }
    return x;
  };
  t.log_prob = [](const double* x) {
    double p = 0.0;
    for (const comp& c : cs) {
      const double det = c.c00 * c.c11 - c.c01 * c.c01;
      const double a = x[0] - c.m0, b = x[1] - c.m1;
      const double q = (c.c11 * a * a - 2 * c.c01 * a * b + c.c00 * b * b) / det;
      p += c.w * std::exp(-0.5 * q) / (2 * std::numbers::pi * std::sqrt(det));
    }
    return std::log(p);
  };
  return t;
}

/// Bounded support: p(x) = 0.5 + x on [0, 1] (d = 1), or p(x, y) = (0.5 + x)(1.5 - y) on [0, 1]^2.
inline truth linear_box(int d) {
  truth t;
  t.d = d;
  t.sample = [d](std::int64_t n, hepad::rng& r) {
    hepad::matrix<double> x(n, d);
    for (std::int64_t i = 0; i < n; ++i) {
      x(i, 0) = -0.5 + std::sqrt(0.25 + 2.0 * r.uniform<double>());  // inverse CDF of 0.5 + x
      if (d == 2) x(i, 1) = 1.5 - std::sqrt(2.25 - 2.0 * r.uniform<double>());  // of 1.5 - y
    }
    return x;
  };
  t.log_prob = [d](const double* x) {
    double p = 0.5 + x[0];
    if (d == 2) p *= 1.5 - x[1];
    return std::log(p);
  };
  return t;
}

/// Midpoint-rule integral of exp(log_prob) over the truth's box with `n` cells per dimension.
/// For a density normalised on R^d the result is 1 up to the quadrature error and the mass outside
/// the box.
template <class D>
double integrate(const D& est, const truth& t, int n) {
  using S = typename D::scalar_type;
  const double h0 = (t.hi[0] - t.lo[0]) / n, h1 = t.d == 2 ? (t.hi[1] - t.lo[1]) / n : 1.0;
  const std::int64_t rows = t.d == 2 ? std::int64_t{n} * n : n;
  hepad::matrix<S> g(rows, t.d);
  for (int i = 0; i < n; ++i) {
    if (t.d == 1) {
      g(i, 0) = static_cast<S>(t.lo[0] + (i + 0.5) * h0);
      continue;
    }
    for (int j = 0; j < n; ++j) {
      g(std::int64_t{i} * n + j, 0) = static_cast<S>(t.lo[0] + (i + 0.5) * h0);
      g(std::int64_t{i} * n + j, 1) = static_cast<S>(t.lo[1] + (j + 0.5) * h1);
    }
  }
  const hepad::vector<S> lp = est.log_prob(g);
  double s = 0.0;
  for (std::int64_t k = 0; k < rows; ++k) s += std::exp(static_cast<double>(lp(k)));
  return s * h0 * h1;
}

/// KL(truth || estimate) estimated on `m` fresh truth events: mean of log p - log p_hat, and its
/// standard error.
template <class D>
std::pair<double, double> kl_divergence(const D& est, const truth& t, std::int64_t m, hepad::rng& r) {
  using S = typename D::scalar_type;
  const hepad::matrix<double> x = t.sample(m, r);
  const hepad::matrix<S> xs = x.cast<S>();
  const hepad::vector<S> lp = est.log_prob(xs);
  double s = 0.0, s2 = 0.0;
  for (std::int64_t i = 0; i < m; ++i) {
    const double v = t.log_prob(&x(i, 0)) - static_cast<double>(lp(i));
    s += v;
    s2 += v * v;
  }
  const double mean = s / static_cast<double>(m);
  const double var = s2 / static_cast<double>(m) - mean * mean;
  return {mean, std::sqrt((std::max)(var, 0.0) / static_cast<double>(m))};
}

/// Chi-square of `n` samples of the estimate against the bin probabilities obtained by
/// integrating exp(log_prob) over `k` (per dimension) bins of the box (sub-grid of `sub` cells per
/// bin and dimension); samples outside the box count in one extra bin. Returns {chi2, dof}.
template <class D>
std::pair<double, int> sample_chi2(const D& est, const truth& t, std::int64_t n, int k, int sub,
                                   hepad::rng& r) {
  using S = typename D::scalar_type;
  const int nb = t.d == 2 ? k * k : k;
  std::vector<double> prob(static_cast<std::size_t>(nb), 0.0), cnt(static_cast<std::size_t>(nb + 1), 0.0);
  const int ng = k * sub;
  const double h0 = (t.hi[0] - t.lo[0]) / ng, h1 = t.d == 2 ? (t.hi[1] - t.lo[1]) / ng : 1.0;
  const std::int64_t rows = t.d == 2 ? std::int64_t{ng} * ng : ng;
  hepad::matrix<S> g(rows, t.d);
  std::vector<int> bin(static_cast<std::size_t>(rows));
  for (int i = 0; i < ng; ++i) {
    for (int j = 0; j < (t.d == 2 ? ng : 1); ++j) {
      const std::int64_t row = t.d == 2 ? std::int64_t{i} * ng + j : i;
      g(row, 0) = static_cast<S>(t.lo[0] + (i + 0.5) * h0);
      if (t.d == 2) g(row, 1) = static_cast<S>(t.lo[1] + (j + 0.5) * h1);
      bin[static_cast<std::size_t>(row)] = t.d == 2 ? (i / sub) * k + j / sub : i / sub;
    }
  }
  const hepad::vector<S> lp = est.log_prob(g);
  for (std::int64_t q = 0; q < rows; ++q)
    prob[static_cast<std::size_t>(bin[static_cast<std::size_t>(q)])] += std::exp(static_cast<double>(lp(q))) * h0 * h1;
  const hepad::matrix<S> s = est.sample(n, r);
  for (std::int64_t i = 0; i < n; ++i) {
    const double a = (static_cast<double>(s(i, 0)) - t.lo[0]) / (t.hi[0] - t.lo[0]) * k;
    const double b = t.d == 2 ? (static_cast<double>(s(i, 1)) - t.lo[1]) / (t.hi[1] - t.lo[1]) * k : 0.0;
    if (a < 0 || a >= k || b < 0 || b >= (t.d == 2 ? k : 1)) {
      cnt[static_cast<std::size_t>(nb)] += 1;
      continue;
    }
    const int bi = t.d == 2 ? static_cast<int>(a) * k + static_cast<int>(b) : static_cast<int>(a);
    cnt[static_cast<std::size_t>(bi)] += 1;
  }
  double chi2 = 0.0, inside = 0.0;
  int dof = -1;
  for (int b = 0; b < nb; ++b) {
    const double e = prob[static_cast<std::size_t>(b)] * static_cast<double>(n);
    if (e < 5.0) {  // pool sparse bins into the outside bin
      cnt[static_cast<std::size_t>(nb)] += cnt[static_cast<std::size_t>(b)];
      continue;
    }
    inside += prob[static_cast<std::size_t>(b)];
    const double o = cnt[static_cast<std::size_t>(b)];
    chi2 += (o - e) * (o - e) / e;
    ++dof;
  }
  const double e_out = (1.0 - inside) * static_cast<double>(n);
  const double o_out = cnt[static_cast<std::size_t>(nb)];
  if (e_out >= 5.0) {
    chi2 += (o_out - e_out) * (o_out - e_out) / e_out;
    ++dof;
  } else {
    CHECK(o_out <= 5.0 + 5.0 * std::sqrt(5.0));  // expected < 5: at most ~5 sd more
  }
  return {chi2, dof};
}

/// Tolerances of `check_density_estimator`.
struct density_tolerances {
  double normalisation = 1e-3;  ///< |quadrature - 1|
  double kl = 0.02;             ///< KL(truth || estimate) upper bound (nats)
  int quadrature_cells = 400;   ///< per dimension
};

/// The generic test: `est` must model the concepts; it is fitted through `hepad::fit` on truth
/// samples and checked for normalisation, recovery (KL), and sample/log_prob consistency.
template <class D>
void check_density_estimator(D est, const truth& t, std::int64_t n_train, density_tolerances tol,
                             std::uint64_t seed) {
  using S = typename D::scalar_type;
  static_assert(hepad::density_estimator<D, S>);
  static_assert(hepad::sampleable_density<D, S>);
  INFO("seed = " << seed);
  hepad::rng r(seed);
  const hepad::matrix<S> x = t.sample(n_train, r).template cast<S>();
  hepad::fit(est, r, hepad::matrix_cref<S>(x));
  CHECK(est.n_features() == t.d);

  const double norm = integrate(est, t, tol.quadrature_cells);
  INFO("integral = " << norm);
  CHECK(std::abs(norm - 1.0) < tol.normalisation);

  hepad::rng rt = r.split(1);
  const auto [kl, se] = kl_divergence(est, t, 20000, rt);
  INFO("KL = " << kl << " +- " << se);
  CHECK(kl < tol.kl);
  CHECK(kl > -4.0 * se);  // a KL divergence is >= 0: only noise may push the estimate below

  hepad::rng rs = r.split(2);
  const auto [chi2, dof] = sample_chi2(est, t, 20000, t.d == 2 ? 8 : 25, t.d == 2 ? 12 : 20, rs);
  INFO("chi2 = " << chi2 << " for " << dof << " dof");
  CHECK(dof > 5);
  // chi2 with dof degrees of freedom: mean dof, sd sqrt(2 dof); 5 sd is p < 1e-5.
  CHECK(chi2 < dof + 5.0 * std::sqrt(2.0 * dof));
}

}  // namespace hepad_test

#endif  // HEPAD_TESTS_DENSITY_DENSITY_CHECKS_HPP
