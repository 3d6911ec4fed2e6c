// SPDX-License-Identifier: BSL-1.0
// Flow layers: MADE's autoregressive structure (Jacobian of the conditioner is strictly
// triangular), inverse(forward(x)) == x, log-determinants against finite-difference Jacobians,
// reverse-mode gradients (inputs, context, parameters) against finite differences with the
// engine's gradcheck, for affine and spline transformers, feed-forward and residual conditioners.
#include <doctest/doctest.h>

#include <hepad/autodiff/gradcheck.hpp>
#include <hepad/autodiff/ops/reduce.hpp>
#include <hepad/core/random.hpp>
#include <hepad/flows/autoregressive.hpp>
#include <hepad/flows/coupling.hpp>
#include <hepad/flows/lu_linear.hpp>
#include <hepad/flows/normalization.hpp>
#include <hepad/flows/flow.hpp>
#include <hepad/flows/made.hpp>
#include <hepad/flows/permutation.hpp>
#include <hepad/flows/stack.hpp>

#include <Eigen/LU>

#include <cmath>
#include <span>

namespace hf = hepad::flows;
namespace ad = hepad::autodiff;
using hepad::matrix;
using hepad::vector;

namespace {
matrix<double> randn(hepad::index_t r, hepad::index_t c, hepad::rng& g, double s = 1.0) {
  matrix<double> m(r, c);
  for (hepad::index_t i = 0; i < m.size(); ++i) m.data()[i] = s * g.normal<double>();
  return m;
}

// Perturbs every parameter so that zero-initialised parts (residual blocks) are exercised.
template <class L>
void jitter(L& l, hepad::rng& g, double s = 0.3) {
  for (auto* p : l.parameters())
    for (hepad::index_t i = 0; i < p->value.size(); ++i) p->value.data()[i] += s * g.normal<double>();
}

// Numerical Jacobian of the layer's forward map at one event.
template <class L>
matrix<double> jacobian(const L& l, const matrix<double>& x, const matrix<double>& c) {
  const auto D = x.cols();
  matrix<double> J(D, D);
  for (hepad::index_t j = 0; j < D; ++j) {
    matrix<double> a = x, b = x;
    const double h = 1e-6;
    a(0, j) += h;
    b(0, j) -= h;
    J.col(j) = ((l.forward(a, c).value - l.forward(b, c).value) / (2 * h)).transpose();
  }
  return J;
}

std::vector<hf::made_config> made_variants() {
  return {hf::made_config{.hidden = 12, .n_layers = 2},
          hf::made_config{.hidden = 10, .n_layers = 1, .degrees = hf::made_degrees::nflows},
          hf::made_config{.hidden = 8, .n_layers = 2, .residual = true, .degrees = hf::made_degrees::nflows,
                          .context = hf::made_context::separate},
          hf::made_config{.hidden = 9, .n_layers = 1, .residual = true, .block_context = false}};
}
}  // namespace

