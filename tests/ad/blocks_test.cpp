// SPDX-License-Identifier: BSL-1.0
// Building blocks of the background-extrapolation study (hepad/ad): likelihood-ratio weights from
// logits and their non-finite policy, weight crop policies, class balancing, histogram
// comparisons (closed-form values and the chi-square's null expectation), the significance step
// (closed form against two fits with the stats minimiser and against limits), the S0 metrics, the
// sparse SVJ-like samples (identical to the generator's events) and the sample preparation
// (regions, hold-out, injection, scaling, normalisation).
#include <doctest/doctest.h>

#include <hepad/ad/class_balance.hpp>
#include <hepad/ad/evaluation.hpp>
#include <hepad/ad/histograms.hpp>
#include <hepad/ad/lr_weights.hpp>
#include <hepad/ad/samples.hpp>
#include <hepad/ad/significance.hpp>
#include <hepad/ad/svj_samples.hpp>
#include <hepad/ad/weight_crop.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/stats/roc.hpp>
#include <hepad/stats/sic.hpp>

#include <cmath>
#include <limits>
#include <vector>

namespace ad = hepad::ad;
using hepad::index_t;
using hepad::matrix;
using hepad::rng;
using hepad::vector;

TEST_CASE("weights from logits: exp(logit) without overflow, non-finite values counted or raised") {
  vector<float> z(5);
  z << -2.0f, 0.0f, 3.0f, 80.0f, 100.0f;  // exp(100) does not fit a float
  ad::weight_summary s;
  const vector<float> w = ad::weights_from_logits<float>(z, ad::nonfinite_policy::zero, &s);
  CHECK(w(0) == doctest::Approx(std::exp(-2.0)).epsilon(1e-6));
  CHECK(w(1) == doctest::Approx(1.0));
  CHECK(w(2) == doctest::Approx(std::exp(3.0)).epsilon(1e-6));
  CHECK(std::isfinite(w(3)));  // f/(1 - f) from a sigmoid would already be inf here
  CHECK(w(4) == 0.0f);
  CHECK(s.n_nonfinite == 1);
  CHECK(s.n == 5);
  CHECK(s.n_zero == 1);
  CHECK_THROWS_AS((void)ad::weights_from_logits<float>(z, ad::nonfinite_policy::raise), hepad::numerical_error);
  // summary: population std and Kish size
  vector<double> v(4);
  v << 1.0, 2.0, 3.0, 4.0;
  const auto q = ad::summarize_weights<double>(v);
  CHECK(q.mean == doctest::Approx(2.5));
  CHECK(q.std == doctest::Approx(std::sqrt(1.25)));
  CHECK(q.effective_size() == doctest::Approx(100.0 / 30.0));
}

TEST_CASE("weight crop: clip, zero or keep weights above mean + k std") {
  vector<double> w = vector<double>::Ones(100);
  w(7) = 50.0;
  const double mean = (99.0 + 50.0) / 100.0;
  const double var = (99.0 * (1 - mean) * (1 - mean) + (50 - mean) * (50 - mean)) / 100.0;
  const double thr = mean + 3.0 * std::sqrt(var);
  {
    vector<double> a = w;
    const auto r = ad::weight_crop{}.apply(a);  // default: clip
    CHECK(r.threshold == doctest::Approx(thr));
    CHECK(r.n_cropped == 1);
    CHECK(a(7) == doctest::Approx(thr));
    CHECK(r.weight_after == doctest::Approx(99.0 + thr));
  }
  {
    vector<double> a = w;
    const auto r = ad::weight_crop::s0_original().apply(a);
    CHECK(r.n_cropped == 1);
    CHECK(a(7) == 0.0);
  }
  {
    vector<double> a = w;
    const auto r = ad::weight_crop{.kind = ad::crop_kind::none}.apply(a);
    CHECK(r.n_cropped == 1);
    CHECK(a(7) == 50.0);
  }
  vector<double> bad = w;
  bad(3) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(ad::weight_crop{}.apply(bad), hepad::invalid_argument);
  CHECK_THROWS_AS(ad::weight_crop{.k = 0}.apply(w), hepad::invalid_argument);
}

