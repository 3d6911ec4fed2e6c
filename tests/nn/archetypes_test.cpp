// SPDX-License-Identifier: BSL-1.0
// Archetypes of the module, objective/loss, optimizer and callback concepts: the smallest types
// that model them. The trainer, serialization and the clipping utility are instantiated on them,
// which shows that they use only what the concepts promise.
#include <doctest/doctest.h>

#include <hepad/autodiff/ops/arithmetic.hpp>
#include <hepad/autodiff/ops/matmul.hpp>
#include <hepad/autodiff/ops/reduce.hpp>
#include <hepad/core/concepts.hpp>
#include <hepad/nn/batch.hpp>
#include <hepad/nn/losses/bce.hpp>
#include <hepad/nn/optim/sgd.hpp>
#include <hepad/nn/serialize.hpp>
#include <hepad/nn/trainer.hpp>

#include <cstdint>
#include <filesystem>
#include <vector>

namespace ad = hepad::autodiff;
namespace nn = hepad::nn;

namespace archetype {

/// module: scalar_type, forward(tape, node), parameters(); nothing else.
struct module {
  using scalar_type = double;
  ad::parameter<double> w{"w", 2, 1};
  ad::node<double> forward(ad::tape<double>& t, ad::node<double> x) { return ad::matmul(x, t.parameter(w)); }
  std::vector<ad::parameter<double>*> parameters() { return {&w}; }
  module() = default;
  module(const module&) = delete;  // algorithms must not copy modules
};

/// objective: obj(tape, model, batch) -> 1 x 1 node (mean over the batch's events).
struct objective {
  ad::node<double> operator()(ad::tape<double>& t, module& m, const nn::batch<double>& b) const {
    auto d = ad::sub(m.forward(t, b.features(t)), b.targets(t));
    return ad::mean(ad::mul(d, d));
  }
};

/// loss: loss(prediction, batch) -> node.
struct loss {
  ad::node<double> operator()(ad::node<double> p, const nn::batch<double>& b) const {
    auto& t = p.owner();
    auto d = ad::sub(p, b.targets(t));
    return ad::mean(ad::mul(d, d));
  }
};

/// gradient_optimizer: learning_rate, name, state<S>(cfg, params) with step/save/load.
struct optimizer {
  double learning_rate = 0.1;
  static constexpr std::string_view name = "archetype_optimizer";
  template <class S>
  struct state {
    std::vector<ad::parameter<S>*> ps;
    state(const optimizer&, std::vector<ad::parameter<S>*> p) : ps(std::move(p)) {}
    void step(double lr) {
      for (auto* p : ps) p->value -= static_cast<S>(lr) * p->grad;
    }
    std::vector<std::uint8_t> save() const { return {}; }
    void load(const std::vector<std::uint8_t>&) {}
  };
};

/// callback: any subset of the hooks.
struct callback {
  int epochs = 0;
  void on_epoch_end(const nn::epoch_info&) { ++epochs; }
};

}  // namespace archetype

static_assert(hepad::module<archetype::module>);
static_assert(!hepad::module_with_buffers<archetype::module>);
static_assert(!hepad::described_module<archetype::module>);
static_assert(hepad::training_objective<archetype::objective, archetype::module>);
static_assert(hepad::loss<archetype::loss, double>);
static_assert(hepad::gradient_optimizer<archetype::optimizer, double>);
static_assert(hepad::gradient_optimizer<nn::adam, float>);
static_assert(hepad::gradient_optimizer<nn::adamw, double>);
static_assert(hepad::gradient_optimizer<nn::sgd, float>);
static_assert(hepad::callback<archetype::callback, nn::epoch_info>);
static_assert(hepad::loss<nn::bce_loss, float>);

TEST_CASE("the trainer and serialization run on the archetypes") {
  hepad::matrix<double> x(40, 2), y(40, 1);
  hepad::rng g(1);
  for (hepad::index_t i = 0; i < 40; ++i) {
    x(i, 0) = g.normal();
    x(i, 1) = g.normal();
    y(i, 0) = 2 * x(i, 0) - x(i, 1);  // exact linear target
  }
  for (int variant = 0; variant < 2; ++variant) {
    archetype::module m;
    archetype::callback cb;
    nn::trainer<archetype::optimizer> tr{.epochs = 60, .batch_size = 40, .chunks = 2, .progress = false};
    hepad::rng r(2);
    const auto h = variant == 0 ? tr.fit(m, archetype::objective{}, nn::make_data(x, y), r, cb)
                                : tr.fit(m, archetype::loss{}, nn::make_data(x, y), r, cb);
    CHECK(cb.epochs == 60);
    CHECK(h.train_loss.back() < 1e-6);
    CHECK(m.w.value(0, 0) == doctest::Approx(2.0).epsilon(1e-3));
    CHECK(m.w.value(1, 0) == doctest::Approx(-1.0).epsilon(1e-3));
  }
  archetype::module a, b;
  a.w.value << 1.5, -2.5;
  const auto path = std::filesystem::temp_directory_path() / "hepad_archetype_module.bin";
  nn::save(a, path);
  nn::load(b, path);
  CHECK(b.w.value == a.w.value);
  std::filesystem::remove(path);
}
