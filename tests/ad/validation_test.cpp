// SPDX-License-Identifier: BSL-1.0
// The template's systematic from a validation region (ad/validation.hpp): a known normalisation
// or tail bias of the template is measured as such, a template that closes gives its statistical
// uncertainty, and the significance scan with these systematics equals the closed-form
// discovery significance with sigma_b including them (and `z_stat` the one without them).
#include <doctest/doctest.h>

#include <hepad/ad/analysis.hpp>
#include <hepad/ad/cwola.hpp>
#include <hepad/ad/ideal.hpp>
#include <hepad/ad/significance.hpp>
#include <hepad/ad/validation.hpp>
#include <hepad/data/table.hpp>
#include <hepad/pipeline/pipeline.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace ad = hepad::ad;
using hepad::index_t;
using hepad::matrix;
using hepad::rng;
using hepad::vector;

namespace {

vector<double> uniform_scores(index_t n, rng& r) {
  vector<double> v(n);
  for (index_t i = 0; i < n; ++i) v(i) = r.uniform<double>();
  return v;
}

}  // namespace

TEST_CASE("validation: a template that equals the data closes up to its statistical uncertainty") {
  rng r(5);
  const vector<double> s = uniform_scores(20000, r);
  const vector<double> w = vector<double>::Ones(s.size());
  for (const auto norm : {ad::normalisation_kind::template_yield, ad::normalisation_kind::score_sideband}) {
    CAPTURE(static_cast<int>(norm));
    const auto v = ad::validate_template_scores<double>(s, w, s, {.efficiencies = {0.1, 0.01}, .normalisation = norm});
    REQUIRE(v.size() == 2);
    for (const auto& p : v) {
      CAPTURE(p.efficiency);
      REQUIRE(p.valid);
      CHECK(p.observed == doctest::Approx(p.efficiency * 20000).epsilon(0.01));
      CHECK(p.ratio == doctest::Approx(1.0).epsilon(1e-12));
      // zero bias: the systematic is the ratio's statistical uncertainty, about sqrt(2 / n_pass)
      CHECK(p.relative_systematic == doctest::Approx(p.ratio_error).epsilon(1e-12));
      const double expected = norm == ad::normalisation_kind::template_yield
                                  ? std::sqrt((1.0 + (1.0 - p.efficiency)) / p.observed)
                                  : std::sqrt(2.0 / p.observed + 2.0 / (0.5 * 20000));
      CHECK(p.ratio_error == doctest::Approx(expected).epsilon(0.02));
    }
  }
}

TEST_CASE("validation: a 10 % normalisation bias is found with the template yield and cancels with the sideband") {
  rng r(6);
  const index_t n = 200000;
  const vector<double> data = uniform_scores(n, r), tmpl = uniform_scores(n, r);
  // the template predicts 10 % less background than there is: R = 1 / 0.9 - 1 would be 11 %;
  // weights 1 / 1.1 give R = 1.10
  const vector<double> w = vector<double>::Constant(n, 1.0 / 1.1);
  const auto ty = ad::validate_template_scores<double>(tmpl, w, data,
                                                       {.efficiencies = {0.1, 0.01}, .normalisation = ad::normalisation_kind::template_yield});
  for (const auto& p : ty) {
    CAPTURE(p.efficiency);
    REQUIRE(p.valid);
    CHECK(std::abs(p.ratio - 1.10) < 3.0 * p.ratio_error);
    CHECK(std::abs(p.relative_systematic - 0.10) < 3.0 * p.ratio_error);
    CHECK(p.relative_systematic > p.ratio_error);
  }
  // at eps = 0.1 (2e4 events) the stat error is ~1 %, so 10 % is resolved
  CHECK(ty[0].relative_systematic == doctest::Approx(0.10).epsilon(0.3));
  const auto sb = ad::validate_template_scores<double>(tmpl, w, data,
                                                       {.efficiencies = {0.1, 0.01}, .normalisation = ad::normalisation_kind::score_sideband});
  for (const auto& p : sb) {
    CAPTURE(p.efficiency);
    CHECK(std::abs(p.ratio - 1.0) < 3.0 * p.ratio_error);
    CHECK(p.relative_systematic < 4.0 * p.ratio_error);
  }
  CHECK(sb[0].relative_systematic < 0.05);  // stat error ~1 % at eps = 0.1
}

