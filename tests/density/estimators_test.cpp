// SPDX-License-Identifier: BSL-1.0
// Density estimators: KDE, Gaussian mixture (EM), histogram density, and the generic adapters
// (ensemble, preprocessed). Closed forms where they exist; the generic concept test
// (density_checks.hpp) run on every estimator; bad input.
#include <doctest/doctest.h>

#include "density/density_checks.hpp"
#include "support/archetypes.hpp"

#include <hepad/core/error.hpp>
#include <hepad/density/ensemble.hpp>
#include <hepad/density/gaussian_mixture.hpp>
#include <hepad/density/histogram_density.hpp>
#include <hepad/density/kde.hpp>
#include <hepad/density/preprocessed.hpp>

#include <Eigen/LU>

#include <cmath>
#include <numbers>

namespace hd = hepad::density;
using hepad::matrix;
using hepad::vector;

static_assert(hepad::weighted_density<hd::gaussian_kde<double>, double>);
static_assert(hepad::sampleable_density<hd::gaussian_kde<float>, float>);
static_assert(hd::differentiable_density<hd::gaussian_kde<double>, double>);
static_assert(hepad::weighted_density<hd::gaussian_mixture<double>, double>);
static_assert(hepad::sampleable_density<hd::gaussian_mixture<float>, float>);
static_assert(hd::differentiable_density<hd::gaussian_mixture<double>, double>);
static_assert(hepad::weighted_density<hd::histogram_density<double>, double>);
static_assert(hepad::sampleable_density<hd::histogram_density<float>, float>);
static_assert(hepad::sampleable_density<hd::ensemble<hd::gaussian_mixture<double>>, double>);
static_assert(!hepad::conditional_density<hd::gaussian_kde<double>, double>);
// The generic adapters use only what the concepts promise: they instantiate on the archetypes.
static_assert(hepad::sampleable_density<hd::ensemble<hepad_test::archetype::density<double>>, double>);
static_assert(hepad::conditional_density<hd::ensemble<hepad_test::archetype::conditional_density<float>>, float>);
static_assert(hepad::sampleable_density<
              hd::preprocessed<hepad_test::archetype::density<double>, hepad_test::archetype::preprocessor<double>>,
              double>);

TEST_CASE("generic adapters run on the archetypes") {
  namespace a = hepad_test::archetype;
  hepad::rng r(1);
  const matrix<double> x = matrix<double>::Ones(4, 1);
  const vector<double> w = vector<double>::Ones(4);
  hd::ensemble<a::density<double>> e(2, a::density<double>{});
  e.fit(x, r);
  e.fit(x, w, r);
  CHECK(e.log_prob(x).size() == 4);
  CHECK(e.sample(3, r).rows() == 3);
  hd::preprocessed<a::density<double>, a::preprocessor<double>> p;
  hepad::fit(p, r, hepad::matrix_cref<double>(x));
  p.fit(x, w, r);
  CHECK(p.log_prob(x).size() == 4);
  CHECK(p.sample(2, r).rows() == 2);
  hd::ensemble<a::conditional_density<float>> ec(2, a::conditional_density<float>{});
  const matrix<float> xf = matrix<float>::Ones(4, 1), cf = matrix<float>::Zero(4, 1);
  ec.fit(xf, cf, r);
  CHECK(ec.log_prob(xf, cf).size() == 4);
  CHECK(ec.sample(cf, r).rows() == 4);
}

namespace {
double normal_logpdf(double x, double m, double s) {
  return -0.5 * (x - m) * (x - m) / (s * s) - std::log(s) - 0.5 * std::log(2 * std::numbers::pi);
}

/// A test-local invertible preprocessor: y = (x - shift) / scale per column, fitted as the mean
/// and standard deviation; log|det dy/dx| = -sum log scale.
struct standardize {
  vector<double> shift, scale;
  void fit(hepad::matrix_cref<double> x) {
    shift = x.colwise().mean().transpose();
    scale = ((x.rowwise() - shift.transpose()).array().square().colwise().mean()).sqrt().transpose();
  }
  matrix<double> transform(hepad::matrix_cref<double> x) const {
    return ((x.rowwise() - shift.transpose()).array().rowwise() / scale.transpose().array()).matrix();
  }
  matrix<double> inverse_transform(hepad::matrix_cref<double> y) const {
    return ((y.array().rowwise() * scale.transpose().array()).rowwise() + shift.transpose().array()).matrix();
  }
  vector<double> log_abs_det_jacobian(hepad::matrix_cref<double> x) const {
    return vector<double>::Constant(x.rows(), -scale.array().log().sum());
  }
};
}  // namespace

