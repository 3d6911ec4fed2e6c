// SPDX-License-Identifier: BSL-1.0
// The variable-metric minimizer, HESSE, MINOS and profile scans on standard test functions with
// known minima and covariances; failures (no minimum, non-finite values, call limits) must be
// reported in the status, never silently.
#include <hepad/core/concepts/objective.hpp>
#include <hepad/stats/hesse.hpp>
#include <hepad/stats/minimize.hpp>
#include <hepad/stats/minos.hpp>
#include <hepad/stats/profile.hpp>

#include <doctest/doctest.h>

#include <Eigen/LU>

#include <cmath>
#include <functional>
#include <numbers>
#include <span>
#include <vector>

namespace st = hepad::stats;

namespace {

const auto rosenbrock = [](auto x) {
  using T = typename decltype(x)::value_type;
  T s(0.0);
  for (std::size_t i = 0; i + 1 < x.size(); ++i) {
    const T a = x[i + 1] - x[i] * x[i];
    const T b = 1.0 - x[i];
    s += 100.0 * a * a + b * b;
  }
  return s;
};

// Wood's function: minimum 0 at (1, 1, 1, 1).
const auto wood = [](auto x) {
  using T = typename decltype(x)::value_type;
  const T a = x[1] - x[0] * x[0], b = 1.0 - x[0], c = x[3] - x[2] * x[2], d = 1.0 - x[2], e = x[1] + x[3] - 2.0,
          g = x[1] - x[3];
  return T(100.0 * a * a + b * b + 90.0 * c * c + d * d + 10.0 * e * e + 0.1 * g * g);
};

// A quadratic form 1/2 (x-c)^T A (x-c) with scales from 1e-4 to 1e4 (condition number 1e16 on the
// Hessian diagonal) and correlations.
struct scaled_quadratic {
  std::vector<double> c, scale;
  double rho = 0.6;
  template <class T>
  T operator()(std::span<const T> x) const {
    T s(0.0);
    const std::size_t n = x.size();
    for (std::size_t i = 0; i < n; ++i) {
      const T u = (x[i] - c[i]) / scale[i];
      s += 0.5 * u * u;
      if (i + 1 < n) s += rho * 0.5 * u * (x[i + 1] - c[i + 1]) / scale[i + 1];
    }
    return s;
  }
};

// Black-box objective (value only) and a gradient-only objective.
struct plain_quadratic {
  double evaluate(std::span<const double> p) const { return (p[0] - 2) * (p[0] - 2) + 4 * (p[1] + 1) * (p[1] + 1); }
};
struct grad_quadratic {
  double evaluate(std::span<const double> p) const { return (p[0] - 2) * (p[0] - 2) + 4 * (p[1] + 1) * (p[1] + 1); }
  double evaluate_with_gradient(std::span<const double> p, std::span<double> g) const {
    g[0] = 2 * (p[0] - 2);
    g[1] = 8 * (p[1] + 1);
    return evaluate(p);
  }
};

}  // namespace

TEST_CASE("objective concepts") {
  static_assert(hepad::objective<plain_quadratic>);
  static_assert(!hepad::differentiable_objective<plain_quadratic>);
  static_assert(hepad::differentiable_objective<grad_quadratic>);
  static_assert(hepad::twice_differentiable_objective<st::autodiff_objective<decltype(rosenbrock)>>);
  static_assert(st::autodiff_function<decltype(rosenbrock)>);
}

TEST_CASE("Rosenbrock (2 and 10 dimensions) and Wood converge to their minima") {
  for (int strategy : {0, 1, 2}) {
    CAPTURE(strategy);
    auto m = st::minimize(rosenbrock, {-1.2, 1.0}, {.strategy = strategy, .tolerance = 1e-4});
    REQUIRE(m.valid());
    CHECK(m.status.code == hepad::status::success);
    CHECK(m.edm < m.edm_goal);
    // |x_i - x*_i| <= sigma_i sqrt(EDM/errordef) for a quadratic (Cauchy-Schwarz in the H^-1 metric);
    // the EDM of strategy 0 comes from the quasi-Newton metric, so allow a factor 3 there.
    // At (1, 1): H = [[802, -400], [-400, 200]], sigma = sqrt(2 errordef diag(H^-1)) = (0.7071, 1.4160).
    const double safety = strategy == 0 ? 3.0 : 1.5;
    const double edm = strategy == 0 ? m.edm_goal : m.edm;
    CHECK(std::abs(m.values[0] - 1.0) <= safety * 0.7071 * std::sqrt(edm / 0.5) + 1e-12);
    CHECK(std::abs(m.values[1] - 1.0) <= safety * 1.4160 * std::sqrt(edm / 0.5) + 1e-12);
    CHECK(m.fval <= 2 * (strategy == 0 ? m.edm_goal : m.edm) + 1e-15);
    if (strategy > 0) {
      CHECK(m.status.covariance_accurate);
      CHECK(m.errors[0] == doctest::Approx(0.7071).epsilon(1e-3));
    }
  }
  std::vector<double> start(10, -1.0);
  start[1] = 1.0;
  const auto p10 = st::make_parameters(start);
  auto m10 = st::minimize(rosenbrock, p10, {.tolerance = 1e-4});
  REQUIRE(m10.valid());
  for (double v : m10.values) CHECK(v == doctest::Approx(1.0).epsilon(1e-4));
  auto mw = st::minimize(wood, {-3.0, -1.0, -3.0, -1.0}, {.tolerance = 1e-4});
  REQUIRE(mw.valid());
  for (double v : mw.values) CHECK(v == doctest::Approx(1.0).epsilon(1e-4));
}

