// SPDX-License-Identifier: BSL-1.0
// SVJ-like generator (S0 §12.3-12.4) and level-0 toy (§12.2): calibration facts, exact densities
// against samples (binned quadrature and Stein identities), the exact data/MC ratio reweighting MC
// to data, the exact morphing map, the CWoLa oracle's calibration, reproducibility.
//
// Tolerances: every Monte Carlo comparison is a pull (estimate - expectation) / (its standard
// error, estimated from the same sample), or a chi2 with its number of bins; the checks allow 5
// standard errors for single pulls (false alarm ~6e-7) and chi2 below the 1e-4 upper quantile
// (approximated as ndf + 4.5 sqrt(2 ndf) + 10) for histograms. Seeds are fixed, so the tests are
// deterministic; the thresholds say how unlikely a failure of a correct implementation would be.
#include <doctest/doctest.h>

#include "mc_checks.hpp"

#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/chunked.hpp>
#include <hepad/data/injection.hpp>
#include <hepad/data/synthetic/level0_toy.hpp>
#include <hepad/data/synthetic/svj_like.hpp>

#include <cmath>
#include <vector>

namespace {
using namespace hepad::data::synthetic;
using hepad::matrix;
using hepad::vector;

double chi2_limit(int ndf) { return ndf + 4.5 * std::sqrt(2.0 * ndf) + 10.0; }

std::vector<double> column(const hepad::data::table<double>& t, int j) {
  std::vector<double> v(static_cast<std::size_t>(t.size()));
  for (std::int64_t i = 0; i < t.size(); ++i) v[static_cast<std::size_t>(i)] = t.values()(i, j);
  return v;
}
}  // namespace

TEST_CASE("svj_like: calibration facts of S0 §12.3 from the exact formulas, and the samples agree") {
  const svj_like g;
  // Background SR fraction: exact values by quadrature.
  const double p_data = g.background_sr_probability(svj_sample::data);
  const double p_mc = g.background_sr_probability(svj_sample::mc);
  MESSAGE("exact background SR fraction: data " << p_data << ", MC " << p_mc << ", ratio " << p_mc / p_data);
  // The spec quotes "about 1.4% (data) vs 2.7% (MC)" from 2e5 simulated events: allow half a unit in
  // the last digit (0.05%) plus 3 standard errors of that simulation (3 sqrt(p/2e5)).
  CHECK(std::abs(p_data - 0.014) < 0.0005 + 3.0 * std::sqrt(0.014 / 2e5));
  CHECK(std::abs(p_mc - 0.027) < 0.0005 + 3.0 * std::sqrt(0.027 / 2e5));
  // Signal SR efficiency 0.51 / 0.69 / 0.78 (two decimals, same 2e5-event simulation).
  const double spec[3] = {0.51, 0.69, 0.78};
  for (int k = 0; k < 3; ++k) {
    const double M = 2000.0 + 1000.0 * k, e = g.signal_sr_efficiency(M);
    MESSAGE("exact signal SR efficiency M = " << M << ": " << e);
    CHECK(std::abs(e - spec[k]) < 0.005 + 3.0 * std::sqrt(spec[k] * (1 - spec[k]) / 2e5));
  }
  // Samples against the exact numbers (binomial pulls).
  const hepad::rng r(2024);
  const auto sr = g.signal_region();
  for (const auto s : {svj_sample::data, svj_sample::mc}) {
    const auto t = g.background<float>(s, 300000, r);
    const double p = g.background_sr_probability(s);
    const double n = static_cast<double>(t.size());
    CHECK(std::abs(static_cast<double>(sr.count(t)) - n * p) < 5.0 * std::sqrt(n * p * (1 - p)));
  }
  for (const double M : {2000.0, 3000.0, 4000.0}) {
    const auto t = g.signal<float>(M, 20000, r);
    const double p = g.signal_sr_efficiency(M);
    CHECK(std::abs(static_cast<double>(sr.count(t)) - 2e4 * p) < 5.0 * std::sqrt(2e4 * p * (1 - p)));
    CHECK(t.labels().sum() == 20000);
  }
}

