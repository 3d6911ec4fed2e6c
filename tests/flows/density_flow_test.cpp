// SPDX-License-Identifier: BSL-1.0
// Flows as density estimators: the generic concept test (quadrature in 1-D and 2-D, KL recovery,
// sample/log_prob consistency; spline, RealNVP and affine MAF flows), a known conditional density
// reached within 0.02 nats of its true NLL, flow-on-flow transport against the exact
// (Knothe-Rosenblatt) map, weighted training, spline flows at +-1e6 and NaN inputs, ensembles and
// preprocessing in physical space, and a flow on a density-estimator base (GMM) against the
// closed-form change of variables.
#include <doctest/doctest.h>

#include "density/density_checks.hpp"

#include <hepad/autodiff/gradcheck.hpp>
#include <hepad/core/error.hpp>
#include <hepad/density/ensemble.hpp>
#include <hepad/density/gaussian_mixture.hpp>
#include <hepad/density/preprocessed.hpp>
#include <hepad/flows/base.hpp>
#include <hepad/flows/config.hpp>
#include <hepad/flows/density_flow.hpp>
#include <hepad/flows/flow.hpp>
#include <hepad/flows/normalization.hpp>
#include <hepad/pre/standardize.hpp>

#include <Eigen/Cholesky>

#include <cmath>
#include <filesystem>
#include <numbers>
#include <random>
#include <span>

namespace hf = hepad::flows;
using hepad::matrix;
using hepad::vector;

static_assert(hepad::sampleable_density<hf::density_flow<float>, float>);
static_assert(hepad::conditional_density<hf::density_flow<float>, float>);
static_assert(hepad::conditional_density<hf::density_flow<double, hf::frozen<hf::density_flow<double>>>, double>);
static_assert(hepad::module<hf::flow<float>>);
static_assert(hepad::conditional_bijector<hf::flow<float>, float>);
static_assert(hepad::bijector<hf::flow<float>, float>);
static_assert(hf::flow_base<hf::density_base<hepad::density::gaussian_mixture<double>>, double>);

namespace {
constexpr double log_2pi = 1.8378770664093454835606594728112;

hf::flow_trainer quick_training(std::int64_t epochs, hepad::index_t batch = 256, double lr = 3e-3) {
  hf::flow_trainer t;
  t.epochs = epochs;
  t.batch_size = batch;
  t.chunks = 1;
  t.threads = 1;
  t.progress = false;
  t.optimizer.learning_rate = lr;
  t.schedule = hf::flow_schedule{.policy = hf::flow_schedule::kind::cosine, .t_max = epochs, .eta_min = lr * 0.05};
  return t;
}

// x0 | c ~ N(c, 1); x1 | x0, c ~ N(0.5 (x0 - c)^2 + 0.3 c, 0.5^2): a conditional banana whose
// every conditional is an affine map of a normal, so one MAF layer can represent it.
struct banana {
  static void sample(std::int64_t n, hepad::rng& r, matrix<float>& x, matrix<float>& c, vector<double>& nll) {
    x.resize(n, 2);
    c.resize(n, 1);
    nll.resize(n);
    for (std::int64_t i = 0; i < n; ++i) {
      const double ci = r.uniform(-1.0, 1.0), z0 = r.normal<double>(), z1 = r.normal<double>();
      const double x0 = ci + z0, x1 = 0.5 * z0 * z0 + 0.3 * ci + 0.5 * z1;
      x(i, 0) = static_cast<float>(x0);
      x(i, 1) = static_cast<float>(x1);
      c(i, 0) = static_cast<float>(ci);
      nll(i) = 0.5 * (z0 * z0 + z1 * z1) + log_2pi + std::log(0.5);
    }
  }
};

// 2-D banana: x0 ~ N(0, 1), x1 | x0 ~ N(0.3 x0^2, 0.6^2). Every conditional is an affine map of a
// normal, so an affine MAF can represent it (unlike the bimodal truths).
hepad_test::truth banana_2d() {
  hepad_test::truth t;
  t.d = 2;
  t.lo[0] = -5.5;
  t.hi[0] = 5.5;
  t.lo[1] = -3.5;
  t.hi[1] = 10.0;
  t.sample = [](std::int64_t n, hepad::rng& r) {
    matrix<double> x(n, 2);
    for (std::int64_t i = 0; i < n; ++i) {
      x(i, 0) = r.normal<double>();
      x(i, 1) = 0.3 * x(i, 0) * x(i, 0) + 0.6 * r.normal<double>();
    }
    return x;
  };
  t.log_prob = [](const double* x) {
    const double z1 = (x[1] - 0.3 * x[0] * x[0]) / 0.6;
    return -0.5 * (x[0] * x[0] + z1 * z1) - log_2pi - std::log(0.6);
  };
  return t;
}
}  // namespace

