// SPDX-License-Identifier: BSL-1.0
// Every autodiff operation against finite differences (gradcheck in double), the product kernels
// against Eigen for many shapes, and the tape's memory and error behaviour.
#include <doctest/doctest.h>

#include <hepad/autodiff/autodiff.hpp>
#include <hepad/autodiff/ops/random.hpp>
#include <hepad/autodiff/gradcheck.hpp>
#include <hepad/core/random.hpp>

#include <cmath>
#include <vector>

namespace ad = hepad::autodiff;
using hepad::index_t;
using hepad::matrix;
using md = matrix<double>;
using nd = ad::node<double>;
using xs_t = std::span<const nd>;

namespace {

md random_matrix(index_t r, index_t c, std::uint64_t seed, double lo = -2, double hi = 2) {
  hepad::rng g(seed);
  md m(r, c);
  for (index_t k = 0; k < m.size(); ++k) m.data()[k] = g.uniform(lo, hi);
  return m;
}
// Values in [lo, hi] kept at least `gap` away from 0 (for functions with a kink at 0).
md away_from_zero(index_t r, index_t c, std::uint64_t seed, double gap = 0.05) {
  md m = random_matrix(r, c, seed);
  for (index_t k = 0; k < m.size(); ++k)
    if (std::abs(m.data()[k]) < gap) m.data()[k] += m.data()[k] < 0 ? -gap : gap;
  return m;
}

template <class F>
void expect_gradcheck(F&& f, std::vector<md> inputs) {
  const auto r = ad::gradcheck(f, std::move(inputs));
  INFO(r.message());
  CHECK(r.ok);
  CHECK(r.checked > 0);
}

}  // namespace

TEST_CASE("gradcheck: broadcasting arithmetic") {
  const std::vector<std::pair<index_t, index_t>> shapes = {{3, 4}, {1, 4}, {3, 1}, {1, 1}};
  std::uint64_t seed = 1;
  for (auto [ra, ca] : shapes)
    for (auto [rb, cb] : shapes) {
      CAPTURE(ra);
      CAPTURE(ca);
      CAPTURE(rb);
      CAPTURE(cb);
      const md a = random_matrix(ra, ca, seed++);
      const md b = random_matrix(rb, cb, seed++, 0.5, 2.0);  // divisor away from 0
      expect_gradcheck([](auto&, xs_t x) { return ad::add(x[0], x[1]); }, {a, b});
      expect_gradcheck([](auto&, xs_t x) { return ad::sub(x[0], x[1]); }, {a, b});
      expect_gradcheck([](auto&, xs_t x) { return ad::mul(x[0], x[1]); }, {a, b});
      expect_gradcheck([](auto&, xs_t x) { return ad::div(x[0], x[1]); }, {a, b});
    }
  const md a = random_matrix(3, 4, 99, 0.5, 2.0);
  expect_gradcheck([](auto&, xs_t x) { return 2.5 * x[0] + 1.0; }, {a});
  expect_gradcheck([](auto&, xs_t x) { return 1.0 - x[0] / 3.0; }, {a});
  expect_gradcheck([](auto&, xs_t x) { return 3.0 / x[0]; }, {a});
  expect_gradcheck([](auto&, xs_t x) { return -x[0] * x[0]; }, {a});  // same node twice
  // Forward values follow the broadcasting rule.
  ad::tape<double> t;
  const md m = random_matrix(3, 4, 5);
  const md row = random_matrix(1, 4, 6);
  const md col = random_matrix(3, 1, 7);
  const auto s = ad::add(ad::mul(t.constant(m), t.constant(row)), t.constant(col));
  for (index_t i = 0; i < 3; ++i)
    for (index_t j = 0; j < 4; ++j) CHECK(s.value()(i, j) == doctest::Approx(m(i, j) * row(0, j) + col(i, 0)));
}