TEST_CASE("made: the conditioner of feature d depends on x_<d only; degree-by-degree forward agrees") {
  hepad::rng g(1);
  for (const auto& cfg : made_variants()) {
    const hepad::index_t D = 4, C = 2, m = 3, n = 5;
    hf::made<double> net(D, C, m, cfg);
    net.reset_parameters(g);
    for (auto& p : net.parameters())
      for (hepad::index_t i = 0; i < p.value.size(); ++i) p.value.data()[i] += 0.2 * g.normal<double>();
    const matrix<double> x = randn(n, D, g), c = randn(n, C, g);
    std::vector<matrix<double>> act(static_cast<std::size_t>(net.n_buffers()), matrix<double>(n, net.hidden()));
    std::vector<double*> ptr;
    for (auto& a : act) ptr.push_back(a.data());
    std::vector<double> packed(static_cast<std::size_t>(net.packed_size()));
    net.pack(packed.data());
    auto run = [&](const matrix<double>& xx) {
      matrix<double> out(n, D * m);
      net.forward(n, xx.data(), c.data(), out.data(), ptr.data(), packed.data());
      return out;
    };
    const matrix<double> base = run(x);
    for (hepad::index_t j = 0; j < D; ++j) {
      matrix<double> x2 = x;
      x2.col(j).array() += 1.0;
      const matrix<double> out = run(x2);
      for (hepad::index_t d = 0; d < D; ++d) {
        const double diff = (out.middleCols(d * m, m) - base.middleCols(d * m, m)).cwiseAbs().maxCoeff();
        if (d <= j) CHECK(diff == 0.0);  // feature d may not see x_j for j >= d
      }
      // ... and feature D-1 sees every earlier input (non-degenerate net).
      if (j < D - 1) CHECK((out.middleCols((D - 1) * m, m) - base.middleCols((D - 1) * m, m)).cwiseAbs().maxCoeff() > 0);
    }
    // The zero-based degrees make feature 0 depend on the context; nflows' do not.
    matrix<double> out_c(n, D * m);
    const matrix<double> c2 = c.array() + 1.0;
    net.forward(n, x.data(), c2.data(), out_c.data(), ptr.data(), packed.data());
    const double dc0 = (out_c.leftCols(m) - base.leftCols(m)).cwiseAbs().maxCoeff();
    if (cfg.degrees == hf::made_degrees::zero_based) CHECK(dc0 > 0); else CHECK(dc0 == 0.0);
    // Degree by degree, filling x column by column.
    matrix<double> xi = matrix<double>::Zero(n, D), oi(n, D * m);
    for (int d = 0; d < D; ++d) {
      net.forward_degree(d, n, xi.data(), c.data(), oi.data(), ptr.data(), packed.data());
      CHECK((oi.middleCols(d * m, m) - base.middleCols(d * m, m)).cwiseAbs().maxCoeff() < 1e-12);
      xi.col(d) = x.col(d);
    }
  }
}

TEST_CASE("made: parameter count and initialisation follow nflows and torch conventions") {
  // S0 Generate flow: D = 5, C = 2, H = 128, 2 residual blocks, affine (2 outputs per feature):
  // 69,258 parameters per MADE (277k for 4 layers, as quoted in the spec).
  const hf::made_config s0{.hidden = 128, .n_layers = 2, .residual = true, .degrees = hf::made_degrees::nflows,
                           .context = hf::made_context::separate};
  hf::made<float> net(5, 2, 2, s0);
  CHECK(net.n_parameter_values() == 69258);
  const auto& deg = net.hidden_degree_list();
  CHECK(deg.front() == 1);
  CHECK(deg.back() == 4);
  CHECK(std::count(deg.begin(), deg.end(), 1) == 32);
  // Peer MADE: D = 4 plus 1 context column -> 64 -> 64 -> 8; degrees k mod 4.
  hf::made<float> peer(4, 1, 2, hf::made_config{});
  CHECK(peer.n_parameter_values() == (5 * 64 + 64) + (64 * 64 + 64) + (64 * 8 + 8));
  hepad::rng g(3);
  peer.reset_parameters(g);
  const auto& w = peer.parameters()[0].value;  // input.weight, 64 x 4, bound 1/sqrt(5)
  CHECK(w.cwiseAbs().maxCoeff() <= 1 / std::sqrt(5.0f));
  CHECK(w.cwiseAbs().maxCoeff() > 0.8f / std::sqrt(5.0f));
  CHECK(w.row(0).cwiseAbs().maxCoeff() == 0.0f);  // degree-0 unit: sees no input
  // Residual: second layers of each block start in +-1e-3.
  net.reset_parameters(g);
  for (const auto& p : net.parameters())
    if (p.name.find("linear1") != std::string::npos) CHECK(p.value.cwiseAbs().maxCoeff() <= 1e-3f);
}

