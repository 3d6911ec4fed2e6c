// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/optim/sgd.hpp
/// @brief Stochastic gradient descent with momentum (optionally Nesterov) and L2 weight decay,
/// updating exactly as torch.optim.SGD: g += wd p; b = mu b + (1 - dampening) g (b = g at the
/// first step); g = g + mu b (Nesterov) or b; p -= lr g.
#ifndef HEPAD_NN_OPTIM_SGD_HPP
#define HEPAD_NN_OPTIM_SGD_HPP

#include <hepad/autodiff/parameter.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/nn/detail/bytes.hpp>

#include <cstdint>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::nn {

/// SGD config.
struct sgd {
  double learning_rate = 1e-2;
  double momentum = 0.0;
  double dampening = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;
  static constexpr std::string_view name = "sgd";
  static constexpr auto fields() {
    return std::tuple{config::field{"learning_rate", &sgd::learning_rate}, config::field{"momentum", &sgd::momentum},
                      config::field{"dampening", &sgd::dampening}, config::field{"nesterov", &sgd::nesterov},
                      config::field{"weight_decay", &sgd::weight_decay}};
  }

  template <class S>
  class state;
};

/// Momentum buffers of `sgd`.
template <class S>
class sgd::state {
 public:
  state(const sgd& cfg, std::vector<autodiff::parameter<S>*> params) : cfg_(cfg), params_(std::move(params)) {
    check_nonnegative("nn::sgd", "momentum", cfg.momentum);
    check_nonnegative("nn::sgd", "weight_decay", cfg.weight_decay);
    if (cfg.nesterov && (cfg.momentum <= 0 || cfg.dampening != 0))
      throw_invalid_argument("nn::sgd", "nesterov needs momentum > 0 and dampening = 0");
    for (auto* p : params_) {
      buf_.push_back(matrix<S>::Zero(p->rows(), p->cols()));
      tmp_.push_back(matrix<S>::Zero(p->rows(), p->cols()));
    }
  }
  void step(double lr) {
    begin_step();
    step_range(lr, 0, params_.size());
  }
  /// Parallel form of `step` (see adam): `begin_step()` once, then disjoint `step_range`s.
  void begin_step() noexcept { ++t_; }
  void step_range(double lr, std::size_t k0, std::size_t k1) {
    const S mu = static_cast<S>(cfg_.momentum), wd = static_cast<S>(cfg_.weight_decay);
    const S damp = static_cast<S>(1.0 - cfg_.dampening), l = static_cast<S>(lr);
    for (std::size_t k = k0; k < k1; ++k) {
      auto& p = *params_[k];
      matrix<S>& g = tmp_[k];
      g = p.grad;
      if (cfg_.weight_decay != 0) g += wd * p.value;
      if (cfg_.momentum != 0) {
        if (t_ == 1) buf_[k] = g;
        else buf_[k] = mu * buf_[k] + damp * g;
        if (cfg_.nesterov) g += mu * buf_[k];
        else g = buf_[k];
      }
      p.value -= l * g;
    }
  }
  [[nodiscard]] std::int64_t steps() const noexcept { return t_; }
  [[nodiscard]] std::vector<std::uint8_t> save() const {
    detail::byte_writer w;
    w.put(t_);
    w.put(static_cast<std::uint64_t>(buf_.size()));
    for (const auto& b : buf_) w.put_matrix(b);
    return w.take();
  }
  void load(const std::vector<std::uint8_t>& bytes) {
    detail::byte_reader r(bytes, "nn::sgd::state::load");
    t_ = r.get<std::int64_t>();
    if (r.get<std::uint64_t>() != buf_.size()) r.fail("parameter count differs");
    for (auto& b : buf_) r.get_matrix_into(b, "momentum buffer");
  }

 private:
  sgd cfg_;
  std::vector<autodiff::parameter<S>*> params_;
  std::vector<matrix<S>> buf_, tmp_;
  std::int64_t t_ = 0;
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_OPTIM_SGD_HPP