TEST_CASE("gradcheck: elementwise functions") {
  const md x = away_from_zero(4, 5, 11);
  const md pos = random_matrix(4, 5, 12, 0.2, 3.0);
  expect_gradcheck([](auto&, xs_t v) { return ad::exp(v[0]); }, {x});
  expect_gradcheck([](auto&, xs_t v) { return ad::log(v[0]); }, {pos});
  expect_gradcheck([](auto&, xs_t v) { return ad::log1p(v[0]); }, {pos});
  expect_gradcheck([](auto&, xs_t v) { return ad::softplus(v[0]); }, {x});
  expect_gradcheck([](auto&, xs_t v) { return ad::tanh(v[0]); }, {x});
  expect_gradcheck([](auto&, xs_t v) { return ad::sigmoid(v[0]); }, {x});
  expect_gradcheck([](auto&, xs_t v) { return ad::relu(v[0]); }, {x});
  expect_gradcheck([](auto&, xs_t v) { return ad::leaky_relu(v[0], 0.1); }, {x});
  expect_gradcheck([](auto&, xs_t v) { return ad::gelu(v[0]); }, {x});
  expect_gradcheck([](auto&, xs_t v) { return ad::silu(v[0]); }, {x});
  expect_gradcheck([](auto&, xs_t v) { return ad::elu(v[0], 1.3); }, {x});
  expect_gradcheck([](auto&, xs_t v) { return ad::abs(v[0]); }, {x});
  expect_gradcheck([](auto&, xs_t v) { return ad::pow(v[0], 2.7); }, {pos});
  expect_gradcheck([](auto&, xs_t v) { return ad::sqrt(v[0]); }, {pos});
  expect_gradcheck([](auto&, xs_t v) { return ad::square(v[0]); }, {x});
  // Stable at extreme arguments.
  ad::tape<double> t;
  md big(1, 4);
  big << -800, -30, 30, 800;
  const auto sp = ad::softplus(t.constant(big));
  const auto sg = ad::sigmoid(t.constant(big));
  CHECK(sp.value()(0, 0) == 0.0);
  CHECK(sp.value()(0, 3) == 800.0);
  CHECK(sp.value()(0, 1) == doctest::Approx(std::log1p(std::exp(-30.0))));
  CHECK(sg.value()(0, 0) == 0.0);
  CHECK(sg.value()(0, 3) == 1.0);
  CHECK(std::isfinite(sp.value().sum()));
}

TEST_CASE("gradcheck: reductions") {
  const md x = random_matrix(4, 6, 21);
  expect_gradcheck([](auto&, xs_t v) { return ad::sum(v[0]); }, {x});
  expect_gradcheck([](auto&, xs_t v) { return ad::mean(v[0]); }, {x});
  expect_gradcheck([](auto&, xs_t v) { return ad::logsumexp(v[0]); }, {x});
  expect_gradcheck([](auto&, xs_t v) { return ad::max(v[0]); }, {x});
  for (int dim : {0, 1}) {
    CAPTURE(dim);
    expect_gradcheck([dim](auto&, xs_t v) { return ad::sum(v[0], dim); }, {x});
    expect_gradcheck([dim](auto&, xs_t v) { return ad::mean(v[0], dim); }, {x});
    expect_gradcheck([dim](auto&, xs_t v) { return ad::logsumexp(v[0], dim); }, {x});
    expect_gradcheck([dim](auto&, xs_t v) { return ad::max(v[0], dim); }, {x});
    expect_gradcheck([dim](auto&, xs_t v) { return ad::softmax(v[0], dim); }, {x});
    expect_gradcheck([dim](auto&, xs_t v) { return ad::log_softmax(v[0], dim); }, {x});
  }
  // Values: logsumexp of huge entries does not overflow; softmax rows sum to one.
  ad::tape<double> t;
  md h(2, 3);
  h << 1000, 1000, 1000, -5, 0, 5;
  const auto l = ad::logsumexp(t.constant(h), 1);
  CHECK(l.value()(0, 0) == doctest::Approx(1000 + std::log(3.0)));
  const auto sm = ad::softmax(t.constant(h), 1);
  CHECK(sm.value().row(1).sum() == doctest::Approx(1.0));
  CHECK(ad::max(t.constant(h), 0).value()(0, 2) == 1000.0);
}

