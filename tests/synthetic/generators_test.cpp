// SPDX-License-Identifier: BSL-1.0
// LHCO-like resonant generator, constituent-level jets and the Higgs Tier A generator: exact truth
// against samples. Tolerance conventions as in svj_like_test.cpp (5 standard errors per pull,
// chi2 below ndf + 4.5 sqrt(2 ndf) + 10).
#include <doctest/doctest.h>

#include "mc_checks.hpp"

#include <hepad/core/random.hpp>
#include <hepad/data/synthetic/higgs_tier_a.hpp>
#include <hepad/data/synthetic/jet_constituents.hpp>
#include <hepad/data/synthetic/lhco_like.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

namespace {
using namespace hepad::data::synthetic;
using hepad::matrix;
using hepad::vector;
double chi2_limit(int ndf) { return ndf + 4.5 * std::sqrt(2.0 * ndf) + 10.0; }
}  // namespace

TEST_CASE("lhco_like: m_jj spectra, normalised conditional densities and Stein identities") {
  const lhco_like g;
  const hepad::rng r(41);
  const std::int64_t n = 100000;
  const auto b = g.background<double>(n, r), s = g.signal<double>(20000, r);
  // m_jj histograms against the exact bin probabilities.
  const std::vector<double> edges{2200, 2600, 2900, 3100, 3300, 3500, 3700, 4000, 4500, 5500, 1e6};
  double chi2 = 0.0;
  int bins = 0;
  for (std::size_t k = 0; k + 1 < edges.size(); ++k) {
    const double p = g.background_mjj_probability(edges[k], edges[k + 1]);
    const auto m = b.column("m_jj");
    const double c = static_cast<double>(((m.array() >= edges[k]) && (m.array() < edges[k + 1])).count());
    chi2 += (c - n * p) * (c - n * p) / (n * p);
    ++bins;
  }
  CHECK(chi2 < chi2_limit(bins));
  const double ps = g.signal_mjj_probability(3300, 3700);
  const auto ms = s.column("m_jj");
  const double cs = static_cast<double>(((ms.array() >= 3300) && (ms.array() < 3700)).count());
  CHECK(std::abs(cs - 2e4 * ps) < 5.0 * std::sqrt(2e4 * ps * (1 - ps)));
  // Stein identities of the joint background density log p(m) + log p(x | m), and of the signal's.
  const auto pb = hepad_test::stein_pulls(b.values().topRows(30000), [&](const double* row) {
    return g.log_prob_background_mjj(row[0]) + g.log_prob_background_features(row[0], row + 1);
  });
  for (const double p : pb) CHECK(std::abs(p) < 5.0);
  const auto psg = hepad_test::stein_pulls(s.values(), [&](const double* row) {
    return g.log_prob_signal_mjj(row[0]) + g.log_prob_signal_features(row + 1);
  });
  for (const double p : psg) CHECK(std::abs(p) < 5.0);
  // Normalisation of p_B(x | m) at fixed m: importance sampling from independent wide Gaussians in
  // the latent coordinates (ln m_j1, ln delta_m, logit tau21 x2), written here.
  for (const double m : {2500.0, 3500.0, 5000.0}) {
    std::vector<double> w;
    const double mu[4] = {std::log(60.0), std::log(80.0), 0.6, 0.7}, sd[4] = {0.8, 1.0, 0.8, 0.8};
    for (int i = 0; i < 100000; ++i) {
      auto e = r.split(1000000 + static_cast<std::uint64_t>(i));
      double x[4], lq = 0.0;
      for (int k = 0; k < 4; ++k) {
        const double z = e.normal(mu[k], sd[k]);
        lq += -0.5 * std::pow((z - mu[k]) / sd[k], 2) - std::log(sd[k]) - 0.9189385332046727;
        if (k < 2) {
          x[k] = std::exp(z);
          lq -= z;
        } else {
          x[k] = 1.0 / (1.0 + std::exp(-z));
          lq -= std::log(x[k]) + std::log1p(-x[k]);
        }
      }
      w.push_back(std::exp(g.log_prob_background_features(m, x) - lq));
    }
    const auto [mean, err] = hepad_test::mean_and_error(w);
    INFO("m_jj " << m << ": integral " << mean << " +- " << err);
    CHECK(err < 0.01);
    CHECK(std::abs(mean - 1.0) < 5.0 * err);
  }
}