TEST_CASE("class balance: both classes get the larger total, computed on the training rows") {
  hepad::label_vector y(6);
  y << 0, 0, 0, 1, 1, 1;
  vector<double> w(6);
  w << 1, 2, 3, 0.5, 0.5, 10;
  const std::vector<std::int64_t> rows{0, 1, 3, 4};  // totals 3 and 1 on these rows
  const auto f = ad::class_balance<double>(y, w, rows);
  CHECK(f.total0 == doctest::Approx(3.0));
  CHECK(f.total1 == doctest::Approx(1.0));
  CHECK(f.class0 == doctest::Approx(1.0));
  CHECK(f.class1 == doctest::Approx(3.0));
  ad::apply_balance<double>(y, w, f);
  CHECK(w(5) == doctest::Approx(30.0));  // validation rows get the same factor
  CHECK(w(0) + w(1) == doctest::Approx(w(3) + w(4)));
  hepad::label_vector y0 = hepad::label_vector::Zero(3);
  CHECK_THROWS_AS((void)ad::class_balance<double>(y0, vector<double>::Ones(3)), hepad::invalid_argument);
}

TEST_CASE("histogram comparison: hand-computed values, and chi2/ndf ~ 1 for samples of one density") {
  // hand case: 2 bins on [0, 2)
  matrix<double> a(3, 1), b(2, 1);
  a << 0.5, 0.5, 1.5;
  b << 0.5, 1.5;
  vector<double> wa(3);
  wa << 1.0, 1.0, 2.0;
  const auto h = ad::compare_histograms<double>(a, wa, b, vector<double>(), {"x"},
                                                ad::histogram_config{.bins = 2, .lo = 0, .hi = 2, .min_count = 1});
  REQUIRE(h.size() == 1);
  CHECK(h[0].estimate[0] == doctest::Approx(0.5));   // 2/4 per unit width
  CHECK(h[0].reference[0] == doctest::Approx(0.5));
  CHECK(h[0].ratio[1] == doctest::Approx(1.0));
  CHECK(h[0].estimate_error[0] == doctest::Approx(std::sqrt(2.0) / 4.0));
  CHECK(h[0].chi2 == doctest::Approx(0.0));
  CHECK(h[0].ndf == 1);
  // null expectation: weighted exponential sample vs an unweighted one (same density), 20 bins.
  // E[chi2] = ndf; the mean over 40 repetitions has a standard error sqrt(2 ndf / 40).
  rng r(11);
  double sum = 0;
  std::int64_t ndf = 0;
  const int reps = 40;
  for (int k = 0; k < reps; ++k) {
    matrix<double> x(4000, 1), y(3000, 1);
    vector<double> wx(4000);
    for (index_t i = 0; i < 4000; ++i) {
      // importance sampling: draw from Exp(mean 2), weight by the ratio to Exp(mean 1)
      const double v = r.exponential(2.0);
      x(i, 0) = v;
      wx(i) = 2.0 * std::exp(-v / 2.0);
    }
    for (index_t i = 0; i < 3000; ++i) y(i, 0) = r.exponential(1.0);
    const auto c = ad::compare_histograms<double>(x, wx, y, vector<double>(), {"x"},
                                                  ad::histogram_config{.bins = 20, .min_count = 10, .quantile = true});
    sum += c[0].chi2;
    ndf = c[0].ndf;
  }
  REQUIRE(ndf >= 15);
  const double mean = sum / reps;
  CHECK(std::abs(mean - static_cast<double>(ndf)) < 4.0 * std::sqrt(2.0 * static_cast<double>(ndf) / reps));
  CHECK_THROWS_AS((void)ad::compare_histograms<double>(a, wa, b, vector<double>(), {"x", "y"}), hepad::invalid_argument);
}