TEST_CASE("gradcheck: matrix products and the fused linear layer") {
  const md a = random_matrix(5, 3, 31), b = random_matrix(3, 4, 32), c = random_matrix(4, 3, 33),
           d = random_matrix(5, 4, 34);
  expect_gradcheck([](auto&, xs_t v) { return ad::matmul(v[0], v[1]); }, {a, b});
  expect_gradcheck([](auto&, xs_t v) { return ad::matmul_nt(v[0], v[1]); }, {a, c});
  expect_gradcheck([](auto&, xs_t v) { return ad::matmul_tn(v[0], v[1]); }, {a, d});
  expect_gradcheck([](auto&, xs_t v) { return ad::matmul(v[0], v[0]); }, {random_matrix(3, 3, 35)});
  // linear: every activation, with and without bias, 1 output (the gemv path) and wider ones.
  const md bias = random_matrix(1, 4, 36), bias1 = random_matrix(1, 1, 37);
  const md w1 = random_matrix(3, 1, 38);
  for (int k = 0; k <= static_cast<int>(ad::activation::softplus); ++k) {
    const auto act = static_cast<ad::activation>(k);
    CAPTURE(ad::to_string(act));
    expect_gradcheck([act](auto&, xs_t v) { return ad::linear(v[0], v[1], v[2], act, 0.2); },
                     {a, b, bias});
    expect_gradcheck([act](auto&, xs_t v) { return ad::linear(v[0], v[1], nd{}, act, 0.2); }, {a, b});
    expect_gradcheck([act](auto&, xs_t v) { return ad::linear(v[0], v[1], v[2], act, 0.2); },
                     {a, w1, bias1});
  }
  // Input without gradient (first layer): only the weight and bias gradients.
  expect_gradcheck(
      [&](auto& t, xs_t v) { return ad::linear(t.constant(a), v[0], v[1], ad::activation::relu); },
      {b, bias});
  // Forward value equals the plain formula.
  ad::tape<double> t;
  const auto y = ad::linear(t.constant(a), t.constant(b), t.constant(bias), ad::activation::relu);
  const md ref = ((a * b).rowwise() + bias.row(0)).cwiseMax(0.0);
  CHECK((y.value() - ref).cwiseAbs().maxCoeff() < 1e-14);
}

TEST_CASE("gradcheck: structural operations") {
  const md a = random_matrix(3, 4, 41), b = random_matrix(3, 2, 42), c = random_matrix(2, 4, 43);
  expect_gradcheck([](auto&, xs_t v) { return ad::concat({v[0], v[1], v[0]}, 1); }, {a, b});
  expect_gradcheck([](auto&, xs_t v) { return ad::concat({v[0], v[1]}, 0); }, {a, c});
  expect_gradcheck([](auto&, xs_t v) { return ad::slice_cols(v[0], 1, 2); }, {a});
  expect_gradcheck([](auto&, xs_t v) { return ad::slice_rows(v[0], 1, 2); }, {a});
  const std::vector<int> idx = {3, 0, 2};
  expect_gradcheck([&](auto&, xs_t v) { return ad::gather(v[0], idx); }, {a});
  const std::vector<long> rows = {2, 0, 2, 1, 2};
  expect_gradcheck([&](auto&, xs_t v) { return ad::gather_rows(v[0], rows); }, {a});
  expect_gradcheck([](auto&, xs_t v) { return ad::transpose(v[0]); }, {a});
  expect_gradcheck([](auto&, xs_t v) { return ad::reshape(v[0], 2, 6); }, {a});
  md mask_row(1, 4);
  mask_row << 0, 1, 0, 1;
  md mask_full = (random_matrix(3, 4, 44).array() > 0).cast<double>();
  expect_gradcheck([&](auto& t, xs_t v) { return ad::masked_fill(v[0], t.constant(mask_row), -3.0); }, {a});
  expect_gradcheck([&](auto& t, xs_t v) { return ad::masked_fill(v[0], t.constant(mask_full), 0.0); }, {a});
  // Masked attention-style softmax: -inf entries get probability 0.
  ad::tape<double> t;
  const auto p = ad::softmax(ad::masked_fill(t.constant(a), t.constant(mask_row),
                                             -std::numeric_limits<double>::infinity()), 1);
  CHECK(p.value()(0, 1) == 0.0);
  CHECK(p.value().row(2).sum() == doctest::Approx(1.0));
  CHECK(ad::gather(t.constant(a), idx).value()(0, 0) == a(0, 3));
  CHECK_THROWS_AS((void)ad::gather(t.constant(a), std::vector<int>{4, 0, 0}), hepad::invalid_argument);
}

