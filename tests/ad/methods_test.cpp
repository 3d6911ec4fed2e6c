// SPDX-License-Identifier: BSL-1.0
// Background-estimation methods against known truth: the classifier's exp(logit) recovers a
// closed-form likelihood ratio; Reweight and the context weights recover the SVJ-like generator's
// exact density ratios on held-out events (histogram chi-square next to the exact weights' own);
// Morph's top flow starts at the identity and learns the exact morphing map; Generate's
// templates have the documented layout (any oversampling factor); Ideal; the closure test is
// unbiased under the null and detects a shift.
#include <doctest/doctest.h>

#include <hepad/ad/classifier.hpp>
#include <hepad/ad/closure.hpp>
#include <hepad/ad/context_weights.hpp>
#include <hepad/ad/generate.hpp>
#include <hepad/ad/histograms.hpp>
#include <hepad/ad/ideal.hpp>
#include <hepad/ad/morph.hpp>
#include <hepad/ad/reweight.hpp>
#include <hepad/ad/svj_samples.hpp>
#include <hepad/core/concepts/classifier.hpp>
#include <hepad/core/parallel.hpp>

#include <cmath>
#include <vector>

namespace ad = hepad::ad;
using hepad::index_t;
using hepad::matrix;
using hepad::rng;
using hepad::vector;

static_assert(hepad::probabilistic_classifier<ad::mlp_classifier<float>, float>);
static_assert(hepad::weighted_classifier<ad::mlp_classifier<float>, float>);

namespace {

// One small study on the SVJ-like generator, shared by the method tests (built once).
const ad::extrapolation_samples<float>& svj_study() {
  static const ad::extrapolation_samples<float> s = [] {
    const hepad::data::synthetic::svj_like g;
    const rng r(21);
    hepad::thread_pool pool(2);
    const ad::svj_sample_sizes n{.n_data = 400000, .n_mc = 400000, .n_ideal = 200000, .n_cr_keep = 60000,
                                 .n_signal_pool = 100, .n_test_background = 100, .n_test_signal = 100,
                                 .n_supervised_background = 100, .n_supervised_signal = 100};
    const auto b = ad::make_svj_backgrounds<float>(g, n, r, &pool);
    const auto in = ad::make_svj_inputs<float>(g, b, 4000.0, n, r, &pool);
    rng ri(1);
    return ad::prepare_samples(ad::sample_config{.holdout = 10000, .log_columns = {0, 1, 2}}, in, 0.0, ri);
  }();
  return s;
}

ad::classifier_config fast_cr_classifier() {
  ad::classifier_config c = ad::presets::s0_reweight();
  c.hidden = {64, 64, 64};
  c.epochs = 20;
  c.chunks = 2;
  c.threads = 2;
  return c;
}

matrix<float> join(const matrix<float>& a, const matrix<float>& b) {
  matrix<float> out(a.rows(), a.cols() + b.cols());
  out << a, b;
  return out;
}

}  // namespace

