// SPDX-License-Identifier: BSL-1.0
// Optimizers against their update formulas (torch's), schedules against closed forms, gradient
// clipping, and optimizer state save/load.
#include <doctest/doctest.h>

#include <hepad/nn/optim/adam.hpp>
#include <hepad/nn/optim/clip.hpp>
#include <hepad/nn/optim/schedule.hpp>
#include <hepad/nn/optim/sgd.hpp>

#include <cmath>
#include <numbers>
#include <vector>

namespace ad = hepad::autodiff;
namespace nn = hepad::nn;
using md = hepad::matrix<double>;

TEST_CASE("Adam and AdamW follow the torch update formula") {
  for (bool decoupled : {false, true}) {
    ad::parameter<double> p("p", 1, 3);
    p.value << 1.0, -2.0, 0.5;
    std::vector<ad::parameter<double>*> ps = {&p};
    const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
    md x = p.value, m = md::Zero(1, 3), v = md::Zero(1, 3);
    auto run = [&](auto& st) {
      for (int t = 1; t <= 5; ++t) {
        p.grad << 0.3 * t, -0.1, 2.0 / t;  // gradients change every step
        md g = p.grad;
        if (!decoupled) g += wd * x;
        else x *= 1 - lr * wd;
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g.cwiseProduct(g);
        const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
        x.array() -= lr / bc1 * m.array() / (v.array().sqrt() / std::sqrt(bc2) + eps);
        st.step(lr);
        CHECK((p.value - x).cwiseAbs().maxCoeff() < 1e-14);
      }
    };
    if (decoupled) {
      nn::adamw::state<double> st(nn::adamw{.learning_rate = lr, .weight_decay = wd}, ps);
      run(st);
      CHECK(st.steps() == 5);
    } else {
      nn::adam::state<double> st(nn::adam{.learning_rate = lr, .weight_decay = wd}, ps);
      run(st);
      // save/load: a copy restored from the saved state continues identically.
      const auto bytes = st.save();
      ad::parameter<double> q = p;
      std::vector<ad::parameter<double>*> qs = {&q};
      nn::adam::state<double> st2(nn::adam{.learning_rate = lr, .weight_decay = wd}, qs);
      st2.load(bytes);
      p.grad << 1, 2, 3;
      q.grad = p.grad;
      st.step(lr);
      st2.step(lr);
      CHECK(p.value == q.value);
      CHECK_THROWS_AS(st2.load(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 10)), hepad::invalid_argument);
    }
  }
}

TEST_CASE("SGD with momentum and Nesterov follows the torch update formula") {
  for (bool nesterov : {false, true}) {
    ad::parameter<double> p("p", 2, 1);
    p.value << 1.0, 2.0;
    std::vector<ad::parameter<double>*> ps = {&p};
    const double lr = 0.1, mu = 0.9, wd = 0.01;
    nn::sgd::state<double> st(nn::sgd{.learning_rate = lr, .momentum = mu, .nesterov = nesterov, .weight_decay = wd}, ps);
    md x = p.value, buf = md::Zero(2, 1);
    for (int t = 0; t < 4; ++t) {
      p.grad << 0.5 - t, 1.0 + t;
      md g = p.grad + wd * x;
      buf = t == 0 ? g : md(mu * buf + g);
      g = nesterov ? md(g + mu * buf) : buf;
      x -= lr * g;
      st.step(lr);
      CHECK((p.value - x).cwiseAbs().maxCoeff() < 1e-14);
    }
  }
  std::vector<ad::parameter<double>*> none;
  CHECK_THROWS_AS(nn::sgd::state<double>(nn::sgd{.momentum = 0, .nesterov = true}, none), hepad::invalid_argument);
}

TEST_CASE("learning-rate schedules") {
  const nn::schedule_position at_e3{3, 5, 10};  // epoch 3, step 5 of 10 -> global step 35
  nn::cosine_schedule ce{.t_max = 10, .eta_min = 0.001, .unit = nn::schedule_unit::epoch};
  CHECK(ce.learning_rate({}, 0.1, at_e3) == doctest::Approx(0.001 + 0.099 * 0.5 * (1 + std::cos(std::numbers::pi * 3 / 10))));
  nn::cosine_schedule cs{.t_max = 100, .unit = nn::schedule_unit::step};
  CHECK(cs.learning_rate({}, 0.1, at_e3) == doctest::Approx(0.05 * (1 + std::cos(std::numbers::pi * 35 / 100))));
  CHECK(cs.learning_rate({}, 0.1, {20, 0, 10}) == doctest::Approx(0.0));  // clamped after t_max
  nn::linear_decay ld{.total = 70, .end_factor = 0.1, .unit = nn::schedule_unit::step};
  CHECK(ld.learning_rate({}, 1.0, at_e3) == doctest::Approx(1 - 0.9 * 0.5));
  nn::reduce_on_plateau rp{.factor = 0.5, .patience = 2, .threshold = 0.0};
  nn::reduce_on_plateau::state s;
  const double losses[] = {1.0, 0.9, 0.95, 0.92, 0.91, 0.89, 0.9, 0.9, 0.9};
  std::vector<double> lrs;
  for (double l : losses) {
    rp.observe(s, l);
    lrs.push_back(rp.learning_rate(s, 1.0, {}));
  }
  // Best 0.9 at epoch 1; three epochs without improvement (> patience 2) halve the rate at epoch 4;
  // 0.89 improves; three more bad epochs halve again at epoch 8.
  CHECK(lrs == std::vector<double>{1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25});
}

TEST_CASE("clip_grad_norm rescales the global norm") {
  ad::parameter<double> a("a", 1, 2), b("b", 2, 1);
  a.grad << 3, 0;
  b.grad << 0, 4;  // global norm 5
  std::vector<ad::parameter<double>*> ps = {&a, &b};
  const double norm = nn::clip_grad_norm(std::span<ad::parameter<double>* const>(ps.data(), 2), 1.0);
  CHECK(norm == doctest::Approx(5.0));
  CHECK(std::hypot(a.grad(0, 0), b.grad(1, 0)) == doctest::Approx(1.0).epsilon(1e-6));
  const double n2 = nn::clip_grad_norm(std::span<ad::parameter<double>* const>(ps.data(), 2), 10.0);
  CHECK(n2 == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(a.grad(0, 0) == doctest::Approx(0.6).epsilon(1e-6));  // unchanged below the limit
}
