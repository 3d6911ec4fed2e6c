// SPDX-License-Identifier: BSL-1.0
// Hypothesis tests: q0 and Z on Asimov counting experiments against the closed forms (with and
// without a background uncertainty), asymptotic distributions against toys (Wilks / CCGV), CLs
// and upper limits (closed-form expected limit), toys identical for any thread count, coverage of
// MINOS intervals, and impacts against the covariance for a Gaussian model and on an unbinned
// gradient-only likelihood.
#include <hepad/core/concepts/test_statistic.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/stats/asymptotics.hpp>
#include <hepad/stats/fit.hpp>
#include <hepad/stats/impacts.hpp>
#include <hepad/stats/likelihood/histfactory.hpp>
#include <hepad/stats/likelihood/unbinned.hpp>
#include <hepad/stats/limits.hpp>
#include <hepad/stats/minos.hpp>
#include <hepad/stats/test_statistics.hpp>
#include <hepad/stats/toys.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <span>
#include <vector>

namespace st = hepad::stats;

namespace {
// n ~ Pois(mu s + b) with known b.
st::likelihood<st::binned_model> counting(double s, double b, double n) {
  st::histfactory hf;
  auto c = hf.channel("sr", {n});
  c.sample("sig", {s}).normfactor("mu");
  c.sample("bkg", {b});
  return hf.build("mu");
}
// On/off: n ~ Pois(mu s + b), m ~ Pois(tau b) with tau = b/sigma_b^2 (Cowan's background uncertainty).
st::likelihood<st::binned_model> on_off(double s, double b, double sigma_b, double n, double m) {
  const double tau = b / (sigma_b * sigma_b);
  st::histfactory hf;
  auto sr = hf.channel("sr", {n});
  sr.sample("sig", {s}).normfactor("mu");
  sr.sample("bkg", {b}).normfactor("bscale");
  hf.channel("cr", {m}).sample("bkg", {tau * b}).normfactor("bscale");
  return hf.build("mu");
}
}  // namespace

TEST_CASE("q0 and Z on Asimov counting data equal the closed forms") {
  static_assert(hepad::asymptotic_statistic<st::q0_statistic, st::likelihood<st::binned_model>>);
  static_assert(hepad::test_statistic<st::qmu_statistic, st::likelihood<st::binned_model>>);
  for (auto [s, b] : std::vector<std::pair<double, double>>{{10, 100}, {5, 2}, {50, 400}, {3, 0.5}}) {
    CAPTURE(s);
    CAPTURE(b);
    const auto t = st::q0_test(counting(s, b, s + b));
    REQUIRE(t.ok());
    const double z = st::asimov_discovery_significance(s, b);
    CHECK(t.value == doctest::Approx(2 * ((s + b) * std::log(1 + s / b) - s)).epsilon(1e-7));
    CHECK(t.significance == doctest::Approx(z).epsilon(1e-7));
    CHECK(t.p_value == doctest::Approx(st::p_value(z)).epsilon(1e-6));
    CHECK(t.poi_hat == doctest::Approx(1.0).epsilon(1e-6));
  }
  // with a background uncertainty (Cowan's profiled formula, on/off model with tau = b/sigma^2)
  for (auto [s, b, sb] : std::vector<std::array<double, 3>>{{10, 100, 10}, {20, 50, 5}}) {
    const double tau = b / (sb * sb);
    const auto t = st::q0_test(on_off(s, b, sb, s + b, tau * b));
    REQUIRE(t.ok());
    CHECK(t.significance == doctest::Approx(st::asimov_discovery_significance(s, b, sb)).epsilon(1e-6));
  }
  // a deficit gives q0 = 0
  const auto d = st::q0_test(counting(10, 100, 90));
  CHECK(d.value == 0.0);
  CHECK(d.p_value == doctest::Approx(0.5));
}

