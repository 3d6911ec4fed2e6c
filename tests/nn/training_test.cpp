// SPDX-License-Identifier: BSL-1.0
// Training: XOR, the closed-form optimal AUC of a Gaussian-vs-Gaussian problem, weighted and
// negatively weighted losses against closed forms, thread-count independence, checkpoint/resume,
// early stopping with best restore, NaN detection, callbacks.
#include <doctest/doctest.h>

#include <hepad/autodiff/gradcheck.hpp>
#include <hepad/nn/detail/step_pool.hpp>
#include <hepad/nn/nn.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

namespace ad = hepad::autodiff;
namespace nn = hepad::nn;
using hepad::index_t;
using hepad::matrix;
using hepad::vector;

namespace {

// AUC = P(score_signal > score_background) + P(tie)/2 (Mann-Whitney), computed by ranking.
double auc(const std::vector<double>& s, const std::vector<int>& y) {
  std::vector<std::size_t> idx(s.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](auto a, auto b) { return s[a] < s[b]; });
  double rank_sum = 0, n1 = 0;
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j < idx.size() && s[idx[j]] == s[idx[i]]) ++j;
    const double mid = 0.5 * static_cast<double>(i + j - 1) + 1;
    for (std::size_t k = i; k < j; ++k)
      if (y[idx[k]] == 1) rank_sum += mid;
    i = j;
  }
  for (int v : y) n1 += v;
  const double n0 = static_cast<double>(y.size()) - n1;
  return (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0);
}

// Two Gaussians with the same covariance: x = mu_y + L z.
struct gaussian_problem {
  double mu1[2] = {1.0, 0.5};
  double l[2][2] = {{1.0, 0.0}, {0.3, std::sqrt(1 - 0.09)}};  // Cholesky of [[1, .3], [.3, 1]]
  template <class S>
  void draw(hepad::rng& r, index_t n, matrix<S>& x, std::vector<int>& y) const {
    x.resize(n, 2);
    y.resize(static_cast<std::size_t>(n));
    for (index_t i = 0; i < n; ++i) {
      const int lab = static_cast<int>(i % 2);
      const double z0 = r.normal(), z1 = r.normal();
      x(i, 0) = static_cast<S>(lab * mu1[0] + l[0][0] * z0);
      x(i, 1) = static_cast<S>(lab * mu1[1] + l[1][0] * z0 + l[1][1] * z1);
      y[static_cast<std::size_t>(i)] = lab;
    }
  }
  // Optimal AUC = Phi(Delta / sqrt 2), Delta^2 = mu^T Sigma^-1 mu.
  double optimal_auc() const {
    const double s00 = 1, s01 = 0.3, s11 = 1, det = s00 * s11 - s01 * s01;
    const double d2 = (s11 * mu1[0] * mu1[0] - 2 * s01 * mu1[0] * mu1[1] + s00 * mu1[1] * mu1[1]) / det;
    return 0.5 * std::erfc(-std::sqrt(d2) / 2);  // Phi(sqrt(d2)/sqrt2) = erfc(-sqrt(d2)/2)/2
  }
};

template <class S>
matrix<S> labels_column(const std::vector<int>& y) {
  matrix<S> m(static_cast<index_t>(y.size()), 1);
  for (std::size_t i = 0; i < y.size(); ++i) m(static_cast<index_t>(i), 0) = static_cast<S>(y[i]);
  return m;
}

std::vector<double> scores(nn::mlp<float>& net, const matrix<float>& x) {
  const matrix<float> s = net.predict(x);
  return std::vector<double>(s.data(), s.data() + s.size());
}

}  // namespace