TEST_CASE("badly scaled correlated quadratic: minimum and exact covariance") {
  const std::size_t n = 6;
  scaled_quadratic q;
  for (std::size_t i = 0; i < n; ++i) {
    q.c.push_back(0.3 * static_cast<double>(i) - 1.0);
    q.scale.push_back(std::pow(10.0, -4.0 + 8.0 * static_cast<double>(i) / (n - 1)));
  }
  std::vector<st::parameter> p(n);
  for (std::size_t i = 0; i < n; ++i) {
    p[i].name = "x" + std::to_string(i);
    p[i].value = 0.5;
    p[i].step = 1.0;  // deliberately wrong scale
  }
  const double errordef = 1.0;
  for (int strategy : {1, 2}) {
    auto m = st::minimize(q, p, {.strategy = strategy, .errordef = errordef});
    REQUIRE(m.valid());
    // covariance = 2 errordef A^-1 with A the Hessian of q
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(n, n);
    for (std::size_t i = 0; i < n; ++i) {
      a(i, i) = 1.0 / (q.scale[i] * q.scale[i]);
      if (i + 1 < n) a(i, i + 1) = a(i + 1, i) = 0.5 * q.rho / (q.scale[i] * q.scale[i + 1]);
    }
    const Eigen::MatrixXd cov = 2.0 * errordef * a.inverse();
    for (std::size_t i = 0; i < n; ++i) {
      CAPTURE(i);
      CHECK(std::abs(m.values[i] - q.c[i]) < 1e-3 * std::sqrt(cov(i, i)));
      CHECK(m.errors[i] == doctest::Approx(std::sqrt(cov(i, i))).epsilon(1e-8));
      for (std::size_t j = 0; j < n; ++j)
        CHECK(m.covariance(i, j) == doctest::Approx(cov(i, j)).epsilon(1e-8).scale(std::sqrt(cov(i, i) * cov(j, j))));
    }
  }
}

TEST_CASE("bounded optima: interior, at the bound, one-sided bounds; fixed parameters") {
  const auto f = [](auto x) {
    using T = typename decltype(x)::value_type;
    return T((x[0] - 3.0) * (x[0] - 3.0) + (x[1] - 0.5) * (x[1] - 0.5) + (x[2] + 2.0) * (x[2] + 2.0));
  };
  std::vector<st::parameter> p{{.name = "a", .value = 1.0, .lower = 0.0, .upper = 2.0},   // optimum 3 -> at bound 2
                               {.name = "b", .value = 0.0, .lower = -1.0, .upper = 1.0},  // interior 0.5
                               {.name = "c", .value = 1.0, .lower = -5.0}};               // lower only, interior -2
  auto m = st::minimize(f, p, {.tolerance = 1e-6});
  CHECK(m.status.code == hepad::status::at_limit);
  CHECK(m.valid());
  CHECK(m.status.at_limit);
  CHECK(m.value("a") == doctest::Approx(2.0).epsilon(1e-5));
  CHECK(m.value("b") == doctest::Approx(0.5).epsilon(1e-6));
  CHECK(m.value("c") == doctest::Approx(-2.0).epsilon(1e-6));
  // errordef 0.5, f'' = 2 -> error sqrt(2*0.5/2) = 0.707 for interior parameters. For the bounded
  // b the covariance comes from the internal Hessian (as Minuit's), which contains the residual
  // gradient term g d2ext/dint2: relative deviation of order sqrt(EDM).
  CHECK(m.error("b") == doctest::Approx(std::sqrt(0.5)).epsilon(10 * std::sqrt(m.edm_goal)));
  CHECK(m.error("c") == doctest::Approx(std::sqrt(0.5)).epsilon(1e-6));
  // an upper-only bound active
  std::vector<st::parameter> q{{.name = "a", .value = -1.0, .upper = 1.0}, {.name = "b", .value = 0.0},
                               {.name = "c", .value = 0.0, .fixed = true}};
  auto m2 = st::minimize(f, q);
  CHECK(m2.status.code == hepad::status::at_limit);
  CHECK(m2.value("a") == doctest::Approx(1.0).epsilon(1e-4));
  CHECK(m2.value("c") == 0.0);  // fixed
  CHECK(m2.error("c") == 0.0);
  CHECK(m2.value("b") == doctest::Approx(0.5).epsilon(1e-6));
}

