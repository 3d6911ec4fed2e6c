// SPDX-License-Identifier: BSL-1.0
// Modules and losses: gradcheck of every module; pooling, initialisers and dropout statistics;
// closed forms of the losses (weighted contrastive losses by hand); the MLP classifier and
// ensembles against the classifier concepts; batch-norm running statistics; serialization of
// composite modules.
#include <doctest/doctest.h>

#include <hepad/autodiff/gradcheck.hpp>
#include <hepad/core/concepts.hpp>
#include <hepad/nn/nn.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

namespace ad = hepad::autodiff;
namespace nn = hepad::nn;
using hepad::index_t;
using hepad::matrix;
using hepad::vector;
using md = matrix<double>;

namespace {
md rnd(index_t r, index_t c, std::uint64_t seed, double lo = -1, double hi = 1) {
  hepad::rng g(seed);
  md m(r, c);
  for (index_t k = 0; k < m.size(); ++k) m.data()[k] = g.uniform(lo, hi);
  return m;
}
template <class M, class F>
void check_module(M& m, F&& f) {
  auto ps = m.parameters();
  const auto r = ad::gradcheck_parameters(f, std::span<ad::parameter<double>* const>(ps.data(), ps.size()));
  INFO(m.architecture() << ": " << r.message());
  CHECK(r.ok);
}
}  // namespace

TEST_CASE("gradcheck of every module") {
  hepad::rng r(12);
  const md x = rnd(6, 4, 1);
  nn::layer_norm<double> ln(4);
  ln.parameters()[0]->value = rnd(1, 4, 2, 0.5, 1.5);
  ln.parameters()[1]->value = rnd(1, 4, 3);
  check_module(ln, [&](ad::tape<double>& t) { return ln.forward(t, t.constant(x)); });
  nn::batch_norm<double> bn(4);
  bn.parameters()[0]->value = rnd(1, 4, 4, 0.5, 1.5);
  check_module(bn, [&](ad::tape<double>& t) { return bn.forward(t, t.constant(x)); });
  nn::residual<nn::mlp<double>> res(nn::mlp<double>({4, 7, 4}, r, {.hidden = ad::activation::silu}));
  check_module(res, [&](ad::tape<double>& t) { return res.forward(t, t.constant(x)); });
  nn::sequential seq(nn::linear<double>(4, 5, r), nn::tanh_layer<double>{}, nn::layer_norm<double>(5),
                     nn::linear<double>(5, 2, r, {.act = ad::activation::elu}));
  check_module(seq, [&](ad::tape<double>& t) { return seq.forward(t, t.constant(x)); });
  CHECK(seq.parameters()[0]->name == "0.weight");
  CHECK(seq.parameters()[2]->name == "2.gamma");
  nn::fixed_mlp<double, 4, 6, 3> fm(r, {.hidden = ad::activation::softplus});
  check_module(fm, [&](ad::tape<double>& t) { return fm.forward(t, t.constant(x)); });
  CHECK(fm.architecture() == "mlp(4-6-3, softplus)");
  // Dropout: deterministic given the tape's generator (gradcheck re-seeds it for every evaluation).
  nn::mlp<double> dm({4, 8, 2}, r, {.dropout = 0.3});
  check_module(dm, [&](ad::tape<double>& t) { return dm.forward(t, t.constant(x)); });
  // Attention and transformer layers on 2 sets of 3 slots, with padding and a per-key bias.
  const index_t P = 3, d = 8;
  const md xs = rnd(2 * P, d, 5);
  md mask = md::Zero(2, P);
  mask(1, 2) = 1;
  const md kb = rnd(2, P, 6);
  nn::multi_head_attention<double> mha(d, 2, P, r);
  mha.parameters()[1]->value = rnd(1, 3 * d, 7);  // non-zero biases for a stronger check
  check_module(mha, [&](ad::tape<double>& t) { return mha.forward(t, t.constant(xs), t.constant(mask), t.constant(kb)); });
  for (bool pre : {false, true}) {
    nn::transformer_encoder_layer<double> tl(d, 2, 16, P, r, {.norm_first = pre});
    check_module(tl, [&](ad::tape<double>& t) { return tl.forward(t, t.constant(xs), t.constant(mask)); });
  }
  static_assert(hepad::module<nn::transformer_encoder_layer<float>>);
  static_assert(hepad::module<nn::sequential<nn::linear<float>, nn::relu_layer<float>>>);
  static_assert(hepad::module_with_buffers<nn::batch_norm<float>>);
  static_assert(hepad::described_module<nn::mlp<float>>);
}