TEST_CASE("asymptotic distributions agree with toys on a counting experiment (Wilks, CCGV)") {
  const double s = 40, b = 400;
  const auto l = counting(s, b, b);
  hepad::thread_pool pool(2);
  const hepad::rng r(2024);
  const std::int64_t n_toys = 3000;
  st::hypotest_options o;
  o.asymptotic = false;
  // q0 under mu = 0: P(q0 >= c) = (1/2) P(chi2_1 >= c)
  const std::vector<double> th0{0.0};
  const auto d0 = st::make_toy_distribution(l, th0, st::q0_statistic{.options = o}, n_toys, r.split(1), pool);
  REQUIRE(d0.n_valid() == static_cast<std::size_t>(n_toys));
  for (double c : {0.5, 1.0, 2.71}) {
    const double p = 0.5 * st::chi2_sf(c, 1);
    CAPTURE(c);
    CHECK(std::abs(d0.tail_fraction(c) - p) < 4 * std::sqrt(p * (1 - p) / n_toys) + 0.005);  // Poisson discreteness
  }
  // qmu under mu: same law
  const std::vector<double> th1{1.0};
  const auto d1 = st::make_toy_distribution(l, th1, st::qmu_statistic{.mu = 1.0, .tilde = false, .options = o}, n_toys, r.split(2), pool);
  for (double c : {1.0, 2.71}) {
    const double p = 0.5 * st::chi2_sf(c, 1);
    CHECK(std::abs(d1.tail_fraction(c) - p) < 4 * std::sqrt(p * (1 - p) / n_toys) + 0.005);
  }
  // asymptotic CLs agrees with toy CLs at mu = 1 on data n = b (statistical error of the ratio)
  const auto asy = st::qmu_test(l, 1.0, true);
  const auto toy = st::cls_toys(l, 1.0, 1500, r.split(3), pool);
  REQUIRE(asy.ok());
  REQUIRE(toy.ok());
  CHECK(asy.value == doctest::Approx(toy.value).epsilon(1e-9));
  const double sig = toy.cls * std::sqrt((1 - toy.clsb) / (toy.clsb * 1500) + (1 - toy.clb) / (toy.clb * 1500));
  CHECK(std::abs(asy.cls - toy.cls) < 4 * sig + 0.01);
}

TEST_CASE("toys in parallel equal toys in serial, bit for bit") {
  hepad::rng gen(3);
  const auto l = on_off(10, 50, 7, 63, 52);
  const std::vector<double> th{1.0, 1.0};
  st::hypotest_options o;
  o.asymptotic = false;
  hepad::thread_pool one(1), two(2);
  const auto a = st::make_toy_distribution(l, th, st::q0_statistic{.options = o}, 64, gen, one);
  const auto b = st::make_toy_distribution(l, th, st::q0_statistic{.options = o}, 64, gen, two);
  REQUIRE(a.values.size() == 64);
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    CHECK((a.values[i] == b.values[i] || (std::isnan(a.values[i]) && std::isnan(b.values[i]))));
    CHECK(a.statuses[i] == b.statuses[i]);
  }
}

TEST_CASE("asymptotic upper limit: observed = expected median = closed form on b-only Asimov data") {
  const double s = 10, b = 100;
  const auto l = counting(s, b, b);
  const auto ul = st::upper_limit_asymptotic(l, {.cl = 0.95});
  REQUIRE(ul.ok());
  // b-only Asimov: qA(mu) = 2[mu s - b ln(1 + mu s/b)]; median CLs = 2(1 - Phi(sqrt qA)) = 0.05
  const double target = std::pow(st::normal_quantile(1 - 0.025), 2);
  double lo = 0, hi = 10;
  for (int i = 0; i < 200; ++i) {
    const double m = 0.5 * (lo + hi);
    (2 * (m * s - b * std::log1p(m * s / b)) < target ? lo : hi) = m;
  }
  CHECK(ul.expected[2] == doctest::Approx(lo).epsilon(1e-3));
  CHECK(ul.observed == doctest::Approx(lo).epsilon(1e-3));
  CHECK(ul.expected[0] < ul.expected[1]);
  CHECK(ul.expected[1] < ul.expected[2]);
  CHECK(ul.expected[2] < ul.expected[3]);
  CHECK(ul.expected[3] < ul.expected[4]);
  // toys on a grid: the observed limit lies near the asymptotic one (statistical error of toys)
  hepad::thread_pool pool(2);
  std::vector<double> grid;
  for (int i = 0; i <= 8; ++i) grid.push_back(0.5 * lo + lo * i / 8.0);
  const auto ut = st::upper_limit_toys(l, grid, 400, hepad::rng(9), pool, {.cl = 0.95});
  REQUIRE(ut.ok());
  CHECK(ut.observed == doctest::Approx(ul.observed).epsilon(0.1));
}

TEST_CASE("coverage of MINOS intervals on a counting experiment with a background constraint") {
  const auto l = on_off(30, 100, 10, 130, 100);
  const std::vector<double> truth{1.0, 1.0};
  hepad::thread_pool pool(2);
  const std::int64_t n = 400;
  auto minos_interval = [](const auto& toy) {
    struct iv {
      double lower, upper;
      bool valid;
    };
    const auto m = st::fit_likelihood(toy);
    if (!m.valid()) return iv{0, 0, false};
    const auto me = st::minos(toy, m, toy.poi());
    return iv{m.values[0] + me.lower.error, m.values[0] + me.upper.error, me.valid()};
  };
  const auto c = st::coverage(l, truth, 1.0, minos_interval, n, hepad::rng(77), pool);
  CHECK(c.n_valid == n);
  CHECK(std::abs(c.coverage - 0.6827) < 3.5 * std::sqrt(0.6827 * 0.3173 / n));
  // identical with one thread
  hepad::thread_pool one(1);
  const auto c1 = st::coverage(l, truth, 1.0, minos_interval, 24, hepad::rng(77), one);
  const auto c2 = st::coverage(l, truth, 1.0, minos_interval, 24, hepad::rng(77), pool);
  CHECK(c1.lower == c2.lower);
  CHECK(c1.upper == c2.upper);
}