TEST_CASE("autoregressive layers: inverse(forward(x)) == x and log-det matches the Jacobian") {
  hepad::rng g(2);
  const hepad::index_t D = 3, C = 2, n = 6;
  for (const auto& cfg : made_variants()) {
    auto check = [&](auto layer) {
      layer.reset_parameters(g);
      jitter(layer, g);
      const matrix<double> x = randn(n, D, g, 1.5), c = randn(n, C, g);
      const auto f = layer.forward(x, c);
      const auto b = layer.inverse(f.value, c);
      CHECK((b.value - x).cwiseAbs().maxCoeff() < 1e-9);
      CHECK((b.log_det + f.log_det).cwiseAbs().maxCoeff() < 1e-9);
      for (hepad::index_t i = 0; i < n; ++i) {
        const matrix<double> J = jacobian(layer, x.row(i), c.row(i));
        CHECK(std::abs(std::log(std::abs(J.determinant())) - f.log_det(i)) < 1e-6);
        // Autoregressive: the Jacobian is lower triangular.
        CHECK(J.triangularView<Eigen::StrictlyUpper>().toDenseMatrix().cwiseAbs().maxCoeff() == 0.0);
      }
    };
    check(hf::maf_layer<double>(D, C, cfg));
    check(hf::maf_layer<double>(D, C, cfg, hf::affine_transformer<double>{{.kind = hf::affine_kind::softplus_scale}}));
    check(hf::rq_autoregressive<double>(D, C, cfg,
                                        hf::spline_transformer<double>{{.n_bins = 5, .tail_bound = 2.0}, 0.5}));
  }
}

TEST_CASE("autoregressive layers: tape gradients match finite differences (inputs, context, parameters)") {
  hepad::rng g(4);
  const hepad::index_t D = 3, C = 2, n = 4;
  for (const auto& cfg : made_variants()) {
    auto check = [&](auto layer) {
      layer.reset_parameters(g);
      jitter(layer, g);
      const matrix<double> x = randn(n, D, g, 1.2), c = randn(n, C, g);
      // u and log-det together: the projection covers both outputs.
      auto f = [&](ad::tape<double>& t, std::span<const ad::node<double>> in) {
        const auto r = layer.forward(t, in[0], in[1], true);
        return ad::add(ad::sum(r.value, 1), r.log_det);  // n x 1: sum_d u_d + log-det
      };
      const auto rin = ad::gradcheck(f, {x, c});
      INFO(rin.message());
      CHECK(rin.ok);
      // Value only and log-det only (the two-output rule).
      auto fu = [&](ad::tape<double>& t, std::span<const ad::node<double>> in) {
        return layer.forward(t, in[0], in[1], true).value;
      };
      auto fl = [&](ad::tape<double>& t, std::span<const ad::node<double>> in) {
        return layer.forward(t, in[0], in[1], true).log_det;
      };
      CHECK(ad::gradcheck(fu, {x, c}).ok);
      const auto rl = ad::gradcheck(fl, {x, c});
      INFO(rl.message());
      CHECK(rl.ok);
      std::vector<ad::parameter<double>*> ps = layer.parameters();
      auto fp = [&](ad::tape<double>& t) {
        const auto r = layer.forward(t, t.constant(x), t.constant(c), true);
        return ad::add(ad::sum(r.value, 1), r.log_det);
      };
      const auto rp = ad::gradcheck_parameters(fp, std::span<ad::parameter<double>* const>(ps.data(), ps.size()));
      INFO(rp.message());
      CHECK(rp.ok);
      // Frozen: no parameter gradients, input gradients unchanged.
      ad::tape<double> t;
      auto xn = t.variable(x);
      const auto r = layer.forward(t, xn, t.constant(c), false);
      t.backward(ad::sum(r.log_det));
      CHECK(t.n_parameters() == 0);
    };
    check(hf::maf_layer<double>(D, C, cfg));
    check(hf::maf_layer<double>(D, C, cfg, hf::affine_transformer<double>{{.kind = hf::affine_kind::softplus_scale}}));
    check(hf::rq_autoregressive<double>(D, C, cfg,
                                        hf::spline_transformer<double>{{.n_bins = 4, .tail_bound = 2.0}, 0.7}));
  }
}