TEST_CASE("pooling modules: closed forms with a key-padding mask, and gradcheck") {
  static_assert(hepad::module<nn::sum_pooling<float>>);
  static_assert(hepad::module<nn::mean_pooling<float>>);
  static_assert(hepad::module<nn::weighted_pooling<float>>);
  static_assert(hepad::described_module<nn::weighted_pooling<float>>);
  const index_t B = 3, P = 4, d = 3;
  const md x = rnd(B * P, d, 31);
  const md w = rnd(B, P, 32, -1.5, 2.0);  // weights of both signs
  // Set 0 complete, set 1 with its last two members padded, set 2 with only member 1 real.
  md mask = md::Zero(B, P);
  mask(1, 2) = 1;
  mask(1, 3) = 2;  // any non-zero value means padded
  mask(2, 0) = mask(2, 2) = mask(2, 3) = 1;
  const auto real = [&](index_t b, index_t p) { return mask(b, p) == 0.0; };
  nn::sum_pooling<double> sp{.set_size = P};
  nn::mean_pooling<double> mp{.set_size = P};
  nn::weighted_pooling<double> wp{.set_size = P};
  nn::weighted_pooling<double> wmean{.set_size = P, .normalize = true};
  CHECK(sp.parameters().empty());
  CHECK(wmean.architecture() == "weighted_pooling(set=4, normalized)");
  ad::tape<double> t;
  const auto xs = t.constant(x), ms = t.constant(mask), ws = t.constant(w);
  const md s_all = sp.forward(t, xs).value(), s_m = sp.forward(t, xs, ms).value();
  const md m_all = mp.forward(t, xs).value(), m_m = mp.forward(t, xs, ms).value();
  const md w_all = wp.forward(t, xs, ws).value(), w_m = wp.forward(t, xs, ws, ms).value();
  const md wn_m = wmean.forward(t, xs, ws, ms).value();
  REQUIRE(s_m.rows() == B);
  REQUIRE(s_m.cols() == d);
  for (index_t b = 0; b < B; ++b)
    for (index_t j = 0; j < d; ++j) {
      double sa = 0, sm = 0, wa = 0, wm = 0, wsum = 0;
      int n_real = 0;
      for (index_t p = 0; p < P; ++p) {
        const double v = x(b * P + p, j);
        sa += v;
        wa += w(b, p) * v;
        if (real(b, p)) {
          sm += v;
          wm += w(b, p) * v;
          wsum += w(b, p);
          ++n_real;
        }
      }
      CHECK(s_all(b, j) == doctest::Approx(sa).epsilon(1e-14));
      CHECK(s_m(b, j) == doctest::Approx(sm).epsilon(1e-14));
      CHECK(m_all(b, j) == doctest::Approx(sa / P).epsilon(1e-14));
      CHECK(m_m(b, j) == doctest::Approx(sm / n_real).epsilon(1e-14));
      CHECK(w_all(b, j) == doctest::Approx(wa).epsilon(1e-14));
      CHECK(w_m(b, j) == doctest::Approx(wm).epsilon(1e-14));
      CHECK(wn_m(b, j) == doctest::Approx(wm / wsum).epsilon(1e-12));
    }
  // Set 2 has one real member: its sum and mean are that member's row.
  CHECK(s_m.row(2) == x.row(2 * P + 1));
  // Without weights, weighted pooling is sum (or mean) pooling.
  CHECK(wp.forward(t, xs).value() == s_all);
  CHECK((wmean.forward(t, xs, {}, ms).value() - m_m).cwiseAbs().maxCoeff() < 1e-14);
  // A fully padded set: zeros for sum and mean; undefined for the normalised weighted mean.
  md all_pad = mask;
  all_pad.row(1).setOnes();
  CHECK(sp.forward(t, xs, t.constant(all_pad)).value().row(1).isZero(0));
  CHECK(mp.forward(t, xs, t.constant(all_pad)).value().row(1).isZero(0));
  CHECK_THROWS_AS((void)wmean.forward(t, xs, ws, t.constant(all_pad)), hepad::invalid_argument);
  // Bad shapes name the module.
  CHECK_THROWS_WITH_AS((void)sp.forward(t, t.constant(rnd(7, d, 1))), doctest::Contains("nn::sum_pooling::forward"),
                       hepad::invalid_argument);
  CHECK_THROWS_AS((void)mp.forward(t, xs, t.constant(md::Zero(B, P + 1))), hepad::invalid_argument);
  CHECK_THROWS_AS((void)wp.forward(t, xs, t.constant(md::Ones(B + 1, P))), hepad::invalid_argument);
  CHECK_THROWS_AS((void)nn::sum_pooling<double>{.set_size = 0}.forward(t, xs), hepad::invalid_argument);
  // Gradients: with respect to x for all three, and to the (learned) weights for weighted pooling.
  const auto check = [](const char* what, const ad::gradcheck_result& res) {
    INFO(what << ": " << res.message());
    CHECK(res.ok);
  };
  check("sum", ad::gradcheck([&](auto& tp, std::span<const ad::node<double>> v) {
    return sp.forward(tp, v[0], tp.constant(mask));
  }, {x}));
  check("mean", ad::gradcheck([&](auto& tp, std::span<const ad::node<double>> v) {
    return mp.forward(tp, v[0], tp.constant(mask));
  }, {x}));
  check("weighted", ad::gradcheck([&](auto& tp, std::span<const ad::node<double>> v) {
    return wp.forward(tp, v[0], v[1], tp.constant(mask));
  }, {x, w}));
  check("weighted mean", ad::gradcheck([&](auto& tp, std::span<const ad::node<double>> v) {
    return wmean.forward(tp, v[0], v[1], tp.constant(mask));
  }, {x, w}));
  // In a deep-sets network: parameters upstream of the pooling get the right gradient.
  hepad::rng r(33);
  nn::sequential ds(nn::linear<double>(d, 5, r, {.act = ad::activation::tanh}), nn::mean_pooling<double>{.set_size = P},
                    nn::linear<double>(5, 2, r));
  check_module(ds, [&](ad::tape<double>& tp) { return ds.forward(tp, tp.constant(x)); });
}