TEST_CASE_TEMPLATE("gaussian_kde: closed forms for one and two weighted points", S, float, double) {
  // One point at (1, -2) with absolute bandwidth h: the estimate is exactly N((1,-2), h^2 I).
  matrix<S> x(1, 2);
  x << S(1), S(-2);
  hd::gaussian_kde<S> k(hd::kde_config{.rule = hd::bandwidth_rule::absolute, .bandwidth = 0.7});
  k.fit(x);
  matrix<S> q(3, 2);
  q << S(1), S(-2), S(0.3), S(-1.1), S(4), S(2);
  const vector<S> lp = k.log_prob(q);
  const double tol = std::is_same_v<S, float> ? 1e-5 : 1e-12;
  for (int i = 0; i < 3; ++i) {
    const double expect = normal_logpdf(double(q(i, 0)), 1, 0.7) + normal_logpdf(double(q(i, 1)), -2, 0.7);
    CHECK(std::abs(double(lp(i)) - expect) < tol * (1 + std::abs(expect)));
  }
  // Gradient of log N: -(x - mu) / h^2.
  const matrix<S> g = k.grad_log_prob(q);
  CHECK(std::abs(double(g(1, 0)) + (0.3 - 1) / 0.49) < 1e-4);
  CHECK(std::abs(double(g(1, 1)) + (-1.1 + 2) / 0.49) < 1e-4);

  // Two 1-D points with weights 1 and 3: 1/4 N(0, h^2) + 3/4 N(2, h^2).
  matrix<S> x2(2, 1);
  x2 << S(0), S(2);
  vector<S> w(2);
  w << S(1), S(3);
  hd::gaussian_kde<S> k2(hd::kde_config{.rule = hd::bandwidth_rule::absolute, .bandwidth = 0.5});
  k2.fit(x2, w);
  matrix<S> q2(1, 1);
  q2 << S(0.8);
  const double e = std::log(0.25 * std::exp(normal_logpdf(0.8, 0, 0.5)) + 0.75 * std::exp(normal_logpdf(0.8, 2, 0.5)));
  CHECK(std::abs(double(k2.log_prob(q2)(0)) - e) < tol * 10);
}

TEST_CASE("gaussian_kde: bandwidth rules follow their formulas, sampling covariance is Sigma + H") {
  hepad::rng r(7);
  const auto t = hepad_test::bimodal_2d();
  const matrix<double> x = t.sample(4000, r);
  hd::gaussian_kde<double> scott, silver(hd::kde_config{.rule = hd::bandwidth_rule::silverman}),
      fac(hd::kde_config{.rule = hd::bandwidth_rule::factor, .bandwidth = 0.3});
  scott.fit(x);
  silver.fit(x);
  fac.fit(x);
  CHECK(scott.factor() == doctest::Approx(std::pow(4000.0, -1.0 / 6.0)).epsilon(1e-12));
  CHECK(silver.factor() == doctest::Approx(std::pow(4000.0 * 4.0 / 4.0, -1.0 / 6.0)).epsilon(1e-12));
  CHECK(fac.factor() == 0.3);
  // Weighted: n_eff = (sum w)^2 / sum w^2.
  vector<double> w = vector<double>::Ones(4000);
  w.head(2000).setConstant(3.0);
  hd::gaussian_kde<double> kw;
  kw.fit(x, w);
  const double neff = 8000.0 * 8000.0 / (2000 * 9.0 + 2000.0);
  CHECK(kw.effective_size() == doctest::Approx(neff).epsilon(1e-12));
  CHECK(kw.factor() == doctest::Approx(std::pow(neff, -1.0 / 6.0)).epsilon(1e-12));
  // The KDE's own distribution has covariance = (biased) data covariance + H.
  const Eigen::RowVector2d mean = x.colwise().mean();
  const Eigen::Matrix2d dcov = (x.rowwise() - mean).transpose() * (x.rowwise() - mean) / 4000.0;
  const Eigen::Matrix2d expect = dcov + fac.kernel_covariance();
  const matrix<double> s = fac.sample(200000, r);
  const Eigen::RowVector2d sm = s.colwise().mean();
  const Eigen::Matrix2d scov = (s.rowwise() - sm).transpose() * (s.rowwise() - sm) / 200000.0;
  // Sampling error of a covariance entry ~ sigma^2 sqrt(2 / n) ~ 0.003 for n = 2e5, sigma^2 ~ 1.5.
  CHECK((scov - expect).cwiseAbs().maxCoeff() < 0.02);
  CHECK((sm - mean).cwiseAbs().maxCoeff() < 0.02);
}

