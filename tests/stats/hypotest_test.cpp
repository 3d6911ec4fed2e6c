// SPDX-License-Identifier: BSL-1.0
// Hypothesis tests: q0 and Z on Asimov counting experiments against the closed forms (with and
// without a background uncertainty), asymptotic distributions against toys (Wilks / CCGV), CLs
// and upper limits (closed-form expected limit), toys identical for any thread count, coverage of
// MINOS intervals, q̃μ for μ̂ < 0 against the closed forms (Poisson counting, and a Gaussian model
// where the asymptotic formulae are exact), and impacts against the covariance for a Gaussian
// model, on an unbinned gradient-only likelihood, and on an unbinned likelihood whose per-event
// signal/background ratio is a neural network (against refits done by hand with the minimizer).
#include <hepad/autodiff/ops/reduce.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/core/concepts/test_statistic.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/nn/mlp.hpp>
#include <hepad/stats/asymptotics.hpp>
#include <hepad/stats/fit.hpp>
#include <hepad/stats/impacts.hpp>
#include <hepad/stats/likelihood/histfactory.hpp>
#include <hepad/stats/likelihood/unbinned.hpp>
#include <hepad/stats/limits.hpp>
#include <hepad/stats/minimize.hpp>
#include <hepad/stats/minos.hpp>
#include <hepad/stats/test_statistics.hpp>
#include <hepad/stats/toys.hpp>

#include <doctest/doctest.h>

#include <Eigen/Cholesky>

#include <cmath>
#include <memory>
#include <numbers>
#include <utility>
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

namespace {
// mu free, t1 ~ N(0, 1) and t2 ~ N(0.3, 1) constrained: the parameters of the Gaussian terms.
st::parameter_set gaussian_parameters() {
  st::parameter_set ps;
  ps.add({.name = "mu", .value = 0.0});
  const auto t1 = ps.add({.name = "t1", .value = 0.0});
  const auto t2 = ps.add({.name = "t2", .value = 0.0});
  ps.constrain_gaussian(t1, 0.0, 1.0);
  ps.constrain_gaussian(t2, 0.3, 1.0);
  return ps;
}
}  // namespace