TEST_CASE("batch norm: batch statistics in training, running statistics updated at commit") {
  hepad::rng r(1);
  nn::batch_norm<double> bn(2, 0.1);
  md x(4, 2);
  x << 1, 10, 2, 20, 3, 30, 6, 40;
  ad::tape<double> t;
  auto y = bn.forward(t, t.constant(x));
  // Training output: (x - mean) / sqrt(biased var + eps).
  const double m0 = 3.0, v0 = (4 + 1 + 0 + 9) / 4.0;
  CHECK(y.value()(3, 0) == doctest::Approx((6 - m0) / std::sqrt(v0 + 1e-5)));
  CHECK(bn.running_mean()(0, 0) == 0.0);  // nothing until commit
  t.commit();
  CHECK(bn.running_mean()(0, 0) == doctest::Approx(0.1 * m0));
  CHECK(bn.running_var()(0, 0) == doctest::Approx(0.9 + 0.1 * v0 * 4 / 3));  // unbiased
  t.reset();
  t.set_training(false);
  auto e = bn.forward(t, t.constant(x));
  CHECK(e.value()(0, 1) == doctest::Approx((10 - bn.running_mean()(0, 1)) / std::sqrt(bn.running_var()(0, 1) + 1e-5)));
}

TEST_CASE("losses against closed forms") {
  ad::tape<double> t;
  // Cross entropy.
  md z(3, 4);
  z << 1, 2, 3, 4, -1, 0, 1, 50, 0.5, 0.5, 0.5, 0.5;
  const std::vector<int> y = {3, 0, 2};
  md w(3, 1);
  w << 1, -2, 0.5;
  double expect = 0;
  for (int i = 0; i < 3; ++i) {
    const double lse = std::log((z.row(i).array() - z.row(i).maxCoeff()).exp().sum()) + z.row(i).maxCoeff();
    expect += w(i) * (lse - z(i, y[static_cast<std::size_t>(i)]));
  }
  CHECK(nn::cross_entropy(t.constant(z), y, t.constant(w)).item() == doctest::Approx(expect / 3));
  auto rce = ad::gradcheck([&](auto& tp, std::span<const ad::node<double>> v) {
    return nn::cross_entropy(v[0], y, tp.constant(w));
  }, {z});
  CHECK(rce.ok);
  // Gaussian KL: closed form per event.
  md mu(2, 3), lv(2, 3);
  mu << 0.1, -0.5, 2, 0, 0, 0;
  lv << 0.2, -1, 0.5, 0, 0, 0;
  double kl0 = 0;
  for (int j = 0; j < 3; ++j) kl0 += -0.5 * (1 + lv(0, j) - mu(0, j) * mu(0, j) - std::exp(lv(0, j)));
  CHECK(nn::gaussian_kl(t.constant(mu), t.constant(lv)).item() == doctest::Approx(kl0 / 2));  // event 1 has KL 0
  md w2(2, 1);
  w2 << -1.5, 3;
  CHECK(nn::gaussian_kl(t.constant(mu), t.constant(lv), t.constant(w2)).item() == doctest::Approx(-1.5 * kl0 / 2));
  auto rkl = ad::gradcheck([&](auto& tp, std::span<const ad::node<double>> v) {
    return nn::gaussian_kl(v[0], v[1], tp.constant(w2));
  }, {mu, lv});
  CHECK(rkl.ok);
}

