// SPDX-License-Identifier: BSL-1.0
// Likelihood building blocks: interpolation codes (continuity, end points), HistFactory channels
// against an independent direct formula, exact derivatives against finite differences,
// staterror and constraints, Asimov data, toy generation, kinks, unbinned extended terms (autodiff
// and value+gradient forms) and sums of channels.
#include <hepad/autodiff/forward/dual2.hpp>
#include <hepad/core/concepts/likelihood.hpp>
#include <hepad/core/random.hpp>
#include <hepad/stats/fit.hpp>
#include <hepad/stats/likelihood/histfactory.hpp>
#include <hepad/stats/likelihood/likelihood.hpp>
#include <hepad/stats/likelihood/unbinned.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <span>
#include <vector>

namespace st = hepad::stats;
namespace fw = hepad::autodiff::forward;

namespace {

// f(α), f'(α), f''(α) of a normsys factor via dual2<1>
std::array<double, 3> normsys3(st::interpolation code, double a, double lo, double hi) {
  const auto c = st::poly6_coefficients(lo, hi);
  const auto x = fw::dual2<1>::variable(a, 0);
  const auto y = st::normsys_factor(code, x, lo, hi, c);
  return {y.v, y.g[0], y.h[0]};
}

// The peer_fit.py model written out directly (independent of the channel code).
struct direct_peer {
  std::vector<double> s0, b0, up[4], dn[4], n, g;
  double operator()(const std::vector<double>& p) const {
    double nll = 0;
    for (std::size_t i = 0; i < n.size(); ++i) {
      auto d = [&](int k, double t) { return t >= 0 ? t * (up[k][i] - (k == 1 || k == 2 ? s0[i] : b0[i])) : t * ((k == 1 || k == 2 ? s0[i] : b0[i]) - dn[k][i]); };
      const double nu = p[0] * (1 + 0.10 * p[1]) * (s0[i] + d(1, p[4]) + d(2, p[5])) + (1 + 0.05 * p[2]) * (b0[i] + d(0, p[3]) + d(3, p[6]));
      const double v = std::max(nu, 1e-12);
      nll += v - n[i] * std::log(v);
    }
    for (int k = 0; k < 6; ++k) nll += 0.5 * (p[k + 1] - g[k]) * (p[k + 1] - g[k]);
    return nll;
  }
};

direct_peer make_direct(hepad::rng& r, std::size_t nb = 12) {
  direct_peer d;
  for (std::size_t i = 0; i < nb; ++i) {
    const double x = (i + 0.5) / nb;
    d.s0.push_back(20 * std::exp(-0.5 * (x - 0.5) * (x - 0.5) / 0.01));
    d.b0.push_back(100 * std::exp(-3 * x));
  }
  for (int k = 0; k < 4; ++k) {
    const auto& nom = (k == 1 || k == 2) ? d.s0 : d.b0;
    for (std::size_t i = 0; i < nb; ++i) {
      d.up[k].push_back(nom[i] * (1 + 0.1 * r.uniform(-1.0, 1.0)));
      d.dn[k].push_back(nom[i] * (1 + 0.1 * r.uniform(-1.0, 1.0)));
    }
  }
  for (std::size_t i = 0; i < nb; ++i) d.n.push_back(static_cast<double>(r.poisson(d.s0[i] + d.b0[i])));
  for (int k = 0; k < 6; ++k) d.g.push_back(r.normal());
  return d;
}

st::likelihood<st::binned_model> build(const direct_peer& d) {
  using st::interpolation;
  st::histfactory hf;
  auto ch = hf.channel("c", d.n);
  auto sig = ch.sample("s", d.s0);
  auto bkg = ch.sample("b", d.b0);
  sig.normfactor("mu").normsys("t1", 0.9, 1.1, interpolation::piecewise_linear);
  bkg.normsys("t2", 0.95, 1.05, interpolation::piecewise_linear).histosys("t3", d.dn[0], d.up[0]);
  sig.histosys("t4", d.dn[1], d.up[1]).histosys("t5", d.dn[2], d.up[2]);
  bkg.histosys("t6", d.dn[3], d.up[3]);
  auto l = hf.build("mu");
  l.set_global_observables(d.g);
  return l;
}

}  // namespace