TEST_CASE("a tiny network learns XOR") {
  hepad::rng r(7);
  matrix<float> x(4, 2);
  x << 0, 0, 0, 1, 1, 0, 1, 1;
  const matrix<float> y = labels_column<float>({0, 1, 1, 0});
  nn::mlp<float> net({2, 8, 1}, r, {.hidden = ad::activation::tanh});
  nn::trainer<nn::adam> tr{.epochs = 600, .batch_size = 4, .chunks = 1, .threads = 1, .progress = false,
                           .optimizer = {.learning_rate = 0.05}};
  const auto h = tr.fit(net, nn::bce_loss{}, nn::make_data(x, y), r);
  CHECK(h.epochs_run == 600);
  CHECK(h.train_loss.back() < 0.05);
  const matrix<float> p = net.predict(x);
  CHECK(p(0, 0) < 0);
  CHECK(p(1, 0) > 0);
  CHECK(p(2, 0) > 0);
  CHECK(p(3, 0) < 0);
}

TEST_CASE("Gaussian vs Gaussian: the trained MLP reaches the closed-form optimal AUC") {
  const gaussian_problem g;
  hepad::rng r(2024);
  matrix<float> xtr, xte;
  std::vector<int> ytr, yte;
  g.draw(r, 40000, xtr, ytr);
  g.draw(r, 200000, xte, yte);
  const double best = g.optimal_auc();
  // The true likelihood ratio on this test sample: its AUC differs from `best` only statistically.
  std::vector<double> lr_score(yte.size());
  for (std::size_t i = 0; i < yte.size(); ++i) {
    // Sigma^-1 mu . x
    const double det = 1 - 0.09, a = (1 * 1.0 - 0.3 * 0.5) / det, b = (-0.3 * 1.0 + 1 * 0.5) / det;
    lr_score[i] = a * xte(static_cast<index_t>(i), 0) + b * xte(static_cast<index_t>(i), 1);
  }
  const double lr_auc = auc(lr_score, yte);
  CHECK(std::abs(lr_auc - best) < 0.003);  // ~3 sigma for 200k events
  nn::mlp<float> net({2, 32, 32, 1}, r);
  nn::trainer<nn::adam> tr{.epochs = 8, .batch_size = 256, .validation_fraction = 0.2, .patience = 3,
                           .progress = false};
  const auto h = tr.fit(net, nn::bce_loss{}, nn::make_data(xtr, labels_column<float>(ytr)), r);
  const double net_auc = auc(scores(net, xte), yte);
  INFO("optimal " << best << ", LR on sample " << lr_auc << ", network " << net_auc);
  CHECK(std::abs(net_auc - best) < 0.005);
  CHECK(net_auc <= lr_auc + 0.002);  // cannot beat the likelihood ratio beyond noise
  CHECK(h.best_epoch >= 0);
}

TEST_CASE("weighted and negatively weighted losses against closed forms") {
  // bce_with_logits: values and gradient against the closed form in double.
  ad::tape<double> t;
  matrix<double> z(5, 1), y(5, 1), w(5, 1);
  z << -3.0, -0.5, 0.0, 1.5, 40.0;
  y << 1, 0, 1, 1, 0;
  w << 1.0, -0.5, 2.0, 0.25, -1.0;
  auto zn = t.variable(z);
  auto l = nn::bce_with_logits(zn, t.constant(y), t.constant(w));
  double expect = 0;
  for (int i = 0; i < 5; ++i) {
    const double li = y(i) == 1 ? std::log1p(std::exp(-z(i))) : std::log1p(std::exp(z(i)));
    expect += w(i) * li;
  }
  CHECK(l.item() == doctest::Approx(expect / 5).epsilon(1e-14));
  t.backward(l);
  for (int i = 0; i < 5; ++i) {
    const double sig = 1 / (1 + std::exp(-z(i)));
    CHECK(zn.grad()(i, 0) == doctest::Approx(w(i) * (sig - y(i)) / 5).epsilon(1e-14));
  }
  // The other reductions.
  CHECK(nn::bce_with_logits(t.constant(z), t.constant(y), t.constant(w), nn::reduction::sum).item() ==
        doctest::Approx(expect));
  CHECK(nn::bce_with_logits(t.constant(z), t.constant(y), t.constant(w), nn::reduction::weighted_mean).item() ==
        doctest::Approx(expect / w.sum()));
  // mse and sum_squared_error with weights.
  matrix<double> p(3, 2), q(3, 2), w3(3, 1);
  p << 1, 2, 3, 4, 5, 6;
  q << 0, 2, 1, 1, 5, 8;
  w3 << 1, -2, 0.5;
  const double sse[3] = {1, 4 + 9, 4};
  const double wsum = 1 * sse[0] - 2 * sse[1] + 0.5 * sse[2];
  CHECK(nn::mse(t.constant(p), t.constant(q), t.constant(w3)).item() == doctest::Approx(wsum / 6));
  CHECK(nn::sum_squared_error(t.constant(p), t.constant(q), t.constant(w3)).item() == doctest::Approx(wsum / 3));
  // Gradients of the weighted losses by gradcheck.
  auto r1 = ad::gradcheck([&](auto& tp, std::span<const ad::node<double>> v) {
    return nn::bce_with_logits(v[0], tp.constant(y), tp.constant(w));
  }, {z});
  CHECK(r1.ok);
  auto r2 = ad::gradcheck([&](auto& tp, std::span<const ad::node<double>> v) {
    return nn::mse(v[0], v[1], tp.constant(w3));
  }, {p, q});
  CHECK(r2.ok);
}