TEST_CASE("gaussian_kde: gradient matches finite differences") {
  hepad::rng r(3);
  const matrix<double> x = hepad_test::bimodal_2d().sample(300, r);
  hd::gaussian_kde<double> k;
  k.fit(x);
  matrix<double> q(4, 2);
  q << 0.1, 0.2, -1.0, 0.5, 2.0, 1.0, 5.0, -3.0;
  const matrix<double> g = k.grad_log_prob(q);
  const double h = 1e-5;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 2; ++j) {
      matrix<double> a = q.row(i), b = q.row(i);
      a(0, j) += h;
      b(0, j) -= h;
      const double fd = (k.log_prob(a)(0) - k.log_prob(b)(0)) / (2 * h);
      CHECK(std::abs(fd - g(i, j)) < 1e-6 * (1 + std::abs(fd)));
    }
}

TEST_CASE("gaussian_mixture: recovers a known 2-D mixture; EM objective never decreases") {
  hepad::rng r(11);
  const auto t = hepad_test::bimodal_2d();
  const std::int64_t n = 20000;
  const matrix<double> x = t.sample(n, r);
  hd::gaussian_mixture<double> g(hd::gmm_config{.n_components = 2, .n_init = 2});
  const auto res = g.fit(x, r);
  REQUIRE(res.ok());
  CHECK(res.iterations > 2);
  const auto& h = g.objective_history();
  REQUIRE(h.size() > 3);
  for (std::size_t i = 1; i < h.size(); ++i) CHECK(h[i] >= h[i - 1] - 1e-12 * std::abs(h[i - 1]));
  // Match components by the first mean coordinate. Standard errors: mean ~ sqrt(c / n_k) ~ 0.008,
  // weight ~ sqrt(w (1 - w) / n) ~ 0.0035, covariance ~ c sqrt(2 / n_k) ~ 0.01; checks at ~5 SE.
  const int a = g.mean(0)(0) < g.mean(1)(0) ? 0 : 1, b = 1 - a;
  CHECK(std::abs(g.weight(a) - 0.4) < 0.02);
  CHECK(std::abs(g.mean(a)(0) + 1.0) < 0.04);
  CHECK(std::abs(g.mean(a)(1) - 0.0) < 0.04);
  CHECK(std::abs(g.mean(b)(0) - 1.5) < 0.04);
  CHECK(std::abs(g.mean(b)(1) - 1.0) < 0.04);
  CHECK(std::abs(g.covariance(a)(0, 1) - 0.3) < 0.05);
  CHECK(std::abs(g.covariance(b)(0, 1) + 0.4) < 0.05);
  CHECK(std::abs(g.covariance(b)(1, 1) - 0.7) < 0.05);
  // Same seed, same result.
  hepad::rng r2(11);
  const matrix<double> x2 = t.sample(n, r2);
  hd::gaussian_mixture<double> g2(hd::gmm_config{.n_components = 2, .n_init = 2});
  g2.fit(x2, r2);
  CHECK(g2.objective_history() == g.objective_history());
}