TEST_CASE("contrastive losses: NT-Xent and supervised contrastive") {
  const md z = rnd(6, 4, 21);  // 3 objects x 2 views
  const double tau = 0.5;
  // Direct evaluation of NT-Xent.
  md zn = z;
  for (index_t i = 0; i < 6; ++i) zn.row(i) /= z.row(i).norm();
  const md s = zn * zn.transpose() / tau;
  double expect = 0;
  for (index_t i = 0; i < 6; ++i) {
    double den = 0;
    for (index_t j = 0; j < 6; ++j)
      if (j != i) den += std::exp(s(i, j));
    expect += -(s(i, (i + 3) % 6) - std::log(den));
  }
  ad::tape<double> t;
  CHECK(nn::nt_xent(t.constant(z), tau).item() == doctest::Approx(expect / 6).epsilon(1e-12));
  auto r1 = ad::gradcheck([&](auto&, std::span<const ad::node<double>> v) { return nn::nt_xent(v[0], tau); }, {z});
  INFO(r1.message());
  CHECK(r1.ok);
  // SupCon with labels {0, 1, 0, 2, 1, 0}: anchor 3 (label 2) has no positive and is left out.
  const std::vector<int> lab = {0, 1, 0, 2, 1, 0};
  double sc = 0;
  int anchors = 0;
  for (index_t i = 0; i < 6; ++i) {
    double den = 0;
    for (index_t j = 0; j < 6; ++j)
      if (j != i) den += std::exp(s(i, j));
    int np = 0;
    double acc = 0;
    for (index_t j = 0; j < 6; ++j)
      if (j != i && lab[static_cast<std::size_t>(j)] == lab[static_cast<std::size_t>(i)]) {
        ++np;
        acc += s(i, j) - std::log(den);
      }
    if (np == 0) continue;
    ++anchors;
    sc += -acc / np;
  }
  CHECK(anchors == 5);
  CHECK(nn::supervised_contrastive(t.constant(z), lab, tau).item() == doctest::Approx(sc / anchors).epsilon(1e-12));
  auto r2 = ad::gradcheck([&](auto&, std::span<const ad::node<double>> v) {
    return nn::supervised_contrastive(v[0], lab, tau);
  }, {z});
  INFO(r2.message());
  CHECK(r2.ok);
  CHECK_THROWS_AS((void)nn::nt_xent(t.constant(rnd(5, 4, 1)), tau), hepad::invalid_argument);
}

