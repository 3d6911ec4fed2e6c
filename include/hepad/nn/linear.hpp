// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/linear.hpp
/// @brief Dense layers: `nn::linear<S>` (y = f(x W + b), one fused tape node) and
/// `nn::masked_linear<S>` (the weight multiplied by a constant 0/1 mask on every forward, as in
/// MADE). Weights are stored `in x out`; initialisation follows torch's `nn.Linear` by default.
#ifndef HEPAD_NN_LINEAR_HPP
#define HEPAD_NN_LINEAR_HPP

#include <hepad/autodiff/activation.hpp>
#include <hepad/autodiff/ops/arithmetic.hpp>
#include <hepad/autodiff/ops/matmul.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/detail/str.hpp>
#include <hepad/core/random.hpp>
#include <hepad/nn/init.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hepad::nn {

using autodiff::activation;

/// Options of a dense layer.
struct linear_options {
  bool bias = true;                             ///< add a bias row
  activation act = activation::identity;        ///< activation fused into the layer
  double slope = 0.01;                          ///< negative slope for leaky_relu
  initializer init = initializer::torch_default;  ///< weight (and bias) initialisation
};

/// Dense layer y = f(x W + b) for x (events x in). Records one fused node per forward.
/// @tparam S float (default) or double.
template <class S = float>
class linear {
 public:
  using scalar_type = S;

  linear() = default;
  /// @param in input features; @param out output features (both >= 1); @param r generator for
  /// the initial weights. @throws invalid_argument for non-positive sizes.
  linear(index_t in, index_t out, rng& r, linear_options opt = {})
      : opt_(opt), w_("weight", in, out), b_("bias", opt.bias ? 1 : 0, out) {
    check_positive("nn::linear", "in", in);
    check_positive("nn::linear", "out", out);
    init_weight(w_.value, opt.init, r);
    if (opt.bias) init_bias(b_.value, in, opt.init, r);
  }

  /// Records f(x W + b). @throws invalid_argument if x does not have `in_features()` columns.
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x) {
    if (x.cols() != w_.rows())
      throw_invalid_argument("nn::linear::forward",
                             hepad::detail::concat("input must have ", w_.rows(), " columns, got ", x.cols()));
    return autodiff::linear(x, t.parameter(w_), opt_.bias ? t.parameter(b_) : autodiff::node<S>{},
                            opt_.act, static_cast<S>(opt_.slope));
  }
  /// Weight, then bias (if any).
  std::vector<autodiff::parameter<S>*> parameters() {
    if (opt_.bias) return {&w_, &b_};
    return {&w_};
  }
  /// "linear(in, out[, activation][, nobias])".
  [[nodiscard]] std::string architecture() const {
    std::string s = hepad::detail::concat("linear(", w_.rows(), ", ", w_.cols());
    if (opt_.act != activation::identity) s += hepad::detail::concat(", ", autodiff::to_string(opt_.act));
    if (!opt_.bias) s += ", nobias";
    return s + ")";
  }
  /// Prefixes the parameter names ("<prefix>weight", "<prefix>bias").
  void set_name_prefix(std::string_view prefix) {
    w_.name = hepad::detail::concat(prefix, "weight");
    b_.name = hepad::detail::concat(prefix, "bias");
  }

  [[nodiscard]] index_t in_features() const noexcept { return w_.rows(); }
  [[nodiscard]] index_t out_features() const noexcept { return w_.cols(); }
  [[nodiscard]] const linear_options& options() const noexcept { return opt_; }
  autodiff::parameter<S>& weight() noexcept { return w_; }
  autodiff::parameter<S>& bias() noexcept { return b_; }
  const autodiff::parameter<S>& weight() const noexcept { return w_; }
  const autodiff::parameter<S>& bias() const noexcept { return b_; }

 private:
  linear_options opt_{};
  autodiff::parameter<S> w_, b_;
};

/// Dense layer whose weight is multiplied elementwise by a constant mask on every forward:
/// y = f(x (W .* M) + b). With 0/1 masks this is MADE's autoregressive layer. The gradient of
/// masked-out weights is zero, so they stay at their initial value.
template <class S = float>
class masked_linear {
 public:
  using scalar_type = S;

  masked_linear() = default;
  /// @param mask `in x out` matrix (usually 0/1). @throws invalid_argument for an empty mask.
  masked_linear(matrix<S> mask, rng& r, linear_options opt = {})
      : inner_(mask.rows() > 0 ? mask.rows() : 1, mask.cols() > 0 ? mask.cols() : 1, r, opt),
        mask_(std::move(mask)) {
    check_positive("nn::masked_linear", "mask rows", mask_.rows());
    check_positive("nn::masked_linear", "mask cols", mask_.cols());
  }

  /// Records f(x (W .* M) + b).
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x) {
    if (x.cols() != mask_.rows())
      throw_invalid_argument("nn::masked_linear::forward",
                             hepad::detail::concat("input must have ", mask_.rows(), " columns, got ", x.cols()));
    auto w = autodiff::mul(t.parameter(inner_.weight()), t.view(mask_.data(), mask_.rows(), mask_.cols()));
    return autodiff::linear(x, w, inner_.options().bias ? t.parameter(inner_.bias()) : autodiff::node<S>{},
                            inner_.options().act, static_cast<S>(inner_.options().slope));
  }
  std::vector<autodiff::parameter<S>*> parameters() { return inner_.parameters(); }
  [[nodiscard]] std::string architecture() const { return "masked_" + inner_.architecture(); }
  void set_name_prefix(std::string_view prefix) { inner_.set_name_prefix(prefix); }
  [[nodiscard]] const matrix<S>& mask() const noexcept { return mask_; }
  [[nodiscard]] index_t in_features() const noexcept { return mask_.rows(); }
  [[nodiscard]] index_t out_features() const noexcept { return mask_.cols(); }
  autodiff::parameter<S>& weight() noexcept { return inner_.weight(); }
  autodiff::parameter<S>& bias() noexcept { return inner_.bias(); }

 private:
  linear<S> inner_;
  matrix<S> mask_;
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_LINEAR_HPP