TEST_CASE("discovery significance: closed form, stats minimiser and limits agree") {
  // sigma_b -> 0: the Poisson likelihood ratio
  CHECK(ad::discovery_significance(150, 100, 0) ==
        doctest::Approx(std::sqrt(2 * (150 * std::log(1.5) - 50))).epsilon(1e-12));
  CHECK(ad::discovery_significance(100, 100, 5) == doctest::Approx(0.0));
  CHECK(ad::discovery_significance(80, 100, 5) < 0);
  // large counts: Z -> (n - b) / sqrt(b + sigma_b^2)
  CHECK(ad::discovery_significance(1e6 + 3000, 1e6, 1000) == doctest::Approx(3000 / std::sqrt(2e6)).epsilon(2e-3));
  // a very small sigma_b tends to the Poisson limit
  CHECK(ad::discovery_significance(150, 100, 1e-4) == doctest::Approx(ad::discovery_significance(150, 100, 0)).epsilon(1e-8));
  CHECK(ad::discovery_significance(150, 100, 1e-3) == doctest::Approx(ad::discovery_significance(150, 100, 0)).epsilon(1e-6));
  // the same q0 from two fits of the on/off likelihood with stats::minimize
  for (const auto& [n, b, s] : std::vector<std::array<double, 3>>{{150, 100, 0}, {150, 100, 10}, {12, 4.2, 1.1},
                                                                  {3000, 2700, 120}, {90, 100, 8}, {1, 0.05, 0.01}}) {
    const auto f = ad::discovery_significance_fit(n, b, s);
    CAPTURE(n);
    CAPTURE(s);
    CHECK(f.ok());
    CHECK(f.value == doctest::Approx((std::max)(0.0, ad::discovery_significance(n, b, s))).epsilon(1e-4));
  }
  CHECK_THROWS_AS((void)ad::discovery_significance(10, 0, 1), hepad::invalid_argument);
}

TEST_CASE("evaluate_scores: the S0 metrics from stats, undefined SIC at a rejection flagged") {
  rng r(3);
  const index_t n = 20000;
  vector<double> s(n);
  hepad::label_vector y(n);
  for (index_t i = 0; i < n; ++i) {
    y(i) = i < 4000 ? 1 : 0;
    s(i) = r.normal(y(i) == 1 ? 1.5 : 0.0, 1.0);
  }
  const auto m = ad::evaluate_scores<double>(s, y, ad::evaluation_config{.rejections = {10.0, 1e6}});
  std::vector<double> sv(s.data(), s.data() + n);
  std::vector<int> yv(y.data(), y.data() + n);
  const auto roc = hepad::stats::roc_curve(sv, yv);
  CHECK(m.auc == doctest::Approx(hepad::stats::auc(roc)));
  CHECK(m.auc == doctest::Approx(0.856).epsilon(0.02));  // Phi(1.5 / sqrt 2)
  CHECK(m.min_fpr == doctest::Approx(1.0 / (0.16 * 16000)));
  CHECK(m.max_sic == doctest::Approx(hepad::stats::max_sic(roc, m.min_fpr).value.value));
  CHECK(m.sic_at_rejection_defined[0]);
  CHECK_FALSE(m.sic_at_rejection_defined[1]);
  CHECK(std::isnan(m.sic_at_rejection[1]));
  CHECK(m.curves.sic.size() == 100);
}

TEST_CASE("sparse SVJ-like samples hold exactly the generator's events") {
  const hepad::data::synthetic::svj_like g;
  const rng r(5);
  hepad::thread_pool pool(2);
  const std::int64_t n = 40000;
  const auto full = g.background<float>(hepad::data::synthetic::svj_sample::mc, n, r);
  const auto sparse = ad::svj_background<float>(g, hepad::data::synthetic::svj_sample::mc, n, 5000, r, &pool);
  const auto sr = g.signal_region();
  // the first 5000 events in full, then the SR events of the rest, in order
  std::vector<std::int64_t> keep;
  const auto mask = sr.mask(full);
  for (std::int64_t i = 0; i < n; ++i)
    if (i < 5000 || mask[i]) keep.push_back(i);
  const auto expect = full.select(std::span<const std::int64_t>(keep));
  REQUIRE(sparse.events.size() == expect.size());
  CHECK(sparse.events.values() == expect.values());
  CHECK(sparse.n_generated == n);
  CHECK(sparse.n_cr_not_kept == (n - 5000) - (sr.count(full) - sr.count(full.rows(0, 5000).to_table())));
  // SR-only scan: the first 500 SR events of the sample
  const auto first_sr = ad::svj_background_sr<float>(g, hepad::data::synthetic::svj_sample::mc, 500, r, &pool);
  const auto all_sr = full.select(mask);
  REQUIRE(all_sr.size() >= 500);
  CHECK(first_sr.values() == all_sr.rows(0, 500).to_table().values());
  // signal SR events: all pass the cuts, labels 1
  const auto sig = ad::svj_signal_sr<float>(g, 3000.0, 300, r, hepad::data::synthetic::svj_signal_pool::test, &pool);
  CHECK(sig.size() == 300);
  CHECK(sr.count(sig) == 300);
  CHECK(sig.labels().minCoeff() == 1);
}