TEST_CASE("gradcheck: a small network with parameters") {
  hepad::rng g(5);
  ad::parameter<double> w1("w1", 3, 6), b1("b1", 1, 6), w2("w2", 6, 2), b2("b2", 1, 2);
  for (auto* p : {&w1, &b1, &w2, &b2})
    for (index_t k = 0; k < p->size(); ++k) p->value.data()[k] = g.normal();
  const md x = random_matrix(7, 3, 51);
  std::vector<ad::parameter<double>*> ps = {&w1, &b1, &w2, &b2};
  const auto r = ad::gradcheck_parameters(
      [&](ad::tape<double>& t) {
        auto h = ad::linear(t.constant(x), t.parameter(w1), t.parameter(b1), ad::activation::tanh);
        auto o = ad::linear(h, t.parameter(w2), t.parameter(b2));
        return ad::mean(ad::logsumexp(o, 1));
      },
      ps);
  INFO(r.message());
  CHECK(r.ok);
  // accumulate_parameter_grads adds the tape's gradient into p.grad.
  ad::tape<double> t;
  auto o = ad::linear(t.constant(x), t.parameter(w1), t.parameter(b1));
  auto l = ad::sum(ad::matmul(o, t.parameter(w1).owner().parameter(w2)));
  t.backward(l);
  w1.zero_grad();
  t.accumulate_parameter_grads();
  t.accumulate_parameter_grads(2.0);
  CHECK((w1.grad - 3.0 * md(t.parameter_grad(w1))).cwiseAbs().maxCoeff() < 1e-12);
  CHECK(t.n_parameters() == 3);
  CHECK(t.parameter(w1).data() == t.parameter(w1).data());  // one leaf per parameter
}

TEST_CASE_TEMPLATE("product kernels agree with Eigen for many shapes", S, float, double) {
  namespace dd = ad::detail;
  const double tol = std::is_same_v<S, float> ? 2e-5 : 1e-12;
  std::uint64_t seed = 100;
  const std::vector<std::array<index_t, 3>> shapes = {
      {1, 1, 1},   {1, 17, 3},  {5, 1, 7},    {7, 5, 1},   {6, 64, 64}, {13, 37, 19},
      {256, 64, 4}, {64, 64, 256}, {31, 100, 300}, {300, 70, 5}, {4, 8, 512}, {100, 1, 64},
      {3, 48, 2},  {17, 33, 600}, {64, 4, 300}, {32, 8, 512}, {17, 3, 40}, {40, 1, 33}};
  for (const auto& [m, n, k] : shapes) {
    CAPTURE(m);
    CAPTURE(n);
    CAPTURE(k);
    hepad::rng g(seed++);
    matrix<S> A(m, k), AT(k, m), B(k, n), C0(m, n), bias(1, n);
    for (index_t i = 0; i < A.size(); ++i) A.data()[i] = g.uniform<S>(-1, 1);
    for (index_t i = 0; i < B.size(); ++i) B.data()[i] = g.uniform<S>(-1, 1);
    for (index_t i = 0; i < C0.size(); ++i) C0.data()[i] = g.uniform<S>(-1, 1);
    for (index_t i = 0; i < n; ++i) bias(0, i) = g.uniform<S>(-1, 1);
    AT = A.transpose();
    const matrix<double> ref = A.template cast<double>() * B.template cast<double>();
    const double scale = static_cast<double>(k);
    for (int variant = 0; variant < 4; ++variant) {
      matrix<S> C = C0;
      const bool transposed = variant % 2 == 1, acc = variant >= 2;
      if (transposed)
        dd::gemm<S>(m, n, k, AT.data(), 1, m, B.data(), n, C.data(), n, acc);
      else
        dd::gemm<S>(m, n, k, A.data(), k, 1, B.data(), n, C.data(), n, acc);
      const matrix<double> want = acc ? matrix<double>(ref + C0.template cast<double>()) : ref;
      CHECK((C.template cast<double>() - want).cwiseAbs().maxCoeff() <= tol * scale);
    }
    matrix<S> C(m, n);
    dd::gemm<S>(m, n, k, A.data(), k, 1, B.data(), n, C.data(), n, false, dd::epilogue::bias_relu,
                bias.data());
    const matrix<double> want = (ref.rowwise() + bias.template cast<double>().row(0)).cwiseMax(0.0);
    CHECK((C.template cast<double>() - want).cwiseAbs().maxCoeff() <= tol * scale);
  }
}