TEST_CASE("svj_like: the context density integrates to the sampled (HT, MET) histogram") {
  // Expected bin contents by 2-D quadrature of exp(log p(HT, MET)); data, MC and mod_mc MC.
  using hepad::data::synthetic::detail::integrate;
  const hepad::rng r(7);
  const std::vector<double> ht_edges{250, 380, 450, 520, 620, 800, 1e5}, met_edges{0, 10, 20, 35, 60, 100, 1e5};
  for (const auto& pop : {svj_population::data(), svj_population::mc(), svj_population::mc(0.0, true)}) {
    const std::int64_t n = 100000;
    const auto t = hepad::data::table<double>(
        svj_columns(), [&] {
          matrix<double> v(n, 7);
          for (std::int64_t i = 0; i < n; ++i) {
            auto e = r.split(static_cast<std::uint64_t>(i));
            double row[7];
            pop.sample(e, row);
            for (int k = 0; k < 7; ++k) v(i, k) = row[k];
          }
          return v;
        }());
    double chi2 = 0.0, total = 0.0;
    int bins = 0;
    for (std::size_t a = 0; a + 1 < ht_edges.size(); ++a)
      for (std::size_t b = 0; b + 1 < met_edges.size(); ++b) {
        const double p = integrate(
            [&](double ht) {
              return integrate([&](double met) { return std::exp(pop.log_prob_context(ht, met)); }, met_edges[b],
                               met_edges[b + 1], 1e-9);
            },
            ht_edges[a], ht_edges[a + 1], 1e-8);
        total += p;
        double cnt = 0.0;
        for (std::int64_t i = 0; i < n; ++i) {
          const double ht = t.values()(i, 0), met = t.values()(i, 1);
          cnt += (ht >= ht_edges[a] && ht < ht_edges[a + 1] && met >= met_edges[b] && met < met_edges[b + 1]);
        }
        if (p * n < 5) continue;
        chi2 += (cnt - n * p) * (cnt - n * p) / (n * p);
        ++bins;
      }
    CHECK(total == doctest::Approx(1.0).epsilon(1e-4));  // the density is normalised
    CHECK(chi2 < chi2_limit(bins));
  }
}

TEST_CASE("svj_like: the conditional feature densities are normalised at fixed contexts") {
  // Importance sampling with an independent, wider proposal q written here (not the generator):
  // ln m_jj ~ N(ln HT + ln 0.9, 0.25^2), logit tau21 ~ N(0.75, 0.8^2), logit tau32 ~ N(1.45, 0.7^2),
  // independent, so E_q[p(x|c)/q(x)] = 1
  // with finite variance. This fixes the normalisation and the overall shape (a 2% error in the
  // Gaussian quadratic form changes the integral by 4%); Stein's identities check the rest.
  const hepad::rng r(31);
  const std::int64_t n = 100000;
  struct proposal {
    double mjj_scale = 0.9, mjj_sd = 0.25;
    double mean[4] = {0.75, 0.75, 1.45, 1.45}, sd[4] = {0.8, 0.8, 0.7, 0.7};
  };
  auto check_at = [&](const auto& log_p, double ht, double met, bool distort, proposal q = {}) {
    std::vector<double> ratio(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
      auto e = r.split(static_cast<std::uint64_t>(i));
      double x[5], lq = 0.0;
      const double c0 = std::log(ht * q.mjj_scale), lm = e.normal(c0, q.mjj_sd);
      x[0] = std::exp(lm);
      lq += -0.5 * std::pow((lm - c0) / q.mjj_sd, 2) - std::log(q.mjj_sd) - 0.9189385332046727 - lm;
      const double* mean = q.mean;
      const double* sd = q.sd;
      for (int k = 0; k < 4; ++k) {
        const double z = e.normal(mean[k], sd[k]), t = 1.0 / (1.0 + std::exp(-z));
        x[k + 1] = t;
        lq += -0.5 * std::pow((z - mean[k]) / sd[k], 2) - std::log(sd[k]) - 0.9189385332046727 - std::log(t) -
              std::log1p(-t);
      }
      if (distort) {  // proposal pushed through the mod_mc map: q'(x') = q(x) / |dx'/dx|
        lq -= std::log1p(x[0] / 3000.0);
        x[0] *= 1.0 + x[0] / 6000.0;
        for (int k = 1; k < 5; ++k) {
          lq -= std::log(1.1) + 0.1 * std::log(x[k]);
          x[k] = std::pow(x[k], 1.1);
        }
      }
      ratio[static_cast<std::size_t>(i)] = std::exp(log_p(ht, met, x) - lq);
    }
    const auto [m, err] = hepad_test::mean_and_error(ratio);
    INFO("HT " << ht << " MET " << met << ": integral " << m << " +- " << err);
    CHECK(err < 0.02);
    CHECK(std::abs(m - 1.0) < 5.0 * err);
  };
  for (const auto& pop : {svj_population::data(), svj_population::mc(), svj_population::data(0.3),
                          svj_population::mc(0.0, true)})
    for (const auto& c : {std::pair{300.0, 5.0}, std::pair{500.0, 30.0}, std::pair{1200.0, 150.0}})
      check_at([&](double ht, double met, const double* x) { return pop.log_prob_features(ht, met, x); }, c.first,
               c.second, pop.mod_mc);
  const svj_signal sig{4000.0};
  check_at([&](double ht, double met, const double* x) { return sig.log_prob_features(ht, met, x); }, 2500.0, 100.0,
           false, proposal{1.08, 0.35, {-0.5, -0.5, 0.9, 0.9}, {1.1, 1.1, 0.75, 0.75}});
}