TEST_CASE("interpolation codes: end points, continuity of code 4, kinks of codes 0 and 1") {
  const double lo = 0.8, hi = 1.25;
  for (auto code : {st::interpolation::piecewise_linear, st::interpolation::exponential, st::interpolation::polynomial}) {
    CAPTURE(static_cast<int>(code));
    CHECK(normsys3(code, 1.0, lo, hi)[0] == doctest::Approx(hi).epsilon(1e-13));
    CHECK(normsys3(code, -1.0, lo, hi)[0] == doctest::Approx(lo).epsilon(1e-13));
    CHECK(normsys3(code, 0.0, lo, hi)[0] == doctest::Approx(1.0).epsilon(1e-15));
  }
  // code 4: value, slope and curvature continuous at ±1 and equal to the exponential's there
  for (double a0 : {-1.0, 1.0}) {
    const auto in = normsys3(st::interpolation::polynomial, a0 * (1 - 1e-9), lo, hi);
    const auto out = normsys3(st::interpolation::polynomial, a0 * (1 + 1e-9), lo, hi);
    const auto ex = normsys3(st::interpolation::exponential, a0, lo, hi);
    for (int k = 0; k < 3; ++k) {
      CHECK(in[k] == doctest::Approx(out[k]).epsilon(1e-7));
      CHECK(in[k] == doctest::Approx(ex[k]).epsilon(1e-7));
    }
  }
  // code 4 is smooth at 0; code 0 has one-sided slopes hi-1 and 1-lo (mean at exactly 0)
  const auto p0 = normsys3(st::interpolation::polynomial, 1e-9, lo, hi), m0 = normsys3(st::interpolation::polynomial, -1e-9, lo, hi);
  CHECK(p0[1] == doctest::Approx(m0[1]).epsilon(1e-7));
  CHECK(normsys3(st::interpolation::piecewise_linear, 0.3, lo, hi)[1] == doctest::Approx(hi - 1));
  CHECK(normsys3(st::interpolation::piecewise_linear, -0.3, lo, hi)[1] == doctest::Approx(1 - lo));
  CHECK(normsys3(st::interpolation::piecewise_linear, 0.0, lo, hi)[1] == doctest::Approx(0.5 * (hi - lo)));
  CHECK(normsys3(st::interpolation::exponential, 0.5, lo, hi)[1] == doctest::Approx(std::log(hi) * std::pow(hi, 0.5)));

  // histosys: codes 0 and 4 reproduce up/down at ±1; code 4 is linear beyond and smooth at 0
  const std::vector<double> nom{10, 20}, up{12, 25}, dn{9, 14}, obs{11, 21};
  for (auto code : {st::interpolation::piecewise_linear, st::interpolation::exponential, st::interpolation::polynomial}) {
    st::binned_channel c("h", obs);
    const auto s = c.add_sample("s", nom);
    c.add_histosys(s, 0, dn, up, code);
    std::vector<double> nu(2);
    for (double a : {1.0, -1.0, 2.0}) {
      const double th[1] = {a};
      c.expected<double>(th, nu);
      for (int b = 0; b < 2; ++b) {
        double want = a == 1.0 ? up[b] : a == -1.0 ? dn[b] : 0;
        if (a == 2.0) want = code == st::interpolation::exponential ? nom[b] * std::pow(up[b] / nom[b], 2.0) : nom[b] + 2 * (up[b] - nom[b]);
        CHECK(nu[static_cast<std::size_t>(b)] == doctest::Approx(want).epsilon(1e-12));
      }
    }
  }
  CHECK_THROWS_AS(st::poly6_coefficients(0.0, 1.1), hepad::invalid_argument);
}