TEST_CASE("prepare_samples: SR/CR split on raw values, hold-out, injection, MC-fitted scaling, normalisation") {
  const hepad::data::synthetic::svj_like g;
  const rng r(8);
  hepad::thread_pool pool(2);
  const ad::svj_sample_sizes n{.n_data = 300000, .n_mc = 300000, .n_ideal = 100000, .n_cr_keep = 30000,
                               .n_signal_pool = 5000, .n_test_background = 2000, .n_test_signal = 500,
                               .n_supervised_background = 1000, .n_supervised_signal = 500};
  const auto b = ad::make_svj_backgrounds<float>(g, n, r, &pool);
  const auto in = ad::make_svj_inputs<float>(g, b, 4000.0, n, r, &pool);
  for (const bool logs : {false, true}) {
    CAPTURE(logs);
    ad::sample_config cfg{.holdout = 5000};
    if (logs) cfg.log_columns = {0, 1, 2};
    rng ri(9);
    const auto s = ad::prepare_samples(cfg, in, 0.02, ri);
    const auto sr = cfg.signal_region();
    // injection: floor(s N_b,SR) signal events, without replacement, signal rows first
    const auto nb_sr = sr.count(b.data.events);
    CHECK(s.injection.n_background_in_region == nb_sr);
    CHECK(s.injection.n_signal == static_cast<std::int64_t>(std::floor(0.02 * static_cast<double>(nb_sr))));
    CHECK(s.data_sr.size() == nb_sr + s.injection.n_signal_in_region);
    CHECK(s.data_sr.labels().sum() == s.injection.n_signal_in_region);
    // hold-out: pure background, last CR rows
    CHECK(s.data_cr_holdout.size() == 5000);
    CHECK(s.data_cr_holdout.labels().sum() == 0);
    CHECK(s.mc_cr_holdout.size() == 5000);
    // regions on raw values: every SR row is in the SR, every CR row outside
    CHECK(sr.count(hepad::data::table<float>(s.data_sr.column_names(), s.unscale(s.data_sr.values()))) == s.data_sr.size());
    CHECK(sr.count(hepad::data::table<float>(s.mc_cr.column_names(), s.unscale(s.mc_cr.values()))) == 0);
    // scaling: MC columns span [-2.5, 2.5]; the inverse restores raw values
    matrix<float> mc(s.mc_cr.size() + s.mc_cr_holdout.size() + s.mc_sr.size(), 7);
    mc << s.mc_cr.values(), s.mc_cr_holdout.values(), s.mc_sr.values();
    for (int k = 0; k < 7; ++k) {
      CHECK(mc.col(k).minCoeff() == doctest::Approx(-2.5).epsilon(1e-5));
      CHECK(mc.col(k).maxCoeff() == doctest::Approx(2.5).epsilon(1e-5));
    }
    const matrix<float> back = s.unscale(s.data_sr.values());
    const matrix<float> again = s.scale(back);
    CHECK((again - s.data_sr.values()).cwiseAbs().maxCoeff() < 1e-4f);
    // context extraction returns both context columns (spec §11 item 13)
    CHECK(s.data_sr.context().cols() == 2);
    CHECK(s.data_sr.features().cols() == 5);
    // normalisation bookkeeping: all CR events of the samples are counted
    const auto cr_all = static_cast<std::int64_t>(n.n_data) - nb_sr + (s.injection.n_signal - s.injection.n_signal_in_region);
    CHECK(s.n_data_cr_all == cr_all);
    CHECK(s.n_mc_cr_all == n.n_mc - sr.count(b.mc.events));
    CHECK(s.ideal_weight == doctest::Approx(3.0));
    CHECK(s.cr_normalisation() == doctest::Approx((static_cast<double>(s.mc_cr.size()) / static_cast<double>(s.n_mc_cr_all)) *
                                                  (static_cast<double>(s.n_data_cr_all) / static_cast<double>(s.data_cr.size()))));
  }
  // too large a hold-out is refused
  rng ri(9);
  CHECK_THROWS_AS((void)ad::prepare_samples(ad::sample_config{.holdout = 10'000'000}, in, 0.0, ri), hepad::invalid_argument);
}
