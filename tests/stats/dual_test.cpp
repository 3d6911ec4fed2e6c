// SPDX-License-Identifier: BSL-1.0
// Forward-mode autodiff (autodiff/forward): every operation against central finite differences,
// nested duals against dual2, and the runtime gradient/Hessian drivers (chunked) against
// analytic derivatives.
#include <hepad/autodiff/forward/derivatives.hpp>
#include <hepad/autodiff/forward/dual.hpp>
#include <hepad/autodiff/forward/dual2.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace fw = hepad::autodiff::forward;

namespace {

// Unary test functions written once for double, dual and dual2.
struct unary_case {
  std::string name;
  double x;  // evaluation point
};

template <class T>
T ufun(const std::string& n, const T& x) {
  using std::abs, std::acos, std::asin, std::atan, std::cbrt, std::cos, std::cosh, std::erf, std::erfc, std::exp,
      std::expm1, std::log, std::log10, std::log1p, std::pow, std::sin, std::sinh, std::sqrt, std::tan, std::tanh;
  if (n == "exp") return exp(x);
  if (n == "expm1") return expm1(x);
  if (n == "log") return log(x);
  if (n == "log1p") return log1p(x);
  if (n == "log10") return log10(x);
  if (n == "sqrt") return sqrt(x);
  if (n == "pow2.5") return pow(x, 2.5);
  if (n == "pow-1.5") return pow(x, -1.5);
  if (n == "3^x") return pow(3.0, x);
  if (n == "sin") return sin(x);
  if (n == "cos") return cos(x);
  if (n == "tanh") return tanh(x);
  if (n == "atan") return atan(x);
  if (n == "asin") return asin(x);
  if (n == "erf") return erf(x);
  if (n == "erfc") return erfc(x);
  if (n == "abs") return abs(x);
  if (n == "inv") return 1.0 / x;
  if (n == "poly") return (x * x - 3.0) * x / (x + 2.0) - 4.0 + 2.0 * x;
  if constexpr (!std::is_same_v<T, fw::dual2<1>>) {
    if (n == "cbrt") return cbrt(x);
    if (n == "tan") return tan(x);
    if (n == "acos") return acos(x);
    if (n == "sinh") return sinh(x);
    if (n == "cosh") return cosh(x);
  }
  return x;
}

const std::vector<unary_case> unary_cases{
    {"exp", 0.7},   {"expm1", -0.3}, {"log", 1.7},     {"log1p", 0.4},  {"log10", 2.5}, {"sqrt", 0.8},
    {"pow2.5", 1.3}, {"pow-1.5", 0.9}, {"3^x", 0.6},  {"sin", 0.9},    {"cos", -1.2},  {"tanh", 0.35},
    {"atan", 1.4},  {"asin", 0.3},   {"erf", 0.45},    {"erfc", -0.2},  {"abs", -0.6},  {"inv", -1.9},
    {"poly", 0.77}, {"cbrt", 2.2},   {"tan", 0.5},     {"acos", -0.4},  {"sinh", 0.6},  {"cosh", -0.8}};

// 4th-order central difference.
double fd1(const std::function<double(double)>& f, double x, double h = 1e-3) {
  return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h);
}
double fd2(const std::function<double(double)>& f, double x, double h = 1e-3) {
  return (-f(x + 2 * h) + 16 * f(x + h) - 30 * f(x) + 16 * f(x - h) - f(x - 2 * h)) / (12 * h * h);
}

}  // namespace

TEST_CASE("dual: every elementary function matches finite differences (first and second order)") {
  for (const auto& c : unary_cases) {
    CAPTURE(c.name);
    const auto f = [&](double v) { return ufun(c.name, v); };
    const auto d1 = fd1(f, c.x), d2 = fd2(f, c.x);
    // first order
    const auto y = ufun(c.name, fw::dual<double, 1>::variable(c.x, 0));
    CHECK(y.v == doctest::Approx(f(c.x)).epsilon(1e-14));
    CHECK(y.d[0] == doctest::Approx(d1).epsilon(1e-8));
    // nested dual: second derivative
    using DD = fw::dual<fw::dual<double, 1>, 1>;
    DD xx(fw::dual<double, 1>::variable(c.x, 0));
    xx.d[0] = fw::dual<double, 1>(1.0);
    const DD yy = ufun(c.name, xx);
    CHECK(yy.d[0].v == doctest::Approx(d1).epsilon(1e-8));
    CHECK(yy.d[0].d[0] == doctest::Approx(d2).epsilon(1e-5));
    CHECK(fw::value(yy) == doctest::Approx(f(c.x)).epsilon(1e-14));
    // dual2 (functions it provides)
    if (c.name != "cbrt" && c.name != "tan" && c.name != "acos" && c.name != "sinh" && c.name != "cosh") {
      const auto z = ufun(c.name, fw::dual2<1>::variable(c.x, 0));
      CHECK(z.v == doctest::Approx(f(c.x)).epsilon(1e-14));
      CHECK(z.g[0] == doctest::Approx(d1).epsilon(1e-8));
      CHECK(z.h[0] == doctest::Approx(d2).epsilon(1e-5));
    }
  }
}

