// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/layer_norm.hpp
/// @brief `nn::layer_norm<S>`: per-event normalisation over the features with a learned gain
/// (initialised to 1) and bias (0), as torch.nn.LayerNorm.
#ifndef HEPAD_NN_LAYER_NORM_HPP
#define HEPAD_NN_LAYER_NORM_HPP

#include <hepad/autodiff/ops/normalization.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hepad::nn {

/// Layer normalisation of `dim` features.
template <class S = float>
class layer_norm {
 public:
  using scalar_type = S;
  layer_norm() = default;
  /// @param dim features; @param eps variance floor; @param affine learn gain and bias.
  explicit layer_norm(index_t dim, double eps = 1e-5, bool affine = true)
      : gamma_("gamma", 1, dim), beta_("beta", 1, dim), eps_(eps), affine_(affine) {
    check_positive("nn::layer_norm", "dim", dim);
    check_positive("nn::layer_norm", "eps", eps);
    gamma_.value.setOnes();
  }
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x) {
    if (x.cols() != gamma_.cols())
      throw_invalid_argument("nn::layer_norm::forward",
                             hepad::detail::concat("input must have ", gamma_.cols(), " columns, got ", x.cols()));
    if (!affine_) return autodiff::layer_norm(x, {}, {}, static_cast<S>(eps_));
    return autodiff::layer_norm(x, t.parameter(gamma_), t.parameter(beta_), static_cast<S>(eps_));
  }
  std::vector<autodiff::parameter<S>*> parameters() {
    if (!affine_) return {};
    return {&gamma_, &beta_};
  }
  [[nodiscard]] std::string architecture() const {
    return hepad::detail::concat("layer_norm(", gamma_.cols(), affine_ ? "" : ", noaffine", ")");
  }
  void set_name_prefix(std::string_view p) {
    gamma_.name = hepad::detail::concat(p, "gamma");
    beta_.name = hepad::detail::concat(p, "beta");
  }

 private:
  autodiff::parameter<S> gamma_, beta_;
  double eps_ = 1e-5;
  bool affine_ = true;
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_LAYER_NORM_HPP
