// SPDX-License-Identifier: BSL-1.0
// Modules and losses: gradcheck of every module; closed forms of the losses; the MLP classifier and
// ensembles against the classifier concepts; batch-norm running statistics; serialization of
// composite modules.
#include <doctest/doctest.h>

#include <hepad/autodiff/gradcheck.hpp>
#include <hepad/core/concepts.hpp>
#include <hepad/nn/nn.hpp>

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