TEST_CASE("weighted and negatively weighted NT-Xent and supervised contrastive against hand-computed values") {
  // Two objects, two views, in 2-d: a0 = (1, 0), a1 = (0, 3), b0 = (2, 2), b1 = (0, -1/2) (norms differ:
  // the losses normalise). Cosines: a0.a1 = 0, a0.b0 = c, a0.b1 = 0, a1.b0 = c, a1.b1 = -1, b0.b1 = -c
  // with c = 1/sqrt(2); s = cosine / tau.
  md z(4, 2);
  z << 1, 0, 0, 3, 2, 2, 0, -0.5;
  const double tau = 0.5, c = 1 / std::sqrt(2.0), e = c / tau, u = 1 / tau;
  // NT-Xent, row i against its partner (i + 2) mod 4: l_i = -s_ip + log sum_{a != i} exp(s_ia).
  const double nt[4] = {-e + std::log(std::exp(e) + 2),                        // a0: partner b0
                        u + std::log(1 + std::exp(e) + std::exp(-u)),          // a1: partner b1
                        -e + std::log(2 * std::exp(e) + std::exp(-e)),         // b0: partner a0
                        u + std::log(1 + std::exp(-u) + std::exp(-e))};        // b1: partner a1
  // SupCon with labels {0, 0, 0, 1}: anchor 3 has no positive and is left out; anchors 0-2 average
  // -log softmax over their two positives.
  const std::vector<int> lab = {0, 0, 0, 1};
  const double L0 = std::log(2 + std::exp(e)), L1 = std::log(1 + std::exp(e) + std::exp(-u)),
               L2 = std::log(2 * std::exp(e) + std::exp(-e));
  const double sc[3] = {L0 - e / 2,   // positives a1 (s = 0) and b0 (s = e)
                        L1 - e / 2,   // positives a0 (0) and b0 (e)
                        L2 - e};      // positives a0 (e) and a1 (e)
  md w(4, 1);
  w << 1, -2, 0.5, 3;
  ad::tape<double> t;
  const auto zc = t.constant(z), wc = t.constant(w);
  double nt_sum = 0, nt_plain = 0;
  for (int i = 0; i < 4; ++i) {
    nt_sum += w(i) * nt[i];
    nt_plain += nt[i];
  }
  CHECK(nn::nt_xent(zc, tau).item() == doctest::Approx(nt_plain / 4).epsilon(1e-13));
  CHECK(nn::nt_xent(zc, tau, wc).item() == doctest::Approx(nt_sum / 4).epsilon(1e-13));
  CHECK(nn::nt_xent(zc, tau, wc, nn::reduction::sum).item() == doctest::Approx(nt_sum).epsilon(1e-13));
  CHECK(nn::nt_xent(zc, tau, wc, nn::reduction::weighted_mean).item() == doctest::Approx(nt_sum / 2.5).epsilon(1e-13));
  const double sc_sum = w(0) * sc[0] + w(1) * sc[1] + w(2) * sc[2];  // w(3) belongs to the dropped anchor
  CHECK(nn::supervised_contrastive(zc, lab, tau).item() == doctest::Approx((sc[0] + sc[1] + sc[2]) / 3).epsilon(1e-13));
  CHECK(nn::supervised_contrastive(zc, lab, tau, wc).item() == doctest::Approx(sc_sum / 3).epsilon(1e-13));
  CHECK(nn::supervised_contrastive(zc, lab, tau, wc, nn::reduction::sum).item() ==
        doctest::Approx(sc_sum).epsilon(1e-13));
  CHECK(nn::supervised_contrastive(zc, lab, tau, wc, nn::reduction::weighted_mean).item() ==
        doctest::Approx(sc_sum / (1 - 2 + 0.5)).epsilon(1e-13));
  // With one positive per anchor (labels = object ids) SupCon is NT-Xent, weights included.
  const std::vector<int> ids = {0, 1, 0, 1};
  CHECK(nn::supervised_contrastive(zc, ids, tau, wc).item() == doctest::Approx(nt_sum / 4).epsilon(1e-13));
  // Gradients with negative weights.
  const auto r1 = ad::gradcheck([&](auto& tp, std::span<const ad::node<double>> v) {
    return nn::nt_xent(v[0], tau, tp.constant(w), nn::reduction::weighted_mean);
  }, {z});
  INFO(r1.message());
  CHECK(r1.ok);
  const auto r2 = ad::gradcheck([&](auto& tp, std::span<const ad::node<double>> v) {
    return nn::supervised_contrastive(v[0], lab, tau, tp.constant(w));
  }, {z});
  INFO(r2.message());
  CHECK(r2.ok);
  // Weights summing to zero over the kept anchors make the weighted mean undefined: an error.
  md w0(4, 1);
  w0 << 1, -2, 1, 7;
  CHECK_THROWS_AS((void)nn::supervised_contrastive(zc, lab, tau, t.constant(w0), nn::reduction::weighted_mean),
                  hepad::invalid_argument);
  CHECK_THROWS_AS((void)nn::nt_xent(zc, tau, t.constant(md::Ones(3, 1))), hepad::invalid_argument);
}