TEST_CASE("functions without a minimum are reported, never returned as converged") {
  // linear: unbounded below
  const auto lin = [](auto x) { return x[0] * 2.0 + x[1]; };
  auto m1 = st::minimize(lin, {0.0, 0.0});
  CHECK_FALSE(m1.valid());
  CHECK(m1.status.code != hepad::status::success);
  CHECK_FALSE(m1.status.message.empty());
  // a maximum, started off the stationary point
  const auto cap = [](auto x) { return -(x[0] * x[0]) - x[1] * x[1]; };
  auto m2 = st::minimize(cap, {0.3, -0.2});
  CHECK_FALSE(m2.valid());
  // a maximum, started exactly at the stationary point: the gradient is zero, the Hessian tells
  auto m3 = st::minimize(cap, {0.0, 0.0});
  CHECK_FALSE(m3.valid());
  CHECK(m3.status.code == hepad::status::invalid_covariance);
  // a saddle
  const auto saddle = [](auto x) { return x[0] * x[0] - x[1] * x[1]; };
  CHECK_FALSE(st::minimize(saddle, {0.0, 0.0}).valid());
  // a cubic: unbounded below
  const auto cubic = [](auto x) { return x[0] * x[0] * x[0] + x[1] * x[1]; };
  auto m4 = st::minimize(cubic, {-1.0, 1.0});
  CHECK_FALSE(m4.valid());
  CHECK(m4.values[0] < -1.0);
  // not finite at the start
  const auto bad = [](auto x) {
    using std::log;
    return log(x[0]) + x[1] * x[1];
  };
  auto m5 = st::minimize(bad, {-1.0, 0.0});
  CHECK(m5.status.code == hepad::status::non_finite);
  // call limit
  auto m6 = st::minimize(rosenbrock, {-1.2, 1.0}, {.max_calls = 5});
  CHECK(m6.status.code == hepad::status::max_iterations);
  CHECK(m6.status.reached_call_limit);
}

TEST_CASE("plain and gradient-only objectives; bad input throws") {
  const std::vector<st::parameter> p{{.name = "x", .value = 0.0}, {.name = "y", .value = 0.0}};
  for (auto m : {st::minimize(plain_quadratic{}, p, {.errordef = 1.0}), st::minimize(grad_quadratic{}, p, {.errordef = 1.0})}) {
    REQUIRE(m.valid());
    CHECK(m.values[0] == doctest::Approx(2.0).epsilon(1e-5));
    CHECK(m.values[1] == doctest::Approx(-1.0).epsilon(1e-5));
    CHECK(m.errors[0] == doctest::Approx(1.0).epsilon(1e-4));
    CHECK(m.errors[1] == doctest::Approx(0.5).epsilon(1e-4));
  }
  std::vector<st::parameter> q = p;
  q[0].lower = 1.0;  // start below the bound
  CHECK_THROWS_WITH_AS(st::minimize(grad_quadratic{}, q), doctest::Contains("parameter 0 ('x'): start value 0 outside"),
                       hepad::invalid_argument);
  q = p;
  q[1].step = 0;
  CHECK_THROWS_AS(st::minimize(grad_quadratic{}, q), hepad::invalid_argument);
  CHECK_THROWS_AS(st::minimize(grad_quadratic{}, p, {.strategy = 3}), hepad::invalid_argument);
}