TEST_CASE("generic concept test: flows recover known densities (1-D and 2-D), normalised by quadrature") {
  using hepad_test::check_density_estimator;
  using hepad_test::density_tolerances;
  // Spline flows; the tail bound covers the truths' support (the box is wider, where the
  // identity tails and the base density take over).
  hf::flow_config arch = hf::presets::spline_autoregressive(2, 32);
  arch.spline.tail_bound = 5.0;
  arch.spline.n_bins = 10;
  SUBCASE("1-D spline flow") {
    check_density_estimator(hf::density_flow<double>(arch, quick_training(30, 256, 5e-3)), hepad_test::bimodal_1d(),
                            8000, density_tolerances{.normalisation = 2e-3, .kl = 0.01}, 201);
  }
  SUBCASE("2-D spline flow") {
    check_density_estimator(hf::density_flow<float>(arch, quick_training(25, 256, 5e-3)), hepad_test::bimodal_2d(),
                            10000, density_tolerances{.normalisation = 5e-3, .kl = 0.02, .quadrature_cells = 300},
                            202);
  }
  SUBCASE("2-D RealNVP") {
    check_density_estimator(hf::density_flow<float>(hf::presets::realnvp(6, 32), quick_training(25, 256, 5e-3)),
                            hepad_test::bimodal_2d(), 10000,
                            density_tolerances{.normalisation = 5e-3, .kl = 0.03, .quadrature_cells = 300}, 203);
  }
  SUBCASE("2-D affine MAF") {
    hf::flow_config maf = hf::presets::peer_maf();
    maf.n_layers = 3;
    maf.net.hidden = 32;
    check_density_estimator(hf::density_flow<float>(maf, quick_training(25, 256, 5e-3)), banana_2d(), 10000,
                            density_tolerances{.normalisation = 1e-3, .kl = 0.01, .quadrature_cells = 300}, 204);
  }
}

TEST_CASE("a conditional MAF trained on a known density reaches the true NLL within 0.02 nats") {
  hepad::rng r(42);
  matrix<float> x, c, xv, cv;
  vector<double> nll, nllv;
  banana::sample(30000, r, x, c, nll);
  banana::sample(20000, r, xv, cv, nllv);
  hf::flow_config arch = hf::presets::peer_maf();
  arch.n_layers = 2;
  arch.net.hidden = 32;
  hf::density_flow<float> f(arch, quick_training(25, 256, 3e-3));
  const auto h = f.fit(x, c, r);
  CHECK(h.epochs_run == 25);
  const vector<float> lp = f.log_prob(xv, cv);
  const double val_nll = -lp.cast<double>().mean(), true_nll = nllv.mean();
  const double se = std::sqrt((lp.cast<double>() + nllv).array().square().mean() / 20000.0);
  INFO("validation NLL " << val_nll << ", true NLL " << true_nll << ", SE of the difference " << se);
  CHECK(val_nll - true_nll < 0.02);
  CHECK(val_nll - true_nll > -4 * se);  // the true density is the floor (up to noise)
  // Sampling at given contexts with oversampling: row i * k + j belongs to context row i.
  matrix<float> cc(2, 1);
  cc << -0.8f, 0.9f;
  const matrix<float> s = f.sample(cc, 20000, r);
  REQUIRE(s.rows() == 40000);
  CHECK(std::abs(s.topRows(20000).col(0).mean() + 0.8f) < 0.05f);     // E[x0 | c] = c, sd 1
  CHECK(std::abs(s.bottomRows(20000).col(0).mean() - 0.9f) < 0.05f);
  CHECK(std::abs(s.bottomRows(20000).col(1).mean() - (0.5f + 0.27f)) < 0.05f);  // E[x1|c] = 0.5 + 0.3 c
}