TEST_CASE("training with negative weights converges to the closed-form optimum") {
  // A constant model (bias only) trained with weighted BCE converges to the weighted log-odds
  // log(W1 / W0), where W_k is the total weight of class k, including negative weights.
  const index_t n = 4000;
  matrix<float> x = matrix<float>::Zero(n, 1), y(n, 1);
  vector<float> w(n);
  double w1 = 0, w0 = 0;
  for (index_t i = 0; i < n; ++i) {
    y(i, 0) = static_cast<float>(i % 2);
    w(i) = (i % 5 == 0) ? -0.5f : 1.0f + 0.001f * static_cast<float>(i % 7);
    (i % 2 ? w1 : w0) += w(i);
  }
  // Shift class 1 so that the odds are not 1.
  for (index_t i = 1; i < n; i += 4) {
    w1 += 1.5 - w(i);
    w(i) = 1.5f;
  }
  hepad::rng r(3);
  // Full-batch gradients (no sampling noise) and a learning rate annealed to zero: the iterate
  // converges to the optimum, so the tolerance is float round-off, not training noise.
  nn::trainer<nn::adam, nn::cosine_schedule> tr{.epochs = 400, .batch_size = n, .chunks = 2, .threads = 1,
                                                .progress = false, .optimizer = {.learning_rate = 0.05},
                                                .schedule = {.t_max = 400}};
  nn::mlp<float> net({1, 1}, r);
  net.layers()[0].weight().value.setZero();
  tr.fit(net, nn::bce_loss{}, nn::make_data(x, y, w), r);
  const double logit = net.layers()[0].bias().value(0, 0);
  CHECK(std::abs(logit - std::log(w1 / w0)) < 1e-4);
  // Weighted MSE of a constant predictor: the weighted mean sum w y / sum w.
  nn::mlp<float> c({1, 1}, r);
  c.layers()[0].weight().value.setZero();
  tr.fit(c, nn::mse_loss{}, nn::make_data(x, y, w), r);
  CHECK(std::abs(c.layers()[0].bias().value(0, 0) - w1 / (w0 + w1)) < 1e-4);
}

namespace {
template <class Opt = nn::adam>
std::vector<matrix<float>> train_weights(int threads, std::int64_t epochs, const std::string& ckpt = "",
                                         std::int64_t patience = 0) {
  const gaussian_problem g;
  hepad::rng data_rng(11);
  matrix<float> x;
  std::vector<int> y;
  g.draw(data_rng, 3000, x, y);
  hepad::rng r(5);
  nn::mlp<float> net({2, 16, 16, 1}, r, {.dropout = 0.1});
  nn::trainer<Opt, nn::cosine_schedule> tr{.epochs = epochs, .batch_size = 100, .validation_fraction = 0.2,
                                           .patience = patience, .chunks = 4, .threads = threads,
                                           .progress = false, .checkpoint_path = ckpt,
                                           .schedule = {.t_max = 500, .unit = nn::schedule_unit::step}};
  const matrix<float> yl = labels_column<float>(y);
  tr.fit(net, nn::bce_loss{}, nn::make_data(x, yl), r);
  std::vector<matrix<float>> out;
  for (auto* p : net.parameters()) out.push_back(p->value);
  return out;
}
}  // namespace