TEST_CASE("impacts: refits equal the covariance formula for a Gaussian model; any likelihood works") {
  const st::parameter_set ps = gaussian_parameters();
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

namespace {
// y_i = mu + a_i1 t1 + a_i2 t2 with unit errors, t1 ~ N(0, 1), t2 ~ N(0.3, 1) constraints: the
// profile likelihood of mu is exactly quadratic (Wald's approximation is exact), and the data
// pull mu below zero.
struct negative_gaussian_term : gaussian_term {
  negative_gaussian_term() { y = {-0.8, -1.3, -0.1, -1.6}; }
};
}  // namespace

TEST_CASE("q~mu with mu-hat < 0: the reference is the fit at mu = 0 (closed forms; CCGV eq. 66)") {
  SUBCASE("Poisson counting experiment, n < b") {
    // -ln L(mu) = mu s + b - n ln(mu s + b): mu-hat = (n - b)/s < 0, and
    // q~mu = -2 ln L(mu)/L(0) = 2 [mu s - n ln(1 + mu s/b)],
    // qmu  = -2 ln L(mu)/L(mu-hat) = 2 [mu s + b - n - n ln((mu s + b)/n)].
    for (auto [s, b, n, mu] : std::vector<std::array<double, 4>>{{10, 100, 85, 1.0}, {5, 20, 14, 2.5}, {30, 400, 370, 0.5}}) {
      CAPTURE(s);
      CAPTURE(b);
      CAPTURE(n);
      CAPTURE(mu);
      const auto l = counting(s, b, n);
      const auto t = st::qmu_test(l, mu, true);
      REQUIRE(t.ok());
      CHECK(t.poi_hat == doctest::Approx((n - b) / s).epsilon(1e-6));
      REQUIRE(t.poi_hat < 0);
      const double qt = 2 * (mu * s - n * std::log1p(mu * s / b));
      const double q = 2 * (mu * s + b - n - n * std::log((mu * s + b) / n));
      CHECK(t.value == doctest::Approx(qt).epsilon(1e-7));
      const auto u = st::qmu_test(l, mu, false);
      REQUIRE(u.ok());
      CHECK(u.value == doctest::Approx(q).epsilon(1e-7));
      CHECK(u.value > t.value + 1e-3);  // the two statistics really differ here
      // Asymptotic CLs with the b-only Asimov value qA = 2 [mu s - b ln(1 + mu s/b)] (< q~mu here):
      // CLs+b = 1 - Phi((q~ + qA)/(2 sqrt qA)), CLb = 1 - Phi((q~ - qA)/(2 sqrt qA)).
      const double qa = 2 * (mu * s - b * std::log1p(mu * s / b));
      REQUIRE(qt > qa);
      const double sa = std::sqrt(qa);
      const double clsb = st::normal_sf((qt + qa) / (2 * sa)), clb = st::normal_sf((qt - qa) / (2 * sa));
      CHECK(t.clsb == doctest::Approx(clsb).epsilon(1e-6));
      CHECK(t.clb == doctest::Approx(clb).epsilon(1e-6));
      CHECK(t.cls == doctest::Approx(clsb / clb).epsilon(1e-6));
      CHECK(st::asymptotic_p_qmu_tilde(qt, qa) == doctest::Approx(clsb).epsilon(1e-12));
    }
  }
  SUBCASE("Gaussian model with constrained nuisances: q~mu = (mu^2 - 2 mu mu-hat)/sigma^2") {
    const st::parameter_set ps = gaussian_parameters();
    const negative_gaussian_term term;
    const auto l = st::make_likelihood(ps, "mu", term);
    // Generalised least squares by hand: the constraints are two more unit-error observations.
    Eigen::Matrix<double, 6, 3> X = Eigen::Matrix<double, 6, 3>::Zero();
    Eigen::Matrix<double, 6, 1> z;
    for (int i = 0; i < 4; ++i) {
      X(i, 0) = 1.0;
      X(i, 1) = term.a1[static_cast<std::size_t>(i)];
      X(i, 2) = term.a2[static_cast<std::size_t>(i)];
      z(i) = term.y[static_cast<std::size_t>(i)];
    }
    X(4, 1) = 1.0;
    X(5, 2) = 1.0;
    z(4) = 0.0;
    z(5) = 0.3;
    const Eigen::Matrix3d xtx = X.transpose() * X;
    const Eigen::Matrix3d cov = xtx.ldlt().solve(Eigen::Matrix3d::Identity());
    const double mu_hat = (cov * X.transpose() * z)(0), sigma = std::sqrt(cov(0, 0));
    REQUIRE(mu_hat < 0);
    hepad::thread_pool pool(1);
    st::hypotest_options o;
    o.fit.minimizer.tolerance = 1e-6;
    o.conditional.tolerance = 1e-6;
    for (double mu : {0.5, 1.0, 2.0}) {
      CAPTURE(mu);
      const auto t = st::qmu_test(l, mu, true, o);
      REQUIRE(t.ok());
      CHECK(t.poi_hat == doctest::Approx(mu_hat).epsilon(1e-6));
      CHECK(t.value == doctest::Approx((mu * mu - 2 * mu * mu_hat) / (sigma * sigma)).epsilon(1e-6));
      const auto u = st::qmu_test(l, mu, false, o);
      REQUIRE(u.ok());
      CHECK(u.value == doctest::Approx((mu - mu_hat) * (mu - mu_hat) / (sigma * sigma)).epsilon(1e-6));
      // CCGV eq. 66 with qA = mu^2/sigma^2: for q~ > qA the p-value is exactly 1 - Phi((mu - mu-hat)/sigma)
      const double qa = mu * mu / (sigma * sigma);
      REQUIRE(t.value > qa);
      CHECK(st::asymptotic_p_qmu_tilde(t.value, qa) == doctest::Approx(st::normal_sf((mu - mu_hat) / sigma)).epsilon(1e-6));
      // qmu_test itself (no Asimov data for this likelihood) reports that p-value
      CHECK(t.p_value == doctest::Approx(st::normal_sf((mu - mu_hat) / sigma)).epsilon(1e-5));
      // and for q~ <= qA (mu-hat in [0, mu]) the qmu formula 1 - Phi(sqrt q)
      CHECK(st::asymptotic_p_qmu_tilde(0.5 * qa, qa) == doctest::Approx(st::normal_sf(std::sqrt(0.5 * qa))).epsilon(1e-12));
    }
  }
}

namespace {
// A fixed-weight neural network r(x, theta) = exp(mlp(x, theta)): 2 inputs, 2 tanh hidden units,
// linear output, weights set by hand so that log r is a bump centred at x = 1.5 + 0.3 theta (the
// signal/background density ratio with an energy-scale-like nuisance theta). Values and input
// gradients come from hepad's reverse-mode engine (a copy of the network per evaluation: the
// refits run in parallel).
struct neural_ratio {
  std::shared_ptr<const hepad::nn::mlp<double>> net;
  std::vector<double> x;

  static std::shared_ptr<const hepad::nn::mlp<double>> make() {
    hepad::rng r(1);
    auto m = std::make_shared<hepad::nn::mlp<double>>(std::vector<hepad::index_t>{2, 2, 1}, r,
                                                      hepad::nn::mlp_options{.hidden = hepad::nn::activation::tanh});
    auto& l0 = m->layers()[0];
    auto& l1 = m->layers()[1];
    // hidden_k = tanh(2 (x - 1.5 - 0.3 theta) +- 2); out = 2.5 (h_0 - h_1) - 2.5
    l0.weight().value << 2.0, 2.0, -0.6, -0.6;
    l0.bias().value << -3.0 + 2.0, -3.0 - 2.0;
    l1.weight().value << 2.5, -2.5;
    l1.bias().value << -2.5;
    return m;
  }
  /// log r_i and d log r_i / d theta for every event.
  void evaluate(double theta, std::vector<double>& lr, std::vector<double>& dlr) const {
    namespace ad = hepad::autodiff;
    hepad::nn::mlp<double> local = *net;
    const auto n = static_cast<hepad::index_t>(x.size());
    hepad::matrix<double> in(n, 2);
    for (hepad::index_t i = 0; i < n; ++i) in(i, 0) = x[static_cast<std::size_t>(i)], in(i, 1) = theta;
    ad::tape<double> t;
    const auto xn = t.variable(in);
    const auto o = local.forward(t, xn);
    t.backward(ad::sum(o));  // row i of the output depends on row i of the input only
    lr.resize(x.size());
    dlr.resize(x.size());
    for (hepad::index_t i = 0; i < n; ++i) {
      lr[static_cast<std::size_t>(i)] = o.value()(i, 0);
      dlr[static_cast<std::size_t>(i)] = xn.grad()(i, 1);
    }
  }
};
}  // namespace

TEST_CASE("impacts and pulls on an unbinned likelihood with a neural per-event density ratio equal refits by hand") {
  // Background density f_b = N(0, 1); signal density f_s(x | theta) = f_b(x) r(x, theta) / I(theta)
  // with r from the network and I(theta) = E_b[r] by quadrature (its theta-derivative from the
  // network's gradients too). Extended unbinned likelihood: nu = mu s + b, per-event intensity
  // (up to the theta-independent factor f_b) mu s r(x, theta)/I(theta) + b; theta ~ N(0, 1).
  const double s = 50, b = 400, theta_true = 0.5;
  const auto net = neural_ratio::make();
  neural_ratio grid{net, {}};
  std::vector<double> fb_w;  // f_b(x_j) h on a midpoint grid over [-9, 9]
  for (int j = 0; j < 720; ++j) {
    const double xj = -9.0 + (j + 0.5) * 0.025;
    grid.x.push_back(xj);
    fb_w.push_back(0.025 * std::exp(-0.5 * xj * xj) / std::sqrt(2 * std::numbers::pi));
  }
  // I(theta) and dI/dtheta
  const auto normaliser = [grid, fb_w](double theta) {
    std::vector<double> lr, dlr;
    grid.evaluate(theta, lr, dlr);
    double in = 0, din = 0;
    for (std::size_t j = 0; j < lr.size(); ++j) {
      in += fb_w[j] * std::exp(lr[j]);
      din += fb_w[j] * std::exp(lr[j]) * dlr[j];
    }
    return std::pair{in, din};
  };
  // the network is what was intended: log r at its centre and far away
  {
    std::vector<double> lr, dlr;
    neural_ratio probe{net, {1.5, 1.8, -4.0}};
    probe.evaluate(0.0, lr, dlr);
    CHECK(lr[0] == doctest::Approx(5.0 * std::tanh(2.0) - 2.5).epsilon(1e-12));
    CHECK(lr[2] == doctest::Approx(2.5 * (std::tanh(-9.0) - std::tanh(-13.0)) - 2.5).epsilon(1e-12));
    probe.evaluate(1.0, lr, dlr);  // theta = 1 moves the centre to 1.8
    CHECK(lr[1] == doctest::Approx(5.0 * std::tanh(2.0) - 2.5).epsilon(1e-12));
  }
  // Data: 400 background events and 50 signal events drawn from f_s(. | theta_true) by rejection.
  neural_ratio nr{net, {}};
  {
    hepad::rng g(17);
    for (int i = 0; i < 400; ++i) nr.x.push_back(g.normal(0.0, 1.0));
    const double r_max = std::exp(5.0 * std::tanh(2.0) - 2.5);
    neural_ratio cand{net, {}};
    std::vector<double> lr, dlr;
    while (nr.x.size() < 450) {
      cand.x.assign(1, g.normal(0.0, 1.0));
      cand.evaluate(theta_true, lr, dlr);
      if (g.uniform<double>() * r_max < std::exp(lr[0])) nr.x.push_back(cand.x[0]);
    }
  }
  const auto yield = [s, b](std::span<const double> p, std::span<double> g) {
    g[0] = s, g[1] = 0;
    return p[0] * s + b;
  };
  const auto events = [nr, normaliser, s, b](std::span<const double> p, std::span<double> lv, std::span<double> dl) {
    std::vector<double> lr, dlr;
    nr.evaluate(p[1], lr, dlr);
    const auto [in, din] = normaliser(p[1]);
    for (std::size_t i = 0; i < lr.size(); ++i) {
      const double sr = s * std::exp(lr[i]) / in, lam = p[0] * sr + b;
      lv[i] = std::log(lam);
      dl[2 * i] = sr / lam;
      dl[2 * i + 1] = p[0] * sr * (dlr[i] - din / in) / lam;
    }
  };
  st::parameter_set pu;
  pu.add({.name = "mu", .value = 1.0, .step = 0.2, .lower = 0.0});
  const auto th = pu.add({.name = "theta", .value = 0.0, .step = 0.5});
  pu.constrain_gaussian(th, 0.0, 1.0);
  const auto l = st::make_likelihood(pu, "mu", st::unbinned_gradient_term(yield, events, nr.x.size()));

  // The network's gradients are right: the likelihood gradient equals central differences.
  {
    const std::vector<double> p{1.1, 0.4};
    std::vector<double> g(2);
    l.nll_gradient(p, g);
    for (std::size_t k = 0; k < 2; ++k) {
      std::vector<double> pp = p, pm = p;
      pp[k] += 1e-6;
      pm[k] -= 1e-6;
      CAPTURE(k);
      CHECK(g[k] == doctest::Approx((l.nll(std::span<const double>(pp)) - l.nll(std::span<const double>(pm))) / 2e-6).epsilon(1e-6));
    }
  }

  const double tol = 1e-4;
  const auto m = st::fit_likelihood(l, {.minimizer = {.tolerance = tol}});
  REQUIRE(m.valid());
  REQUIRE(m.status.has_covariance);
  INFO("mu-hat = " << m.values[0] << " +- " << m.errors[0] << ", theta-hat = " << m.values[1] << " +- " << m.errors[1]);
  hepad::thread_pool pool(2);
  st::impact_options io;
  io.conditional.tolerance = tol;
  const auto im = st::impacts(l, m, pool, io);
  REQUIRE(im.size() == 1);
  const auto& i = im[0];
  CHECK(i.name == "theta");
  CHECK(i.status == hepad::status::success);
  CHECK(i.value == m.values[1]);
  CHECK(i.error == m.errors[1]);
  CHECK(i.pull == doctest::Approx(m.values[1]).epsilon(1e-12));       // (theta-hat - 0)/1
  CHECK(i.constraint == doctest::Approx(m.errors[1]).epsilon(1e-12));  // sigma-hat/1
  CHECK(i.constraint < 1.0);  // the events constrain theta beyond its prior

  // Refits by hand: theta fixed at theta-hat +- sigma-hat (post-fit) and +- 1 (pre-fit), mu and
  // nothing else free, with the same minimizer tolerance. Each fit ends with EDM below
  // 0.002 tol errordef, so its mu is within sigma_mu sqrt(0.002 tol) of the exact conditional
  // minimum; two such fits differ by at most twice that.
  const double bound = 2.0 * m.errors[0] * std::sqrt(0.002 * tol);
  const auto refit = [&](double theta) {
    std::vector<st::parameter> ps = m.parameters;
    for (std::size_t k = 0; k < ps.size(); ++k) ps[k].value = m.values[k];
    ps[1].value = theta;
    ps[1].fixed = true;
    st::migrad cfg{.strategy = 1, .tolerance = tol, .errordef = m.errordef};
    const auto r = st::minimize(l, std::span<const st::parameter>(ps), cfg);
    REQUIRE(r.valid());
    CHECK(r.values[1] == theta);
    return r.values[0] - m.values[0];
  };
  const double up = refit(m.values[1] + m.errors[1]), down = refit(m.values[1] - m.errors[1]);
  const double pre_up = refit(m.values[1] + 1.0), pre_down = refit(m.values[1] - 1.0);
  INFO("post-fit impacts " << i.postfit_up << ", " << i.postfit_down << " (by hand " << up << ", " << down
                           << "); bound " << bound);
  CHECK(std::abs(i.postfit_up - up) < bound);
  CHECK(std::abs(i.postfit_down - down) < bound);
  CHECK(std::abs(i.prefit_up - pre_up) < bound);
  CHECK(std::abs(i.prefit_down - pre_down) < bound);
  // Independent of the minimizer: with theta fixed only mu is free, so the conditional minimum is
  // the root of dF/dmu (F convex in mu: the intensity is linear in it), found by bisection.
  const auto root = [&](double theta) {
    double lo = 0.0, hi = 10.0;
    std::vector<double> g(2);
    for (int it = 0; it < 100; ++it) {
      const std::vector<double> p{0.5 * (lo + hi), theta};
      l.nll_gradient(p, g);
      (g[0] < 0 ? lo : hi) = p[0];
    }
    REQUIRE(lo > 0.0);  // an interior minimum, not the bound
    return 0.5 * (lo + hi) - m.values[0];
  };
  CHECK(std::abs(i.postfit_up - root(m.values[1] + m.errors[1])) < bound);
  CHECK(std::abs(i.postfit_down - root(m.values[1] - m.errors[1])) < bound);
  CHECK(std::abs(i.prefit_up - root(m.values[1] + 1.0)) < bound);
  CHECK(std::abs(i.prefit_down - root(m.values[1] - 1.0)) < bound);
  // the impact is real (well above the fit precision) and the shifts go opposite ways
  CHECK(std::abs(up) > 20 * bound);
  CHECK(up * down < 0);
  CHECK(std::abs(pre_up) > std::abs(up));  // pre-fit width 1 > post-fit error
  // the linear (covariance) approximation agrees in sign with the refits
  CHECK(i.covariance_impact * up > 0);
}