TEST_CASE("flow-on-flow: the top flow on a frozen base transports density A to density B (exact map known)") {
  // B (MC-like): x | c ~ N(mu_B + b c, Sigma_B); A (data-like): x | c ~ N(mu_A + a c, Sigma_A).
  // The increasing triangular map pushing A to B is unique (Knothe-Rosenblatt):
  //   T(x; c) = mu_B + b c + L_B L_A^-1 (x - mu_A - a c), L = lower Cholesky factors.
  // One MAF layer (triangular, increasing) on top of the frozen base must learn it; morphing
  // B events with T^-1 must give A-distributed events.
  const Eigen::Vector2d muA(0.5, -1.0), muB(-0.3, 0.8), a(0.6, -0.2), b(-0.4, 0.5);
  Eigen::Matrix2d SA, SB;
  SA << 1.0, 0.4, 0.4, 0.7;
  SB << 0.6, -0.2, -0.2, 1.2;
  const Eigen::Matrix2d LA = SA.llt().matrixL(), LB = SB.llt().matrixL();
  auto draw = [](std::int64_t n, hepad::rng& r, const Eigen::Vector2d& mu, const Eigen::Vector2d& s,
                 const Eigen::Matrix2d& L, matrix<double>& x, matrix<double>& c) {
    x.resize(n, 2);
    c.resize(n, 1);
    for (std::int64_t i = 0; i < n; ++i) {
      const double ci = r.uniform(-1.0, 1.0);
      const Eigen::Vector2d z(r.normal<double>(), r.normal<double>());
      x.row(i) = (mu + s * ci + L * z).transpose();
      c(i, 0) = ci;
    }
  };
  hepad::rng r(7);
  matrix<double> xB, cB, xA, cA;
  draw(20000, r, muB, b, LB, xB, cB);
  draw(20000, r, muA, a, LA, xA, cA);
  hf::flow_config base_arch = hf::presets::s0_generate();
  base_arch.n_layers = 2;
  base_arch.net.hidden = 16;
  base_arch.net.n_layers = 1;
  hf::density_flow<double> base(base_arch, quick_training(20, 256, 3e-3));
  base.fit(xB, cB, r);
  hf::flow_config top_arch = hf::presets::s0_morph_top();
  top_arch.n_layers = 1;
  top_arch.permute_first = false;
  top_arch.net.hidden = 8;
  // With one layer, nflows' degrees would leave the first feature's transform unconditional (its
  // parameters are plain biases), and the exact map shifts it with c: use zero-based degrees.
  top_arch.net.degrees = hf::made_degrees::zero_based;
  hf::density_flow<double, hf::frozen<hf::density_flow<double>>> top(top_arch, quick_training(20, 256, 3e-3),
                                                                      hf::frozen<hf::density_flow<double>>(base));
  const auto params_before = base.parameters();
  top.fit(xA, cA, r);
  // The base is frozen: the copy inside the top flow still equals the trained base.
  const auto& inner = top.model().base().flow();
  matrix<double> q = xB.topRows(5);
  CHECK((inner.log_prob(q, cB.topRows(5)) - base.log_prob(q, cB.topRows(5))).cwiseAbs().maxCoeff() == 0.0);
  // Log-density of the composed model: log q_M(T(x)) + log|T'| (evaluation vs definition).
  const auto fwd = top.forward(xA.topRows(5), cA.topRows(5));
  const vector<double> composed = base.log_prob(fwd.value, cA.topRows(5)) + fwd.log_det;
  CHECK((composed - top.log_prob(xA.topRows(5), cA.topRows(5))).cwiseAbs().maxCoeff() < 1e-10);
  // Morph MC events to data-like ones and compare with the exact inverse map.
  const std::int64_t m = 4000;
  const auto morphed = top.inverse(xB.topRows(m), cB.topRows(m)).value;
  double err2 = 0.0;
  for (std::int64_t i = 0; i < m; ++i) {
    const double ci = cB(i, 0);
    const Eigen::Vector2d y = xB.row(i).transpose();
    const Eigen::Vector2d exact = muA + a * ci + LA * LB.template triangularView<Eigen::Lower>().solve(y - muB - b * ci);
    err2 += (morphed.row(i).transpose() - exact).squaredNorm();
  }
  const double rms = std::sqrt(err2 / (2.0 * m));
  INFO("rms distance to the exact transport map: " << rms);
  CHECK(rms < 0.08);  // event scale ~1; both flows fitted on 20k events
  // Moments of the morphed sample are those of A.
  const Eigen::RowVector2d mm = morphed.colwise().mean();
  const Eigen::RowVector2d expect = (muA + a * cB.topRows(m).mean()).transpose();
  CHECK((mm - expect).cwiseAbs().maxCoeff() < 0.06);
}