TEST_CASE("svj_like: Stein identities of the exact joint densities hold on samples") {
  // E[d_k log p] = 0 and E[1 + x_k d_k log p] = 0 for all 7 coordinates: this checks the context
  // density, the conditional feature density (with its Jacobians) and the mod_mc Jacobian against
  // the sampler, independently of normalisation.
  const hepad::rng r(11);
  for (const svj_like g : {svj_like{}, svj_like{.delta = 0.3}, svj_like{.mod_mc = true}}) {
    for (const auto s : {svj_sample::data, svj_sample::mc}) {
      const auto t = g.background<double>(s, 20000, r);
      const auto pop = g.population(s);
      const auto pulls = hepad_test::stein_pulls(t.values(), [&](const double* row) { return pop.log_prob(row); });
      for (const double p : pulls) CHECK(std::abs(p) < 5.0);
    }
  }
  // Signal: the feature coordinates (m_jj and the taus), at the sampled contexts.
  const svj_signal sig{3000.0};
  const auto t = svj_like{}.signal<double>(3000.0, 20000, r);
  const auto sp = hepad_test::stein_pulls(t.values(), [&](const double* row) { return sig.log_prob(row); });
  for (int k = 2; k < 7; ++k) {  // skip HT (truncation edge at 300) and MET (exponential edge at 0)
    CHECK(std::abs(sp[static_cast<std::size_t>(k)]) < 5.0);
    CHECK(std::abs(sp[static_cast<std::size_t>(7 + k)]) < 5.0);
  }
}

TEST_CASE("svj_like: the exact density ratio reweights MC to data within statistical errors") {
  const hepad::rng r(5);
  for (const svj_like g : {svj_like{}, svj_like{.delta = 0.3}, svj_like{.mod_mc = true}}) {
    const std::int64_t n = 200000;
    const auto data = g.background<double>(svj_sample::data, n, r);
    const auto mc = g.background<double>(svj_sample::mc, n, r);
    const vector<double> lw = g.log_density_ratio<double>(mc.values());
    std::vector<double> w(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) w[static_cast<std::size_t>(i)] = std::exp(lw(i));
    // E_MC[w] = 1 (both densities are normalised).
    const auto [mw, ew] = hepad_test::mean_and_error(w);
    CHECK(std::abs(mw - 1.0) < 5.0 * ew);
    for (int j = 0; j < 7; ++j) {
      const auto [chi2, bins] = hepad_test::weighted_chi2(column(mc, j), w, column(data, j), 25);
      INFO("column " << j << " chi2 " << chi2 << " / " << bins);
      CHECK(chi2 < chi2_limit(bins));
    }
    // The reweighted MC predicts the data SR yield (what the Reweight method relies on).
    const auto sr_mc = g.signal_region().mask(mc);
    double W = 0.0, W2 = 0.0;
    for (std::int64_t i = 0; i < n; ++i)
      if (sr_mc[i]) {
        W += w[static_cast<std::size_t>(i)];
        W2 += w[static_cast<std::size_t>(i)] * w[static_cast<std::size_t>(i)];
      }
    const double nd = static_cast<double>(g.signal_region().count(data));
    CHECK(std::abs(W - nd) < 5.0 * std::sqrt(W2 + nd));
    // And the (unweighted) MC has clearly more SR events, as in the real samples.
    CHECK(static_cast<double>(sr_mc.count()) > nd + 10.0 * std::sqrt(nd));
  }
  // Without the delta term, the SVJ-like and reweighting context-only ratio differ (features matter).
  const svj_like g;
  const auto mc = g.background<double>(svj_sample::mc, 1000, r);
  CHECK((g.log_density_ratio<double>(mc.values()) - g.log_context_ratio<double>(mc.values())).cwiseAbs().maxCoeff() >
        0.01);
}