TEST_CASE("1 thread and 2 threads give identical weights") {
  const auto a = train_weights(1, 4);
  const auto b = train_weights(2, 4);
  const auto c = train_weights(3, 4);
  REQUIRE(a.size() == b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    CHECK(a[k] == b[k]);  // bitwise
    CHECK(a[k] == c[k]);
  }
}

TEST_CASE("resume from a checkpoint equals an uninterrupted run") {
  const auto dir = std::filesystem::temp_directory_path() / "hepad_nn_resume_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "ckpt.bin").string();
  std::filesystem::remove(path);
  const auto full = train_weights(2, 6);
  const auto part = train_weights(1, 3, path);  // writes the checkpoint after epochs 1..3
  CHECK(std::filesystem::exists(path));
  const auto resumed = train_weights(2, 6, path);  // continues at epoch 3
  for (std::size_t k = 0; k < full.size(); ++k) {
    CHECK(full[k] == resumed[k]);
    CHECK_FALSE(full[k] == part[k]);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("early stopping restores the best-validation parameters") {
  // A large network on few events overfits: the best epoch comes before the last one.
  hepad::rng r(9);
  const gaussian_problem g;
  matrix<float> x;
  std::vector<int> y;
  g.draw(r, 300, x, y);
  const matrix<float> yl = labels_column<float>(y);
  nn::mlp<float> net({2, 64, 64, 1}, r);
  struct recorder {
    nn::mlp<float>* net;
    std::vector<std::vector<matrix<float>>> per_epoch;
    void on_epoch_end(const nn::epoch_info&) {
      std::vector<matrix<float>> ps;
      for (auto* p : net->parameters()) ps.push_back(p->value);
      per_epoch.push_back(ps);
    }
  } rec{&net, {}};
  nn::trainer<nn::adam> tr{.epochs = 200, .batch_size = 32, .validation_fraction = 0.3, .patience = 10,
                           .progress = false, .optimizer = {.learning_rate = 3e-3}};
  const auto h = tr.fit(net, nn::bce_loss{}, nn::make_data(x, yl), r, rec);
  REQUIRE(h.stopped_early);
  REQUIRE(h.best_epoch >= 0);
  CHECK(h.epochs_run == h.best_epoch + 1 + 10);
  CHECK(h.restored_best);
  const auto& best = rec.per_epoch[static_cast<std::size_t>(h.best_epoch)];
  const auto& last = rec.per_epoch.back();
  const auto ps = net.parameters();
  bool differs_from_last = false;
  for (std::size_t k = 0; k < ps.size(); ++k) {
    CHECK(ps[k]->value == best[k]);
    differs_from_last = differs_from_last || !(ps[k]->value == last[k]);
  }
  CHECK(differs_from_last);
  CHECK(*std::min_element(h.val_loss.begin(), h.val_loss.end()) == h.best_val_loss);
}

TEST_CASE("a non-finite loss stops training with an error naming epoch and batch") {
  hepad::rng r(1);
  matrix<float> x = matrix<float>::Random(64, 2), y = matrix<float>::Zero(64, 1);
  x(17, 1) = std::numeric_limits<float>::infinity();
  nn::mlp<float> net({2, 4, 1}, r);
  nn::trainer<nn::adam> tr{.epochs = 3, .batch_size = 16, .progress = false};
  try {
    tr.fit(net, nn::bce_loss{}, nn::make_data(x, y), r);
    FAIL("expected numerical_error");
  } catch (const hepad::numerical_error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("epoch 0") != std::string::npos);
    CHECK(msg.find("batch ") != std::string::npos);
    CHECK(msg.find("non-finite training loss") != std::string::npos);
  }
}

TEST_CASE("callbacks are detected at compile time and can stop training") {
  hepad::rng r(1);
  matrix<float> x = matrix<float>::Random(100, 2), y = matrix<float>::Zero(100, 1);
  nn::mlp<float> net({2, 4, 1}, r);
  struct counter {
    int begins = 0, steps = 0, epochs = 0, ends = 0;
    void on_begin(const nn::epoch_info&) { ++begins; }
    void on_step(const nn::epoch_info&) { ++steps; }
    bool on_epoch_end(const nn::epoch_info& i) {
      ++epochs;
      return i.epoch == 2;  // stop after the third epoch
    }
    void on_end(const nn::epoch_info&) { ++ends; }
  } c;
  struct nothing {};  // a type without hooks is accepted and ignored
  nothing none;
  static_assert(hepad::callback<counter, nn::epoch_info>);
  static_assert(!hepad::callback<nothing, nn::epoch_info>);
  nn::trainer<nn::sgd> tr{.epochs = 10, .batch_size = 10, .progress = false, .optimizer = {.learning_rate = 0.1}};
  const auto h = tr.fit(net, nn::bce_loss{}, nn::make_data(x, y), r, c, none);
  CHECK(c.begins == 1);
  CHECK(c.epochs == 3);
  CHECK(c.steps == 30);
  CHECK(c.ends == 1);
  CHECK(h.stopped_by_callback);
  CHECK(h.status == hepad::status::stopped_by_callback);
  CHECK(h.epochs_run == 3);
}

TEST_CASE("gradcheck of modules") {
  hepad::rng r(4);
  const matrix<double> x = matrix<double>::Random(6, 3);
  nn::mlp<double> net({3, 5, 4, 2}, r, {.hidden = ad::activation::gelu, .output = ad::activation::tanh});
  auto ps = net.parameters();
  auto res = ad::gradcheck_parameters([&](ad::tape<double>& t) { return net.forward(t, t.constant(x)); },
                                      std::span<ad::parameter<double>* const>(ps.data(), ps.size()));
  INFO(res.message());
  CHECK(res.ok);
  matrix<double> mask(3, 4);
  mask << 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1;
  nn::masked_linear<double> ml(mask, r, {.act = ad::activation::relu});
  auto mps = ml.parameters();
  res = ad::gradcheck_parameters([&](ad::tape<double>& t) { return ml.forward(t, t.constant(x)); },
                                 std::span<ad::parameter<double>* const>(mps.data(), mps.size()));
  INFO(res.message());
  CHECK(res.ok);
  // Masked weights get no gradient.
  ad::tape<double> t;
  auto out = ad::sum(ml.forward(t, t.constant(x)));
  t.backward(out);
  const auto gw = t.parameter_grad(ml.weight());
  for (index_t i = 0; i < 3; ++i)
    for (index_t j = 0; j < 4; ++j)
      if (mask(i, j) == 0) CHECK(gw(i, j) == 0.0);
  // predict (tape-free, tiled) equals forward in evaluation mode, bitwise.
  nn::mlp<float> f({3, 7, 9, 2}, r, {.hidden = ad::activation::relu});
  const matrix<float> xf = matrix<float>::Random(1000, 3);
  ad::tape<float> tf;
  tf.set_training(false);
  const auto yf = f.forward(tf, tf.constant(xf));
  CHECK(f.predict(xf, 64) == yf.value());
  CHECK(f.predict(xf, 1000) == yf.value());
}

TEST_CASE("save and load a module; a mismatched architecture is a clear error") {
  const auto dir = std::filesystem::temp_directory_path() / "hepad_nn_save_test";
  std::filesystem::create_directories(dir);
  const auto path = dir / "net.hepadnn";
  hepad::rng r(2);
  nn::mlp<float> a({4, 16, 1}, r), b({4, 16, 1}, r);
  nn::save(a, path);
  CHECK_FALSE(a.parameters()[0]->value == b.parameters()[0]->value);
  nn::load(b, path);
  for (std::size_t k = 0; k < a.parameters().size(); ++k) CHECK(a.parameters()[k]->value == b.parameters()[k]->value);
  nn::mlp<float> wrong({4, 8, 1}, r);
  try {
    nn::load(wrong, path);
    FAIL("expected format_error");
  } catch (const hepad::format_error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("architecture mismatch") != std::string::npos);
    CHECK(msg.find("mlp(4-16-1, relu)") != std::string::npos);
    CHECK(msg.find("mlp(4-8-1, relu)") != std::string::npos);
    CHECK(e.item() == "architecture");
  }
  nn::mlp<double> wrong_scalar({4, 16, 1}, r);
  CHECK_THROWS_AS(nn::load(wrong_scalar, path), hepad::format_error);
  // A truncated file is detected by the checksum.
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  CHECK_THROWS_AS(nn::load(b, path), hepad::format_error);
  CHECK_THROWS_AS(nn::load(b, dir / "missing.bin"), hepad::io_error);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the trainer's executor runs every task exactly once, also under oversubscription") {
  for (int threads : {1, 2, 4}) {
    nn::detail::step_pool pool(threads);
    std::vector<int> hits(7);
    long total = 0;
    for (int section = 0; section < 3000; ++section) {  // many short sections, as in training
      const std::int64_t n = 1 + section % 7;
      std::vector<long> slot(static_cast<std::size_t>(n));
      pool.run(n, [&](std::int64_t t) {
        slot[static_cast<std::size_t>(t)] = section * 10 + t;
        if (section == 0) ++hits[static_cast<std::size_t>(t)];
      });
      for (std::int64_t t = 0; t < n; ++t) total += slot[static_cast<std::size_t>(t)] - section * 10;
    }
    CHECK(hits[0] == 1);
    long expect = 0;
    for (int section = 0; section < 3000; ++section)
      for (int t = 0; t < 1 + section % 7; ++t) expect += t;
    CHECK(total == expect);
    // The exception of the lowest failing task is rethrown after all tasks ran.
    std::atomic<int> ran{0};
    try {
      pool.run(5, [&](std::int64_t t) {
        ++ran;
        if (t == 3 || t == 1) throw std::runtime_error("task " + std::to_string(t));
      });
      FAIL("expected an exception");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()) == "task 1");
    }
    CHECK(ran.load() == 5);
  }
}