TEST_CASE("lhco_like: the exact likelihood ratios satisfy E_B(LR 1{LR < t}) = P_S(LR < t) and calibrate") {
  const lhco_like g;
  const hepad::rng r(43);
  const auto b = g.background<double>(200000, r), s = g.signal<double>(20000, r);
  const vector<double> lb = g.log_likelihood_ratio<double>(b.values()), ls = g.log_likelihood_ratio<double>(s.values());
  for (const double t : {0.1, 1.0, 10.0}) {
    std::vector<double> f;
    for (Eigen::Index i = 0; i < lb.size(); ++i) f.push_back(std::exp(lb(i)) < t ? std::exp(lb(i)) : 0.0);
    const auto [m, e] = hepad_test::mean_and_error(f);
    const double ps = static_cast<double>((ls.array().exp() < t).count()) / static_cast<double>(ls.size());
    // Binomial error of P_S, evaluated at the larger of the two estimates (P_S can be 0 for small t).
    const double pe = (std::max)(ps, m);
    const double es = std::sqrt(pe * (1 - pe) / static_cast<double>(ls.size()));
    INFO("t " << t << ": E_B " << m << " +- " << e << ", P_S " << ps << " +- " << es);
    CHECK(std::abs(m - ps) < 5.0 * std::hypot(e, es));
  }
  // The window score: equal SR samples of background and signal; P(S | x) = LR / (1 + LR).
  const auto w = g.default_window();
  auto bs = b.select(w.signal_region().mask(b));
  auto ss = s.select(w.signal_region().mask(s));
  const std::int64_t n = (std::min<std::int64_t>)({bs.size(), ss.size(), 4000});
  bs = bs.rows(0, n).to_table();
  ss = ss.rows(0, n).to_table();
  const vector<double> wb = g.window_log_likelihood_ratio<double>(w, bs.features());
  const vector<double> ws = g.window_log_likelihood_ratio<double>(w, ss.features());
  const int nb = 8;
  std::vector<double> cnt(nb), sig(nb), pred(nb), var(nb);
  auto add = [&](double l, bool is_sig) {
    const double p = 1.0 / (1.0 + std::exp(-l));
    const int k = (std::min)(nb - 1, static_cast<int>(p * nb));
    cnt[k] += 1;
    sig[k] += is_sig;
    pred[k] += p;
    var[k] += p * (1 - p);
  };
  for (std::int64_t i = 0; i < n; ++i) {
    add(wb(i), false);
    add(ws(i), true);
  }
  double chi2 = 0.0;
  int bins = 0;
  for (int k = 0; k < nb; ++k)
    if (cnt[k] >= 20) {
      chi2 += (sig[k] - pred[k]) * (sig[k] - pred[k]) / var[k];
      ++bins;
    }
  INFO("window calibration chi2 " << chi2 << " / " << bins);
  CHECK(chi2 < chi2_limit(bins));
  CHECK(g.background_range<float>(100, 50, r) == g.background<float>(150, r).rows(100, 50).to_table());
}