TEST_CASE("svj_like: at fixed contexts MC and data features differ exactly by the morphing map") {
  const svj_like g;
  const hepad::rng r(3);
  const auto ctx_src = g.background<double>(svj_sample::data, 500, r);
  const matrix<double> ctx = ctx_src.context();
  const auto d = g.features_at<double>(svj_sample::data, ctx, r.split(99));
  const auto m = g.features_at<double>(svj_sample::mc, ctx, r.split(99));
  const matrix<double> to_data = g.morph<double>(m.values(), true);
  const matrix<double> to_mc = g.morph<double>(d.values(), false);
  CHECK((to_data - d.values()).cwiseAbs().maxCoeff() < 1e-9 * d.values().cwiseAbs().maxCoeff());
  CHECK((to_mc - m.values()).cwiseAbs().maxCoeff() < 1e-9 * m.values().cwiseAbs().maxCoeff());
  CHECK(d.context() == ctx);
  CHECK_THROWS_AS((void)svj_like{.mod_mc = true}.morph<double>(m.values()), hepad::not_supported);
}

TEST_CASE("svj_oracle: the optimal score is calibrated (posterior LR/(1+LR) matches the signal fraction)") {
  const svj_like g;
  const double M = 3000.0;
  const hepad::rng r(17);
  const std::int64_t n_ctx = 3000;
  const svj_oracle o1(g, M, n_ctx, r.split(1)), o2(g, M, n_ctx, r.split(2));
  const auto sr = g.signal_region();
  auto bkg = g.background<double>(svj_sample::test, 250000, r);
  bkg = bkg.select(sr.mask(bkg));
  auto sig = g.signal<double>(M, 3000, r, svj_signal_pool::test);
  sig = sig.select(sr.mask(sig));
  const std::int64_t n = (std::min)(bkg.size(), sig.size());
  REQUIRE(n > 1500);
  bkg = bkg.rows(0, n).to_table();
  sig = sig.rows(0, n).to_table();
  const vector<double> lb = o1.log_likelihood_ratio<double>(bkg.features());
  const vector<double> ls = o1.log_likelihood_ratio<double>(sig.features());
  // Monte-Carlo error of the oracle itself: two independent context draws.
  const vector<double> lb2 = o2.log_likelihood_ratio<double>(bkg.features());
  const double eps = std::sqrt((lb - lb2).squaredNorm() / (2.0 * static_cast<double>(n)));
  MESSAGE("oracle log-LR Monte Carlo error (n_contexts = " << n_ctx << "): " << eps);
  CHECK(eps < 0.1);
  // Equal-size mixture: P(signal | x) = LR / (1 + LR). Bin by the predicted probability.
  const int nb = 8;
  std::vector<double> cnt(nb, 0), sig_cnt(nb, 0), pred(nb, 0), pvar(nb, 0);
  auto add = [&](double l, bool is_sig) {
    const double p = 1.0 / (1.0 + std::exp(-l));
    const int b = (std::min)(nb - 1, static_cast<int>(p * nb));
    cnt[b] += 1;
    sig_cnt[b] += is_sig;
    pred[b] += p;
    pvar[b] += p * (1 - p);
  };
  for (std::int64_t i = 0; i < n; ++i) {
    add(lb(i), false);
    add(ls(i), true);
  }
  double chi2 = 0.0;
  int bins = 0;
  for (int b = 0; b < nb; ++b) {
    if (cnt[b] < 20) continue;
    // Variance: the binomial spread of the labels, plus the oracle's own error dp = p(1-p) dlogLR
    // taken as fully correlated within the bin (conservative): (eps sum p(1-p))^2.
    const double var = pvar[b] + (eps * pvar[b]) * (eps * pvar[b]);
    chi2 += (sig_cnt[b] - pred[b]) * (sig_cnt[b] - pred[b]) / var;
    ++bins;
  }
  INFO("calibration chi2 " << chi2 << " / " << bins);
  CHECK(chi2 < chi2_limit(bins));
  // The score separates: mean log LR is higher for signal.
  CHECK(ls.mean() > lb.mean() + 1.0);
}