TEST_CASE("validation: a 10 % deficit of the template in the score tail is found with either normalisation") {
  rng r(7);
  const index_t n = 400000;
  const vector<double> data = uniform_scores(n, r);
  // template: the data's density except 10 % less above score 0.95 (data/template = 1/0.9 there)
  vector<double> tmpl = uniform_scores(n, r);
  vector<double> w = vector<double>::Ones(n);
  for (index_t i = 0; i < n; ++i)
    if (tmpl(i) > 0.95) w(i) = 0.9;
  for (const auto norm : {ad::normalisation_kind::template_yield, ad::normalisation_kind::score_sideband}) {
    CAPTURE(static_cast<int>(norm));
    const auto v = ad::validate_template_scores<double>(tmpl, w, data, {.efficiencies = {0.01}, .normalisation = norm});
    REQUIRE(v.size() == 1);
    const auto& p = v[0];
    REQUIRE(p.valid);
    // the cut keeps 1 % of the template's weight W = 0.995 n, i.e. 0.01 W / 0.9 data events; both
    // normalisations predict 0.01 W (the template's total is the data count below the tail)
    const double truth = 1.0 / 0.9;
    CHECK(std::abs(p.ratio - truth) < 3.0 * p.ratio_error);
    CHECK(std::abs(p.relative_systematic - (truth - 1.0)) < 3.0 * p.ratio_error);
  }
}

TEST_CASE("validation: no template weight above the cut is reported invalid; inputs are checked") {
  const vector<double> s = vector<double>::LinSpaced(100, 0.0, 1.0);
  vector<double> w = vector<double>::Ones(100);
  // efficiency 1e-4 of 100 unit weights: no event passes
  const auto v = ad::validate_template_scores<double>(s, w, s, {.efficiencies = {1e-4}, .normalisation = ad::normalisation_kind::template_yield});
  REQUIRE(v.size() == 1);
  CHECK_FALSE(v[0].valid);
  CHECK(ad::relative_systematics(v) == std::vector<double>{1.0});
  CHECK(ad::relative_systematics(v, 0.3) == std::vector<double>{0.3});
  const vector<double> short_w = vector<double>::Ones(10);
  CHECK_THROWS_AS((void)ad::validate_template_scores<double>(s, short_w, s), hepad::invalid_argument);
  w(3) = -1.0;
  CHECK_THROWS_AS((void)ad::validate_template_scores<double>(s, w, s), hepad::invalid_argument);
  CHECK_THROWS_AS((void)ad::validate_template_scores<double>(s, vector<double>::Ones(100), vector<double>()),
                  hepad::invalid_argument);
}