TEST_CASE("permutation and stack: exact round trip, gradients through a composed flow") {
  hepad::rng g(5);
  const hepad::index_t D = 4, C = 1, n = 5;
  hf::stack<double> s;
  s.push_back(hf::maf_layer<double>(D, C, hf::made_config{.hidden = 8}));
  s.push_back(hf::permutation<double>::reverse(D, C));
  s.push_back(hf::rq_autoregressive<double>(D, C, hf::made_config{.hidden = 8},
                                            hf::spline_transformer<double>{{.n_bins = 4}}));
  s.push_back(hf::permutation<double>::random(D, g, C));
  s.push_back(hf::maf_layer<double>(D, C, hf::made_config{.hidden = 8, .residual = true}));
  s.reset_parameters(g);
  jitter(s, g, 0.2);
  const matrix<double> x = randn(n, D, g), c = randn(n, C, g);
  const auto f = s.forward(x, c);
  const auto b = s.inverse(f.value, c);
  CHECK((b.value - x).cwiseAbs().maxCoeff() < 1e-9);
  CHECK((b.log_det + f.log_det).cwiseAbs().maxCoeff() < 1e-9);
  for (hepad::index_t i = 0; i < n; ++i) {
    const matrix<double> J = jacobian(s, x.row(i), c.row(i));
    CHECK(std::abs(std::log(std::abs(J.determinant())) - f.log_det(i)) < 1e-6);
  }
  hf::flow<double> fl(s);
  auto lp = [&](ad::tape<double>& t, std::span<const ad::node<double>> in) { return fl.log_prob(t, in[0], in[1]); };
  const auto r = ad::gradcheck(lp, {x, c});
  INFO(r.message());
  CHECK(r.ok);
  // Tape and evaluation paths agree.
  ad::tape<double> t;
  const auto node = fl.log_prob(t, t.constant(x), t.constant(c));
  CHECK((vector<double>(node.value()) - fl.log_prob(x, c)).cwiseAbs().maxCoeff() < 1e-12);
  // A compile-time chain gives the same numbers as the stack.
  auto* l0 = s[0].target<hf::maf_layer<double>>();
  REQUIRE(l0 != nullptr);
  hf::chain<hf::maf_layer<double>, hf::permutation<double>> ch(*l0, hf::permutation<double>::reverse(D, C));
  const auto fc = ch.forward(x, c);
  const auto f2 = s[1].forward(s[0].forward(x, c).value, c);
  CHECK((fc.value - f2.value).cwiseAbs().maxCoeff() == 0.0);
  CHECK((ch.inverse(fc.value, c).value - x).cwiseAbs().maxCoeff() < 1e-10);
}

namespace {
// Round trip, log-det against the finite-difference Jacobian, gradients (inputs and parameters).
template <class L>
void check_layer(L layer, hepad::rng& g, hepad::index_t D, hepad::index_t C, bool training_mode = true) {
  const hepad::index_t n = 5;
  const matrix<double> x = randn(n, D, g, 1.3), c = randn(n, C, g);
  const auto f = layer.forward(x, c);
  const auto b = layer.inverse(f.value, c);
  CHECK((b.value - x).cwiseAbs().maxCoeff() < 1e-9);
  CHECK((b.log_det + f.log_det).cwiseAbs().maxCoeff() < 1e-9);
  for (hepad::index_t i = 0; i < n; ++i) {
    const matrix<double> J = jacobian(layer, x.row(i), c.row(i));
    CHECK(std::abs(std::log(std::abs(J.determinant())) - f.log_det(i)) < 1e-6);
  }
  ad::gradcheck_options opt;
  opt.training = training_mode;
  auto fx = [&](ad::tape<double>& t, std::span<const ad::node<double>> in) {
    const auto r = layer.forward(t, in[0], in[1], true);
    return ad::add(ad::sum(ad::mul(r.value, r.value), 1), r.log_det);
  };
  const auto rx = ad::gradcheck(fx, {x, c}, opt);
  INFO(rx.message());
  CHECK(rx.ok);
  std::vector<ad::parameter<double>*> ps = layer.parameters();
  auto fp = [&](ad::tape<double>& t) {
    const auto r = layer.forward(t, t.constant(x), t.constant(c), true);
    return ad::add(ad::sum(ad::mul(r.value, r.value), 1), r.log_det);
  };
  const auto rp = ad::gradcheck_parameters(fp, std::span<ad::parameter<double>* const>(ps.data(), ps.size()), opt);
  INFO(rp.message());
  CHECK(rp.ok);
}
}  // namespace