TEST_CASE("weighted maximum likelihood: weights reshape the training density") {
  // x ~ N(0, 1) with weights w = N(x; 0.7, 1) / N(x; 0, 1): the weighted sample is N(0.7, 1).
  hepad::rng r(3);
  const std::int64_t n = 30000;
  matrix<double> x(n, 1);
  vector<double> w(n);
  for (std::int64_t i = 0; i < n; ++i) {
    x(i, 0) = r.normal<double>();
    w(i) = std::exp(0.7 * x(i, 0) - 0.245);
  }
  hf::flow_config arch = hf::presets::peer_maf();
  arch.n_layers = 1;
  arch.net.hidden = 8;
  hf::density_flow<double> f(arch, quick_training(15, 256, 1e-2));
  f.fit(x, w, r);
  matrix<double> q(3, 1);
  q << -1.0, 0.7, 2.0;
  const vector<double> lp = f.log_prob(q);
  for (int i = 0; i < 3; ++i) {
    const double t = -0.5 * (q(i, 0) - 0.7) * (q(i, 0) - 0.7) - 0.5 * log_2pi;
    CHECK(std::abs(lp(i) - t) < 0.03);
  }
}

TEST_CASE("spline flows: finite at +-1e6, NaN and inf inputs are clear errors") {
  hepad::rng r(9);
  for (auto arch : {hf::presets::spline_autoregressive(2, 16), hf::presets::spline_coupling(2, 16)}) {
    hf::density_flow<float> f(arch, quick_training(1));
    f.build(3, 1, r);
    matrix<float> x(6, 3), c(6, 1);
    x << 1e6f, -1e6f, 0.5f,  //
        -1e6f, 1e6f, 1e6f,   //
        0.1f, 0.2f, -0.3f,   //
        2.99f, -3.0f, 3.0f,  //
        1e6f, 1e6f, 1e6f,    //
        -2.0f, 1e6f, -1e6f;
    c << 0.5f, 1e6f, -1e6f, 0.0f, 1.0f, -1.0f;
    const vector<float> lp = f.log_prob(x, c);
    CHECK(lp.allFinite());
    const auto fw = f.forward(x, c);
    CHECK(fw.value.allFinite());
    CHECK(fw.log_det.allFinite());
    const auto bw = f.inverse(x, c);
    CHECK(bw.value.allFinite());
    CHECK(bw.log_det.allFinite());
    // Round trip where the conditioner sees ordinary values (row 3) and where every feature is in
    // the identity tails (row 4), to float precision relative to |x|. (Rows where the conditioner
    // sees 1e6, in x or in the context, give spline parameters ~1e6 and very steep splines:
    // finite, but not invertible to float precision.)
    const auto rt = f.inverse(fw.value, c);
    INFO("round-trip errors per row: " << (rt.value - x).cwiseAbs().rowwise().maxCoeff().transpose());
    for (int i : {3, 4})
      for (int j = 0; j < 3; ++j) CHECK(std::abs(rt.value(i, j) - x(i, j)) <= 1e-4f * (std::max)(1.0f, std::abs(x(i, j))));
    matrix<float> bad = x;
    bad(2, 1) = std::nanf("");
    CHECK_THROWS_WITH_AS(f.log_prob(bad, c), doctest::Contains("must be finite"), hepad::invalid_argument);
    CHECK_THROWS_WITH_AS(f.forward(bad, c), doctest::Contains("row 2, column 1"), hepad::invalid_argument);
    CHECK_THROWS_AS(f.inverse(bad, c), hepad::invalid_argument);
    bad(2, 1) = std::numeric_limits<float>::infinity();
    CHECK_THROWS_AS(f.log_prob(bad, c), hepad::invalid_argument);
    matrix<float> badc = c;
    badc(0, 0) = std::nanf("");
    CHECK_THROWS_WITH_AS(f.log_prob(x, badc), doctest::Contains("context"), hepad::invalid_argument);
    CHECK_THROWS_AS(f.fit(bad, c, r), hepad::invalid_argument);
    CHECK_THROWS_WITH_AS(f.log_prob(x.leftCols(2), c), doctest::Contains("columns"), hepad::invalid_argument);
  }
  hf::density_flow<float> unfitted;
  CHECK_THROWS_WITH_AS(unfitted.log_prob(matrix<float>::Zero(2, 2)), doctest::Contains("not fitted"),
                       hepad::invalid_argument);
}