TEST_CASE("dropout_layer: inverted scaling, evaluation mode, gradcheck with a fixed mask") {
  const double p = 0.3;
  nn::dropout_layer<double> drop{.p = p};
  CHECK(drop.parameters().empty());
  // Statistics on n = 1e5 entries of x = 1: y is 0 with probability p and 1 / (1 - p) otherwise, so
  // E[y] = 1 with standard deviation sqrt(p / (1 - p) / n) of the mean, and the zero fraction has
  // binomial standard error sqrt(p (1 - p) / n); the checks allow 5 of each.
  const index_t rows = 200, cols = 500;
  const double n = static_cast<double>(rows * cols);
  ad::tape<double> t;
  t.set_random(hepad::rng(51));
  const auto ones = t.constant(rows, cols, 1.0);
  const md y = drop.forward(t, ones).value();
  const double zeros = static_cast<double>((y.array() == 0.0).count());
  const double kept = static_cast<double>((y.array() == 1 / (1 - p)).count());
  CHECK(zeros + kept == n);  // no other values
  CHECK(std::abs(zeros / n - p) < 5 * std::sqrt(p * (1 - p) / n));
  CHECK(std::abs(y.mean() - 1) < 5 * std::sqrt(p / (1 - p) / n));
  // Evaluation mode and p = 0: the identity.
  const md x = rnd(6, 5, 52);
  t.set_training(false);
  CHECK(drop.forward(t, t.constant(x)).value() == x);
  t.set_training(true);
  CHECK(nn::dropout_layer<double>{.p = 0.0}.forward(t, t.constant(x)).value() == x);
  CHECK_THROWS_AS((void)nn::dropout_layer<double>{.p = 1.0}.forward(t, t.constant(x)), hepad::invalid_argument);
  // With a fixed generator the mask is fixed: y = x * keep and dL/dx = keep for L = sum(y), where
  // keep is 0 or 1 / (1 - p).
  t.reset();
  t.set_random(hepad::rng(53));
  const auto xv = t.variable(x);
  const auto yv = drop.forward(t, xv);
  t.backward(ad::sum(yv));
  const md keep = xv.grad();
  int n_zero = 0;
  for (index_t k = 0; k < x.size(); ++k) {
    const double kk = keep.data()[k];
    CHECK((kk == 0.0 || kk == doctest::Approx(1 / (1 - p)).epsilon(1e-15)));
    CHECK(yv.value().data()[k] == doctest::Approx(x.data()[k] * kk).epsilon(1e-15));
    n_zero += kk == 0.0;
  }
  CHECK(n_zero > 0);         // 30 entries: P(no drop) = 0.7^30 ~ 2e-5
  CHECK(n_zero < x.size());
  const auto rg = ad::gradcheck([&](auto& tp, std::span<const ad::node<double>> v) {
    return drop.forward(tp, v[0]);
  }, {x});
  INFO(rg.message());
  CHECK(rg.ok);
  // In a network: the gradient of the parameters upstream of the dropout.
  hepad::rng r(54);
  nn::sequential net(nn::linear<double>(5, 7, r, {.act = ad::activation::tanh}), nn::dropout_layer<double>{.p = 0.4},
                     nn::linear<double>(7, 2, r));
  check_module(net, [&](ad::tape<double>& tp) { return net.forward(tp, tp.constant(x)); });
}