TEST_CASE("jet_constituents: exact prong masses, centroids, truth columns, multiplicities, LHCO rows") {
  const hepad::rng r(51);
  // Building blocks: pT sum and pT-weighted centroid are exactly the jet's; a 2-prong jet of
  // collinear subjets has exactly the requested mass.
  jet_constituents collinear{.subjet_radius = 0.0};
  for (int i = 0; i < 50; ++i) {
    auto e = r.split(static_cast<std::uint64_t>(i));
    std::vector<particle> ps;
    collinear.one_prong(e, 1500.0, 0.7, 0.3, ps);
    double spt = 0, se = 0, sp = 0;
    for (const auto& p : ps) {
      spt += p.pt;
      se += p.pt * p.eta;
      sp += p.pt * p.phi;
    }
    CHECK(spt == doctest::Approx(1500.0).epsilon(1e-12));
    CHECK(se / spt == doctest::Approx(0.7).epsilon(1e-12));
    CHECK(sp / spt == doctest::Approx(0.3).epsilon(1e-12));
    ps.clear();
    collinear.two_prong(e, 1700.0, -0.4, 1.0, 500.0, ps);
    CHECK(four_vector_sum(ps)[3] == doctest::Approx(500.0).epsilon(1e-9));
  }
  const auto sig = collinear.signal<double>(300, r);
  for (std::int64_t i = 0; i < sig.size(); ++i) {
    CHECK(sig.column("jet1_m")(i) == doctest::Approx(500.0).epsilon(1e-9));
    CHECK(sig.column("jet2_m")(i) == doctest::Approx(100.0).epsilon(1e-9));
  }
  // Default configuration.
  const jet_constituents g;
  const auto b = g.background<double>(2000, r), s = g.signal<double>(2000, r);
  for (const auto* t : {&b, &s}) {
    const auto& j1 = t->jagged_column("jet1");
    const auto& j2 = t->jagged_column("jet2");
    const auto& all = t->jagged_column("particles");
    std::vector<double> n_ue;
    for (std::int64_t i = 0; i < t->size(); ++i) {
      std::vector<particle> a, c;
      for (Eigen::Index k = 0; k < j1[i].rows(); ++k) a.push_back({j1[i](k, 0), j1[i](k, 1), j1[i](k, 2)});
      for (Eigen::Index k = 0; k < j2[i].rows(); ++k) c.push_back({j2[i](k, 0), j2[i](k, 1), j2[i](k, 2)});
      const auto va = four_vector_sum(a), vc = four_vector_sum(c);
      CHECK(t->column("jet1_m")(i) == doctest::Approx(va[3]).epsilon(1e-9));
      CHECK(t->column("jet2_pt")(i) == doctest::Approx(vc[0]).epsilon(1e-9));
      CHECK(t->column("m_jj")(i) == doctest::Approx(pair_mass(va, vc)).epsilon(1e-9));
      CHECK(va[3] >= vc[3]);
      for (Eigen::Index k = 1; k < j1[i].rows(); ++k) CHECK(j1[i](k - 1, 0) >= j1[i](k, 0));
      n_ue.push_back(static_cast<double>(all.count(i) - j1.count(i) - j2.count(i)));
    }
    // Underlying-event multiplicity ~ Poisson(60): mean within 5 standard errors.
    const auto [m, e] = hepad_test::mean_and_error(n_ue);
    CHECK(std::abs(m - 60.0) < 5.0 * std::sqrt(60.0 / static_cast<double>(n_ue.size())));
    (void)e;
  }
  // Background constituents per jet ~ max(1, Poisson(50)).
  std::vector<double> nc;
  for (std::int64_t i = 0; i < b.size(); ++i) nc.push_back(static_cast<double>(b.jagged_column("jet1").count(i)));
  const auto [mc, ec] = hepad_test::mean_and_error(nc);
  CHECK(std::abs(mc - 50.0) < 5.0 * ec);
  // Signal: the heavier jet carries m_X up to its subjets' spread; the pair mass sits at 3.5 TeV
  // (approximately: the axes, not the constituent sums, were solved for it).
  std::vector<double> m1(static_cast<std::size_t>(s.size())), mjj(static_cast<std::size_t>(s.size()));
  for (std::int64_t i = 0; i < s.size(); ++i) {
    m1[static_cast<std::size_t>(i)] = s.column("jet1_m")(i);
    mjj[static_cast<std::size_t>(i)] = s.column("m_jj")(i);
  }
  std::nth_element(m1.begin(), m1.begin() + static_cast<std::ptrdiff_t>(m1.size() / 2), m1.end());
  std::nth_element(mjj.begin(), mjj.begin() + static_cast<std::ptrdiff_t>(mjj.size() / 2), mjj.end());
  MESSAGE("signal median heavier-jet mass " << m1[m1.size() / 2] << ", median m_jj " << mjj[mjj.size() / 2]);
  CHECK(std::abs(m1[m1.size() / 2] - 500.0) < 0.1 * 500.0);
  CHECK(std::abs(mjj[mjj.size() / 2] - 3500.0) < 0.05 * 3500.0);
  // LHCO rows: 700 x 3 + label, zero padding after the particles.
  const auto rows = to_lhco_rows(s.rows(0, 5).to_table());
  CHECK(rows.cols() == 2101);
  const auto cnt = s.jagged_column("particles").count(0);
  CHECK(rows(0, 3 * cnt - 3) > 0.0);
  CHECK(rows.row(0).segment(3 * cnt, 2100 - 3 * cnt).cwiseAbs().maxCoeff() == 0.0);
  CHECK(rows(0, 2100) == 1.0);
  CHECK_THROWS_AS((void)to_lhco_rows(s.rows(0, 1).to_table(), 10), hepad::invalid_argument);
}