TEST_CASE("per-event results do not depend on the batch size") {
  // Every output element is computed by the same multiply-add sequence whatever tile it lands in.
  hepad::rng g(3);
  matrix<float> x(37, 64), w(64, 64), bias(1, 64);
  for (index_t i = 0; i < x.size(); ++i) x.data()[i] = g.normal<float>();
  for (index_t i = 0; i < w.size(); ++i) w.data()[i] = g.normal<float>();
  for (index_t i = 0; i < 64; ++i) bias(0, i) = g.normal<float>();
  ad::tape<float> t;
  const auto full = ad::linear(t.constant(x), t.constant(w), t.constant(bias), ad::activation::relu);
  for (index_t rows : {1, 2, 5, 6, 7, 13}) {
    const auto part = ad::linear(t.constant(x.topRows(rows)), t.constant(w), t.constant(bias),
                                 ad::activation::relu);
    CHECK(part.value() == full.value().topRows(rows));
  }
}

TEST_CASE("tape: memory reuse, scopes, modes and errors") {
  ad::tape<float> t(4096);
  matrix<float> x = matrix<float>::Random(64, 32), w = matrix<float>::Random(32, 16);
  ad::parameter<float> p("w", 32, 16);
  p.value = w;
  std::size_t cap = 0;
  for (int step = 0; step < 5; ++step) {
    t.reset();
    auto y = ad::sum(ad::tanh(ad::matmul(t.constant(x), t.parameter(p))));
    t.backward(y);
    if (step == 1) cap = t.memory().capacity();
    if (step >= 1) {
      CHECK(t.memory().blocks() == 1);  // consolidated after the first step
      CHECK(t.memory().capacity() == cap);  // no growth: no allocation per step
    }
  }
  {  // nested scope forgets what it recorded
    const auto before = t.n_nodes();
    {
      ad::tape<float>::nested_scope s(t);
      (void)ad::exp(t.constant(x));
      CHECK(t.n_nodes() > before);
    }
    CHECK(t.n_nodes() == before);
  }
  {  // no_grad: nodes do not require gradients
    ad::tape<float>::no_grad_guard ng(t);
    auto y = ad::matmul(t.constant(x), t.parameter(p));
    CHECK_FALSE(y.requires_grad());
  }
  t.reset();
  auto a = t.variable(x);
  CHECK_THROWS_AS((void)ad::matmul(a, a), hepad::invalid_argument);
  CHECK_THROWS_AS((void)ad::add(a, t.variable(w)), hepad::invalid_argument);
  CHECK_THROWS_AS(t.backward(a), hepad::invalid_argument);
  ad::tape<float> other;
  CHECK_THROWS_AS((void)ad::add(a, other.variable(x)), hepad::invalid_argument);
  CHECK_THROWS_AS(t.backward(ad::sum(t.constant(x))), hepad::invalid_argument);
  // A node the backward pass does not reach has a zero gradient.
  auto unused = t.variable(w);
  auto l = ad::sum(a);
  t.backward(l);
  CHECK(unused.grad().cwiseAbs().maxCoeff() == 0.0f);
  CHECK(a.grad().minCoeff() == 1.0f);
  static_assert(std::is_nothrow_move_constructible_v<ad::tape<float>>);
  static_assert(std::is_nothrow_move_constructible_v<ad::parameter<float>>);
}