TEST_CASE("HistFactory channel equals the direct formula; exact derivatives match finite differences") {
  hepad::rng r(7);
  const auto d = make_direct(r);
  const auto l = build(d);
  static_assert(hepad::twice_differentiable_likelihood<st::likelihood<st::binned_model>>);
  static_assert(hepad::has_poi<st::likelihood<st::binned_model>>);
  static_assert(hepad::constrained_likelihood<st::likelihood<st::binned_model>>);
  static_assert(hepad::sampleable_likelihood<st::likelihood<st::binned_model>>);
  static_assert(hepad::asimov_likelihood<st::likelihood<st::binned_model>>);
  static_assert(hepad::twice_differentiable_objective<st::likelihood<st::binned_model>>);
  REQUIRE(l.n_parameters() == 7);
  CHECK(l.parameter_names()[0] == "mu");
  CHECK(l.parameter_names()[3] == "t3");
  CHECK(l.kinks().size() == 6);  // every code-0 modifier has a kink at 0
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> p(7);
    p[0] = r.uniform(0.2, 2.0);
    for (int k = 1; k < 7; ++k) p[static_cast<std::size_t>(k)] = r.uniform(-2.0, 2.0);
    CHECK(l.nll(std::span<const double>(p)) == doctest::Approx(d(p)).epsilon(1e-12));
    std::vector<double> g(7), h(49), g2(7);
    l.nll_hessian(p, g, h);
    l.nll_gradient(p, g2);
    for (std::size_t i = 0; i < 7; ++i) {
      auto pp = p, pm = p;
      const double e = 1e-6;
      pp[i] += e, pm[i] -= e;
      // away from the kinks (|t| > 1e-6 here with overwhelming probability) central differences apply
      CHECK(g[i] == doctest::Approx((d(pp) - d(pm)) / (2 * e)).epsilon(1e-6).scale(1.0));
      CHECK(g2[i] == doctest::Approx(g[i]).epsilon(1e-13).scale(1.0));
      std::vector<double> gp(7), gm(7);
      l.nll_gradient(pp, gp);
      l.nll_gradient(pm, gm);
      for (std::size_t j = 0; j < 7; ++j) CHECK(h[i * 7 + j] == doctest::Approx((gp[j] - gm[j]) / (2 * e)).epsilon(1e-5).scale(1.0));
    }
  }
}

TEST_CASE("staterror, constraints and sums of channels") {
  // two channels sharing mu and a normsys; staterror in the first
  const std::vector<double> s1{5, 8}, b1{50, 40}, n1{57, 45}, s2{3}, b2{30}, n2{36}, rel{0.1, 0.05};
  st::histfactory hf;
  auto c1 = hf.channel("c1", n1);
  c1.sample("s", s1).normfactor("mu").staterror();
  c1.sample("b", b1).normsys("lumi", 0.98, 1.02).staterror();
  c1.staterror(rel);
  auto c2 = hf.channel("c2", n2);
  c2.sample("s", s2).normfactor("mu");
  c2.sample("b", b2).normsys("lumi", 0.98, 1.02);
  const auto l = hf.build("mu");
  REQUIRE(l.n_parameters() == 4);  // mu, lumi, 2 gammas
  REQUIRE(l.constraints().size() == 3);
  const std::vector<double> p{1.3, 0.4, 1.05, 0.97};
  auto ln = [](double nu, double n) { return nu - n * std::log(nu); };
  const double kl = std::pow(1.02, 0.4);  // code 1 (default)
  double want = 0;
  for (int b = 0; b < 2; ++b) want += ln((p[0] * s1[b] + kl * b1[b]) * p[2 + b], n1[b]);
  want += ln(p[0] * s2[0] + kl * b2[0], n2[0]);
  want += 0.5 * p[1] * p[1] + 0.5 * std::pow((p[2] - 1) / 0.1, 2) + 0.5 * std::pow((p[3] - 1) / 0.05, 2);
  CHECK(l.nll(std::span<const double>(p)) == doctest::Approx(want).epsilon(1e-13));

  // Poisson and log-normal constraint terms
  st::parameter_set ps;
  const auto a = ps.add({.name = "a", .value = 1.0, .lower = 0.0});
  const auto b = ps.add({.name = "b", .value = 1.0, .lower = 0.0});
  ps.constrain_poisson(a, 0.2);     // tau = 25, m = 25
  ps.constrain_lognormal(b, 1.5, 0.3);
  const std::vector<double> q{1.1, 2.0};
  CHECK(ps.constraint_nll<double>(q) == doctest::Approx(25 * 1.1 - 25 * std::log(25 * 1.1) + 0.5 * std::pow(std::log(2.0 / 1.5) / 0.3, 2)));
  CHECK_THROWS_AS(ps.constrain_gaussian(a, 0.0, 1.0), hepad::invalid_argument);  // already constrained
  CHECK_THROWS_AS(ps.add({.name = "a"}), hepad::invalid_argument);
}