TEST_CASE("validation: the scan with CR systematics equals the closed form with sigma_b including them") {
  // Toy SR and CR: background N(0, I_3) (the CR shifted in the first coordinate), Ideal templates.
  rng r(17);
  const std::vector<std::string> names{"c0", "c1", "x0", "x1", "x2"};
  auto table = [&](index_t n, float shift) {
    matrix<float> v = matrix<float>::Zero(n, 5);
    for (index_t i = 0; i < n; ++i)
      for (index_t j = 2; j < 5; ++j) v(i, j) = r.normal<float>() + (j == 2 ? shift : 0.0f);
    hepad::data::table<float> t(names, v);
    t.set_context(0, 2).set_features(2, 3);
    t.set_labels(0);
    return t;
  };
  auto s = std::make_shared<ad::extrapolation_samples<float>>();
  s->data_sr = table(8000, 0.0f);
  s->ideal_sr = table(8000, 0.0f);
  s->ideal_cr = table(8000, 0.3f);
  s->data_cr_holdout = table(8000, 0.3f);
  s->test = table(1000, 0.0f);
  ad::ensemble_config e;
  e.n_models = 2;
  e.folds = 2;
  e.classifier.hidden = {16, 16};
  e.classifier.epochs = 5;
  const ad::significance_config cfg{.efficiencies = {0.1, 0.02}};
  auto pipe = hepad::make_pipeline(ad::estimate<ad::ideal>{}, ad::discriminate{ad::cwola{e, {}}},
                                   ad::significance_step{cfg, true});
  const auto a = pipe.run(ad::analysis<float>::of(s), r);
  REQUIRE(a.validation.size() == 2);
  REQUIRE(a.significance.size() == 2);
  // the stage's validation is validate_template on the CR hold-out
  const auto v = ad::validate_template<float>(*a.cwola, a.estimate.cr, s->data_cr_holdout.features(), cfg);
  const auto plain = ad::significance_scan<float>(*a.cwola, a.estimate.sr, s->data_sr.labels(), cfg);
  for (std::size_t i = 0; i < 2; ++i) {
    CAPTURE(i);
    const auto& val = a.validation[i];
    const auto& p = a.significance[i];
    REQUIRE(val.valid);
    CHECK(val.relative_systematic == v[i].relative_systematic);
    // same distribution in the CR: the non-closure is within 3 of its standard errors
    CHECK(std::abs(val.ratio - 1.0) < 3.0 * val.ratio_error);
    CHECK(p.relative_systematic == doctest::Approx(val.relative_systematic));
    // the prediction is unchanged; its uncertainty gains the systematic in quadrature
    CHECK(p.background == plain[i].background);
    CHECK(p.observed == plain[i].observed);
    const double sigma_b = std::hypot(plain[i].background_error, val.relative_systematic * p.background);
    CHECK(p.background_error == doctest::Approx(sigma_b).epsilon(1e-12));
    CHECK(p.z_signed == doctest::Approx(ad::discovery_significance(p.observed, p.background, sigma_b)).epsilon(1e-12));
    CHECK(p.z_stat == doctest::Approx(plain[i].z_signed).epsilon(1e-12));
    CHECK(plain[i].z_stat == doctest::Approx(plain[i].z_signed).epsilon(1e-12));
    CHECK(std::abs(p.z_signed) <= std::abs(p.z_stat) + 1e-12);
  }
  // the explicit form: a fixed systematic and per-cut ones add in quadrature
  ad::significance_config c2 = cfg;
  c2.relative_systematic = 0.05;
  const std::vector<double> extra{0.12, 0.0};
  const auto q = ad::significance_scan<float>(*a.cwola, a.estimate.sr, s->data_sr.labels(), c2, extra);
  CHECK(q[0].relative_systematic == doctest::Approx(std::hypot(0.05, 0.12)));
  CHECK(q[1].relative_systematic == doctest::Approx(0.05));
  CHECK(q[0].z_signed == doctest::Approx(ad::discovery_significance(
                                             q[0].observed, q[0].background,
                                             std::hypot(plain[0].background_error, std::hypot(0.05, 0.12) * q[0].background)))
                             .epsilon(1e-12));
  const std::vector<double> wrong{0.1};
  CHECK_THROWS_AS((void)ad::significance_scan<float>(*a.cwola, a.estimate.sr, s->data_sr.labels(), cfg, wrong),
                  hepad::invalid_argument);
  const std::vector<double> negative{0.1, -0.1};
  CHECK_THROWS_AS((void)ad::significance_scan<float>(*a.cwola, a.estimate.sr, s->data_sr.labels(), cfg, negative),
                  hepad::invalid_argument);
  // without a CR template the stage says so
  auto s2 = std::make_shared<ad::extrapolation_samples<float>>(*s);
  s2->data_cr_holdout = hepad::data::table<float>{};
  auto a2 = a;
  a2.samples = s2;
  const ad::significance_step with_cr{cfg, true};
  CHECK_THROWS_AS((void)with_cr.run(a2), hepad::invalid_argument);
}