TEST_CASE("early stopping restores the best state; ensembles average flows; densities in physical space") {
  hepad::rng r(11);
  matrix<float> x, c, xv, cv;
  vector<double> nll, nllv;
  banana::sample(6000, r, x, c, nll);
  hf::flow_config arch = hf::presets::peer_maf();
  arch.n_layers = 2;
  arch.net.hidden = 16;
  hf::flow_trainer tr = quick_training(6);
  tr.validation_fraction = 0.2;
  tr.patience = 2;
  hf::density_flow<float> f(arch, tr);
  const auto h = f.fit(x, c, r);
  CHECK(h.best_epoch >= 0);
  CHECK(h.restored_best);
  CHECK(h.val_loss.size() == static_cast<std::size_t>(h.epochs_run));
  // Ensemble of 3 flows: log of the averaged density, samples from the mixture.
  hepad::density::ensemble<hf::density_flow<float>> ens(3, hf::density_flow<float>(arch, quick_training(3)));
  ens.fit(x, c, r);
  const matrix<float> q = x.topRows(4), qc = c.topRows(4);
  vector<double> avg = vector<double>::Zero(4);
  for (int m = 0; m < 3; ++m) avg += ens[m].log_prob(q, qc).cast<double>().array().exp().matrix() / 3.0;
  CHECK((ens.log_prob(q, qc).cast<double>() - vector<double>(avg.array().log())).cwiseAbs().maxCoeff() < 1e-5);
  CHECK(ens.sample(qc, r).rows() == 4);
  // Trained on standardised data, reported in physical units: exp(log_prob) integrates to 1 in the
  // physical space (quadrature over a 1-D density of scale 50 around 200).
  matrix<double> phys(8000, 1);
  for (int i = 0; i < 8000; ++i) phys(i, 0) = 200.0 + 50.0 * (r.uniform<double>() < 0.5 ? r.normal(-1.0, 0.4) : r.normal(0.8, 0.6));
  hf::flow_config a1 = hf::presets::spline_autoregressive(2, 16);
  hepad::density::preprocessed<hf::density_flow<double>, hepad::pre::standardize> p(
      hf::density_flow<double>(a1, quick_training(10, 256, 5e-3)));
  p.fit(phys, r);
  hepad_test::truth box;
  box.lo[0] = -200.0;
  box.hi[0] = 600.0;
  CHECK(std::abs(hepad_test::integrate(p, box, 8000) - 1.0) < 2e-3);
  // The Jacobian is folded in: log p_x = log p_y + log|dy/dx| = log p_y - log(sd).
  const matrix<double> q1 = phys.topRows(3);
  const matrix<double> y1 = p.preprocessor().transform(q1);
  CHECK((p.log_prob(q1) - (p.inner().log_prob(y1) + p.preprocessor().log_abs_det_jacobian(q1))).cwiseAbs().maxCoeff() <
        1e-12);
}