TEST_CASE("trainer: clip_grad_norm bounds every update") {
  // Linear regression far from its optimum (targets around 10): the raw gradient norm is large.
  using md = matrix<double>;
  hepad::rng data_rng(61);
  const index_t n = 16;
  md x(n, 3), y(n, 1);
  for (index_t i = 0; i < n; ++i) {
    for (index_t j = 0; j < 3; ++j) x(i, j) = data_rng.normal();
    y(i, 0) = 10 + 5 * x(i, 0) - 3 * x(i, 2);
  }
  const auto flat = [](nn::linear<double>& m) {
    md v(1, 4);
    v << m.weight().value.transpose(), m.bias().value;
    return v;
  };
  const auto fresh = [] {
    hepad::rng init(62);
    return nn::linear<double>(3, 1, init);
  };
  // Gradient of mean((x W + b - y)^2) at the initial parameters, in closed form:
  // dW = 2/n x^T (x W + b - y), db = 2/n sum(x W + b - y).
  nn::linear<double> m0 = fresh();
  const md res = (x * m0.weight().value).array() + m0.bias().value(0, 0) - y.array();
  md g(1, 4);
  g << (2.0 / n * x.transpose() * res).transpose(), 2.0 / n * res.sum();
  const double gnorm = g.norm(), clip = 0.5;
  REQUIRE(gnorm > 10 * clip);  // otherwise clipping would not be exercised
  nn::trainer<nn::sgd> tr{.epochs = 1, .batch_size = n, .chunks = 1, .threads = 1, .shuffle = false,
                          .progress = false, .optimizer = {.learning_rate = 1.0}};
  hepad::rng r(63);
  for (double c : {0.0, clip}) {
    CAPTURE(c);
    nn::linear<double> m = fresh();
    const md before = flat(m);
    tr.clip_grad_norm = c;
    tr.fit(m, nn::mse_loss{}, nn::make_data(x, y), r);
    const md delta = flat(m) - before;
    // SGD with lr 1: delta = -g without clipping, -g max_norm / (|g| + 1e-6) with it (torch).
    const md expect = c == 0 ? md(-g) : md(-g * (clip / (gnorm + 1e-6)));
    CHECK((delta - expect).cwiseAbs().maxCoeff() < 1e-12 * gnorm);
    if (c > 0) CHECK(delta.norm() <= clip);
  }
  // Several steps (4 per epoch, 3 epochs, 2 chunks): every update stays within the bound, and the
  // bound is reached (the gradient stays large while the parameters move by at most 0.5 a step).
  struct watch {
    nn::linear<double>* m;
    md last;
    double max_change = 0;
    int steps = 0;
    md (*flat)(nn::linear<double>&);
    bool on_step(const nn::epoch_info&) {
      const md now = flat(*m);
      max_change = (std::max)(max_change, (now - last).norm());
      last = now;
      ++steps;
      return false;
    }
  };
  nn::linear<double> m = fresh();
  watch w{&m, flat(m), 0, 0, +flat};
  nn::trainer<nn::sgd> tr2{.epochs = 3, .batch_size = 4, .chunks = 2, .threads = 1, .clip_grad_norm = clip,
                           .progress = false, .optimizer = {.learning_rate = 1.0}};
  tr2.fit(m, nn::mse_loss{}, nn::make_data(x, y), r, w);
  CHECK(w.steps == 12);
  CHECK(w.max_change <= clip * (1 + 1e-12));
  CHECK(w.max_change > 0.99 * clip);
}