TEST_CASE("coupling, LU-linear, ActNorm and batch-norm layers: round trip, log-det, gradients") {
  hepad::rng g(6);
  const hepad::index_t D = 4, C = 2;
  for (const auto& cfg : made_variants()) {
    for (bool even : {true, false}) {
      hf::affine_coupling<double> a(D, C, hf::coupling_mask::alternating(D, even), cfg);
      a.reset_parameters(g);
      jitter(a, g);
      check_layer(a, g, D, C);
      hf::rq_coupling<double> s(D, C, hf::coupling_mask::half(D, even), cfg,
                                hf::spline_transformer<double>{{.n_bins = 5, .tail_bound = 2.5}, 0.4});
      s.reset_parameters(g);
      jitter(s, g);
      check_layer(s, g, D, C);
    }
  }
  hf::lu_linear<double> lu(D, C);
  lu.reset_parameters(g);
  CHECK((lu.weight() - matrix<double>::Identity(D, D)).cwiseAbs().maxCoeff() < 1e-12);
  jitter(lu, g);
  check_layer(lu, g, D, C);
  hf::actnorm<double> an(D, C);
  an.reset_parameters(g);
  const matrix<double> data = (randn(200, D, g).array() * 3.0 + 1.0).matrix();
  an.initialize(data, matrix<double>(200, 0));
  const matrix<double> z = an.forward(data).value;
  CHECK(z.colwise().mean().cwiseAbs().maxCoeff() < 1e-10);
  CHECK(std::abs((z.rowwise() - z.colwise().mean()).array().square().colwise().sum().maxCoeff() / 199.0 - 1.0) < 1e-4);
  jitter(an, g);
  check_layer(an, g, D, C);
  hf::batch_norm<double> bn(D, C);
  bn.reset_parameters(g);
  jitter(bn, g);
  check_layer(bn, g, D, C, true);   // batch statistics, gradients through them
  check_layer(bn, g, D, C, false);  // running statistics
  // Training mode moves the running statistics towards the batch's (momentum 0.1).
  ad::tape<double> t;
  const matrix<double> xb = (randn(50, D, g).array() * 2.0 + 3.0).matrix();
  bn.forward(t, t.constant(xb), t.constant(matrix<double>(50, C)), true);
  const Eigen::RowVectorXd mb = xb.colwise().mean();
  CHECK((*bn.buffers()[0] - 0.1 * mb).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("spline layers with many bins (3K - 1 > 2K parameters per feature) run forward and backward") {
  hepad::rng g(8);
  const hepad::index_t D = 3, C = 1, n = 7;
  const hf::spline_transformer<double> tau{{.n_bins = 120, .tail_bound = 2.0}, 0.3};
  hf::rq_autoregressive<double> ar(D, C, hf::made_config{.hidden = 6}, tau);
  hf::rq_coupling<double> cp(D, C, hf::coupling_mask::alternating(D, true), hf::made_config{.hidden = 6}, tau);
  ar.reset_parameters(g);
  cp.reset_parameters(g);
  const matrix<double> x = randn(n, D, g), c = randn(n, C, g);
  auto run = [&](auto& layer) {
    const auto f = layer.forward(x, c);
    CHECK((layer.inverse(f.value, c).value - x).cwiseAbs().maxCoeff() < 1e-8);
    ad::tape<double> t;
    auto xn = t.variable(x);
    const auto r = layer.forward(t, xn, t.constant(c), true);
    t.backward(ad::sum(ad::add(ad::sum(r.value, 1), r.log_det)));
    CHECK(xn.grad().allFinite());
  };
  run(ar);
  run(cp);
}
