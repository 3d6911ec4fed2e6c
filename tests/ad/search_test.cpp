// SPDX-License-Identifier: BSL-1.0
// The signal-region search: classifier ensembles (k-fold out-of-fold scores really come from
// members that never saw the event; identical results for any thread count; shared or
// independent validation splits), CWoLa on a toy with a known optimal classifier (finds the
// signal with a perfect template, sees nothing without signal), the significance scan (background
// prediction against truth, no fake significance without signal) and the compile-time pipeline
// (equal, bit for bit, to calling the stages by hand).
#include <doctest/doctest.h>

#include <hepad/ad/analysis.hpp>
#include <hepad/ad/cwola.hpp>
#include <hepad/ad/ensemble.hpp>
#include <hepad/ad/evaluation.hpp>
#include <hepad/ad/ideal.hpp>
#include <hepad/ad/significance.hpp>
#include <hepad/core/concepts/stage.hpp>
#include <hepad/pipeline/pipeline.hpp>
#include <hepad/stats/roc.hpp>

#include <cmath>
#include <memory>
#include <vector>

namespace ad = hepad::ad;
using hepad::index_t;
using hepad::matrix;
using hepad::rng;
using hepad::vector;

static_assert(hepad::stage<ad::discriminate, ad::analysis<float>>);
static_assert(hepad::stage<ad::estimate<ad::ideal>, ad::analysis<float>>);
static_assert(hepad::stage<ad::score_test, ad::analysis<float>>);
static_assert(hepad::stage<ad::significance_step, ad::analysis<float>>);

namespace {

// Toy SR: background x ~ N(0, I_3); signal x ~ N((2.2, 2.2, 0), 0.5^2 I_3).
matrix<float> toy_background(index_t n, rng& r) {
  matrix<float> x(n, 3);
  for (index_t i = 0; i < x.size(); ++i) x.data()[i] = r.normal<float>();
  return x;
}
matrix<float> toy_signal(index_t n, rng& r) {
  matrix<float> x(n, 3);
  for (index_t i = 0; i < n; ++i) {
    x(i, 0) = r.normal<float>(2.2f, 0.5f);
    x(i, 1) = r.normal<float>(2.2f, 0.5f);
    x(i, 2) = r.normal<float>(0.0f, 0.5f);
  }
  return x;
}

ad::ensemble_config small_ensemble(std::int64_t n, std::int64_t folds) {
  ad::ensemble_config e;
  e.n_models = n;
  e.folds = folds;
  e.classifier.hidden = {32, 32};
  e.classifier.epochs = 15;
  e.classifier.batch_size = 256;
  return e;
}

// Samples of the toy as an extrapolation study (only what the SR search reads).
std::shared_ptr<const ad::extrapolation_samples<float>> toy_study(index_t n_bkg, index_t n_sig, rng& r) {
  auto s = std::make_shared<ad::extrapolation_samples<float>>();
  const std::vector<std::string> names{"c0", "c1", "x0", "x1", "x2"};
  auto table = [&](const matrix<float>& x, int label) {
    matrix<float> v = matrix<float>::Zero(x.rows(), 5);
    v.rightCols(3) = x;
    hepad::data::table<float> t(names, v);
    t.set_context(0, 2).set_features(2, 3);
    t.set_labels(label);
    return t;
  };
  auto data = table(toy_background(n_bkg, r), 0);
  if (n_sig > 0) data = hepad::data::concat(table(toy_signal(n_sig, r), 1), data);
  s->data_sr = data;
  s->ideal_sr = table(toy_background(n_bkg, r), 0);
  s->test = hepad::data::concat(table(toy_background(20000, r), 0), table(toy_signal(4000, r), 1));
  s->injection.n_background_in_region = n_bkg;
  s->injection.n_signal_in_region = n_sig;
  return s;
}

}  // namespace