TEST_CASE("trainer: reduce_on_plateau lowers the learning rate after a plateau") {
  // A loss whose value is c(epoch) and whose gradient is 1 for every weight: sum(W) - sum(W) with
  // the second term a constant copy (value exactly 0, gradient 1), plus c. With SGD each step then
  // moves every weight by exactly -lr, so the final weights also record the learning rates used.
  using md = matrix<double>;
  const auto objective = [](bool plateau) {
    return [plateau](ad::tape<double>& t, nn::linear<double>& m, const nn::batch<double>& b) {
      const auto live = ad::sum(t.parameter(m.weight()));
      const auto frozen = t.constant(1, 1, live.item());
      const double c = plateau ? 2.0 : 2.0 / static_cast<double>(1 + b.epoch);
      return ad::add(ad::sub(live, frozen), t.constant(1, 1, c));
    };
  };
  const md x = md::Ones(8, 2);
  const double base = 0.1;
  nn::trainer<nn::sgd, nn::reduce_on_plateau> tr{
      .epochs = 8, .batch_size = 4, .chunks = 1, .threads = 1, .progress = false,
      .optimizer = {.learning_rate = base}, .schedule = {.factor = 0.5, .patience = 2}};
  for (bool plateau : {true, false}) {
    CAPTURE(plateau);
    hepad::rng r(71);
    nn::linear<double> m(2, 1, r);
    const md w0 = m.weight().value, b0 = m.bias().value;
    const auto h = tr.fit(m, objective(plateau), nn::make_data(x), r);
    // Monitored loss 2 every epoch: epoch 0 sets the best; epochs 1-3 are bad, and the third bad
    // epoch (> patience = 2) halves the rate from epoch 4 on; epochs 4-6 halve it again for epoch 7
    // (torch's ReduceLROnPlateau). A loss that keeps improving never lowers it.
    const std::vector<double> expect =
        plateau ? std::vector<double>{base, base, base, base, base / 2, base / 2, base / 2, base / 4}
                : std::vector<double>(8, base);
    REQUIRE(h.learning_rate.size() == 8);
    double lr_sum = 0;
    for (std::size_t e = 0; e < 8; ++e) {
      CHECK(h.learning_rate[e] == doctest::Approx(expect[e]).epsilon(1e-15));
      CHECK(h.train_loss[e] == doctest::Approx(plateau ? 2.0 : 2.0 / static_cast<double>(1 + e)).epsilon(1e-15));
      lr_sum += 2 * expect[e];  // two steps per epoch
    }
    // The rates were used: each weight moved by -sum of the rates; the bias got no gradient.
    CHECK(((m.weight().value - w0).array() + lr_sum).abs().maxCoeff() < 1e-12);
    CHECK(m.bias().value == b0);
  }
}