TEST_CASE("svj_like: reproducible slices, thread counts and chunked generation") {
  const svj_like g;
  const hepad::rng r(1);
  const auto all = g.background<float>(svj_sample::mc, 5000, r);
  CHECK(g.background_range<float>(svj_sample::mc, 1234, 1000, r) == all.rows(1234, 1000).to_table());
  hepad::thread_pool pool(3);
  CHECK(g.background<float>(svj_sample::mc, 5000, r, &pool) == all);
  auto src = hepad::data::make_generated_source<float>(
      [&](std::int64_t first, std::int64_t n, hepad::rng& rr) { return g.background_range<float>(svj_sample::mc, first, n, rr); },
      5000, hepad::data::chunk_size{.bytes = 64 * 1024}, r, hepad::data::row_bytes<float>(7));
  CHECK(hepad::data::collect(src) == all);
  // Different samples are independent streams.
  CHECK(g.background<float>(svj_sample::ideal, 10, r).values() != g.background<float>(svj_sample::data, 10, r).values());
  CHECK(all.n_context() == 2);
  CHECK(all.n_features() == 5);
  CHECK(all.feature_names()[0] == "m_jj");
}

TEST_CASE("level0_toy: context densities, SR probabilities and the context ratio") {
  const level0_toy g;
  const hepad::rng r(21);
  const auto data = g.generate<double>(level0_sample::data, 200000, r);
  const auto mc = g.generate<double>(level0_sample::mc, 200000, r);
  for (const auto& [t, s] : {std::pair{&data, level0_sample::data}, std::pair{&mc, level0_sample::mc}}) {
    const double p = g.sr_probability(s), n = 200000.0;
    CHECK(std::abs(static_cast<double>(g.signal_region().count(*t)) - n * p) < 5.0 * std::sqrt(n * p * (1 - p)));
    const auto pulls = hepad_test::stein_pulls(t->values(), [&](const double* row) {
      return g.log_prob_context(s, row[0], row[1]) + g.log_prob_feature(row[2], row[0], row[1]);
    });
    for (const double q : pulls) CHECK(std::abs(q) < 5.0);
  }
  const vector<double> lw = g.log_density_ratio<double>(level0_sample::data, level0_sample::mc, mc.values());
  std::vector<double> w(lw.data(), lw.data() + lw.size());
  for (auto& x : w) x = std::exp(x);
  for (int j = 0; j < 3; ++j) {
    const auto [chi2, bins] = hepad_test::weighted_chi2(column(mc, j), w, column(data, j), 25);
    CHECK(chi2 < chi2_limit(bins));
  }
  const auto sig = g.generate<double>(level0_sample::signal, 1000, r);
  CHECK(sig.labels().sum() == 1000);
  CHECK(sig.column("m1").mean() == doctest::Approx(2.8).epsilon(0.01));
}

TEST_CASE("svj_like + inject_signal: realized S/B = s * (signal SR efficiency), CR contamination = 1 - efficiency") {
  // S0 §2.5: n_sig = floor(s N_b,SR) injected everywhere, so the realized SR S/B is ~ s * eff_SR
  // and a fraction 1 - eff_SR of the signal lands in the CR (spec: ~23% / 29% / 49% for 4/3/2 TeV).
  const svj_like g;
  const hepad::rng r(77);
  const auto bkg = g.background<float>(svj_sample::data, 400000, r);
  const auto sr = g.signal_region();
  for (const double M : {2000.0, 3000.0, 4000.0}) {
    const auto pool = g.signal<float>(M, 2000, r);
    hepad::rng ri(1);
    const double eff = g.signal_sr_efficiency(M);
    for (const double s : {0.012, 0.024, 0.036}) {
      const auto inj = hepad::data::inject_signal(bkg, pool, s, sr, ri);
      const auto& sum = inj.summary;
      const double n = static_cast<double>(sum.n_signal);
      // Binomial spread of the SR count of n injected events.
      const double sd = std::sqrt(n * eff * (1 - eff)) / static_cast<double>(sum.n_background_in_region);
      CHECK(std::abs(sum.realized_s_over_b() - n * eff / static_cast<double>(sum.n_background_in_region)) < 5 * sd);
      CHECK(std::abs(sum.fraction_outside_region() - (1 - eff)) < 5 * std::sqrt(eff * (1 - eff) / n));
      MESSAGE("M " << M << " s " << s << ": realized S/B " << sum.realized_s_over_b() << ", S/sqrt(B) "
                   << sum.significance() << ", signal in CR " << sum.fraction_outside_region());
    }
  }
}