TEST_CASE("ensemble: out-of-fold scores come from members that never saw the event; thread independence") {
  rng r(71);
  const index_t n = 4000;
  matrix<float> x = toy_background(n, r);
  hepad::label_vector y(n);
  for (index_t i = 0; i < n; ++i) {
    y(i) = i % 2;
    if (y(i) == 1) x(i, 0) += 0.8f;
  }
  const vector<float> w = vector<float>::Ones(n);
  auto cfg = small_ensemble(6, 3);
  cfg.threads = 1;
  ad::classifier_ensemble<float> e1(cfg);
  rng a(5);
  e1.fit(x, y, w, a);
  // folds: balanced sizes, each event in exactly one
  std::vector<int> count(3, 0);
  for (index_t i = 0; i < n; ++i) ++count[static_cast<std::size_t>(e1.fold_of(i))];
  for (const int c : count) CHECK(std::abs(c - static_cast<int>(n / 3)) <= 1);
  // out-of-fold score of event i = average over members m with m % 3 == fold(i)
  const vector<float> oof = e1.out_of_fold_score(x);
  for (const index_t i : {index_t{0}, index_t{1}, index_t{1234}, n - 1}) {
    const int g = e1.fold_of(i);
    double s = 0;
    for (int m = g; m < 6; m += 3) s += e1.models()[static_cast<std::size_t>(m)].predict_proba(x.row(i))(0);
    CHECK(oof(i) == doctest::Approx(s / 2.0).epsilon(1e-5));
  }
  // averaged scores over all members; identical with 2 threads
  cfg.threads = 2;
  ad::classifier_ensemble<float> e2(cfg);
  rng b(5);
  e2.fit(x, y, w, b);
  CHECK((e1.predict_score(x) - e2.predict_score(x)).cwiseAbs().maxCoeff() == 0.0f);
  // members differ (independent seeds and validation splits)
  CHECK((e1.models()[0].predict_logit(x) - e1.models()[3].predict_logit(x)).cwiseAbs().maxCoeff() > 0.0f);
  // the balancing factors were computed per member on its training part
  CHECK(e1.balance()[0].class1 == doctest::Approx(e1.balance()[0].total0 / e1.balance()[0].total1 > 1
                                                      ? e1.balance()[0].total0 / e1.balance()[0].total1
                                                      : 1.0));
  CHECK_THROWS_AS(ad::classifier_ensemble<float>(small_ensemble(2, 3)).fit(x, y, w, a), hepad::invalid_argument);
}

TEST_CASE("CWoLa on a toy: finds the signal with a perfect template, nothing without signal") {
  rng r(81);
  for (const index_t n_sig : {index_t{0}, index_t{400}}) {
    CAPTURE(n_sig);
    const auto s = toy_study(10000, n_sig, r);
    ad::cwola cw{small_ensemble(4, 2), ad::weight_crop{}};
    rng rr(3);
    const auto est = ad::ideal{}.run(*s, rr);
    const auto res = cw.run(est.sr, s->data_sr.features(), rr);
    const vector<float> sc = res.predict_score(s->test.features());
    const auto m = ad::evaluate_scores<float>(sc, s->test.labels());
    // optimal AUC of this toy is ~1; with 4 % signal in the data CWoLa gets most of it. At
    // S/B = 0 the classifier has nothing to learn: on held-out events (out-of-fold) it cannot tell
    // the template from the data. (Its test-set AUC is then arbitrary: the signal sits where no
    // training event is, so a noise score may rank it anywhere; that is not checked.)
    if (n_sig > 0) {
      CHECK(m.auc > 0.9);
    } else {
      std::vector<double> sc2;
      std::vector<int> y2;
      for (index_t i = 0; i < res.template_scores.size(); ++i) {
        sc2.push_back(res.template_scores(i));
        y2.push_back(0);
      }
      for (index_t i = 0; i < res.data_scores.size(); ++i) {
        sc2.push_back(res.data_scores(i));
        y2.push_back(1);
      }
      const double auc = hepad::stats::roc_auc(sc2, y2);
      const double null_sigma = std::sqrt((1.0 / 10000 + 1.0 / 10000) / 12.0);
      MESSAGE("S/B = 0: out-of-fold AUC template vs data " << auc << " (null sigma " << null_sigma << "), test AUC " << m.auc);
      CHECK(std::abs(auc - 0.5) < 4 * null_sigma);
    }
    CHECK(res.has_out_of_fold());
    CHECK(res.template_scores.size() == est.sr.size());
    CHECK(res.data_scores.size() == s->data_sr.size());
    if (n_sig == 0) {
      // clip_to_training_range: test features are clipped to the per-column range of the
      // training events (template + data) before scoring; the same ensemble otherwise.
      ad::cwola cc = cw;
      cc.clip_to_training_range = true;
      rng rc(3);
      (void)ad::ideal{}.run(*s, rc);  // same generator state as above
      const auto resc = cc.run(est.sr, s->data_sr.features(), rc);
      hepad::matrix<float> x = s->test.features();
      x.row(0) *= 1e3f;  // far outside the training range
      hepad::matrix<float> xc = x;
      for (index_t j = 0; j < xc.cols(); ++j) {
        CHECK(resc.lo(j) <= resc.hi(j));
        xc.col(j) = xc.col(j).cwiseMax(resc.lo(j)).cwiseMin(resc.hi(j));
      }
      const vector<float> a = resc.predict_score(x), b = resc.ensemble.predict_score(xc);
      CHECK((a - b).cwiseAbs().maxCoeff() == 0.0f);
      // without the option the far point is scored as is (an extrapolation)
      CHECK(res.predict_score(x)(0) == res.ensemble.predict_score(x)(0));
    }
  }
}