TEST_CASE("mlp_classifier: exp(logit) recovers a closed-form likelihood ratio") {
  // class 1 ~ N(0.6, 1), class 0 ~ N(0, 1) with twice as many events: exp(logit) -> 0.5 exp(0.6 x - 0.18)
  rng r(4);
  const index_t n1 = 20000, n0 = 40000;
  matrix<float> x(n0 + n1, 1);
  hepad::label_vector y(n0 + n1);
  for (index_t i = 0; i < n0 + n1; ++i) {
    y(i) = i < n0 ? 0 : 1;
    x(i, 0) = r.normal<float>(y(i) == 1 ? 0.6f : 0.0f, 1.0f);
  }
  ad::mlp_classifier<float> c(ad::classifier_config{.hidden = {32, 32}, .batch_size = 512, .epochs = 30, .chunks = 2, .threads = 2});
  rng rc(5);
  c.fit(x, y, rc);
  CHECK(c.history().restored_best);
  matrix<float> grid(7, 1);
  grid << -1.5f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 1.5f;
  const vector<float> w = ad::weights_from_logits<float>(c.predict_logit(grid));
  for (index_t i = 0; i < grid.rows(); ++i) {
    const double truth = 0.5 * std::exp(0.6 * grid(i, 0) - 0.18);
    CAPTURE(grid(i, 0));
    // statistical precision of a 60k-event fit in the bulk: a few per cent
    CHECK(std::abs(std::log(w(i) / truth)) < 0.08);
  }
  const vector<float> p = c.predict_proba(grid);
  CHECK(p(3) == doctest::Approx(w(3) / (1 + w(3))).epsilon(1e-5));
  // the same seed gives the same classifier for any thread count
  ad::mlp_classifier<float> c1(ad::classifier_config{.hidden = {32, 32}, .batch_size = 512, .epochs = 3, .chunks = 2, .threads = 1});
  ad::mlp_classifier<float> c2(ad::classifier_config{.hidden = {32, 32}, .batch_size = 512, .epochs = 3, .chunks = 2, .threads = 2});
  rng a(9), b(9);
  c1.fit(x, y, a);
  c2.fit(x, y, b);
  CHECK((c1.predict_logit(grid) - c2.predict_logit(grid)).cwiseAbs().maxCoeff() == 0.0f);
  hepad::label_vector bad = y;
  bad(0) = 2;
  CHECK_THROWS_AS(c.fit(x, bad, rc), hepad::invalid_argument);
  CHECK_THROWS_AS((void)ad::mlp_classifier<float>().predict_logit(grid), hepad::invalid_argument);
}

TEST_CASE("Reweight and context weights recover the exact density ratios of the SVJ-like generator") {
  const auto& s = svj_study();
  const hepad::data::synthetic::svj_like g;
  // Reweight: MC-CR hold-out weighted by the learned w against the data-CR hold-out, next to the
  // same MC events weighted by the exact w* (7 columns x 20 equal-population bins). Under the
  // null each column's chi2 has mean ndf; the learned weights may not be much worse than w*.
  ad::reweight rw{fast_cr_classifier()};
  rng r(31);
  const auto e = rw.run(s, r);
  const matrix<float> mc7 = join(e.cr.context, e.cr.features);
  const vector<double> lr = g.log_density_ratio<float>(s.unscale(mc7));
  vector<float> w_exact(lr.size());
  for (index_t i = 0; i < lr.size(); ++i) w_exact(i) = static_cast<float>(std::exp(lr(i)));
  const ad::histogram_config hq{.bins = 20, .min_count = 10, .quantile = true};
  const auto& names = s.data_sr.column_names();
  const auto learned = ad::total_chi2(ad::compare_histograms<float>(mc7, e.cr.weights, s.data_cr_holdout.values(), vector<float>(), names, hq));
  const auto exact = ad::total_chi2(ad::compare_histograms<float>(mc7, w_exact, s.data_cr_holdout.values(), vector<float>(), names, hq));
  const double ndf = static_cast<double>(learned.second);
  // 7 correlated columns: the sum's standard deviation is at most 7 sqrt(2 ndf / 7)
  const double sigma = 7.0 * std::sqrt(2.0 * ndf / 7.0) / ndf;
  MESSAGE("CR chi2/ndf learned " << learned.first / ndf << ", exact " << exact.first / ndf << " (sigma " << sigma << ")");
  CHECK(learned.first / ndf < 1.0 + 3.0 * sigma);
  CHECK(exact.first / ndf < 1.0 + 3.0 * sigma);
  // event by event, log w - log w* (up to a constant) is small in the CR
  double m = 0, q = 0;
  for (index_t i = 0; i < lr.size(); ++i) m += std::log(static_cast<double>(e.cr.weights(i))) - lr(i);
  m /= static_cast<double>(lr.size());
  for (index_t i = 0; i < lr.size(); ++i) {
    const double d = std::log(static_cast<double>(e.cr.weights(i))) - lr(i) - m;
    q += d * d;
  }
  const double rms = std::sqrt(q / static_cast<double>(lr.size()));
  MESSAGE("rms log(w / w*) on the CR hold-out: " << rms);
  CHECK(rms < 0.2);
  // SR yield: the normalised weights estimate the data SR background (extrapolated, so looser)
  CHECK(e.sr.yield() == doctest::Approx(static_cast<double>(s.injection.n_background_in_region)).epsilon(0.15));
  CHECK(e.get("sr_nonfinite") == 0.0);

  // context weights against the exact context ratio on the MC-SR events (the extrapolation)
  ad::context_weights cw{fast_cr_classifier()};
  rng rc(32);
  const auto v = cw.run(s, rc);
  const vector<double> lc = g.log_context_ratio<float>(s.unscale(s.mc_sr.values()));
  double mc = 0, qc = 0;
  for (index_t i = 0; i < lc.size(); ++i) mc += std::log(static_cast<double>(v.sr(i))) - lc(i);
  mc /= static_cast<double>(lc.size());
  for (index_t i = 0; i < lc.size(); ++i) {
    const double d = std::log(static_cast<double>(v.sr(i))) - lc(i) - mc;
    qc += d * d;
  }
  MESSAGE("context weights: rms log(w / w*) in the SR " << std::sqrt(qc / static_cast<double>(lc.size())));
  CHECK(std::sqrt(qc / static_cast<double>(lc.size())) < 0.15);
  CHECK(v.sr.sum() == doctest::Approx(static_cast<double>(s.injection.n_background_in_region)).epsilon(0.15));
  CHECK(v.cr_holdout.sum() == doctest::Approx(static_cast<double>(s.data_cr_holdout.size())).epsilon(1e-4));
}