TEST_CASE("Asimov data are fitted back exactly; toys have the model's mean and spread") {
  hepad::rng r(11);
  const auto d = make_direct(r);
  const auto l = build(d);
  const std::vector<double> truth{1.4, 0.3, -0.2, 0.5, -0.4, 0.2, -0.6};
  const auto a = l.asimov(truth);
  const auto m = st::fit_likelihood(a);
  REQUIRE(m.valid());
  for (std::size_t i = 0; i < truth.size(); ++i) CHECK(m.values[i] == doctest::Approx(truth[i]).epsilon(1e-5).scale(1.0));
  // toys: per-bin counts have mean nu and variance nu; global observables N(truth, 1)
  const int n_toys = 2000;
  std::vector<double> nu(d.n.size());
  l.term<0>().channel(0).expected<double>(truth, nu);
  std::vector<double> sum(nu.size()), sum2(nu.size());
  double gsum = 0, gsum2 = 0;
  for (int t = 0; t < n_toys; ++t) {
    hepad::rng rt = r.split(static_cast<std::uint64_t>(t));
    const auto toy = l.sample(truth, rt);
    const auto obs = toy.term<0>().channel(0).observed();
    for (std::size_t b = 0; b < nu.size(); ++b) {
      sum[b] += obs[b];
      sum2[b] += obs[b] * obs[b];
    }
    const double g0 = toy.params().constraints()[0].center;
    gsum += g0;
    gsum2 += g0 * g0;
  }
  for (std::size_t b = 0; b < nu.size(); ++b) {
    const double mean = sum[b] / n_toys, var = sum2[b] / n_toys - mean * mean;
    CHECK(std::abs(mean - nu[b]) < 4.5 * std::sqrt(nu[b] / n_toys));
    CHECK(std::abs(var - nu[b]) < 5 * nu[b] * std::sqrt(2.0 / n_toys) + 1e-9);
  }
  CHECK(std::abs(gsum / n_toys - truth[1]) < 4.5 / std::sqrt(n_toys));
  CHECK(std::abs(gsum2 / n_toys - std::pow(gsum / n_toys, 2) - 1.0) < 5 * std::sqrt(2.0 / n_toys));
}

namespace {
// Unbinned S+B: Gaussian signal (mean 0.5, width 0.05) on an exponential background on [0, 1];
// parameters (ns, nb). Log intensity ln(ns p_s(x) + nb p_b(x)).
struct events_ad {
  std::vector<double> x;
  std::size_t size() const { return x.size(); }
  template <class T>
  T operator()(std::span<const T> p, std::size_t i) const {
    using std::log;
    const double ps = std::exp(-0.5 * std::pow((x[i] - 0.5) / 0.05, 2)) / (0.05 * std::sqrt(2 * std::numbers::pi));
    const double pb = 3 * std::exp(-3 * x[i]) / (1 - std::exp(-3.0));
    return log(p[0] * ps + p[1] * pb);
  }
};
}  // namespace

