// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/two_sample.hpp
/// @brief Two-sample closure tests with weights (negative allowed): the χ² between two weighted
/// histograms (Gagunashvili's weighted-weighted test, as ROOT's TH1::Chi2Test "WW"), the
/// weighted Kolmogorov-Smirnov test, and the classifier test (the AUC of a classifier that tries
/// to tell the samples apart, cross-predicted on held-out folds, with its spread over runs).
///
/// Histograms as Boost.Histogram objects are in stats/histogram.hpp (kept out of this header for
/// compile time); here histograms are arrays of bin sums of weights and of squared weights.
#ifndef HEPAD_STATS_TWO_SAMPLE_HPP
#define HEPAD_STATS_TWO_SAMPLE_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/concepts/classifier.hpp>
#include <hepad/core/concepts/fit.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/stats/asymptotics.hpp>
#include <hepad/stats/curves.hpp>
#include <hepad/stats/roc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <vector>

namespace hepad::stats {

/// Result of a χ² or KS two-sample test.
struct two_sample_result {
  double statistic = 0;  ///< χ² or KS D
  double ndf = 0;        ///< χ²: degrees of freedom; KS: effective sample size n1 n2/(n1 + n2)
  double p_value = 1;
};

/// χ² between two weighted histograms given per bin the sums of weights (`w1`, `w2`) and of
/// squared weights (`s1`, `s2`): Σ_i (W1 w2_i - W2 w1_i)² / (W1² s2_i + W2² s1_i) with W the
/// totals, over bins where the denominator is positive; ndf = (used bins) - 1. Independent of the
/// normalisation of either histogram.
/// @throws invalid_argument for size mismatches or non-positive totals.
inline two_sample_result chi2_weighted(std::span<const double> w1, std::span<const double> s1, std::span<const double> w2,
                                       std::span<const double> s2) {
  constexpr std::string_view fn = "stats::chi2_weighted";
  check_size(fn, "s1", s1.size(), w1.size());
  check_size(fn, "w2", w2.size(), w1.size());
  check_size(fn, "s2", s2.size(), w1.size());
  const double W1 = std::accumulate(w1.begin(), w1.end(), 0.0), W2 = std::accumulate(w2.begin(), w2.end(), 0.0);
  check_positive(fn, "total weight of histogram 1", W1);
  check_positive(fn, "total weight of histogram 2", W2);
  two_sample_result r;
  int used = 0;
  for (std::size_t i = 0; i < w1.size(); ++i) {
    const double den = W1 * W1 * s2[i] + W2 * W2 * s1[i];
    if (!(den > 0)) continue;
    const double d = W1 * w2[i] - W2 * w1[i];
    r.statistic += d * d / den;
    ++used;
  }
  r.ndf = (std::max)(used - 1, 0);
  r.p_value = r.ndf > 0 ? chi2_sf(r.statistic, static_cast<int>(r.ndf)) : 1.0;
  return r;
}

/// Kolmogorov's limiting survival function Q(λ) = 2 Σ_{k>=1} (-1)^{k-1} exp(-2 k² λ²)
/// (scipy.stats.kstwobign.sf).
inline double kolmogorov_sf(double lambda) {
  if (lambda <= 0) return 1.0;
  if (lambda < 1.0) {
    // small λ: Jacobi-transformed series, 1 - sqrt(2π)/λ Σ exp(-(2k-1)² π² / (8 λ²))
    const double pi = 3.14159265358979323846;
    double s = 0;
    for (int k = 1; k <= 10; ++k) s += std::exp(-(2.0 * k - 1) * (2.0 * k - 1) * pi * pi / (8 * lambda * lambda));
    return 1.0 - std::sqrt(2 * pi) / lambda * s;
  }
  double s = 0;
  for (int k = 1; k <= 100; ++k) {
    const double t = std::exp(-2.0 * k * k * lambda * lambda);
    s += (k % 2 ? 1.0 : -1.0) * t;
    if (t < 1e-18) break;
  }
  return (std::min)(1.0, (std::max)(0.0, 2 * s));
}

/// Weighted two-sample Kolmogorov-Smirnov test: D = sup_x |F1(x) - F2(x)| with weighted empirical
/// CDFs (ties handled jointly); p-value Q(sqrt(n) D) with n = n1 n2/(n1 + n2) and the effective
/// sizes n_k = (Σw)²/Σw² (for unit weights exactly scipy's ks_2samp(method="asymp")). Negative
/// weights are allowed (the ECDF may then be non-monotone); totals must be positive.
/// @throws invalid_argument for empty samples, size mismatches or non-positive totals.
inline two_sample_result ks_weighted(std::span<const double> x1, std::span<const double> w1, std::span<const double> x2,
                                     std::span<const double> w2) {
  constexpr std::string_view fn = "stats::ks_weighted";
  check_not_empty(fn, "x1", x1.size());
  check_not_empty(fn, "x2", x2.size());
  if (!w1.empty()) check_size(fn, "w1", w1.size(), x1.size());
  if (!w2.empty()) check_size(fn, "w2", w2.size(), x2.size());
  struct ev {
    double x, w;
    int s;
  };
  std::vector<ev> e;
  e.reserve(x1.size() + x2.size());
  double W1 = 0, W2 = 0, Q1 = 0, Q2 = 0;
  for (std::size_t i = 0; i < x1.size(); ++i) {
    check_finite(fn, "x1", x1[i]);
    const double w = w1.empty() ? 1.0 : w1[i];
    e.push_back({x1[i], w, 0});
    W1 += w;
    Q1 += w * w;
  }
  for (std::size_t i = 0; i < x2.size(); ++i) {
    check_finite(fn, "x2", x2[i]);
    const double w = w2.empty() ? 1.0 : w2[i];
    e.push_back({x2[i], w, 1});
    W2 += w;
    Q2 += w * w;
  }
  check_positive(fn, "total weight of sample 1", W1);
  check_positive(fn, "total weight of sample 2", W2);
  std::sort(e.begin(), e.end(), [](const ev& a, const ev& b) { return a.x < b.x; });
  double c1 = 0, c2 = 0, d = 0;
  for (std::size_t i = 0; i < e.size(); ++i) {
    (e[i].s ? c2 : c1) += e[i].w;
    if (i + 1 < e.size() && e[i + 1].x == e[i].x) continue;  // evaluate after all ties
    d = (std::max)(d, std::abs(c1 / W1 - c2 / W2));
  }
  const double n1 = W1 * W1 / Q1, n2 = W2 * W2 / Q2;
  two_sample_result r;
  r.statistic = d;
  r.ndf = n1 * n2 / (n1 + n2);
  r.p_value = kolmogorov_sf(std::sqrt(r.ndf) * d);
  return r;
}

/// The classifier two-sample test over repeated runs.
struct classifier_test_result {
  std::vector<double> auc{};  ///< one AUC per run, folded to >= 0.5 (an AUC below 0.5 reported as 1 - AUC)
  summary spread{};           ///< median and 16/84 % percentiles over runs
};

/// Options of `classifier_two_sample_test`.
struct classifier_test_options {
  int runs = 20;   ///< independent trainings (seeds r.split(run))
  int folds = 2;   ///< k-fold cross-prediction: every event is scored by a model that did not see it
};

/// Classifier two-sample test: label 0 = sample `a` (weights `wa`), label 1 = sample `b` (`wb`);
/// for each run the events are split into `folds` random folds, a classifier from `make()` is
/// trained on all other folds (weighted, with the generator if it takes one) and scores the held-out
/// fold; the weighted AUC of all held-out scores is the run's figure. AUC ≈ 0.5 means closure.
/// @tparam Make callable returning a fresh classifier modelling `weighted_classifier<C, double>`.
template <class Make>
classifier_test_result classifier_two_sample_test(Make&& make, matrix_cref<double> a, vector_cref<double> wa, matrix_cref<double> b,
                                                  vector_cref<double> wb, const rng& r, const classifier_test_options& opt = {}) {
  using C = std::remove_cvref_t<decltype(make())>;
  static_assert(weighted_classifier<C, double>,
                "hepad::stats::classifier_two_sample_test: make() must return a weighted classifier "
                "(fit(x, y, w[, rng]) and predict_score(x); see docs/concepts/classifier.md)");
  constexpr std::string_view fn = "stats::classifier_two_sample_test";
  check_size(fn, "wa", static_cast<std::size_t>(wa.size()), static_cast<std::size_t>(a.rows()));
  check_size(fn, "wb", static_cast<std::size_t>(wb.size()), static_cast<std::size_t>(b.rows()));
  check_size(fn, "columns of b", static_cast<std::size_t>(b.cols()), static_cast<std::size_t>(a.cols()));
  check_at_least(fn, "runs", opt.runs, 1);
  check_at_least(fn, "folds", opt.folds, 2);
  const index_t n = a.rows() + b.rows(), d = a.cols();
  matrix<double> x(n, d);
  x.topRows(a.rows()) = a;
  x.bottomRows(b.rows()) = b;
  label_vector y(n);
  vector<double> w(n);
  for (index_t i = 0; i < n; ++i) {
    y[i] = i < a.rows() ? 0 : 1;
    w[i] = i < a.rows() ? wa[i] : wb[i - a.rows()];
  }
  classifier_test_result out;
  for (int run = 0; run < opt.runs; ++run) {
    rng rr = r.split(static_cast<std::uint64_t>(run));
    const auto perm = rr.permutation(n);
    std::vector<double> scores(static_cast<std::size_t>(n));
    for (int f = 0; f < opt.folds; ++f) {
      std::vector<index_t> tr, te;
      for (index_t i = 0; i < n; ++i) (i % opt.folds == f ? te : tr).push_back(perm[static_cast<std::size_t>(i)]);
      matrix<double> xt(static_cast<index_t>(tr.size()), d), xe(static_cast<index_t>(te.size()), d);
      label_vector yt(static_cast<index_t>(tr.size()));
      vector<double> wt(static_cast<index_t>(tr.size()));
      for (std::size_t k = 0; k < tr.size(); ++k) {
        xt.row(static_cast<index_t>(k)) = x.row(tr[k]);
        yt[static_cast<index_t>(k)] = y[tr[k]];
        wt[static_cast<index_t>(k)] = w[tr[k]];
      }
      for (std::size_t k = 0; k < te.size(); ++k) xe.row(static_cast<index_t>(k)) = x.row(te[k]);
      C c = make();
      rng rf = rr.split(static_cast<std::uint64_t>(1000 + f));
      hepad::fit(c, rf, matrix_cref<double>(xt), label_cref(yt), vector_cref<double>(wt));
      const vector<double> s = c.predict_score(matrix_cref<double>(xe));
      for (std::size_t k = 0; k < te.size(); ++k) scores[static_cast<std::size_t>(te[k])] = s[static_cast<index_t>(k)];
    }
    double v = roc_auc(scores, y, w);
    if (v < 0.5) v = 1.0 - v;
    out.auc.push_back(v);
  }
  out.spread = summarize(out.auc);
  return out;
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_TWO_SAMPLE_HPP