namespace {
// A Gaussian likelihood: observations y_i = mu + a_i1 t1 + a_i2 t2 with unit errors, t1, t2
// constrained by N(0, 1): quadratic, so refit impacts equal the covariance formula exactly.
struct gaussian_term {
  std::vector<double> y{1.2, 0.7, 1.9, 0.4}, a1{1.0, 0.5, -0.3, 0.2}, a2{0.2, -0.4, 0.8, 0.6};
  template <class T>
  T nll(std::span<const T> p) const {
    T s(0.0);
    for (std::size_t i = 0; i < y.size(); ++i) {
      const T r = y[i] - (p[0] + a1[i] * p[1] + a2[i] * p[2]);
      s += 0.5 * r * r;
    }
    return s;
  }
};
}  // namespace

TEST_CASE("impacts: refits equal the covariance formula for a Gaussian model; any likelihood works") {
  st::parameter_set ps;
  ps.add({.name = "mu", .value = 0.0});
  const auto t1 = ps.add({.name = "t1", .value = 0.0});
  const auto t2 = ps.add({.name = "t2", .value = 0.0});
  ps.constrain_gaussian(t1, 0.0, 1.0);
  ps.constrain_gaussian(t2, 0.3, 1.0);
  const auto l = st::make_likelihood(ps, "mu", gaussian_term{});
  const auto m = st::fit_likelihood(l, {.minimizer = {.tolerance = 1e-6}});
  REQUIRE(m.valid());
  hepad::thread_pool pool(2);
  const auto im = st::impacts(l, m, pool);
  REQUIRE(im.size() == 2);
  CHECK(im[0].magnitude() >= im[1].magnitude());
  for (const auto& i : im) {
    CAPTURE(i.name);
    CHECK(i.postfit_up == doctest::Approx(i.covariance_impact).epsilon(1e-5));
    CHECK(i.postfit_down == doctest::Approx(-i.covariance_impact).epsilon(1e-5));
    CHECK(i.prefit_up == doctest::Approx(i.covariance_impact * i.width / i.error).epsilon(1e-5));
    CHECK(i.pull == doctest::Approx((i.value - i.center) / i.width).epsilon(1e-12));
    CHECK(i.constraint < 1.0);  // the data constrain the nuisances beyond their priors
  }
  // unbinned likelihood whose per-event terms come as values and gradients (gradient-only term):
  // impacts and pulls need nothing more
  std::vector<double> x{0.1, 0.4, 0.45, 0.5, 0.52, 0.55, 0.7, 0.9};
  const auto yield = [](std::span<const double> p, std::span<double> g) {
    g[0] = 1, g[1] = 0;
    return p[0];
  };
  const auto events = [&x](std::span<const double> p, std::span<double> lv, std::span<double> dl) {
    // log intensity ln(n) + ln N(x; 0.5 + 0.05 t, 0.2): d/dn = 1/n, d/dt = (x - m) 0.05 / s^2
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double mm = 0.5 + 0.05 * p[1], s = 0.2;
      lv[i] = std::log(p[0]) - 0.5 * std::pow((x[i] - mm) / s, 2);
      dl[2 * i] = 1.0 / p[0];
      dl[2 * i + 1] = (x[i] - mm) * 0.05 / (s * s);
    }
  };
  st::parameter_set pu;
  pu.add({.name = "n", .value = 5.0, .lower = 0.0});
  const auto t = pu.add({.name = "shift", .value = 0.0});
  pu.constrain_gaussian(t, 0.0, 1.0);
  const auto lu = st::make_likelihood(pu, "n", st::unbinned_gradient_term(yield, events, x.size()));
  const auto mu = st::fit_likelihood(lu);
  REQUIRE(mu.valid());
  CHECK(mu.values[0] == doctest::Approx(8.0).epsilon(1e-5));
  const auto iu = st::impacts(lu, mu, pool);
  REQUIRE(iu.size() == 1);
  CHECK(iu[0].name == "shift");
  CHECK(iu[0].status == hepad::status::success);
  CHECK(std::isfinite(iu[0].pull));
}
