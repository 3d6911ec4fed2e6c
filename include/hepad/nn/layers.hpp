// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/layers.hpp
/// @brief Parameter-free layers as module policies: `nn::activation_layer<S>` (any activation;
/// aliases `nn::relu_layer`, `nn::tanh_layer`, ...) and `nn::dropout_layer<S>` (active in training
/// mode only).
#ifndef HEPAD_NN_LAYERS_HPP
#define HEPAD_NN_LAYERS_HPP

#include <hepad/autodiff/activation.hpp>
#include <hepad/autodiff/ops/dropout.hpp>
#include <hepad/autodiff/ops/elementwise.hpp>
#include <hepad/autodiff/tape.hpp>

#include <string>
#include <vector>

namespace hepad::nn {

/// y = f(x) for a runtime-chosen activation f.
template <class S = float>
struct activation_layer {
  using scalar_type = S;
  autodiff::activation act = autodiff::activation::relu;
  double slope = 0.01;  ///< leaky_relu slope
  autodiff::node<S> forward(autodiff::tape<S>&, autodiff::node<S> x) {
    return autodiff::activate(x, act, static_cast<S>(slope));
  }
  std::vector<autodiff::parameter<S>*> parameters() { return {}; }
  [[nodiscard]] std::string architecture() const { return std::string(autodiff::to_string(act)); }
};

/// Activation layers with a fixed function.
template <autodiff::activation A, class S = float>
struct fixed_activation {
  using scalar_type = S;
  autodiff::node<S> forward(autodiff::tape<S>&, autodiff::node<S> x) { return autodiff::activate(x, A); }
  std::vector<autodiff::parameter<S>*> parameters() { return {}; }
  [[nodiscard]] std::string architecture() const { return std::string(autodiff::to_string(A)); }
};
template <class S = float>
using relu_layer = fixed_activation<autodiff::activation::relu, S>;
template <class S = float>
using tanh_layer = fixed_activation<autodiff::activation::tanh, S>;
template <class S = float>
using sigmoid_layer = fixed_activation<autodiff::activation::sigmoid, S>;
template <class S = float>
using gelu_layer = fixed_activation<autodiff::activation::gelu, S>;
template <class S = float>
using silu_layer = fixed_activation<autodiff::activation::silu, S>;

/// Inverted dropout with probability p (training mode only; draws from the tape's generator).
template <class S = float>
struct dropout_layer {
  using scalar_type = S;
  double p = 0.1;
  autodiff::node<S> forward(autodiff::tape<S>&, autodiff::node<S> x) { return autodiff::dropout(x, p); }
  std::vector<autodiff::parameter<S>*> parameters() { return {}; }
  [[nodiscard]] std::string architecture() const { return hepad::detail::concat("dropout(", p, ")"); }
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_LAYERS_HPP
