// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/closure.hpp
/// @brief `ad::closure_test`: the two-sample classifier test of S0 §5a, done on held-out events
/// (§11 item 5). A background estimate (a weighted template, label 0) and the true background
/// (label 1) are each split at random into a training and a test part; a class-balanced
/// classifier is trained on the training parts and its weighted AUC is computed on the test parts.
/// This is repeated `n_runs` times with independent splits and seeds; the median AUC and its
/// 16-84 % band are reported, with the AUC's standard deviation expected when the two samples come
/// from the same density. AUC = 0.5 means closure. Not here: ratio histograms
/// (ad/histograms.hpp).
#ifndef HEPAD_AD_CLOSURE_HPP
#define HEPAD_AD_CLOSURE_HPP

#include <hepad/ad/background_template.hpp>
#include <hepad/ad/class_balance.hpp>
#include <hepad/ad/classifier.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/stats/curves.hpp>
#include <hepad/stats/roc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace hepad::ad {

/// Result of a closure test.
struct closure_result {
  std::vector<double> auc;  ///< per run, on held-out events (not folded: values below 0.5 are kept)
  stats::summary summary{}; ///< median, 16th and 84th percentile of `auc`
  double null_sigma = 0;    ///< standard deviation of one run's AUC if the samples agree:
                            ///< sqrt((1/n0 + 1/n1) / 12) with Kish effective sizes of the test parts
};

/// Closure-test policy. Defaults (spec §5a): [64, 64, 64] classifier, lr 1e-3, batch 256, <= 50
/// epochs, class-balanced, 20 runs; here each run also draws its own 50 % test split.
struct closure_test {
  classifier_config classifier = presets::s0_cwola();
  std::int64_t n_runs = 20;
  double test_fraction = 0.5;  ///< part of each sample kept for the AUC
  int threads = 0;             ///< runs in parallel (0: HEPAD_THREADS)

  static constexpr std::string_view name = "closure_test";
  static constexpr auto fields() {
    return std::tuple{config::field{"classifier", &closure_test::classifier},
                      config::field{"n_runs", &closure_test::n_runs},
                      config::field{"test_fraction", &closure_test::test_fraction},
                      config::field{"threads", &closure_test::threads}};
  }

  /// Compares `estimate` (weighted) with `truth` (unit weights) on their features. Run i uses
  /// `r.split(i)`. @throws invalid_argument for empty or mismatched inputs.
  template <class S>
  [[nodiscard]] closure_result run(const background_template<S>& estimate, std::type_identity_t<matrix_cref<S>> truth,
                                   rng& r) const {
    const vector<S> ones = vector<S>::Ones(truth.rows());
    return run<S>(estimate.features, estimate.weights, truth, ones, r);
  }