TEST_CASE("custom operation with a user-written reverse pass") {
  // y = x^3 written as a custom node; the reverse pass is checked by gradcheck.
  auto cube = [](nd x) {
    auto& t = x.owner();
    nd y = t.make(x.rows(), x.cols(), x.requires_grad());
    y.mutable_value().array() = x.value().array().cube();
    t.on_backward(y, [x, y] { ad::accumulate_grad(x, 3.0 * x.value().array().square() * ad::out_grad(y).array()); });
    return y;
  };
  expect_gradcheck([&](auto&, xs_t v) { return ad::mul(cube(v[0]), v[0]); }, {random_matrix(3, 3, 61)});
}

TEST_CASE("gradcheck detects a wrong reverse pass") {
  // The same cube with a derivative that is off by 1e-4 relative: must be reported.
  auto bad_cube = [](nd x) {
    auto& t = x.owner();
    nd y = t.make(x.rows(), x.cols(), x.requires_grad());
    y.mutable_value().array() = x.value().array().cube();
    t.on_backward(y, [x, y] {
      ad::accumulate_grad(x, 3.0001 * x.value().array().square() * ad::out_grad(y).array());
    });
    return y;
  };
  const auto r = ad::gradcheck([&](auto&, xs_t v) { return bad_cube(v[0]); }, {random_matrix(2, 2, 62)});
  CHECK_FALSE(r.ok);
  CHECK(r.worst_ratio > 10);
}

TEST_CASE_TEMPLATE("blocked transpose for many shapes", S, float, double) {
  for (index_t r : {1, 5, 16, 37, 64})
    for (index_t c : {1, 16, 19, 48, 64}) {
      matrix<S> a = matrix<S>::Random(r, c), b(c, r);
      ad::detail::transpose<S>(r, c, a.data(), c, b.data(), r);
      CHECK(b == a.transpose());
    }
}

TEST_CASE_TEMPLATE("normal(): standard normal draws, reproducible from the tape's generator", S, float, double) {
  ad::tape<S> t;
  t.set_random(hepad::rng(42, 1));
  const index_t n = 200001;  // odd: the last Box-Muller pair is half used
  const auto z = ad::normal(t, n, 1);
  const double mean = z.value().template cast<double>().mean();
  const double var = (z.value().template cast<double>().array() - mean).square().mean();
  // 5-sigma bounds: sd(mean) = 1/sqrt(n), sd(var) = sqrt(2/n).
  CHECK(std::abs(mean) < 5 / std::sqrt(double(n)));
  CHECK(std::abs(var - 1) < 5 * std::sqrt(2.0 / double(n)));
  // Tail fraction beyond 2 sigma: 0.0455 (binomial sd ~ 4.7e-4).
  const double tail = (z.value().array().abs() > S(2)).template cast<double>().mean();
  CHECK(std::abs(tail - 0.0455003) < 0.0025);
  ad::tape<S> t2;
  t2.set_random(hepad::rng(42, 1));
  CHECK(ad::normal(t2, n, 1).value() == z.value());
  CHECK(std::isfinite(z.value().template cast<double>().cwiseAbs().maxCoeff()));
}