TEST_CASE("significance scan: background prediction against truth, no fake significance without signal") {
  rng r(91);
  for (const index_t n_sig : {index_t{0}, index_t{300}}) {
    CAPTURE(n_sig);
    const auto s = toy_study(20000, n_sig, r);
    rng rr(4);
    const auto est = ad::ideal{}.run(*s, rr);
    const auto res = ad::cwola{small_ensemble(4, 2), {}}.run(est.sr, s->data_sr.features(), rr);
    for (const auto norm : {ad::normalisation_kind::score_sideband, ad::normalisation_kind::template_yield}) {
      const auto scan = ad::significance_scan<float>(res, est.sr, s->data_sr.labels(),
                                                     ad::significance_config{.efficiencies = {0.1, 0.01}, .normalisation = norm});
      REQUIRE(scan.size() == 2);
      for (const auto& p : scan) {
        CAPTURE(p.efficiency);
        // the predicted background agrees with the true background passing the cut (4 sigma)
        CHECK(std::abs(p.pull()) < 4.0);
        CHECK(p.background == doctest::Approx(p.efficiency * 20000).epsilon(0.3));
        CHECK(p.observed == doctest::Approx(p.true_signal + p.true_background));
        CHECK(p.fit_status == hepad::status::success);
        if (n_sig == 0) CHECK(p.z_signed < 4.0);
      }
      if (n_sig > 0) CHECK(scan[1].z > 5.0);  // 300 signal events far from the background
    }
  }
  // without folds there are no out-of-fold scores
  const auto s = toy_study(2000, 0, r);
  rng rr(4);
  const auto est = ad::ideal{}.run(*s, rr);
  const auto res = ad::cwola{small_ensemble(2, 0), {}}.run(est.sr, s->data_sr.features(), rr);
  CHECK_THROWS_AS((void)ad::significance_scan<float>(res, est.sr, s->data_sr.labels()), hepad::invalid_argument);
}

TEST_CASE("pipeline: make_pipeline of the stages equals calling them by hand, bit for bit") {
  rng r(101);
  const auto s = toy_study(6000, 200, r);
  const ad::cwola cw{small_ensemble(2, 2), {}};
  auto p = hepad::make_pipeline(ad::estimate<ad::ideal>{}, ad::discriminate{cw}, ad::score_test{}, ad::significance_step{});
  rng r1(7);
  const auto a = p.run(ad::analysis<float>::of(s), r1);
  // by hand: stage i receives r.split(i)
  rng r2(7);
  rng g0 = r2.split(0), g1 = r2.split(1);
  const auto est = ad::ideal{}.run(*s, g0);
  const auto res = cw.run(est.sr, s->data_sr.features(), g1);
  const vector<float> sc = res.predict_score(s->test.features());
  REQUIRE(a.metrics.has_value());
  CHECK((a.test_scores - sc).cwiseAbs().maxCoeff() == 0.0f);
  CHECK(a.metrics->max_sic == ad::evaluate_scores<float>(sc, s->test.labels()).max_sic);
  CHECK(a.significance.size() == 3);
  CHECK(a.estimate.method == "ideal");
  // a stage without its input says so
  CHECK_THROWS_AS((void)ad::score_test{}.run(ad::analysis<float>::of(s)), hepad::invalid_argument);
}
