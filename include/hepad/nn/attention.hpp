// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/attention.hpp
/// @brief `nn::multi_head_attention<S>`: self-attention within sets (torch.nn.MultiheadAttention
/// with batch_first inputs flattened to rows): a fused q/k/v projection, `autodiff::set_attention`
/// with an optional key-padding mask and an additive per-key bias, and an output projection.
/// Initialisation as torch: Xavier-uniform input projection, zero biases.
#ifndef HEPAD_NN_ATTENTION_HPP
#define HEPAD_NN_ATTENTION_HPP

#include <hepad/autodiff/ops/attention.hpp>
#include <hepad/autodiff/ops/shape.hpp>
#include <hepad/nn/linear.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace hepad::nn {

/// Multi-head self-attention over sets of `set_size` rows of `d_model` features.
template <class S = float>
class multi_head_attention {
 public:
  using scalar_type = S;
  multi_head_attention() = default;
  /// @throws invalid_argument unless n_heads divides d_model and set_size >= 1.
  multi_head_attention(index_t d_model, index_t n_heads, index_t set_size, rng& r)
      : in_(d_model, 3 * d_model, r, {.init = initializer::xavier_uniform}),
        out_(d_model, d_model, r, {.init = initializer::torch_default}), heads_(n_heads), set_size_(set_size) {
    check_positive("nn::multi_head_attention", "n_heads", n_heads);
    check_positive("nn::multi_head_attention", "set_size", set_size);
    if (d_model % n_heads != 0)
      throw_invalid_argument("nn::multi_head_attention",
                             hepad::detail::concat("n_heads (", n_heads, ") must divide d_model (", d_model, ")"));
    in_.bias().value.setZero();
    out_.bias().value.setZero();
    set_name_prefix("");
  }
  /// Attention within sets; `key_mask` (B x P, non-zero = padded) and `key_bias` (B x P) optional.
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S> key_mask,
                            autodiff::node<S> key_bias = {}) {
    const index_t d = out_.in_features();
    auto qkv = in_.forward(t, x);
    auto q = autodiff::slice_cols(qkv, 0, d), k = autodiff::slice_cols(qkv, d, d), v = autodiff::slice_cols(qkv, 2 * d, d);
    return out_.forward(t, autodiff::set_attention(q, k, v, set_size_, heads_, key_mask, key_bias));
  }
  /// Attention within sets without masks.
  autodiff::node<S> forward(autodiff::tape<S>& t, autodiff::node<S> x) { return forward(t, x, {}, {}); }
  std::vector<autodiff::parameter<S>*> parameters() {
    auto p = in_.parameters();
    for (auto* q : out_.parameters()) p.push_back(q);
    return p;
  }
  [[nodiscard]] std::string architecture() const {
    return hepad::detail::concat("multi_head_attention(", out_.in_features(), ", heads=", heads_, ", set=", set_size_, ")");
  }
  void set_name_prefix(std::string_view p) {
    in_.set_name_prefix(hepad::detail::concat(p, "in_proj."));
    out_.set_name_prefix(hepad::detail::concat(p, "out_proj."));
  }
  [[nodiscard]] index_t set_size() const noexcept { return set_size_; }
  [[nodiscard]] index_t n_heads() const noexcept { return heads_; }

 private:
  linear<S> in_, out_;
  index_t heads_ = 1, set_size_ = 1;
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_ATTENTION_HPP