TEST_CASE("unbinned extended likelihood: fit, and the value+gradient form equals the autodiff form") {
  hepad::rng r(5);
  const double ns_true = 80, nb_true = 600;
  std::vector<double> x;
  const auto n_s = r.poisson(ns_true), n_b = r.poisson(nb_true);
  for (std::int64_t i = 0; i < n_s; ++i) x.push_back(r.normal(0.5, 0.05));
  for (std::int64_t i = 0; i < n_b; ++i) x.push_back(-std::log(1 - r.uniform() * (1 - std::exp(-3.0))) / 3);
  events_ad ev{x};
  const auto yield = [](auto p) { return p[0] + p[1]; };
  st::parameter_set ps;
  ps.add({.name = "ns", .value = 50, .step = 10});
  ps.add({.name = "nb", .value = 500, .step = 30, .lower = 0});
  auto l = st::make_likelihood(ps, "ns", st::unbinned_term(yield, ev));
  const auto m = st::fit_likelihood(l);
  REQUIRE(m.valid());
  // extended ML: the yields sum to the number of events exactly
  CHECK(m.values[0] + m.values[1] == doctest::Approx(static_cast<double>(x.size())).epsilon(1e-6));
  CHECK(std::abs(m.values[0] - ns_true) < 4 * m.errors[0]);

  // the same term from per-event values and gradients (as a neural model would supply them)
  const auto yield_g = [](std::span<const double> p, std::span<double> g) {
    g[0] = 1;
    g[1] = 1;
    return p[0] + p[1];
  };
  const auto events_g = [&ev](std::span<const double> p, std::span<double> lv, std::span<double> dl) {
    using D = fw::dual<double, 2>;
    const D q[2] = {D::variable(p[0], 0), D::variable(p[1], 1)};
    for (std::size_t i = 0; i < ev.size(); ++i) {
      const D v = ev(std::span<const D>(q, 2), i);
      lv[i] = v.v;
      dl[2 * i] = v.d[0];
      dl[2 * i + 1] = v.d[1];
    }
  };
  auto lg = st::make_likelihood(ps, "ns", st::unbinned_gradient_term(yield_g, events_g, x.size()));
  static_assert(!decltype(lg)::exact_hessian);
  const std::vector<double> p{70, 620};
  std::vector<double> g1(2), g2(2), h1(4), h2(4);
  CHECK(lg.nll(std::span<const double>(p)) == doctest::Approx(l.nll(std::span<const double>(p))).epsilon(1e-13));
  l.nll_hessian(p, g1, h1);
  lg.nll_hessian(p, g2, h2);  // central differences of exact gradients
  for (int i = 0; i < 2; ++i) CHECK(g2[i] == doctest::Approx(g1[i]).epsilon(1e-12).scale(1.0));
  for (int i = 0; i < 4; ++i) CHECK(h2[i] == doctest::Approx(h1[i]).epsilon(1e-6));
  const auto mg = st::fit_likelihood(lg);
  REQUIRE(mg.valid());
  CHECK(mg.values[0] == doctest::Approx(m.values[0]).epsilon(1e-5));
  CHECK(mg.errors[0] == doctest::Approx(m.errors[0]).epsilon(1e-5));

  // a binned channel and the unbinned term in one likelihood, sharing "ns"
  st::histfactory hf;
  hf.parameters().add({.name = "ns", .value = 50, .step = 10});
  hf.parameters().add({.name = "nb", .value = 500, .step = 30, .lower = 0});
  hf.channel("count", {12.0}).sample("sig", {0.1}).normfactor("ns");
  auto both = st::make_likelihood(hf.parameters(), "ns", hf.model(), st::unbinned_term(yield, ev));
  const double pv[2] = {70, 620};
  const double count = 7.0 - 12.0 * std::log(7.0);
  CHECK(both.nll(std::span<const double>(pv, 2)) == doctest::Approx(l.nll(std::span<const double>(pv, 2)) + count).epsilon(1e-13));
}
