// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/transformer.hpp
/// @brief `nn::transformer_encoder_layer<S>`: torch.nn.TransformerEncoderLayer over sets — self
/// attention (key-padding mask, additive per-key bias) and a feed-forward block, each with a
/// residual connection and layer normalisation, post-norm by default (`norm_first` for pre-norm).
#ifndef HEPAD_NN_TRANSFORMER_HPP
#define HEPAD_NN_TRANSFORMER_HPP

#include <hepad/autodiff/ops/arithmetic.hpp>
#include <hepad/autodiff/ops/dropout.hpp>
#include <hepad/nn/attention.hpp>
#include <hepad/nn/layer_norm.hpp>
#include <hepad/nn/linear.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hepad::nn {

/// Options of a transformer encoder layer.
struct transformer_options {
  activation act = activation::relu;  ///< feed-forward activation
  bool norm_first = false;            ///< pre-norm (true) or post-norm (false, torch's default)
  double eps = 1e-5;                  ///< layer-norm epsilon
  double dropout = 0.0;               ///< after attention and feed-forward (training only)
};

/// One encoder layer on sets of `set_size` rows of `d_model` features.
template <class S = float>
class transformer_encoder_layer {
 public:
  using scalar_type = S;
  transformer_encoder_layer() = default;
  transformer_encoder_layer(index_t d_model, index_t n_heads, index_t d_ff, index_t set_size, rng& r,
                            transformer_options opt = {})
      : attn_(d_model, n_heads, set_size, r), ff1_(d_model, d_ff, r, {.act = opt.act}), ff2_(d_ff, d_model, r),
        ln1_(d_model, opt.eps), ln2_(d_model, opt.eps), opt_(opt) {
    set_name_prefix("");
  }
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S> key_mask,
                            autodiff::node<S> key_bias = {}) {
    const auto drop = [&](autodiff::node<S> y) { return opt_.dropout > 0 ? autodiff::dropout(y, opt_.dropout) : y; };
    if (opt_.norm_first) {
      x = autodiff::add(x, drop(attn_.forward(t, ln1_.forward(t, x), key_mask, key_bias)));
      return autodiff::add(x, drop(ff2_.forward(t, ff1_.forward(t, ln2_.forward(t, x)))));
    }
    x = ln1_.forward(t, autodiff::add(x, drop(attn_.forward(t, x, key_mask, key_bias))));
    return ln2_.forward(t, autodiff::add(x, drop(ff2_.forward(t, ff1_.forward(t, x)))));
  }
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x) { return forward(t, x, {}, {}); }
  std::vector<autodiff::parameter<S>*> parameters() {
    std::vector<autodiff::parameter<S>*> p = attn_.parameters();
    for (auto* l : {&ff1_, &ff2_})
      for (auto* q : l->parameters()) p.push_back(q);
    for (auto* l : {&ln1_, &ln2_})
      for (auto* q : l->parameters()) p.push_back(q);
    return p;
  }
  [[nodiscard]] std::string architecture() const {
    return hepad::detail::concat("transformer_encoder_layer(", attn_.architecture(), ", ff=", ff1_.out_features(), ", ",
                                 autodiff::to_string(opt_.act), opt_.norm_first ? ", pre-norm" : ", post-norm", ")");
  }
  void set_name_prefix(std::string_view p) {
    attn_.set_name_prefix(hepad::detail::concat(p, "self_attn."));
    ff1_.set_name_prefix(hepad::detail::concat(p, "linear1."));
    ff2_.set_name_prefix(hepad::detail::concat(p, "linear2."));
    ln1_.set_name_prefix(hepad::detail::concat(p, "norm1."));
    ln2_.set_name_prefix(hepad::detail::concat(p, "norm2."));
  }

 private:
  multi_head_attention<S> attn_;
  linear<S> ff1_, ff2_;
  layer_norm<S> ln1_, ln2_;
  transformer_options opt_{};
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_TRANSFORMER_HPP
