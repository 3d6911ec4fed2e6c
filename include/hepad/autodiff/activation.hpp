// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/activation.hpp
/// @brief `hepad::autodiff::activation` (a runtime choice of activation function, used by fused
/// layers and configs) and the scalar formulas of each activation and its derivative.
#ifndef HEPAD_AUTODIFF_ACTIVATION_HPP
#define HEPAD_AUTODIFF_ACTIVATION_HPP

#include <hepad/core/error.hpp>

#include <cmath>
#include <numbers>
#include <string>
#include <string_view>

namespace hepad::autodiff {

/// Activation functions that layers can fuse into their matrix product.
enum class activation : int {
  identity = 0,  ///< x
  relu,          ///< max(x, 0)
  leaky_relu,    ///< x for x > 0, slope x otherwise (slope 0.01 unless configured)
  tanh,          ///< tanh(x)
  sigmoid,       ///< 1 / (1 + e^-x)
  gelu,          ///< x Phi(x) (exact, erf form)
  silu,          ///< x sigmoid(x)
  elu,           ///< x for x > 0, e^x - 1 otherwise
  softplus       ///< log(1 + e^x)
};

/// Name of an activation ("relu", ...).
inline constexpr std::string_view to_string(activation a) noexcept {
  switch (a) {
    case activation::identity: return "identity";
    case activation::relu: return "relu";
    case activation::leaky_relu: return "leaky_relu";
    case activation::tanh: return "tanh";
    case activation::sigmoid: return "sigmoid";
    case activation::gelu: return "gelu";
    case activation::silu: return "silu";
    case activation::elu: return "elu";
    case activation::softplus: return "softplus";
  }
  return "unknown";
}

/// Parses an activation name. @throws invalid_argument listing the valid names.
inline activation activation_from_string(std::string_view s) {
  for (int i = 0; i <= static_cast<int>(activation::softplus); ++i)
    if (to_string(static_cast<activation>(i)) == s) return static_cast<activation>(i);
  throw_invalid_argument("autodiff::activation_from_string",
                         hepad::detail::concat("unknown activation '", s,
                                               "' (valid: identity, relu, leaky_relu, tanh, "
                                               "sigmoid, gelu, silu, elu, softplus)"));
}

/// Scalar formulas of the activations and their derivatives.
template <class S>
struct activation_fn {
  /// Sigmoid without overflow for any x.
  static S sigmoid(S x) noexcept {
    if (x >= S(0)) return S(1) / (S(1) + std::exp(-x));
    const S e = std::exp(x);
    return e / (S(1) + e);
  }
  /// log(1 + e^x) without overflow.
  static S softplus(S x) noexcept { return (x > S(0) ? x : S(0)) + std::log1p(std::exp(-std::abs(x))); }
  static S gelu(S x) noexcept {
    return S(0.5) * x * (S(1) + std::erf(x * static_cast<S>(std::numbers::sqrt2 / 2)));
  }
  static S gelu_derivative(S x) noexcept {
    const S cdf = S(0.5) * (S(1) + std::erf(x * static_cast<S>(std::numbers::sqrt2 / 2)));
    const S pdf = std::exp(S(-0.5) * x * x) * static_cast<S>(0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2);
    return cdf + x * pdf;
  }
  /// f(x).
  static S apply(activation a, S x, S slope) noexcept {
    switch (a) {
      case activation::identity: return x;
      case activation::relu: return x > S(0) ? x : S(0);
      case activation::leaky_relu: return x > S(0) ? x : slope * x;
      case activation::tanh: return std::tanh(x);
      case activation::sigmoid: return sigmoid(x);
      case activation::gelu: return gelu(x);
      case activation::silu: return x * sigmoid(x);
      case activation::elu: return x > S(0) ? x : std::expm1(x);
      case activation::softplus: return softplus(x);
    }
    return x;
  }
  /// True if the derivative needs the pre-activation z (not only the output y).
  static constexpr bool needs_input(activation a) noexcept {
    return a == activation::gelu || a == activation::silu || a == activation::softplus;
  }
  /// f'(z), given z and y = f(z) (z may be unused when `needs_input` is false).
  static S derivative(activation a, S z, S y, S slope) noexcept {
    switch (a) {
      case activation::identity: return S(1);
      case activation::relu: return y > S(0) ? S(1) : S(0);
      case activation::leaky_relu: return y > S(0) ? S(1) : slope;
      case activation::tanh: return S(1) - y * y;
      case activation::sigmoid: return y * (S(1) - y);
      case activation::gelu: return gelu_derivative(z);
      case activation::silu: {
        const S s = sigmoid(z);
        return s * (S(1) + z * (S(1) - s));
      }
      case activation::elu: return y > S(0) ? S(1) : y + S(1);
      case activation::softplus: return sigmoid(z);
    }
    return S(1);
  }
};

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_ACTIVATION_HPP