TEST_CASE("Morph: the top flow starts at the identity and learns the exact morphing map" * doctest::test_suite("slow")) {
  const auto& s = svj_study();
  const hepad::data::synthetic::svj_like g;
  ad::morph mo;
  mo.base.net.hidden = 16;
  mo.base_training.epochs = 4;
  mo.base_training.schedule.t_max = 4;
  mo.base_training.chunks = 2;
  mo.top_training.epochs = 3;
  mo.top_training.schedule.t_max = 3;
  mo.top_training.chunks = 2;
  // before training: T = identity exactly
  {
    ad::morph m0 = mo;
    m0.top_training.epochs = 1;
    m0.top_training.optimizer.learning_rate = 1e-30;
    rng r(41);
    const auto f = m0.fit(s, r);
    const matrix<float> x = s.mc_cr_holdout.features(), c = s.mc_cr_holdout.context();
    CHECK((ad::morph::transport(f, x, c) - x).cwiseAbs().maxCoeff() < 1e-5f);
  }
  rng r(42);
  const auto f = mo.fit(s, r);
  const matrix<float> x = s.mc_cr_holdout.features(), c = s.mc_cr_holdout.context();
  const matrix<float> learned = ad::morph::transport(f, x, c);
  const matrix<float> exact = s.scale(g.morph<float>(s.unscale(s.mc_cr_holdout.values()), true)).rightCols(5);
  for (int k = 0; k < 5; ++k) {
    const double shift_exact = (exact.col(k) - x.col(k)).cast<double>().mean();
    const double shift_learned = (learned.col(k) - x.col(k)).cast<double>().mean();
    const double rms = std::sqrt((learned.col(k) - exact.col(k)).cast<double>().array().square().mean());
    CAPTURE(k);
    MESSAGE("feature " << k << ": mean shift exact " << shift_exact << " learned " << shift_learned << ", rms " << rms);
    // the map moves events by a few per cent of a feature's spread; the learned one must go the
    // right way by the right amount (within 40 %) and stay close event by event
    CHECK(std::abs(shift_learned - shift_exact) < 0.4 * std::abs(shift_exact) + 0.005);
    CHECK(rms < 0.05);
  }
  // the estimate: MC-SR events morphed and context-weighted
  ad::context_weight_values<float> w;
  w.sr = vector<float>::Ones(s.mc_sr.size());
  w.cr_holdout = vector<float>::Ones(s.mc_cr_holdout.size());
  const auto e = mo.make_estimate(f, s, w);
  CHECK(e.sr.size() == s.mc_sr.size());
  CHECK(e.cr.size() == s.mc_cr_holdout.size());
  CHECK_THROWS_AS((void)ad::morph{.top = hepad::flows::presets::s0_morph_top()}.fit(s, r), hepad::invalid_argument);
}