TEST_CASE("initialisers: bounds and sample variance against the formulas") {
  // fan_in != fan_out, so a transposed fan shows up as a wrong variance. n = 12000 draws: the sample
  // second moment m2 = mean(w^2) has relative standard error sqrt(0.8 / n) (uniform: Var(w^2) =
  // 0.8 sigma^4) or sqrt(2 / n) (normal); the checks allow 5 standard errors.
  const index_t fan_in = 200, fan_out = 60;
  const double n = static_cast<double>(fan_in * fan_out);
  struct expectation {
    nn::initializer init;
    double variance;
    double bound;  // 0 for a normal law
  };
  const double kb = std::sqrt(6.0 / fan_in), xb = std::sqrt(6.0 / (fan_in + fan_out)), tb = 1 / std::sqrt(1.0 * fan_in);
  const expectation cases[] = {
      {nn::initializer::kaiming_uniform, 2.0 / fan_in, kb},
      {nn::initializer::kaiming_normal, 2.0 / fan_in, 0},
      {nn::initializer::xavier_uniform, 2.0 / (fan_in + fan_out), xb},
      {nn::initializer::xavier_normal, 2.0 / (fan_in + fan_out), 0},
      {nn::initializer::torch_default, tb * tb / 3, tb},
  };
  hepad::rng r(41);
  for (const auto& c : cases) {
    INFO(nn::to_string(c.init));
    // Through nn::linear, which stores weights fan_in x fan_out.
    nn::linear<double> lin(fan_in, fan_out, r, {.init = c.init});
    const md& wt = lin.weight().value;
    REQUIRE(wt.rows() == fan_in);
    REQUIRE(wt.cols() == fan_out);
    const double mean = wt.mean(), m2 = wt.squaredNorm() / n;
    const bool uniform = c.bound > 0;
    const double rel_se = std::sqrt((uniform ? 0.8 : 2.0) / n);
    CHECK(std::abs(m2 / c.variance - 1) < 5 * rel_se);
    CHECK(std::abs(mean) < 5 * std::sqrt(c.variance / n));
    // Fraction within one standard deviation: 0.6827 for a normal law, 1/sqrt(3) for a uniform one;
    // binomial standard error sqrt(q (1 - q) / n).
    const double sd = std::sqrt(c.variance);
    const double within = static_cast<double>((wt.array().abs() <= sd).count()) / n;
    const double q = uniform ? 1 / std::sqrt(3.0) : std::erf(1 / std::sqrt(2.0));
    CHECK(std::abs(within - q) < 5 * std::sqrt(q * (1 - q) / n));
    if (uniform) {
      CHECK(wt.cwiseAbs().maxCoeff() <= c.bound);
      // The largest |w| of n draws is below b (1 - 20 / n) with probability (1 - 20 / n)^n ~ e^-20.
      CHECK(wt.cwiseAbs().maxCoeff() > c.bound * (1 - 20 / n));
    } else {
      // 12000 normal draws exceed 3 sigma about 32 times (P = 0.0027); none beyond 6 sigma.
      CHECK(wt.cwiseAbs().maxCoeff() > 3 * sd);
      CHECK(wt.cwiseAbs().maxCoeff() < 6 * sd);
    }
    // Biases: torch's default draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)); every other scheme zeros.
    const md& b = lin.bias().value;
    if (c.init == nn::initializer::torch_default) {
      CHECK(b.cwiseAbs().maxCoeff() <= tb);
      CHECK_FALSE(b.isZero(0));
    } else {
      CHECK(b.isZero(0));
    }
  }
  // The same seed gives the same weights; zeros gives zeros.
  hepad::rng r1(5), r2(5);
  CHECK(nn::linear<double>(7, 3, r1, {.init = nn::initializer::xavier_normal}).weight().value ==
        nn::linear<double>(7, 3, r2, {.init = nn::initializer::xavier_normal}).weight().value);
  CHECK(nn::linear<double>(7, 3, r1, {.init = nn::initializer::zeros}).weight().value.isZero(0));
}

TEST_CASE("zero_init_last zeroes the last layer and only it") {
  hepad::rng r(42);
  const md x = rnd(5, 3, 43);
  ad::tape<double> t;
  for (bool zero : {false, true}) {
    nn::mlp<double> net({3, 8, 8, 2}, r, {.zero_init_last = zero});
    nn::fixed_mlp<double, 3, 8, 8, 2> fm(r, {.zero_init_last = zero});
    REQUIRE(net.layers().size() == 3);
    for (std::size_t k = 0; k < 3; ++k) {
      const bool last = k == 2;
      CHECK(net.layers()[k].weight().value.isZero(0) == (zero && last));
      CHECK(net.layers()[k].bias().value.isZero(0) == (zero && last));
      CHECK(fm.layers()[k].weight().value.isZero(0) == (zero && last));
      CHECK(fm.layers()[k].bias().value.isZero(0) == (zero && last));
    }
    // A zero last layer (identity output) makes the network output exactly zero.
    CHECK(net.forward(t, t.constant(x)).value().isZero(0) == zero);
    CHECK(fm.forward(t, t.constant(x)).value().isZero(0) == zero);
  }
}

