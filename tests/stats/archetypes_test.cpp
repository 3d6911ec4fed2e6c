// SPDX-License-Identifier: BSL-1.0
// The statistics algorithms instantiated on the archetypes of tests/support/archetypes.hpp (types
// with exactly the valid expressions of objective, likelihood_model / has_poi /
// differentiable_likelihood / sampleable_likelihood, test_statistic / asymptotic_statistic and
// metric): this compiles only if the algorithms use no more than their concepts promise, and the
// results are checked against the closed forms of the archetypes' Gaussian models.
#include "support/archetypes.hpp"

#include <hepad/core/concepts/likelihood.hpp>
#include <hepad/core/concepts/metric.hpp>
#include <hepad/core/concepts/objective.hpp>
#include <hepad/core/concepts/test_statistic.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/stats/fit.hpp>
#include <hepad/stats/minimize.hpp>
#include <hepad/stats/objective.hpp>
#include <hepad/stats/test_statistics.hpp>
#include <hepad/stats/toys.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

namespace st = hepad::stats;
namespace ar = hepad_test::archetype;

// ---- each archetype models its concept and no refinement it does not provide ----
static_assert(hepad::objective<ar::objective>);
static_assert(!hepad::differentiable_objective<ar::objective>);

static_assert(hepad::likelihood_model<ar::likelihood>);
static_assert(!hepad::has_poi<ar::likelihood>);
static_assert(!hepad::differentiable_likelihood<ar::likelihood>);
static_assert(!hepad::objective<ar::likelihood>);  // the minimizer must adapt it (likelihood_objective)
static_assert(hepad::has_poi<ar::poi_likelihood>);
static_assert(!hepad::differentiable_likelihood<ar::poi_likelihood>);
static_assert(hepad::differentiable_likelihood<ar::differentiable_likelihood>);
static_assert(hepad::has_poi<ar::differentiable_likelihood>);
static_assert(!hepad::twice_differentiable_likelihood<ar::differentiable_likelihood>);
static_assert(hepad::sampleable_likelihood<ar::sampleable_likelihood>);
static_assert(!hepad::has_poi<ar::sampleable_likelihood> && !hepad::asimov_likelihood<ar::sampleable_likelihood>);

// the adapter offers the gradient exactly when the likelihood has one
static_assert(hepad::objective<st::likelihood_objective<ar::poi_likelihood>>);
static_assert(!hepad::differentiable_objective<st::likelihood_objective<ar::poi_likelihood>>);
static_assert(hepad::differentiable_objective<st::likelihood_objective<ar::differentiable_likelihood>>);
static_assert(!hepad::twice_differentiable_objective<st::likelihood_objective<ar::differentiable_likelihood>>);

static_assert(hepad::test_statistic<ar::test_statistic, ar::sampleable_likelihood>);
static_assert(!hepad::asymptotic_statistic<ar::test_statistic, ar::sampleable_likelihood>);
static_assert(hepad::asymptotic_statistic<ar::asymptotic_statistic, ar::sampleable_likelihood>);
// hepad's policies on the likelihood archetypes: they need a POI and nothing else
static_assert(hepad::asymptotic_statistic<st::q0_statistic, ar::poi_likelihood>);
static_assert(hepad::asymptotic_statistic<st::qmu_statistic, ar::poi_likelihood>);
static_assert(hepad::asymptotic_statistic<st::q0_statistic, ar::differentiable_likelihood>);
static_assert(!hepad::test_statistic<st::q0_statistic, ar::likelihood>);

static_assert(hepad::metric<ar::metric<double>, double>);
static_assert(hepad::metric<ar::metric<float>, float>);
static_assert(!hepad::named_metric<ar::metric<double>, double>);