  /// General form: two weighted samples.
  template <class S>
  [[nodiscard]] closure_result run(matrix_cref<S> a, vector_cref<S> wa, matrix_cref<S> b, vector_cref<S> wb, rng& r) const {
    constexpr std::string_view fn = "ad::closure_test::run";
    classifier.validate(fn);
    check_positive(fn, "n_runs", n_runs);
    check_in_range(fn, "test_fraction", test_fraction, 0.05, 0.95);
    check_size(fn, "estimate weights", static_cast<std::size_t>(wa.size()), static_cast<std::size_t>(a.rows()));
    check_size(fn, "truth weights", static_cast<std::size_t>(wb.size()), static_cast<std::size_t>(b.rows()));
    check_size(fn, "truth columns", static_cast<std::size_t>(b.cols()), static_cast<std::size_t>(a.cols()));
    if (a.rows() < 4 || b.rows() < 4) throw_invalid_argument(fn, "each sample needs at least 4 events");
    const index_t na = a.rows(), nb = b.rows();
    matrix<S> x(na + nb, a.cols());
    x.topRows(na) = a;
    x.bottomRows(nb) = b;
    label_vector y(na + nb);
    y.head(na).setZero();
    y.tail(nb).setOnes();
    vector<S> w(na + nb);
    w.head(na) = wa;
    w.tail(nb) = wb;
    closure_result out;
    out.auc.assign(static_cast<std::size_t>(n_runs), 0.0);
    std::vector<double> sig(static_cast<std::size_t>(n_runs), 0.0);
    const int t = threads > 0 ? threads : default_threads();
    thread_pool pool((std::max)(1, (std::min)(t, static_cast<int>(n_runs))));
    pool.run(n_runs, [&](std::int64_t i) {
      rng ri = r.split(static_cast<std::uint64_t>(i));
      rng rs = ri.split(0);
      // stratified split: each sample separately
      std::vector<std::int64_t> train, test;
      auto split = [&](index_t first, index_t n) {
        const auto perm = rs.permutation(n);
        const auto n_test = static_cast<std::int64_t>(std::llround(test_fraction * static_cast<double>(n)));
        for (std::int64_t j = 0; j < n; ++j) (j < n_test ? test : train).push_back(first + perm[static_cast<std::size_t>(j)]);
      };
      split(0, na);
      split(na, nb);
      std::sort(train.begin(), train.end());
      std::sort(test.begin(), test.end());
      vector<S> wt = w;
      apply_balance<S>(y, wt, class_balance<S>(y, w, std::span<const std::int64_t>(train)));
      // validation for early stopping: a seeded part of the training rows
      rng rv = ri.split(1);
      const auto perm = rv.permutation(static_cast<std::int64_t>(train.size()));
      const auto n_val = static_cast<std::int64_t>(
          std::llround(classifier.validation_fraction * static_cast<double>(train.size())));
      std::vector<std::int64_t> tr, va;
      for (std::size_t j = 0; j < train.size(); ++j)
        (static_cast<std::int64_t>(j) < n_val ? va : tr).push_back(train[static_cast<std::size_t>(perm[j])]);
      std::sort(tr.begin(), tr.end());
      std::sort(va.begin(), va.end());
      mlp_classifier<S> c(classifier);
      rng rc = ri.split(2);
      c.fit_rows(x, y, wt, tr, va, rc);
      matrix<S> xt(static_cast<index_t>(test.size()), x.cols());
      std::vector<double> wtest(test.size());
      std::vector<int> ytest(test.size());
      double s0 = 0, s0q = 0, s1 = 0, s1q = 0;
      for (std::size_t j = 0; j < test.size(); ++j) {
        const auto row = static_cast<index_t>(test[j]);
        xt.row(static_cast<index_t>(j)) = x.row(row);
        wtest[j] = static_cast<double>(w(row));
        ytest[j] = y(row);
        (ytest[j] == 0 ? s0 : s1) += wtest[j];
        (ytest[j] == 0 ? s0q : s1q) += wtest[j] * wtest[j];
      }
      const vector<S> sc = c.predict_logit(xt);
      std::vector<double> scd(test.size());
      for (std::size_t j = 0; j < test.size(); ++j) scd[j] = static_cast<double>(sc(static_cast<index_t>(j)));
      // label 1 = truth: AUC > 0.5 when the classifier tells the truth from the estimate
      out.auc[static_cast<std::size_t>(i)] = stats::roc_auc(scd, ytest, wtest);
      const double n0 = s0q > 0 ? s0 * s0 / s0q : 0, n1 = s1q > 0 ? s1 * s1 / s1q : 0;
      sig[static_cast<std::size_t>(i)] = n0 > 0 && n1 > 0 ? std::sqrt((1.0 / n0 + 1.0 / n1) / 12.0) : 0.0;
    });
    out.summary = stats::summarize(out.auc);
    out.null_sigma = stats::percentile(sig, 50.0);
    return out;
  }
};

}  // namespace hepad::ad

#endif  // HEPAD_AD_CLOSURE_HPP