namespace {
// A function of 5 variables exercising every binary operation and mixed scalar forms.
template <class T>
T multi(std::span<const T> x) {
  using std::exp, std::log, std::sqrt, std::pow;
  T a = x[0] * x[1] - x[2] / (x[3] + 3.0) + 2.0 * x[4];
  T b = exp(0.3 * x[0] - x[4]) + log(x[1] * x[1] + 1.0) - 1.5 / (2.0 + x[2] * x[2]);
  T c = sqrt(x[3] * x[3] + x[0] * x[0] + 1.0) * pow(x[1] + 2.0, x[4]);
  T d = (x[0] > x[1]) ? x[0] - x[1] : x[1] - x[0];
  T e = a;
  e *= b;
  e += c;
  e -= d * 0.5;
  e /= (x[2] * x[2] + 2.0);
  return e - 1.0 + x[3] * 4.0;
}
}  // namespace

TEST_CASE("dual and dual2 of a multivariate function agree with finite differences") {
  const std::vector<double> x0{0.3, -0.7, 1.1, 0.4, -0.2};
  const std::size_t n = x0.size();
  auto f = [&](std::vector<double> x) { return multi<double>(x); };
  std::vector<double> g(n), h(n * n);
  const double v = fw::hessian<8>([](auto p) { return multi(p); }, x0, g, h);
  std::vector<double> g2(n);
  const double v2 = fw::gradient<2>([](auto p) { return multi(p); }, x0, g2);  // 3 chunks
  CHECK(v == doctest::Approx(f(x0)).epsilon(1e-14));
  CHECK(v2 == doctest::Approx(f(x0)).epsilon(1e-14));
  const double e = 1e-4;
  for (std::size_t i = 0; i < n; ++i) {
    auto xp = x0, xm = x0;
    xp[i] += e;
    xm[i] -= e;
    const double fdg = (f(xp) - f(xm)) / (2 * e);
    CHECK(g[i] == doctest::Approx(fdg).epsilon(1e-7));
    CHECK(g2[i] == doctest::Approx(g[i]).epsilon(1e-13));
    for (std::size_t j = 0; j < n; ++j) {
      auto xpp = x0, xpm = x0, xmp = x0, xmm = x0;
      xpp[i] += e, xpp[j] += e;
      xpm[i] += e, xpm[j] -= e;
      xmp[i] -= e, xmp[j] += e;
      xmm[i] -= e, xmm[j] -= e;
      const double fdh = (f(xpp) - f(xpm) - f(xmp) + f(xmm)) / (4 * e * e);
      CAPTURE(i);
      CAPTURE(j);
      CHECK(h[i * n + j] == doctest::Approx(fdh).epsilon(1e-5).scale(1.0));
      CHECK(h[i * n + j] == h[j * n + i]);
    }
  }
}

TEST_CASE("chunked gradient and block Hessian for n larger than the chunk width") {
  // f(x) = sum_i a_i x_i^3 + sum_{i<j} c_ij x_i x_j with known derivatives; n = 13 > C = 4
  const std::size_t n = 13;
  std::vector<double> x(n), a(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = 0.1 * static_cast<double>(i) - 0.5;
    a[i] = 1.0 + 0.25 * static_cast<double>(i);
  }
  auto cij = [](std::size_t i, std::size_t j) { return 0.01 * static_cast<double>((i + 1) * (j + 2) % 7); };
  auto f = [&](auto p) {
    using T = typename decltype(p)::value_type;
    T s(0.0);
    for (std::size_t i = 0; i < n; ++i) s += a[i] * p[i] * p[i] * p[i];
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) s += cij(i, j) * p[i] * p[j];
    return s;
  };
  std::vector<double> g(n), h(n * n);
  fw::hessian<4>(f, x, g, h);
  std::vector<double> gg(n);
  fw::gradient<4>(f, x, gg);
  for (std::size_t i = 0; i < n; ++i) {
    double gi = 3 * a[i] * x[i] * x[i];
    for (std::size_t j = 0; j < n; ++j)
      if (j != i) gi += cij((std::min)(i, j), (std::max)(i, j)) * x[j];
    CHECK(g[i] == doctest::Approx(gi).epsilon(1e-13));
    CHECK(gg[i] == doctest::Approx(gi).epsilon(1e-13));
    for (std::size_t j = 0; j < n; ++j) {
      const double hij = i == j ? 6 * a[i] * x[i] : cij((std::min)(i, j), (std::max)(i, j));
      CHECK(h[i * n + j] == doctest::Approx(hij).epsilon(1e-13));
    }
  }
  CHECK_THROWS_AS(fw::gradient<4>(f, x, std::span<double>(gg.data(), 3)), hepad::invalid_argument);
}

TEST_CASE("dual comparisons, constants and isfinite") {
  using D = fw::dual<double, 3>;
  D a = D::variable(2.0, 1), b(3.0);
  CHECK(a < b);
  CHECK(a == 2.0);
  CHECK(a > 1);
  CHECK(std::max(a, b).v == 3.0);
  CHECK(fw::fmax(a, 2.5).v == 2.5);
  CHECK(fw::fmax(a, 2.5).d[1] == 0.0);
  CHECK(fw::fmin(a, 2.5).d[1] == 1.0);
  CHECK(fw::isfinite(a));
  CHECK_FALSE(fw::isfinite(fw::log(D(-1.0))));
  static_assert(fw::is_dual_v<D>);
  static_assert(!fw::is_dual_v<double>);
}