TEST_CASE("gradcheck: normalisation, attention and pooling") {
  const md x = random_matrix(6, 5, 71), g = random_matrix(1, 5, 72, 0.5, 1.5), b = random_matrix(1, 5, 73);
  expect_gradcheck([](auto&, xs_t v) { return ad::layer_norm(v[0], v[1], v[2], 1e-5); }, {x, g, b});
  expect_gradcheck([](auto&, xs_t v) { return ad::layer_norm<double>(v[0], {}, {}, 1e-5); }, {x});
  expect_gradcheck([](auto&, xs_t v) {
    auto [m, var] = ad::batch_statistics(v[0]);
    return ad::batch_norm(v[0], v[1], v[2], m, var, 1e-5);
  }, {x, g, b});
  expect_gradcheck([](auto&, xs_t v) {  // given statistics (evaluation mode), all as variables
    return ad::batch_norm(v[0], v[1], v[2], v[3], v[4], 1e-5);
  }, {x, g, b, random_matrix(1, 5, 74), random_matrix(1, 5, 75, 0.5, 2.0)});
  // Attention: 3 sets of 4 slots, d = 6, 2 heads; the last slot of set 1 and two of set 2 padded.
  const index_t P = 4, B = 3, d = 6;
  const md q = random_matrix(B * P, d, 76), k = random_matrix(B * P, d, 77), val = random_matrix(B * P, d, 78);
  md mask = md::Zero(B, P);
  mask(1, 3) = 1;
  mask(2, 1) = mask(2, 3) = 1;
  const md bias = random_matrix(B, P, 79);
  expect_gradcheck([&](auto& t, xs_t v) { return ad::set_attention(v[0], v[1], v[2], P, 2, t.constant(mask), v[3]); },
                   {q, k, val, bias});
  expect_gradcheck([&](auto&, xs_t v) { return ad::set_attention<double>(v[0], v[1], v[2], P, 3); }, {q, k, val});
  expect_gradcheck([&](auto&, xs_t v) { return ad::set_sum(v[0], P, v[1]); }, {val, bias});
  expect_gradcheck([&](auto& t, xs_t v) { return ad::set_mean(v[0], P, t.constant(mask)); }, {val});
  // Attention equals the textbook formula, and padded keys do not influence the outputs.
  ad::tape<double> t;
  const auto out = ad::set_attention(t.constant(q), t.constant(k), t.constant(val), P, 2, t.constant(mask), t.constant(bias));
  for (index_t s = 0; s < B; ++s)
    for (index_t h = 0; h < 2; ++h) {
      const md qs = q.block(s * P, h * 3, P, 3), ks = k.block(s * P, h * 3, P, 3), vs = val.block(s * P, h * 3, P, 3);
      md sc = qs * ks.transpose() / std::sqrt(3.0);
      for (index_t i = 0; i < P; ++i)
        for (index_t j = 0; j < P; ++j) sc(i, j) = mask(s, j) != 0 ? -INFINITY : sc(i, j) + bias(s, j);
      for (index_t i = 0; i < P; ++i) {
        const double mx = sc.row(i).maxCoeff();
        sc.row(i) = (sc.row(i).array() - mx).exp().matrix();
        sc.row(i) /= sc.row(i).sum();
      }
      const md ref = sc * vs;
      CHECK((out.value().block(s * P, h * 3, P, 3) - ref).cwiseAbs().maxCoeff() < 1e-12);
    }
  md k2 = k, v2 = val;
  k2.row(1 * P + 3).setConstant(100.0);  // change a padded key and value
  v2.row(2 * P + 1).setConstant(-50.0);
  const auto out2 = ad::set_attention(t.constant(q), t.constant(k2), t.constant(v2), P, 2, t.constant(mask), t.constant(bias));
  CHECK((out2.value() - out.value()).cwiseAbs().maxCoeff() < 1e-12);
  // Fully masked set: zero output, no NaN.
  md all = md::Ones(B, P);
  const auto z = ad::set_attention(t.constant(q), t.constant(k), t.constant(val), P, 2, t.constant(all));
  CHECK(z.value().cwiseAbs().maxCoeff() == 0.0);
  CHECK_THROWS_AS((void)ad::set_attention(t.constant(q), t.constant(k), t.constant(val), 5, 2), hepad::invalid_argument);
}

TEST_CASE("tape: a parameter rebuilt at the same address gets a fresh leaf") {
  // A model destroyed and rebuilt while the tape was not reset can put a new parameter at the
  // address of the old one; the tape must not hand out the old leaf (it views freed storage).
  ad::tape<double> t;
  ad::parameter<double> p("w", 2, 3);
  p.value.setConstant(1.0);
  const nd a = t.parameter(p);
  CHECK(t.parameter(p).data() == a.data());  // the same parameter: the same leaf
  p = ad::parameter<double>("w", 3, 2);      // same object, new storage and shape
  p.value.setConstant(2.0);
  const nd b = t.parameter(p);
  CHECK(b.data() != a.data());
  REQUIRE(b.rows() == 3);
  CHECK(b.value() == md::Constant(3, 2, 2.0));
  CHECK(t.parameter(p).data() == b.data());
  // the gradient reaches the rebuilt parameter
  t.backward(ad::sum(b));
  t.accumulate_parameter_grads();
  CHECK(p.grad == md::Ones(3, 2));
}