TEST_CASE("higgs_tier_a: collinear mass recovers the true ditau mass, weights, selection, jets, fractions") {
  const hepad::rng r(61);
  // With no MET resolution, H and Z events satisfy the collinear approximation exactly: solving
  // MET = a lep_T + b had_T gives x = 1/(1 + a) and m_X = m_vis / sqrt(x_lep x_had).
  const higgs_tier_a exact{.met_resolution = 0.0, .with_truth = true};
  for (const auto p : {higgs_process::htautau, higgs_process::ztautau}) {
    const auto t = exact.generate<double>(p, 3000, r);
    int used = 0;
    const hepad::matrix_cref<double> vals = t.values();  // a Ref: rows of a temporary one would dangle
    for (std::int64_t i = 0; i < t.size(); ++i) {
      const auto v = vals.row(i);
      const double lx = v(0) * std::cos(v(2)), ly = v(0) * std::sin(v(2));
      const double hx = v(3) * std::cos(v(5)), hy = v(3) * std::sin(v(5));
      const double mx = v(14) * std::cos(v(15)), my = v(14) * std::sin(v(15));
      const double det = lx * hy - ly * hx;
      if (std::abs(det) < 0.2 * v(0) * v(3)) continue;  // (nearly) back-to-back: ill-conditioned
      const double a = (mx * hy - my * hx) / det, b = (lx * my - ly * mx) / det;
      const double xl = 1.0 / (1.0 + a), xh = 1.0 / (1.0 + b);
      const double mvis2 = 2.0 * v(0) * v(3) * (std::cosh(v(1) - v(4)) - std::cos(v(2) - v(5)));
      CHECK(std::sqrt(mvis2 / (xl * xh)) == doctest::Approx(v(16)).epsilon(1e-7));
      CHECK(xl == doctest::Approx(v(17)).epsilon(1e-7));
      CHECK(xh == doctest::Approx(v(18)).epsilon(1e-7));
      ++used;
    }
    CHECK(used > 1000);
  }
  // Default configuration: a mixed sample.
  const higgs_tier_a g{.luminosity_scale = 0.5, .with_truth = true};
  const auto t = g.generate<double>({4000, 4000, 4000, 4000}, r);
  CHECK(t.n_columns() == 20);
  CHECK(t.n_features() == 16);
  for (int p = 0; p < 4; ++p) {
    double sw = 0.0;
    for (std::int64_t i = 0; i < t.size(); ++i)
      if (t.labels()(i) == p) sw += t.weights()(i);
    CHECK(sw == doctest::Approx(0.5 * g.yield[static_cast<std::size_t>(p)]).epsilon(1e-10));
  }
  int post = 0;
  std::array<double, 4> eff{}, tot{};
  const hepad::matrix_cref<double> vals = t.values();
  for (std::int64_t i = 0; i < t.size(); ++i) {
    const auto v = vals.row(i);
    CHECK(v(0) > 20.0);
    CHECK(std::abs(v(1)) < 2.5);
    CHECK(v(3) > 20.0);
    CHECK(std::abs(v(4)) < 2.5);
    const int nj = static_cast<int>(v(12));
    CHECK(v(12) == nj);
    CHECK((nj >= 1) == (v(6) != -25.0));
    CHECK((nj >= 2) == (v(9) != -25.0));
    if (nj >= 2) CHECK(v(6) >= v(9));
    if (nj >= 1) CHECK(v(13) >= v(6) + (nj >= 2 ? v(9) : 0.0) - 1e-9);
    if (nj == 0) CHECK(v(13) == 0.0);
    if (t.labels()(i) == 2) CHECK(nj >= 2);
    if (v(19) == 1.0) CHECK(nj >= 2);
    const auto p = static_cast<std::size_t>(t.labels()(i));
    tot[p] += 1;
    eff[p] += v(3) >= 26.0;
    post += v(3) >= 26.0;
  }
  MESSAGE("post-selection (had pT >= 26) efficiencies H/Z/tt/VV: " << eff[0] / tot[0] << " " << eff[1] / tot[1] << " "
                                                                  << eff[2] / tot[2] << " " << eff[3] / tot[3]);
  // Building blocks against closed forms: leptonic x density (5 - 9x^2 + 4x^3)/3 has mean 0.35 and
  // second moment 8/45; hadronic Beta(2, 1.5) has mean 4/7 and variance 3/(3.5^2 4.5).
  std::vector<double> xl, xl2, xh;
  for (int i = 0; i < 100000; ++i) {
    auto e = r.split(5000000 + static_cast<std::uint64_t>(i));
    const double a = higgs_tier_a::leptonic_fraction(e), b = higgs_tier_a::hadronic_fraction(e);
    xl.push_back(a);
    xl2.push_back(a * a);
    xh.push_back(b);
  }
  const auto [ml, el] = hepad_test::mean_and_error(xl);
  const auto [ml2, el2] = hepad_test::mean_and_error(xl2);
  const auto [mh, eh] = hepad_test::mean_and_error(xh);
  CHECK(std::abs(ml - 0.35) < 5 * el);
  CHECK(std::abs(ml2 - 8.0 / 45.0) < 5 * el2);
  CHECK(std::abs(mh - 4.0 / 7.0) < 5 * eh);
  CHECK(std::abs(eh * eh * 1e5 - 3.0 / (3.5 * 3.5 * 4.5)) < 0.05 * 3.0 / (3.5 * 3.5 * 4.5));
  // The Z mass (truth column) follows the truncated Breit-Wigner: chi2 against its CDF. (The
  // pre-selection does not depend on the mass strongly, but it does a little, so compare the
  // generator's raw draws.)
  std::vector<double> edges{50, 70, 80, 86, 89, 91.19, 93, 96, 102, 115, 200};
  std::vector<double> cnt(edges.size() - 1, 0.0);
  const int nz = 50000;
  for (int i = 0; i < nz; ++i) {
    auto e = r.split(9000000 + static_cast<std::uint64_t>(i));
    const double m = higgs_tier_a::breit_wigner(e, 91.19, 2.5, 50, 200);
    for (std::size_t k = 0; k + 1 < edges.size(); ++k)
      if (m >= edges[k] && m < edges[k + 1]) cnt[k] += 1;
  }
  auto cdf = [](double m) { return std::atan((m - 91.19) / 1.25); };
  double chi2 = 0.0;
  for (std::size_t k = 0; k + 1 < edges.size(); ++k) {
    const double p = (cdf(edges[k + 1]) - cdf(edges[k])) / (cdf(200) - cdf(50));
    chi2 += (cnt[k] - nz * p) * (cnt[k] - nz * p) / (nz * p);
  }
  CHECK(chi2 < chi2_limit(static_cast<int>(cnt.size())));
  (void)post;
}