TEST_CASE("Generate: samples at MC-SR contexts with any oversampling factor, weights w_ctx / k; Ideal") {
  const auto& s = svj_study();
  ad::generate gen;
  gen.flow.net.hidden = 8;
  gen.training.epochs = 1;
  gen.training.chunks = 2;
  gen.oversample = 3;
  rng r(51);
  const auto f = gen.fit(s, r);
  ad::context_weight_values<float> w;
  w.sr = vector<float>::LinSpaced(s.mc_sr.size(), 0.5f, 1.5f);
  w.cr_holdout = vector<float>::Ones(s.mc_cr_holdout.size());
  const auto e = gen.make_estimate(f, s, w, r);
  REQUIRE(e.sr.size() == 3 * s.mc_sr.size());
  for (index_t i : {index_t{0}, index_t{17}, s.mc_sr.size() - 1})
    for (index_t k = 0; k < 3; ++k) {
      CHECK(e.sr.weights(3 * i + k) == doctest::Approx(w.sr(i) / 3.0f));
      CHECK(e.sr.context.row(3 * i + k) == s.mc_sr.context().row(i));
    }
  CHECK(e.sr.yield() == doctest::Approx(static_cast<double>(w.sr.sum())).epsilon(1e-5));
  CHECK(e.sr.features.allFinite());
  CHECK(e.cr.size() == s.data_cr_holdout.size());
  CHECK(e.cr.context == matrix<float>(s.data_cr_holdout.context()));
  // Ideal: the independent sample, normalised to the data
  rng ri(1);
  const auto id = ad::ideal{}.run(s, ri);
  CHECK(id.sr.size() == s.ideal_sr.size());
  CHECK(id.sr.yield() == doctest::Approx(static_cast<double>(s.ideal_sr.size()) * s.ideal_weight));
}

TEST_CASE("closure test: AUC ~ 0.5 on held-out events for one density, detects a shift") {
  rng r(61);
  const index_t n = 6000;
  matrix<float> a(n, 2), b(n, 2), c(n, 2);
  for (index_t i = 0; i < n; ++i)
    for (int k = 0; k < 2; ++k) {
      a(i, k) = r.normal<float>();
      b(i, k) = r.normal<float>();
      c(i, k) = r.normal<float>(k == 0 ? 0.5f : 0.0f, 1.0f);
    }
  ad::closure_test ct;
  ct.n_runs = 5;
  ct.classifier.epochs = 10;
  const vector<float> ones = vector<float>::Ones(n);
  const auto same = ct.run<float>(a, ones, b, ones, r);
  MESSAGE("null: median AUC " << same.summary.median << ", null sigma " << same.null_sigma);
  CHECK(same.null_sigma == doctest::Approx(std::sqrt((2.0 / 3000.0) / 12.0)).epsilon(0.01));
  CHECK(std::abs(same.summary.median - 0.5) < 4 * same.null_sigma);
  // a shift of 0.5 in one dimension: the optimal AUC is Phi(0.5 / sqrt 2) = 0.638
  const auto diff = ct.run<float>(a, ones, c, ones, r);
  CHECK(diff.summary.median == doctest::Approx(0.638).epsilon(0.03));
  // weights that undo a difference restore closure: reweight c to a with the exact ratio
  vector<float> wc(n);
  for (index_t i = 0; i < n; ++i) wc(i) = static_cast<float>(std::exp(-0.5 * c(i, 0) + 0.125));
  const auto fixed = ct.run<float>(c, wc, a, ones, r);
  CHECK(std::abs(fixed.summary.median - 0.5) < 6 * fixed.null_sigma);
}