namespace {
// On/off counting experiment: n_on ~ Pois(mu s + b), n_off ~ Pois(tau b). The conditional MLE of b
// at fixed mu is the root of a quadratic, so the profile likelihood is known in closed form.
struct on_off {
  double n_on = 25, n_off = 30, tau = 2, s = 10;
  template <class T>
  T operator()(std::span<const T> p) const {
    using std::log;
    const T lam = p[0] * s + p[1];
    const T off = tau * p[1];
    return lam - n_on * log(lam) + off - n_off * log(off);
  }
  double profile(double mu) const {
    const double B = (1 + tau) * mu * s - n_on - n_off;
    const double b = (-B + std::sqrt(B * B + 4 * (1 + tau) * n_off * mu * s)) / (2 * (1 + tau));
    const double p[2] = {mu, b};
    return (*this)(std::span<const double>(p, 2));
  }
};
double bisect(const std::function<double(double)>& g, double a, double b) {
  for (int i = 0; i < 200; ++i) {
    const double m = 0.5 * (a + b);
    ((g(a) < 0) == (g(m) < 0) ? a : b) = m;
  }
  return 0.5 * (a + b);
}
}  // namespace

TEST_CASE("HESSE, MINOS and profile scans match the closed-form on/off profile likelihood") {
  const on_off f;
  std::vector<st::parameter> p{{.name = "mu", .value = 0.5, .step = 0.2}, {.name = "b", .value = 10.0, .step = 1.0, .lower = 0.0}};
  auto m = st::minimize(f, p);
  REQUIRE(m.valid());
  // distance to the true minimum bounded by sigma sqrt(EDM/errordef)
  CHECK(std::abs(m.value("mu") - 1.0) <= 1.5 * m.error("mu") * std::sqrt(m.edm / 0.5) + 1e-12);
  CHECK(std::abs(m.value("b") - 15.0) <= 1.5 * m.error("b") * std::sqrt(m.edm / 0.5) + 1e-12);
  m = st::minimize(f, p, {.tolerance = 1e-6});
  CHECK(m.value("mu") == doctest::Approx(1.0).epsilon(1e-8));
  CHECK(m.value("b") == doctest::Approx(15.0).epsilon(1e-8));
  // HESSE against the analytic Hessian of the NLL at the MLE (lam = 25, off = 30)
  auto h = st::hesse(f, m);
  REQUIRE(h.valid());
  Eigen::Matrix2d H;
  H << f.n_on * f.s * f.s / 625.0, f.n_on * f.s / 625.0, f.n_on * f.s / 625.0, f.n_on / 625.0 + f.n_off / (15.0 * 15.0);
  const Eigen::Matrix2d C = H.inverse();  // 2 errordef H^-1 with errordef 0.5
  CHECK(h.error("mu") == doctest::Approx(std::sqrt(C(0, 0))).epsilon(1e-9));
  CHECK(h.error("b") == doctest::Approx(std::sqrt(C(1, 1))).epsilon(1e-6));  // bounded: transformed like Minuit
  CHECK(h.covariance(0, 1) == doctest::Approx(C(0, 1)).epsilon(1e-6));
  // MINOS against bisection on the closed-form profile
  const double fmin = f.profile(1.0);
  auto g = [&](double mu) { return f.profile(mu) - fmin - 0.5; };
  const double lo = bisect(g, 0.0, 1.0), hi = bisect(g, 1.0, 5.0);
  auto me = st::minos(f, h, "mu");
  REQUIRE(me.valid());
  CHECK(me.lower.error == doctest::Approx(lo - 1.0).epsilon(1e-6));
  CHECK(me.upper.error == doctest::Approx(hi - 1.0).epsilon(1e-6));
  CHECK(me.upper.error > -me.lower.error);  // Poisson: asymmetric
  // two-sigma interval
  auto me2 = st::minos(f, h, "mu", {.sigma = 2.0});
  auto g2 = [&](double mu) { return f.profile(mu) - fmin - 2.0; };
  CHECK(me2.upper.error == doctest::Approx(bisect(g2, 1.0, 8.0) - 1.0).epsilon(1e-6));
  // profile scan = closed form at every point; crossings close to MINOS
  std::vector<double> grid;
  for (int i = 0; i <= 60; ++i) grid.push_back(0.1 + 2.9 * i / 60.0);
  auto sc = st::profile_scan(f, h, 0, grid);
  REQUIRE(sc.ok());
  for (std::size_t i = 0; i < grid.size(); ++i) CHECK(sc.q[i] == doctest::Approx(2 * (f.profile(grid[i]) - fmin)).epsilon(1e-7).scale(1.0));
  const auto iv = st::scan_crossings(sc.values, sc.q, 1.0, 1.0);
  CHECK(iv.lower_found);
  CHECK(iv.upper_found);
  CHECK(iv.n_crossings == 2);
  CHECK(iv.lower == doctest::Approx(lo).epsilon(2e-3));
  CHECK(iv.upper == doctest::Approx(hi).epsilon(2e-3));
  // a fixed-nuisance scan is narrower than the profile (it ignores b's uncertainty)
  auto fx = st::fixed_scan(f, h, 0, grid);
  const auto ivf = st::scan_crossings(fx.values, fx.q, 1.0, 1.0);
  CHECK(ivf.upper - ivf.lower < iv.upper - iv.lower);
  // MINOS on a bounded parameter whose lower bound is inside the interval
  std::vector<st::parameter> pb{{.name = "mu", .value = 1.0, .step = 0.2, .lower = 0.8}, {.name = "b", .value = 10.0, .step = 1.0, .lower = 0.0}};
  auto mb = st::hesse(f, st::minimize(f, pb));
  auto meb = st::minos(f, mb, "mu");
  CHECK(meb.lower.at_limit);
  CHECK_FALSE(meb.valid());
  CHECK(meb.lower.error == doctest::Approx(0.8 - mb.value("mu")).epsilon(1e-12));
  CHECK(meb.upper.valid);
}