TEST_CASE("gaussian_mixture: one component is the weighted mean and covariance; weights = repeats") {
  hepad::rng r(5);
  const matrix<double> x = hepad_test::bimodal_2d().sample(500, r);
  vector<double> w(500);
  for (int i = 0; i < 500; ++i) w(i) = double(1 + i % 3);
  hd::gaussian_mixture<double> g(hd::gmm_config{.n_components = 1, .reg_covar = 1e-12});
  REQUIRE(g.fit(x, w, r).ok());
  // The same data with each event repeated w times.
  matrix<double> xr(999, 2);  // sum of the weights 1, 2, 3, 1, 2, 3, ... over 500 events
  int k = 0;
  for (int i = 0; i < 500; ++i)
    for (int j = 0; j < int(w(i)); ++j) xr.row(k++) = x.row(i);
  REQUIRE(k == 999);
  const Eigen::RowVector2d m = xr.colwise().mean();
  const Eigen::Matrix2d c = (xr.rowwise() - m).transpose() * (xr.rowwise() - m) / 999.0;
  CHECK((g.mean(0).transpose() - m).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((g.covariance(0) - c).cwiseAbs().maxCoeff() < 1e-9);
  hd::gaussian_mixture<double> gr(hd::gmm_config{.n_components = 1, .reg_covar = 1e-12});
  gr.fit(xr, r);
  const matrix<double> q = x.topRows(5);
  CHECK((g.log_prob(q) - gr.log_prob(q)).cwiseAbs().maxCoeff() < 1e-9);
  // Gradient of a single Gaussian: -Sigma^-1 (x - mu).
  const matrix<double> gg = g.grad_log_prob(q);
  const Eigen::Matrix2d ci = c.inverse();
  for (int i = 0; i < 5; ++i) {
    const Eigen::Vector2d e = -ci * (q.row(i) - m).transpose();
    CHECK((gg.row(i).transpose() - e).cwiseAbs().maxCoeff() < 1e-8);
  }
}

TEST_CASE("gaussian_mixture: non-convergence is a status") {
  hepad::rng r(2);
  const matrix<double> x = hepad_test::bimodal_2d().sample(2000, r);
  hd::gaussian_mixture<double> g(hd::gmm_config{.n_components = 3, .max_iterations = 2, .tolerance = 0});
  const auto res = g.fit(x, r);
  CHECK(res.status == hepad::status::max_iterations);
  CHECK(!res.message.empty());
  CHECK(g.log_prob(x.topRows(3)).allFinite());
}

TEST_CASE("histogram_density: exact bin densities, -inf outside, weights and pseudo-counts") {
  matrix<double> x(4, 1);
  x << 0.1, 0.2, 0.6, 0.9;
  hd::histogram_density<double> h(hd::histogram_config{.n_bins = 2, .lower = {0.0}, .upper = {1.0}});
  h.fit(x);
  matrix<double> q(4, 1);
  q << 0.0, 0.7, 1.0, 1.5;
  const vector<double> lp = h.log_prob(q);
  CHECK(lp(0) == doctest::Approx(std::log(2.0 / 4.0 / 0.5)));
  CHECK(lp(1) == doctest::Approx(std::log(2.0 / 4.0 / 0.5)));
  CHECK(lp(2) == doctest::Approx(std::log(1.0)));  // the upper edge belongs to the last bin
  CHECK(std::isinf(lp(3)));
  CHECK(lp(3) < 0);
  vector<double> w(4);
  w << 1, 1, 1, 5;
  h.fit(x, w);
  CHECK(h.log_prob(q)(1) == doctest::Approx(std::log(6.0 / 8.0 / 0.5)));
  hd::histogram_density<double> hp(
      hd::histogram_config{.n_bins = 4, .lower = {0.0}, .upper = {1.0}, .pseudo_count = 0.5});
  hp.fit(x);
  matrix<double> q2(1, 1);
  q2 << 0.3;  // empty bin: (0 + 0.5) / (4 + 4 * 0.5) / 0.25
  CHECK(hp.log_prob(q2)(0) == doctest::Approx(std::log(0.5 / 6.0 / 0.25)));
  matrix<double> out(2, 1);
  out << -1.0, 0.5;
  hp.fit(out);
  CHECK(hp.outside_fraction() == 0.5);
}

TEST_CASE("generic concept test: KDE, GMM and histogram recover known densities (1-D and 2-D)") {
  using hepad_test::check_density_estimator;
  using hepad_test::density_tolerances;
  // Gaussian-mixture truths: GMM is the right model (KL ~ n_params / 2n ~ 1e-3 at worst);
  // KDE's KL is dominated by its smoothing bias h^4-ish terms, ~0.005-0.01 here.
  SUBCASE("KDE 1-D") {
    check_density_estimator(hd::gaussian_kde<double>{}, hepad_test::bimodal_1d(), 10000,
                            density_tolerances{.normalisation = 1e-4, .kl = 0.02}, 101);
  }
  SUBCASE("KDE 2-D") {
    check_density_estimator(hd::gaussian_kde<float>{}, hepad_test::bimodal_2d(), 5000,
                            density_tolerances{.normalisation = 2e-3, .kl = 0.04, .quadrature_cells = 300},
                            102);
  }
  SUBCASE("GMM 1-D") {
    check_density_estimator(hd::gaussian_mixture<double>(hd::gmm_config{.n_components = 2}),
                            hepad_test::bimodal_1d(), 10000,
                            density_tolerances{.normalisation = 1e-4, .kl = 0.005}, 103);
  }
  SUBCASE("GMM 2-D") {
    check_density_estimator(hd::gaussian_mixture<float>(hd::gmm_config{.n_components = 2}),
                            hepad_test::bimodal_2d(), 10000,
                            density_tolerances{.normalisation = 2e-3, .kl = 0.005, .quadrature_cells = 300},
                            104);
  }
  // Bounded truth for the histogram; the quadrature grid is aligned with the bins, so the
  // integral is exact. KL ~ (bins - 1) / 2n (variance) + binning bias.
  SUBCASE("histogram 1-D") {
    check_density_estimator(
        hd::histogram_density<double>(hd::histogram_config{.n_bins = 20, .lower = {0.0}, .upper = {1.0}}),
        hepad_test::linear_box(1), 20000, density_tolerances{.normalisation = 1e-9, .kl = 0.005}, 105);
  }
  SUBCASE("histogram 2-D") {
    check_density_estimator(hd::histogram_density<double>(hd::histogram_config{
                                .n_bins = 10, .lower = {0.0, 0.0}, .upper = {1.0, 1.0}}),
                            hepad_test::linear_box(2), 20000,
                            density_tolerances{.normalisation = 1e-9, .kl = 0.01}, 106);
  }
  SUBCASE("ensemble of GMMs") {
    check_density_estimator(hd::ensemble<hd::gaussian_mixture<double>>(
                                3, hd::gaussian_mixture<double>(hd::gmm_config{.n_components = 2})),
                            hepad_test::bimodal_1d(), 10000,
                            density_tolerances{.normalisation = 1e-4, .kl = 0.005}, 107);
  }
}

TEST_CASE("ensemble: average of member densities, reproducible for any thread count") {
  hepad::rng r(21);
  const matrix<double> x = hepad_test::bimodal_1d().sample(3000, r);
  hd::gaussian_mixture<double> proto(hd::gmm_config{.n_components = 3});
  hd::ensemble<hd::gaussian_mixture<double>> e1(4, proto, 1), e2(4, proto, 2);
  hepad::rng ra(9), rb(9);
  const auto res = e1.fit(x, ra);
  e2.fit(x, rb);
  CHECK(res.size() == 4);
  const matrix<double> q = x.topRows(10);
  CHECK(e1.log_prob(q) == e2.log_prob(q));
  vector<double> avg = vector<double>::Zero(10);
  for (int m = 0; m < 4; ++m) avg += e1[m].log_prob(q).array().exp().matrix() / 4.0;
  CHECK((e1.log_prob(q) - vector<double>(avg.array().log())).cwiseAbs().maxCoeff() < 1e-12);
  // The members differ (different seeds).
  CHECK((e1[0].log_prob(q) - e1[1].log_prob(q)).cwiseAbs().maxCoeff() > 1e-8);
  hepad::rng s1(4), s2(4);
  CHECK(e1.sample(100, s1) == e2.sample(100, s2));
  // Gradient: posterior-weighted member gradients, checked by finite differences.
  const matrix<double> g = e1.grad_log_prob(q);
  for (int i = 0; i < 3; ++i) {
    matrix<double> a = q.row(i), b = q.row(i);
    a(0, 0) += 1e-6;
    b(0, 0) -= 1e-6;
    CHECK(std::abs((e1.log_prob(a)(0) - e1.log_prob(b)(0)) / 2e-6 - g(i, 0)) < 1e-6);
  }
}

TEST_CASE("preprocessed: densities reported in physical space integrate to 1 there") {
  // Data with a scale of 10 around 100: the inner GMM sees standardised data; the reported
  // density must be the physical one: exactly N(100, 10^2) for a 1-component fit on Gaussian data.
  hepad::rng r(8);
  matrix<double> x(20000, 1);
  for (int i = 0; i < 20000; ++i) x(i, 0) = r.normal(100.0, 10.0);
  hd::preprocessed<hd::gaussian_mixture<double>, standardize> p(
      hd::gaussian_mixture<double>(hd::gmm_config{.n_components = 1, .reg_covar = 1e-12}));
  p.fit(x, r);
  const double m = x.mean(), s = std::sqrt((x.array() - m).square().mean());
  matrix<double> q(3, 1);
  q << 80.0, 100.0, 131.0;
  const vector<double> lp = p.log_prob(q);
  for (int i = 0; i < 3; ++i) CHECK(lp(i) == doctest::Approx(normal_logpdf(q(i, 0), m, s)).epsilon(1e-9));
  // Quadrature in physical units.
  hepad_test::truth box;
  box.lo[0] = 40.0;
  box.hi[0] = 160.0;
  CHECK(std::abs(hepad_test::integrate(p, box, 4000) - 1.0) < 1e-6);
  const matrix<double> smp = p.sample(50000, r);
  CHECK(std::abs(smp.mean() - 100.0) < 0.3);
}

TEST_CASE("density estimators reject bad input with clear errors") {
  matrix<double> x(3, 1);
  x << 0.0, std::nan(""), 1.0;
  hd::gaussian_kde<double> k;
  CHECK_THROWS_AS(k.fit(x), hepad::invalid_argument);
  matrix<double> ok(3, 1);
  ok << 0.0, 0.5, 1.0;
  CHECK_THROWS_WITH_AS(k.log_prob(ok), doctest::Contains("not fitted"), hepad::invalid_argument);
  k.fit(ok);
  CHECK_THROWS_WITH_AS(k.log_prob(x), doctest::Contains("must be finite"), hepad::invalid_argument);
  matrix<double> two(1, 2);
  two << 0.0, 1.0;
  CHECK_THROWS_WITH_AS(k.log_prob(two), doctest::Contains("columns"), hepad::invalid_argument);
  vector<double> w(3);
  w << 1.0, -1.0, 1.0;
  CHECK_THROWS_WITH_AS(k.fit(ok, w), doctest::Contains("non-negative"), hepad::invalid_argument);
  matrix<double> constant = matrix<double>::Ones(5, 1);
  CHECK_THROWS_WITH_AS(k.fit(constant), doctest::Contains("positive definite"), hepad::invalid_argument);
  hd::gaussian_mixture<double> g(hd::gmm_config{.n_components = 5});
  hepad::rng r(1);
  CHECK_THROWS_WITH_AS(g.fit(ok, r), doctest::Contains("n_components"), hepad::invalid_argument);
  hd::histogram_density<double> h(hd::histogram_config{.n_bins = 0});
  CHECK_THROWS_WITH_AS(h.fit(ok), doctest::Contains("n_bins"), hepad::invalid_argument);
  hd::histogram_density<double> big(hd::histogram_config{.n_bins = 1000});
  matrix<double> x3 = matrix<double>::Random(10, 3);
  CHECK_THROWS_WITH_AS(big.fit(x3), doctest::Contains("2^26"), hepad::invalid_argument);
}