namespace {

/// Upper tail of the standard normal, 1 - Phi(z) = erfc(z / sqrt 2) / 2.
double normal_sf(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

// The two-measurement Gaussian of ar::likelihood, -ln L = ((x - mu - nu)^2 + (y - nu)^2) / 2:
// - MLE: nu^ = y, mu^ = x - y, min = 0.
// - Hessian [[1, 1], [1, 2]] (det 1), inverse [[2, -1], [-1, 1]]; with errordef 0.5 the
//   covariance is H^-1: sigma_mu = sqrt 2, sigma_nu = 1, correlation -1/sqrt 2.
// - Conditional minimum at mu: nu = (x - mu + y)/2, value (x - mu - y)^2 / 4, hence
//   q(mu) = 2 (F_cond - F_min) = (mu - mu^)^2 / 2 (sigma_mu^2 = 2).
constexpr double x_obs = 5.0, y_obs = 2.0;  // mu^ = 3, nu^ = 2

template <class L>
void check_q_statistics(const L& l) {
  // q0 = mu^2 / 2 = 4.5 for mu^ = 3; Z = sqrt(4.5); p0 = 1 - Phi(sqrt 4.5) = erfc(1.5)/2.
  const auto q0 = st::q0_test(l);
  REQUIRE(q0.ok());
  CHECK(q0.poi_hat == doctest::Approx(3.0).epsilon(1e-4));
  CHECK(q0.value == doctest::Approx(4.5).epsilon(1e-4));
  CHECK(q0.significance == doctest::Approx(std::sqrt(4.5)).epsilon(1e-4));
  CHECK(q0.p_value == doctest::Approx(0.5 * std::erfc(1.5)).epsilon(1e-3));
  // the policy gives the same
  CHECK(st::q0_statistic{}.evaluate(l).value == doctest::Approx(q0.value).epsilon(1e-6));

  // qmu at mu = 5 (mu^ = 3 <= 5): (5 - 3)^2 / 2 = 2; p = 1 - Phi(sqrt 2) = erfc(1)/2.
  const auto qmu = st::qmu_test(l, 5.0, false);
  REQUIRE(qmu.ok());
  CHECK(qmu.value == doctest::Approx(2.0).epsilon(1e-4));
  CHECK(qmu.p_value == doctest::Approx(0.5 * std::erfc(1.0)).epsilon(1e-3));
  CHECK(qmu.poi_tested == 5.0);
  // q~mu with mu^ >= 0 is qmu (the tilde only changes the reference for mu^ < 0)
  const auto qt = st::qmu_statistic{.mu = 5.0, .tilde = true}.evaluate(l);
  REQUIRE(qt.ok());
  CHECK(qt.value == doctest::Approx(2.0).epsilon(1e-4));
  // mu = 2 < mu^ = 3: qmu = 0 by definition, p = 1 - Phi(0) = 1/2.
  const auto q_below = st::qmu_test(l, 2.0, false);
  REQUIRE(q_below.ok());
  CHECK(q_below.value == 0.0);
  CHECK(q_below.p_value == doctest::Approx(0.5));
}

}  // namespace

TEST_CASE("archetype: minimize and fit on the objective and likelihood archetypes") {
  SUBCASE("stats::minimize on a plain objective") {
    // f = (p0 - 1)^2 + (p0 - 1)(p1 + 2) + 2 (p1 + 2)^2 + 3: minimum 3 at (1, -2); H = [[2, 1],
    // [1, 4]], det 7, H^-1 = [[4, -1], [-1, 2]] / 7; covariance 2 errordef H^-1 = H^-1 (errordef
    // 0.5): errors sqrt(4/7), sqrt(2/7), correlation -1 / sqrt(8).
    const ar::objective f;
    const auto m = st::minimize(f, {0.0, 0.0});
    REQUIRE(m.valid());
    CHECK(m.values[0] == doctest::Approx(1.0).epsilon(1e-4));
    CHECK(m.values[1] == doctest::Approx(-2.0).epsilon(1e-4));
    CHECK(m.fval == doctest::Approx(3.0).epsilon(1e-8));
    CHECK(m.errors[0] == doctest::Approx(std::sqrt(4.0 / 7.0)).epsilon(1e-3));
    CHECK(m.errors[1] == doctest::Approx(std::sqrt(2.0 / 7.0)).epsilon(1e-3));
    CHECK(m.correlation(0, 1) == doctest::Approx(-1.0 / std::sqrt(8.0)).epsilon(1e-3));
  }
  SUBCASE("fit_likelihood and conditional_fit on a likelihood_model that is not an objective") {
    const ar::likelihood l(x_obs, y_obs);
    const auto m = st::fit_likelihood(l);
    REQUIRE(m.valid());
    CHECK(m.errordef == 0.5);  // errordef_of: the archetype has no errordef()
    CHECK(m.parameters[0].name == "mu");
    CHECK(m.values[0] == doctest::Approx(x_obs - y_obs).epsilon(1e-4));
    CHECK(m.values[1] == doctest::Approx(y_obs).epsilon(1e-4));
    CHECK(m.fval == doctest::Approx(0.0));
    CHECK(m.errors[0] == doctest::Approx(std::sqrt(2.0)).epsilon(1e-3));
    CHECK(m.errors[1] == doctest::Approx(1.0).epsilon(1e-3));
    CHECK(m.correlation(0, 1) == doctest::Approx(-1.0 / std::sqrt(2.0)).epsilon(1e-3));
    // mu held at 0: nu = (x + y)/2 = 3.5, F = (x - y)^2 / 4 = 2.25
    const auto c = st::conditional_fit(l, m, 0, 0.0);
    REQUIRE(c.status.valid());
    CHECK(c.values[0] == 0.0);
    CHECK(c.values[1] == doctest::Approx(3.5).epsilon(1e-3));
    CHECK(c.fval == doctest::Approx(2.25).epsilon(1e-4));
  }
  SUBCASE("the differentiable archetype's exact gradient is used") {
    // Without a gradient the minimizer spends 2 n = 4 extra calls per gradient (central
    // differences), so n_calls >= 5 n_gradients; with nll_gradient each gradient is one call.
    const ar::poi_likelihood plain(x_obs, y_obs);
    const ar::differentiable_likelihood exact(x_obs, y_obs);
    const auto mp = st::fit_likelihood(plain);
    const auto me = st::fit_likelihood(exact);
    REQUIRE(mp.valid());
    REQUIRE(me.valid());
    CHECK(mp.n_calls >= 5 * mp.n_gradients);
    CHECK(me.n_calls < 5 * me.n_gradients);
    CHECK(me.values[0] == doctest::Approx(x_obs - y_obs).epsilon(1e-4));
    CHECK(me.errors[0] == doctest::Approx(std::sqrt(2.0)).epsilon(1e-3));
  }
}

TEST_CASE("archetype: q0 and qmu on the likelihood archetypes against the closed form") {
  SUBCASE("has_poi only (central-difference gradients)") { check_q_statistics(ar::poi_likelihood(x_obs, y_obs)); }
  SUBCASE("differentiable_likelihood") { check_q_statistics(ar::differentiable_likelihood(x_obs, y_obs)); }
  SUBCASE("mu-hat < 0") {
    // x = 1, y = 2: mu^ = -1. q0 = 0 (mu^ < 0), p0 = 1/2.
    const ar::poi_likelihood l(1.0, 2.0);
    const auto q0 = st::q0_test(l);
    REQUIRE(q0.ok());
    CHECK(q0.poi_hat == doctest::Approx(-1.0).epsilon(1e-4));
    CHECK(q0.value == 0.0);
    CHECK(q0.p_value == doctest::Approx(0.5));
    // q~mu at mu = 2, reference the fit at mu = 0: ((2 - mu^)^2 - mu^2) / 2 = (9 - 1)/2 = 4.
    // No Asimov data: sigma^2 = (mu - mu^)^2 / qmu = 9 / 4.5 = 2, q_A = mu^2 / sigma^2 = 2, and
    // q~ = 4 > q_A, so CCGV eq. 66 gives p = 1 - Phi((q~ + q_A) / (2 sqrt q_A)) = 1 - Phi(3/sqrt 2).
    const auto qt = st::qmu_test(l, 2.0, true);
    REQUIRE(qt.ok());
    CHECK(qt.value == doctest::Approx(4.0).epsilon(1e-4));
    CHECK(qt.p_value == doctest::Approx(normal_sf(3.0 / std::sqrt(2.0))).epsilon(1e-3));
    // plain qmu at mu = 2: (2 + 1)^2 / 2 = 4.5
    const auto qp = st::qmu_test(l, 2.0, false);
    REQUIRE(qp.ok());
    CHECK(qp.value == doctest::Approx(4.5).epsilon(1e-4));
  }
}

TEST_CASE("archetype: make_toy_distribution with the test_statistic and sampleable archetypes") {
  // q = (x - theta0)^2 with x ~ N(theta, 1): chi^2_1 for theta = theta0 (P(q >= 1) = erfc(1/sqrt 2)
  // = 0.3173), noncentral chi^2_1 with lambda = (theta - theta0)^2 otherwise (mean 1 + lambda,
  // variance 2 (1 + 2 lambda)).
  const ar::sampleable_likelihood l(0.3);
  const ar::asymptotic_statistic stat{{.theta0 = 0.5}};
  constexpr std::int64_t n = 4000;
  const hepad::rng r(20240611);
  hepad::thread_pool one(1), two(2);
  const std::vector<double> at_null{0.5}, shifted{1.5};

  const auto d = st::make_toy_distribution(l, at_null, stat, n, r, two);
  REQUIRE(d.n_valid() == static_cast<std::size_t>(n));
  // toy p-value against the archetype's asymptotic p-value; binomial sigma = sqrt(p (1 - p) / n)
  // = 0.0074 at p = 0.317; 4 sigma
  for (const double q : {0.5, 1.0, 4.0}) {
    const double p = stat.asymptotic_p_value(q);
    CHECK(std::abs(d.tail_fraction(q) - p) < 4.0 * std::sqrt(p * (1 - p) / n));
  }
  CHECK(stat.asymptotic_p_value(1.0) == doctest::Approx(2.0 * normal_sf(1.0)));
  // identical for 1 and 2 threads (toy i draws from r.split(i))
  const auto d1 = st::make_toy_distribution(l, at_null, stat, n, r, one);
  CHECK(d1.values == d.values);

  // toys are generated at theta (not at the likelihood's own data): at theta = 1.5, lambda = 1,
  // mean 2 with standard error sqrt(6 / n) = 0.039; 4 sigma. (At the null the mean is 1.)
  const auto ds = st::make_toy_distribution(l, shifted, ar::test_statistic{.theta0 = 0.5}, n, r, two);
  const double mean = std::accumulate(ds.values.begin(), ds.values.end(), 0.0) / static_cast<double>(n);
  CHECK(std::abs(mean - 2.0) < 4.0 * std::sqrt(6.0 / n));
  // wrong theta size is an error naming the function
  const std::vector<double> bad{0.5, 0.5};
  CHECK_THROWS_AS(st::make_toy_distribution(l, bad, stat, n, r, two), hepad::invalid_argument);
}

TEST_CASE("archetype: metric") {
  // signal (y = 1) scores 0.3, -0.2, 0.7 with weights 1, 2, 3: pass (score > 0) = 1 + 3 = 4 of 6.
  hepad::vector<double> s(5), w(5);
  hepad::label_vector y(5);
  s << 0.3, -0.2, 0.7, 0.9, -0.5;
  w << 1.0, 2.0, 3.0, 10.0, 10.0;
  y << 1, 1, 1, 0, 0;
  const ar::metric<double> m;
  const auto r = m.evaluate(s, y, w);
  REQUIRE(r.ok());
  CHECK(r.value == doctest::Approx(4.0 / 6.0));
  // empty weights = unit weights: 2 of 3
  const auto ru = m.evaluate(s, y, hepad::vector<double>());
  CHECK(ru.value == doctest::Approx(2.0 / 3.0));
  // no signal: undefined, reported in the status
  const hepad::label_vector none = hepad::label_vector::Zero(5);
  const auto rn = m.evaluate(s, none, w);
  CHECK(rn.status == hepad::status::undefined);
  CHECK_FALSE(rn.ok());
}