namespace {
// f(mu, t) = mu^2/2 + t^2/2 - b|t| + (k mu + c) t: a concave kink at t = 0 separates two local
// conditional minima in t, t = -b - (k mu + c) < 0 and t = b - (k mu + c) > 0, with values
// -(b + |k mu + c|)^2 / 2 for the lower one. The global minimum is on the t < 0 side; going down
// in mu, the t > 0 side becomes the lower one at mu = -c/k, before the 1-sigma crossing.
struct kinked_profile {
  double b = 1.0, k = 0.5, c = 0.1;
  double evaluate_with_gradient(std::span<const double> p, std::span<double> g) const {
    const double mu = p[0], t = p[1], sgn = t >= 0 ? 1.0 : -1.0;  // t = 0: the right-hand branch
    g[0] = mu + k * t;
    g[1] = t - b * sgn + k * mu + c;
    return 0.5 * mu * mu + 0.5 * t * t - b * std::abs(t) + (k * mu + c) * t;
  }
  double evaluate(std::span<const double> p) const {
    double g[2];
    return evaluate_with_gradient(p, g);
  }
  [[nodiscard]] std::vector<st::kink> kinks() const { return {{.parameter = 1, .value = 0.0}}; }
  // profile on one branch (side = -1: t < 0, +1: t > 0) and the global profile
  [[nodiscard]] double branch(double mu, int side) const {
    const double a = b - side * (k * mu + c);
    return 0.5 * mu * mu - 0.5 * a * a;
  }
  [[nodiscard]] double profile(double mu) const { return (std::min)(branch(mu, -1), branch(mu, +1)); }
};
}  // namespace

TEST_CASE("MINOS follows the profile across a concave kink (lower conditional minimum on the other side)") {
  const kinked_profile f;
  std::vector<st::parameter> p{{.name = "mu", .value = 0.5, .step = 0.2}, {.name = "t", .value = -1.0, .step = 0.2}};
  const auto m = st::hesse(f, st::minimize(f, p, {.tolerance = 1e-6}));
  REQUIRE(m.valid());
  const double mu_hat = f.k * (f.b + f.c) / (1 - f.k * f.k);  // stationary point of the t < 0 branch
  CHECK(m.value("mu") == doctest::Approx(mu_hat).epsilon(1e-8));
  CHECK(m.value("t") < 0);
  const double level = f.profile(mu_hat) + 0.5;
  // the exact crossings of the global profile, and the lower crossing of the t < 0 branch alone
  const double lo = bisect([&](double mu) { return f.profile(mu) - level; }, -5.0, mu_hat);
  const double hi = bisect([&](double mu) { return f.profile(mu) - level; }, mu_hat, 5.0);
  const double lo_branch = bisect([&](double mu) { return f.branch(mu, -1) - level; }, -2.0, mu_hat);
  REQUIRE(lo < -f.c / f.k);  // the switch of sides lies between the minimum and the crossing
  REQUIRE(lo_branch - lo > 0.5);
  const auto me = st::minos(f, m, "mu");
  REQUIRE(me.valid());
  CHECK(me.lower.error == doctest::Approx(lo - mu_hat).epsilon(1e-6));
  CHECK(me.upper.error == doctest::Approx(hi - mu_hat).epsilon(1e-6));
  CHECK(me.lower.point[1] > 0);  // t on the other side of the kink at the lower crossing
  // without the kink search the conditional fits stay on the t < 0 branch: its own crossing
  const auto local = st::minos(f, m, "mu", {.kink_search = false});
  REQUIRE(local.valid());
  CHECK(local.lower.error == doctest::Approx(lo_branch - mu_hat).epsilon(1e-6));
}
