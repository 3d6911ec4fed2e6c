// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/init.hpp
/// @brief Weight initialisers: torch's default for `nn.Linear`, Kaiming (He) and Xavier (Glorot),
/// uniform and normal, and zeros (e.g. for the last layer of a residual branch or a flow's
/// conditioner, so that it starts as the identity). Weights are stored `fan_in x fan_out`.
#ifndef HEPAD_NN_INIT_HPP
#define HEPAD_NN_INIT_HPP

#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>

#include <cmath>
#include <string_view>

namespace hepad::nn {

/// Weight initialisation schemes.
enum class initializer : int {
  torch_default = 0,  ///< U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases (torch nn.Linear)
  kaiming_uniform,    ///< U(-b, b), b = sqrt(6 / fan_in) (ReLU gain sqrt(2))
  kaiming_normal,     ///< N(0, 2 / fan_in)
  xavier_uniform,     ///< U(-b, b), b = sqrt(6 / (fan_in + fan_out))
  xavier_normal,      ///< N(0, 2 / (fan_in + fan_out))
  zeros               ///< all zero
};

/// Name of an initialiser.
inline constexpr std::string_view to_string(initializer i) noexcept {
  switch (i) {
    case initializer::torch_default: return "torch_default";
    case initializer::kaiming_uniform: return "kaiming_uniform";
    case initializer::kaiming_normal: return "kaiming_normal";
    case initializer::xavier_uniform: return "xavier_uniform";
    case initializer::xavier_normal: return "xavier_normal";
    case initializer::zeros: return "zeros";
  }
  return "unknown";
}

/// Fills a `fan_in x fan_out` weight matrix. Draws row-major, so a seed gives the same weights
/// everywhere.
template <class S>
inline void init_weight(matrix<S>& w, initializer scheme, rng& r) {
  const double fan_in = static_cast<double>(w.rows()), fan_out = static_cast<double>(w.cols());
  const auto fill_uniform = [&](double b) {
    for (index_t k = 0; k < w.size(); ++k) w.data()[k] = static_cast<S>(r.uniform(-b, b));
  };
  const auto fill_normal = [&](double sd) {
    for (index_t k = 0; k < w.size(); ++k) w.data()[k] = static_cast<S>(sd * r.normal());
  };
  switch (scheme) {
    case initializer::torch_default: fill_uniform(fan_in > 0 ? 1.0 / std::sqrt(fan_in) : 0.0); break;
    case initializer::kaiming_uniform: fill_uniform(fan_in > 0 ? std::sqrt(6.0 / fan_in) : 0.0); break;
    case initializer::kaiming_normal: fill_normal(fan_in > 0 ? std::sqrt(2.0 / fan_in) : 0.0); break;
    case initializer::xavier_uniform: fill_uniform(std::sqrt(6.0 / (std::max)(1.0, fan_in + fan_out))); break;
    case initializer::xavier_normal: fill_normal(std::sqrt(2.0 / (std::max)(1.0, fan_in + fan_out))); break;
    case initializer::zeros: w.setZero(); break;
  }
}

/// Fills a bias row: torch's default draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)); every other scheme
/// starts biases at zero.
template <class S>
inline void init_bias(matrix<S>& b, index_t fan_in, initializer scheme, rng& r) {
  if (scheme == initializer::torch_default && fan_in > 0) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    for (index_t k = 0; k < b.size(); ++k) b.data()[k] = static_cast<S>(r.uniform(-bound, bound));
  } else {
    b.setZero();
  }
}

}  // namespace hepad::nn

#endif  // HEPAD_NN_INIT_HPP