TEST_CASE("flow training checkpoints: an interrupted and resumed run ends identical to an uninterrupted one") {
  hepad::rng r(13);
  matrix<float> x, c;
  vector<double> nll;
  banana::sample(3000, r, x, c, nll);
  hf::flow_config arch = hf::presets::s0_generate();
  arch.n_layers = 2;
  arch.net.hidden = 8;
  const auto path = (std::filesystem::temp_directory_path() /
                     hepad::detail::concat("hepad_flow_ckpt_", std::uint64_t(std::random_device{}()), ".bin"))
                        .string();
  hf::flow_trainer full = quick_training(4);
  full.validation_fraction = 0.2;
  hf::density_flow<float> a(arch, full);
  hepad::rng ra(5);
  a.fit(x, c, ra);
  // Two epochs with checkpoints, then a new object resumes to four epochs.
  hf::flow_trainer part = full;
  part.epochs = 2;
  part.checkpoint_path = path;
  hf::density_flow<float> b(arch, part);
  hepad::rng rb(5);
  b.fit(x, c, rb);
  REQUIRE(std::filesystem::exists(path));
  hf::flow_trainer rest = full;
  rest.checkpoint_path = path;
  hf::density_flow<float> b2(arch, rest);
  hepad::rng rb2(5);
  const auto h = b2.fit(x, c, rb2);
  CHECK(h.start_epoch == 2);
  const matrix<float> q = x.topRows(20), qc = c.topRows(20);
  CHECK(b2.log_prob(q, qc) == a.log_prob(q, qc));
  std::filesystem::remove(path);
}

