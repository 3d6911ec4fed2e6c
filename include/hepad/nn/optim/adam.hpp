// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/optim/adam.hpp
/// @brief The Adam and AdamW optimizers (Kingma & Ba 2015; Loshchilov & Hutter 2019), updating
/// exactly as torch.optim.Adam/AdamW: m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
/// p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps). `adam.weight_decay` adds wd*p to the
/// gradient (L2); `adamw.weight_decay` multiplies p by (1 - lr wd) first (decoupled).
#ifndef HEPAD_NN_OPTIM_ADAM_HPP
#define HEPAD_NN_OPTIM_ADAM_HPP

#include <hepad/autodiff/parameter.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/nn/detail/bytes.hpp>

#include <cmath>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::nn {

namespace detail {
/// Moments and step count shared by adam and adamw.
template <class S>
class adam_state {
 public:
  template <class Config>
  adam_state(const Config& cfg, std::vector<autodiff::parameter<S>*> params)
      : b1_(cfg.beta1), b2_(cfg.beta2), eps_(cfg.eps), wd_(cfg.weight_decay),
        decoupled_(Config::decoupled), params_(std::move(params)) {
    check_in_range(Config::name, "beta1", cfg.beta1, 0.0, 1.0);
    check_in_range(Config::name, "beta2", cfg.beta2, 0.0, 1.0);
    check_positive(Config::name, "eps", cfg.eps);
    check_nonnegative(Config::name, "weight_decay", cfg.weight_decay);
    for (auto* p : params_) {
      m_.push_back(matrix<S>::Zero(p->rows(), p->cols()));
      v_.push_back(matrix<S>::Zero(p->rows(), p->cols()));
    }
  }

  /// One update with learning rate `lr` from every parameter's `grad`.
  void step(double lr) {
    begin_step();
    step_range(lr, 0, params_.size());
  }
  /// Parallel form of `step`: `begin_step()` once, then `step_range` on disjoint ranges of
  /// parameters (possibly on different threads; each element's update is the same).
  void begin_step() noexcept { ++t_; }
  void step_range(double lr, std::size_t k0, std::size_t k1) {
    const double bc1 = 1.0 - std::pow(b1_, static_cast<double>(t_));
    const double bc2 = 1.0 - std::pow(b2_, static_cast<double>(t_));
    const S step_size = static_cast<S>(lr / bc1);
    const S bc2_sqrt = static_cast<S>(std::sqrt(bc2));
    const S b1 = static_cast<S>(b1_), b2 = static_cast<S>(b2_), eps = static_cast<S>(eps_);
    const S wd = static_cast<S>(wd_);
    for (std::size_t k = k0; k < k1; ++k) {
      auto& p = *params_[k];
      auto m = m_[k].array();
      auto v = v_[k].array();
      auto x = p.value.array();
      if (wd_ != 0.0 && !decoupled_) {
        const auto g = (p.grad.array() + wd * x).eval();
        m = b1 * m + (S(1) - b1) * g;
        v = b2 * v + (S(1) - b2) * g.square();
      } else {
        const auto g = p.grad.array();
        m = b1 * m + (S(1) - b1) * g;
        v = b2 * v + (S(1) - b2) * g.square();
      }
      if (wd_ != 0.0 && decoupled_) x *= S(1) - static_cast<S>(lr * wd_);
      x -= step_size * m / (v.sqrt() / bc2_sqrt + eps);
    }
  }
  /// Updates applied so far.
  [[nodiscard]] std::int64_t steps() const noexcept { return t_; }
  /// Moments and step count (for checkpoints).
  [[nodiscard]] std::vector<std::uint8_t> save() const {
    byte_writer w;
    w.put(t_);
    w.put(static_cast<std::uint64_t>(m_.size()));
    for (std::size_t k = 0; k < m_.size(); ++k) {
      w.put_matrix(m_[k]);
      w.put_matrix(v_[k]);
    }
    return w.take();
  }
  /// Restores what `save` wrote. @throws invalid_argument if it does not match the parameters.
  void load(const std::vector<std::uint8_t>& bytes) {
    byte_reader r(bytes, "nn::adam::state::load");
    t_ = r.get<std::int64_t>();
    if (r.get<std::uint64_t>() != m_.size()) r.fail("parameter count differs");
    for (std::size_t k = 0; k < m_.size(); ++k) {
      r.get_matrix_into(m_[k], "first moment");
      r.get_matrix_into(v_[k], "second moment");
    }
  }

 private:
  double b1_, b2_, eps_, wd_;
  bool decoupled_;
  std::vector<autodiff::parameter<S>*> params_;
  std::vector<matrix<S>> m_, v_;
  std::int64_t t_ = 0;
};
}  // namespace detail

/// Adam (L2 weight decay added to the gradient, as torch.optim.Adam).
struct adam {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  static constexpr bool decoupled = false;
  static constexpr std::string_view name = "adam";
  static constexpr auto fields() {
    return std::tuple{config::field{"learning_rate", &adam::learning_rate}, config::field{"beta1", &adam::beta1},
                      config::field{"beta2", &adam::beta2}, config::field{"eps", &adam::eps},
                      config::field{"weight_decay", &adam::weight_decay}};
  }
  template <class S>
  using state = detail::adam_state<S>;
};

/// AdamW (decoupled weight decay, as torch.optim.AdamW; default weight_decay 0.01).
struct adamw {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;
  static constexpr bool decoupled = true;
  static constexpr std::string_view name = "adamw";
  static constexpr auto fields() {
    return std::tuple{config::field{"learning_rate", &adamw::learning_rate}, config::field{"beta1", &adamw::beta1},
                      config::field{"beta2", &adamw::beta2}, config::field{"eps", &adamw::eps},
                      config::field{"weight_decay", &adamw::weight_decay}};
  }
  template <class S>
  using state = detail::adam_state<S>;
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_OPTIM_ADAM_HPP
