// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/mlp.hpp
/// @brief `nn::mlp<S>`: a runtime-sized multilayer perceptron (sizes chosen at run time, e.g. from
/// a config): fused dense layers with a hidden activation, optional dropout, and an output
/// activation; plus a tape-free, tiled inference path `predict` for throughput. The compile-time
/// variant is `nn::fixed_mlp` (sequential.hpp).
#ifndef HEPAD_NN_MLP_HPP
#define HEPAD_NN_MLP_HPP

#include <hepad/autodiff/detail/gemm.hpp>
#include <hepad/autodiff/ops/dropout.hpp>
#include <hepad/core/check.hpp>
#include <hepad/nn/linear.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace hepad::nn {

/// Options of an MLP.
struct mlp_options {
  activation hidden = activation::relu;       ///< activation after every hidden layer
  activation output = activation::identity;   ///< activation of the last layer
  bool bias = true;
  double slope = 0.01;                        ///< leaky_relu slope
  initializer init = initializer::torch_default;
  bool zero_init_last = false;                ///< start the last layer at zero (weights and bias)
  double dropout = 0.0;                       ///< dropout after each hidden activation (training only)
};

/// Multilayer perceptron with sizes {in, hidden..., out}.
/// @tparam S float (default) or double.
template <class S = float>
class mlp {
 public:
  using scalar_type = S;

  mlp() = default;
  /// @param sizes at least two entries: input features, hidden widths..., outputs (all >= 1).
  /// @throws invalid_argument for fewer than two sizes or a non-positive size, or dropout
  /// outside [0, 1).
  mlp(const std::vector<index_t>& sizes, rng& r, mlp_options opt = {}) : opt_(opt) {
    if (sizes.size() < 2)
      throw_invalid_argument("nn::mlp", hepad::detail::concat("sizes must have at least 2 entries "
                                                              "(inputs and outputs), got ",
                                                              sizes.size()));
    for (std::size_t k = 0; k < sizes.size(); ++k)
      check_positive("nn::mlp", hepad::detail::concat("sizes[", k, "]"), sizes[k]);
    if (!(opt.dropout >= 0.0 && opt.dropout < 1.0))
      throw_invalid_argument("nn::mlp", hepad::detail::concat("dropout must be in [0, 1), got ", opt.dropout));
    layers_.reserve(sizes.size() - 1);
    for (std::size_t k = 0; k + 1 < sizes.size(); ++k) {
      const bool last = k + 2 == sizes.size();
      linear_options lo{.bias = opt.bias, .act = last ? opt.output : opt.hidden, .slope = opt.slope,
                        .init = opt.init};
      if (last && opt.zero_init_last) lo.init = initializer::zeros;
      layers_.emplace_back(sizes[k], sizes[k + 1], r, lo);
      layers_.back().set_name_prefix(hepad::detail::concat(k, "."));
    }
  }

  /// Records the network on the tape.
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x) {
    if (x.cols() != in_features())
      throw_invalid_argument("nn::mlp::forward",
                             hepad::detail::concat("input must have ", in_features(), " columns, got ", x.cols()));
    for (std::size_t k = 0; k < layers_.size(); ++k) {
      x = layers_[k].forward(t, x);
      if (opt_.dropout > 0 && k + 1 < layers_.size()) x = autodiff::dropout(x, opt_.dropout);
    }
    return x;
  }

  /// All weights and biases, layer by layer.
  std::vector<autodiff::parameter<S>*> parameters() {
    std::vector<autodiff::parameter<S>*> out;
    for (auto& l : layers_)
      for (auto* p : l.parameters()) out.push_back(p);
    return out;
  }

  /// "mlp(4-64-64-1, relu[, out=sigmoid][, dropout=0.1][, nobias])".
  [[nodiscard]] std::string architecture() const {
    std::string s = "mlp(";
    for (std::size_t k = 0; k < layers_.size(); ++k) {
      if (k == 0) s += hepad::detail::concat(layers_[k].in_features());
      s += hepad::detail::concat("-", layers_[k].out_features());
    }
    s += hepad::detail::concat(", ", autodiff::to_string(opt_.hidden));
    if (opt_.output != activation::identity)
      s += hepad::detail::concat(", out=", autodiff::to_string(opt_.output));
    if (opt_.dropout > 0) s += hepad::detail::concat(", dropout=", opt_.dropout);
    if (!opt_.bias) s += ", nobias";
    return s + ")";
  }

  /// Inference without a tape: processes `x` in tiles of `tile` rows through all layers while the
  /// activations stay in cache; the same per-event values as `forward` in evaluation mode.
  /// Complexity: one pass of register-blocked products; O(tile * width) scratch memory.
  [[nodiscard]] matrix<S> predict(matrix_cref<S> x, index_t tile = 256) const {
    if (x.cols() != in_features())
      throw_invalid_argument("nn::mlp::predict",
                             hepad::detail::concat("x must have ", in_features(), " columns, got ", x.cols()));
    check_positive("nn::mlp::predict", "tile", tile);
    const index_t n = x.rows();
    matrix<S> out(n, out_features());
    index_t width = 0;
    for (const auto& l : layers_) width = (std::max)(width, l.out_features());
    std::vector<S> buf(static_cast<std::size_t>(2 * tile * width));
    for (index_t r0 = 0; r0 < n; r0 += tile) {
      const index_t m = (std::min)(tile, n - r0);
      const S* in = x.data() + r0 * x.outerStride();
      index_t ld_in = x.outerStride();
      for (std::size_t k = 0; k < layers_.size(); ++k) {
        const auto& l = layers_[k];
        const bool last = k + 1 == layers_.size();
        S* dst = last ? out.data() + r0 * out.cols() : buf.data() + (k % 2) * tile * width;
        const index_t od = l.out_features();
        const auto act = l.options().act;
        const bool has_b = l.options().bias;
        namespace ad = autodiff::detail;
        const ad::epilogue epi = !has_b ? ad::epilogue::none
                                 : act == activation::relu ? ad::epilogue::bias_relu
                                                            : ad::epilogue::bias;
        ad::gemm<S>(m, od, l.in_features(), in, ld_in, 1, l.weight().value.data(), od, dst, od, false,
                    epi, has_b ? l.bias().value.data() : nullptr);
        if (act != activation::identity && !(act == activation::relu && has_b))
          for (index_t i = 0; i < m * od; ++i)
            dst[i] = autodiff::activation_fn<S>::apply(act, dst[i], static_cast<S>(l.options().slope));
        in = dst;
        ld_in = od;
      }
    }
    return out;
  }

  [[nodiscard]] index_t in_features() const noexcept { return layers_.empty() ? 0 : layers_.front().in_features(); }
  [[nodiscard]] index_t out_features() const noexcept { return layers_.empty() ? 0 : layers_.back().out_features(); }
  [[nodiscard]] std::size_t depth() const noexcept { return layers_.size(); }
  [[nodiscard]] const mlp_options& options() const noexcept { return opt_; }
  std::vector<linear<S>>& layers() noexcept { return layers_; }
  const std::vector<linear<S>>& layers() const noexcept { return layers_; }
  /// Widths {in, hidden..., out}.
  [[nodiscard]] std::vector<index_t> sizes() const {
    std::vector<index_t> s;
    if (layers_.empty()) return s;
    s.push_back(layers_.front().in_features());
    for (const auto& l : layers_) s.push_back(l.out_features());
    return s;
  }

 private:
  mlp_options opt_{};
  std::vector<linear<S>> layers_;
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_MLP_HPP