TEST_CASE("density_base: a flow on a fitted GMM base is the exact change of variables (values, moments, "
          "normalisation, sampling, gradients)") {
  namespace ad = hepad::autodiff;
  using gmm = hepad::density::gaussian_mixture<double>;
  using base = hf::density_base<gmm>;
  hepad::rng r(71);
  const hepad_test::truth t = hepad_test::bimodal_1d();
  gmm g(hepad::density::gmm_config{.n_components = 2});
  REQUIRE(g.fit(t.sample(4000, r), r).ok());
  // A fixed, known transform: ActNorm u = x e^s + b, log|du/dx| = s.
  const double s = 0.4, b = -0.7, es = std::exp(s);
  hf::actnorm<double> an(1);
  {
    const auto ps = an.parameters();
    ps[0]->value(0, 0) = s;
    ps[1]->value(0, 0) = b;
  }
  hf::flow<double, hf::actnorm<double>, base> fl(an, base(g));
  REQUIRE(fl.n_features() == 1);

  // The flow's density in closed form: a mixture with means (m_k - b)/e^s, variances v_k/e^2s.
  const auto closed_form = [&](double x) {
    double p = 0.0;
    for (std::int64_t k = 0; k < g.n_components(); ++k) {
      const double m = (g.mean(k)(0) - b) / es, v = g.covariance(k)(0, 0) / (es * es);
      p += g.weight(k) * std::exp(-0.5 * (x - m) * (x - m) / v) / std::sqrt(2 * std::numbers::pi * v);
    }
    return std::log(p);
  };
  matrix<double> x(41, 1);
  for (hepad::index_t i = 0; i < x.rows(); ++i) x(i, 0) = -5.0 + 0.25 * static_cast<double>(i);
  const vector<double> lp = fl.log_prob(x);
  const vector<double> lg = g.log_prob(matrix<double>((x.array() * es + b).matrix()));
  for (hepad::index_t i = 0; i < x.rows(); ++i) {
    CAPTURE(x(i, 0));
    CHECK(lp(i) == doctest::Approx(lg(i) + s).epsilon(1e-13));   // log p_base(f(x)) + log|det|
    CHECK(lp(i) == doctest::Approx(closed_form(x(i, 0))).epsilon(1e-10));
  }

  // Quadrature in 1-D over the image of the GMM truth's box: 1 up to the (negligible) tails.
  hepad_test::truth tx = t;
  tx.lo[0] = (t.lo[0] - b) / es;
  tx.hi[0] = (t.hi[0] - b) / es;
  const double norm = hepad_test::integrate(fl, tx, 4000);
  INFO("integral = " << norm);
  CHECK(std::abs(norm - 1.0) < 1e-7);

  // Sampling: z ~ GMM, x = (z - b)/e^s. Mean and variance against the closed form (5 standard
  // errors), and a chi-square of the counts against the quadrature of exp(log_prob).
  double mu = 0.0, m2 = 0.0;
  for (std::int64_t k = 0; k < g.n_components(); ++k) {
    mu += g.weight(k) * g.mean(k)(0);
    m2 += g.weight(k) * (g.covariance(k)(0, 0) + g.mean(k)(0) * g.mean(k)(0));
  }
  const double mean_x = (mu - b) / es, var_x = (m2 - mu * mu) / (es * es);
  const std::int64_t n = 200000;
  hepad::rng rs = r.split(5);
  const matrix<double> xs = fl.sample(n, rs);
  REQUIRE(xs.rows() == n);
  const double sm = xs.col(0).mean();
  const double sv = (xs.col(0).array() - sm).square().sum() / static_cast<double>(n - 1);
  const double m4 = (xs.col(0).array() - sm).pow(4).mean();
  INFO("sample mean " << sm << " (" << mean_x << "), variance " << sv << " (" << var_x << ")");
  CHECK(std::abs(sm - mean_x) < 5.0 * std::sqrt(var_x / static_cast<double>(n)));
  CHECK(std::abs(sv - var_x) < 5.0 * std::sqrt((m4 - sv * sv) / static_cast<double>(n)));
  hepad::rng rc = r.split(6);
  const auto [chi2, dof] = hepad_test::sample_chi2(fl, tx, 20000, 25, 20, rc);
  INFO("chi2 = " << chi2 << " for " << dof << " dof");
  CHECK(dof > 5);
  CHECK(chi2 < dof + 5.0 * std::sqrt(2.0 * dof));
  // forward/inverse transport events between data and base space with the known map
  const auto u = fl.forward(x);
  CHECK((u.value - (x.array() * es + b).matrix()).cwiseAbs().maxCoeff() < 1e-14);
  CHECK((u.log_det.array() - s).abs().maxCoeff() < 1e-15);

  // Tape: the value equals the evaluation path; gradients through the GMM base (its
  // grad_log_prob) to the events and to the transform's parameters match finite differences.
  ad::tape<double> tp;
  const auto node = fl.log_prob(tp, tp.constant(x), tp.constant(x.rows(), 0, 0.0));
  CHECK((vector<double>(node.value()) - lp).cwiseAbs().maxCoeff() < 1e-12);
  auto fx = [&](ad::tape<double>& tt, std::span<const ad::node<double>> in) { return fl.forward(tt, in[0]); };
  const auto rx = ad::gradcheck(fx, {x});
  INFO(rx.message());
  CHECK(rx.ok);
  std::vector<ad::parameter<double>*> ps = fl.parameters();
  REQUIRE(ps.size() == 2);
  auto fp = [&](ad::tape<double>& tt) { return fl.forward(tt, tt.constant(x)); };
  const auto rp = ad::gradcheck_parameters(fp, std::span<ad::parameter<double>* const>(ps.data(), ps.size()));
  INFO(rp.message());
  CHECK(rp.ok);
  // d/dx log p(x) in closed form at one point: d/dx [log p_gmm(x e^s + b)] = e^s p'_gmm/p_gmm.
  ad::tape<double> t1;
  const matrix<double> x1 = matrix<double>::Constant(1, 1, 0.3);
  auto xn = t1.variable(x1);
  t1.backward(fl.forward(t1, xn));
  const double h = 1e-5;
  const double fd = (closed_form(0.3 + h) - closed_form(0.3 - h)) / (2 * h);
  CHECK(xn.grad()(0, 0) == doctest::Approx(fd).epsilon(1e-7));
}
