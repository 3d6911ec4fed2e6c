// SPDX-License-Identifier: BSL-1.0
// Monte Carlo comparison helpers for the generator tests: weighted-vs-unweighted histogram chi2,
// Stein-identity checks of a log-density against samples, binomial pulls.
#ifndef HEPAD_TESTS_SYNTHETIC_MC_CHECKS_HPP
#define HEPAD_TESTS_SYNTHETIC_MC_CHECKS_HPP

#include <hepad/core/eigen.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

namespace hepad_test {

/// chi2 between the weighted histogram of `a` (weights `wa`) and the unweighted histogram of `b`,
/// in `n_bins` bins between the 0.5% and 99.5% quantiles of `b` (plus under/overflow bins).
/// Per bin: (W_a - N_b)^2 / (sum wa^2 + N_b): the variance of the difference of two independent
/// Poisson-like estimates with equal expectation. Returns {chi2, number of bins}.
inline std::pair<double, int> weighted_chi2(const std::vector<double>& a, const std::vector<double>& wa,
                                            const std::vector<double>& b, int n_bins) {
  std::vector<double> sb = b;
  std::sort(sb.begin(), sb.end());
  const double lo = sb[sb.size() / 200], hi = sb[sb.size() - 1 - sb.size() / 200];
  const int nb = n_bins + 2;
  std::vector<double> W(nb, 0.0), W2(nb, 0.0), N(nb, 0.0);
  auto bin = [&](double v) {
    if (v < lo) return 0;
    if (v >= hi) return nb - 1;
    return 1 + (std::min)(n_bins - 1, static_cast<int>((v - lo) / (hi - lo) * n_bins));
  };
  for (std::size_t i = 0; i < a.size(); ++i) {
    const int k = bin(a[i]);
    W[k] += wa[i];
    W2[k] += wa[i] * wa[i];
  }
  for (const double v : b) N[bin(v)] += 1.0;
  double chi2 = 0.0;
  int used = 0;
  for (int k = 0; k < nb; ++k) {
    const double var = W2[k] + N[k];
    if (var <= 0.0) continue;
    chi2 += (W[k] - N[k]) * (W[k] - N[k]) / var;
    ++used;
  }
  return {chi2, used};
}

/// Mean and standard error of the mean.
inline std::pair<double, double> mean_and_error(const std::vector<double>& v) {
  double s = 0.0, s2 = 0.0;
  for (const double x : v) {
    s += x;
    s2 += x * x;
  }
  const double n = static_cast<double>(v.size()), m = s / n;
  return {m, std::sqrt((s2 / n - m * m) / n)};
}

/// Stein identities for a density p on R^d sampled by `x` (rows): for every coordinate k,
/// E[d_k log p] = 0 and E[1 + x_k d_k log p] = 0 (boundary terms vanish for the densities tested).
/// The derivatives are central differences of `log_p` with step 1e-5 |x_k|. Returns, per identity
/// and coordinate, the estimate divided by its standard error (a pull, ~N(0, 1) if correct).
inline std::vector<double> stein_pulls(const hepad::matrix<double>& x,
                                       const std::function<double(const double*)>& log_p) {
  const auto n = x.rows(), d = x.cols();
  std::vector<std::vector<double>> g(static_cast<std::size_t>(2 * d));
  std::vector<double> row(static_cast<std::size_t>(d));
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index k = 0; k < d; ++k) row[static_cast<std::size_t>(k)] = x(i, k);
    for (Eigen::Index k = 0; k < d; ++k) {
      const double v = row[static_cast<std::size_t>(k)], h = 1e-5 * (std::max)(1e-3, std::abs(v));
      row[static_cast<std::size_t>(k)] = v + h;
      const double lp = log_p(row.data());
      row[static_cast<std::size_t>(k)] = v - h;
      const double lm = log_p(row.data());
      row[static_cast<std::size_t>(k)] = v;
      const double score = (lp - lm) / (2.0 * h);
      g[static_cast<std::size_t>(k)].push_back(score);
      g[static_cast<std::size_t>(d + k)].push_back(1.0 + v * score);
    }
  }
  std::vector<double> pulls;
  for (const auto& v : g) {
    const auto [m, e] = mean_and_error(v);
    pulls.push_back(m / e);
  }
  return pulls;
}

}  // namespace hepad_test

#endif  // HEPAD_TESTS_SYNTHETIC_MC_CHECKS_HPP
