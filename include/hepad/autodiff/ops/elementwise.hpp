// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/ops/elementwise.hpp
/// @brief Elementwise functions of a node: exp, log, log1p, softplus, tanh, sigmoid, relu,
/// leaky_relu, gelu, silu, elu, abs, pow, sqrt, square; plus `activate(x, activation)` that applies
/// a runtime-chosen activation. Each has an exact reverse pass (gradient-checked in the tests).
/// Not here: activations fused into matrix products (matmul.hpp `linear`).
#ifndef HEPAD_AUTODIFF_OPS_ELEMENTWISE_HPP
#define HEPAD_AUTODIFF_OPS_ELEMENTWISE_HPP

#include <hepad/autodiff/activation.hpp>
#include <hepad/autodiff/tape.hpp>

#include <cmath>
#include <numbers>

namespace hepad::autodiff {

namespace detail {
/// y = fwd(x) elementwise; dx += dy * deriv(x, y). `fwd` and `deriv` take Eigen arrays.
template <class S, class F, class D>
inline node<S> unary(std::string_view fn, node<S> x, F fwd, D deriv) {
  tape<S>& t = x.owner();
  t.check_owner(fn, x);
  node<S> out = t.make(x.rows(), x.cols(), x.requires_grad());
  out.mutable_value().array() = fwd(x.value().array());
  t.on_backward(out, [x, out, deriv] {
    accumulate_grad(x, out_grad(out).array() * deriv(x.value().array(), out.value().array()));
  });
  return out;
}
}  // namespace detail

/// exp(x).
template <class S>
inline node<S> exp(node<S> x) {
  return detail::unary("autodiff::exp", x, [](const auto& a) { return a.exp(); },
                       [](const auto&, const auto& y) { return y; });
}
/// Natural logarithm.
template <class S>
inline node<S> log(node<S> x) {
  return detail::unary("autodiff::log", x, [](const auto& a) { return a.log(); },
                       [](const auto& a, const auto&) { return a.inverse(); });
}
/// log(1 + x), accurate for small x.
template <class S>
inline node<S> log1p(node<S> x) {
  return detail::unary("autodiff::log1p", x, [](const auto& a) { return a.log1p(); },
                       [](const auto& a, const auto&) { return (a + S(1)).inverse(); });
}
/// softplus(x) = log(1 + e^x), computed without overflow.
template <class S>
inline node<S> softplus(node<S> x) {
  return detail::unary(
      "autodiff::softplus", x,
      [](const auto& a) { return a.unaryExpr([](S v) { return v > S(0) ? v : S(0); }) + (-a.abs()).exp().log1p(); },
      [](const auto& a, const auto&) { return a.unaryExpr([](S v) { return activation_fn<S>::sigmoid(v); }); });
}
/// tanh(x).
template <class S>
inline node<S> tanh(node<S> x) {
  return detail::unary("autodiff::tanh", x, [](const auto& a) { return a.tanh(); },
                       [](const auto&, const auto& y) { return S(1) - y.square(); });
}
/// The logistic sigmoid 1 / (1 + e^-x), computed without overflow.
template <class S>
inline node<S> sigmoid(node<S> x) {
  return detail::unary(
      "autodiff::sigmoid", x,
      [](const auto& a) { return a.unaryExpr([](S v) { return activation_fn<S>::sigmoid(v); }); },
      [](const auto&, const auto& y) { return y * (S(1) - y); });
}
/// max(x, 0); the derivative at 0 is taken as 0.
template <class S>
inline node<S> relu(node<S> x) {
  return detail::unary("autodiff::relu", x, [](const auto& a) { return a.unaryExpr([](S v) { return v > S(0) ? v : S(0); }); },
                       [](const auto& a, const auto&) { return (a > S(0)).template cast<S>(); });
}
/// x for x > 0, slope * x otherwise.
template <class S>
inline node<S> leaky_relu(node<S> x, S slope = S(0.01)) {
  return detail::unary(
      "autodiff::leaky_relu", x, [slope](const auto& a) { return (a > S(0)).select(a, slope * a); },
      [slope](const auto& a, const auto&) {
        return a.unaryExpr([slope](S v) { return v > S(0) ? S(1) : slope; });
      });
}
/// GELU, exact form x Phi(x) (as torch's default).
template <class S>
inline node<S> gelu(node<S> x) {
  return detail::unary(
      "autodiff::gelu", x,
      [](const auto& a) { return a.unaryExpr([](S v) { return activation_fn<S>::gelu(v); }); },
      [](const auto& a, const auto&) {
        return a.unaryExpr([](S v) { return activation_fn<S>::gelu_derivative(v); });
      });
}
/// SiLU (swish) x sigmoid(x).
template <class S>
inline node<S> silu(node<S> x) {
  return detail::unary(
      "autodiff::silu", x,
      [](const auto& a) { return a.unaryExpr([](S v) { return v * activation_fn<S>::sigmoid(v); }); },
      [](const auto& a, const auto&) {
        return a.unaryExpr([](S v) {
          const S s = activation_fn<S>::sigmoid(v);
          return s * (S(1) + v * (S(1) - s));
        });
      });
}
/// ELU: x for x > 0, alpha (e^x - 1) otherwise.
template <class S>
inline node<S> elu(node<S> x, S alpha = S(1)) {
  return detail::unary(
      "autodiff::elu", x,
      [alpha](const auto& a) { return a.unaryExpr([alpha](S v) { return v > S(0) ? v : alpha * std::expm1(v); }); },
      [alpha](const auto& a, const auto& y) {
        return a.binaryExpr(y, [alpha](S v, S w) { return v > S(0) ? S(1) : w + alpha; });
      });
}
/// |x|; the derivative at 0 is taken as 0.
template <class S>
inline node<S> abs(node<S> x) {
  return detail::unary("autodiff::abs", x, [](const auto& a) { return a.abs(); },
                       [](const auto& a, const auto&) { return a.sign(); });
}
/// x^p for a scalar exponent p.
template <class S>
inline node<S> pow(node<S> x, S p) {
  return detail::unary("autodiff::pow", x, [p](const auto& a) { return a.pow(p); },
                       [p](const auto& a, const auto&) { return p * a.pow(p - S(1)); });
}
/// sqrt(x).
template <class S>
inline node<S> sqrt(node<S> x) {
  return detail::unary("autodiff::sqrt", x, [](const auto& a) { return a.sqrt(); },
                       [](const auto&, const auto& y) { return S(0.5) * y.inverse(); });
}
/// x^2.
template <class S>
inline node<S> square(node<S> x) {
  return detail::unary("autodiff::square", x, [](const auto& a) { return a.square(); },
                       [](const auto& a, const auto&) { return S(2) * a; });
}

/// Applies a runtime-chosen activation (identity returns `x` itself).
template <class S>
inline node<S> activate(node<S> x, activation act, S slope = S(0.01)) {
  switch (act) {
    case activation::identity: return x;
    case activation::relu: return relu(x);
    case activation::leaky_relu: return leaky_relu(x, slope);
    case activation::tanh: return tanh(x);
    case activation::sigmoid: return sigmoid(x);
    case activation::gelu: return gelu(x);
    case activation::silu: return silu(x);
    case activation::elu: return elu(x, S(1));
    case activation::softplus: return softplus(x);
  }
  return x;
}

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_OPS_ELEMENTWISE_HPP