TEST_CASE("mlp_classifier and ensemble model the classifier concepts") {
  using clf = nn::mlp_classifier<>;
  static_assert(hepad::classifier<clf, float>);
  static_assert(hepad::weighted_classifier<clf, float>);
  static_assert(hepad::probabilistic_classifier<clf, float>);
  using ens = nn::ensemble<clf>;
  static_assert(hepad::probabilistic_classifier<ens, float>);
  static_assert(hepad::weighted_classifier<ens, float>);
  // Two well separated Gaussians in 2-d.
  hepad::rng r(8);
  const index_t n = 2000;
  matrix<float> x(n, 2);
  hepad::label_vector y(n);
  vector<float> w(n);
  for (index_t i = 0; i < n; ++i) {
    y(i) = static_cast<int>(i % 2);
    x(i, 0) = static_cast<float>(r.normal() + 1.5 * y(i));
    x(i, 1) = static_cast<float>(r.normal());
    w(i) = (i % 10 == 3) ? -0.2f : 1.0f;
  }
  ens e{.prototype = {.hidden = {16}, .training = {.epochs = 30, .batch_size = 64, .validation_fraction = 0.25,
                                                   .patience = 5, .threads = 1, .progress = false,
                                                   .optimizer = {.learning_rate = 3e-3}}},
        .n_members = 3};
  hepad::fit(e, r, x, y, w);
  REQUIRE(e.members.size() == 3);
  for (const auto& m : e.members) CHECK(m.last_history.restored_best);
  CHECK_FALSE(e.members[0].network->parameters()[0]->value == e.members[1].network->parameters()[0]->value);
  const vector<float> p = e.predict_proba(x), l = e.predict_logit(x);
  for (index_t i = 0; i < 20; ++i) CHECK(l(i) == doctest::Approx(std::log(p(i) / (1 - p(i)))).epsilon(1e-3));
  // The ensemble probability is the mean of the members' probabilities, computed here both from
  // the members' predict_proba and, independently, as the mean of sigmoid(member logit) in double.
  std::vector<vector<float>> member_p, member_l;
  for (const auto& m : e.members) {
    member_p.push_back(m.predict_proba(x));
    member_l.push_back(m.predict_logit(x));
  }
  double worst = 0, worst_sigmoid = 0;
  for (index_t i = 0; i < n; ++i) {
    double mean_p = 0, mean_sigmoid = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      mean_p += member_p[k](i);
      mean_sigmoid += 1 / (1 + std::exp(-static_cast<double>(member_l[k](i))));
    }
    worst = (std::max)(worst, std::abs(p(i) - mean_p / 3));
    worst_sigmoid = (std::max)(worst_sigmoid, std::abs(p(i) - mean_sigmoid / 3));
  }
  CHECK(worst < 1e-6);           // float rounding of a mean of three numbers in [0, 1]
  CHECK(worst_sigmoid < 1e-6);   // plus float rounding of each member's sigmoid
  // Signal is to the right: the mean probability of class 1 is about 0.68 for the Bayes classifier
  // (0.32 for class 0).
  double p1 = 0, p0 = 0;
  for (index_t i = 0; i < n; ++i) (y(i) ? p1 : p0) += p(i);
  CHECK(p1 > p0 * 1.5);
  // Logits far beyond float exp range do not overflow in the ensemble logit.
  clf big;
  big.network.emplace(std::vector<index_t>{2, 1}, r);
  big.network->layers()[0].weight().value.setConstant(1000);
  ens e2;
  e2.members = {big, big};
  matrix<float> far(1, 2);
  far << 1, 1;
  CHECK(e2.predict_logit(far)(0) == doctest::Approx(2000 + big.network->layers()[0].bias().value(0, 0)));
  CHECK(std::isfinite(e2.predict_logit(-far)(0)));
  clf unfitted;
  CHECK_THROWS_AS((void)unfitted.predict_logit(x), hepad::invalid_argument);
  hepad::label_vector bad = y;
  bad(0) = 2;
  clf c2;
  CHECK_THROWS_AS(c2.fit(x, bad, r), hepad::invalid_argument);
}

TEST_CASE("save/load of composite modules with buffers") {
  const auto dir = std::filesystem::temp_directory_path() / "hepad_nn_modules_test";
  std::filesystem::create_directories(dir);
  hepad::rng r(3);
  using net_t = nn::sequential<nn::linear<float>, nn::batch_norm<float>, nn::transformer_encoder_layer<float>>;
  net_t a(nn::linear<float>(3, 8, r), nn::batch_norm<float>(8), nn::transformer_encoder_layer<float>(8, 2, 16, 4, r));
  net_t b(nn::linear<float>(3, 8, r), nn::batch_norm<float>(8), nn::transformer_encoder_layer<float>(8, 2, 16, 4, r));
  a.get<1>().buffers()[0]->setConstant(0.25f);
  nn::save(a, dir / "a.bin");
  nn::load(b, dir / "a.bin");
  CHECK(b.get<1>().running_mean()(0, 3) == 0.25f);
  for (std::size_t k = 0; k < a.parameters().size(); ++k) CHECK(a.parameters()[k]->value == b.parameters()[k]->value);
  nn::sequential<nn::linear<float>, nn::batch_norm<float>> other(nn::linear<float>(3, 8, r), nn::batch_norm<float>(8));
  CHECK_THROWS_AS(nn::load(other, dir / "a.bin"), hepad::format_error);
  std::filesystem::remove_all(dir);
}
