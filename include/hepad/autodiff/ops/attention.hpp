// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/ops/attention.hpp
/// @brief `set_attention(q, k, v, set_size, n_heads, key_mask, key_bias)`: multi-head scaled
/// dot-product attention within sets (jets, events), one fused node. Rows are grouped by set: rows
/// [b P, (b + 1) P) of q, k, v (each (B P) x d) belong to set b. For every set and head h
/// (columns [h d_h, (h + 1) d_h)):
///   A = softmax(q_h k_h^T / sqrt(d_h) + 1 bias_b^T, masked keys -> -inf),  out_h = A v_h.
/// `key_mask` (B x P, constant; non-zero = padded slot) removes keys; `key_bias` (B x P, may carry a
/// gradient) is added to the scores of every query for that key (continuous attention masks, e.g.
/// log pT weights). Queries whose keys are all masked get a zero output. Dense attention over all P
/// slots (no ragged sets), as the peers compute it.
#ifndef HEPAD_AUTODIFF_OPS_ATTENTION_HPP
#define HEPAD_AUTODIFF_OPS_ATTENTION_HPP

#include <hepad/autodiff/detail/gemm.hpp>
#include <hepad/autodiff/tape.hpp>

#include <cmath>
#include <limits>
#include <string_view>

namespace hepad::autodiff {

/// Multi-head attention within sets of `set_size` rows. @throws invalid_argument on inconsistent
/// shapes (rows not a multiple of set_size, d not a multiple of n_heads, mask/bias not B x P).
template <class S>
inline node<S> set_attention(node<S> q, node<S> k, node<S> v, index_t set_size, index_t n_heads,
                             node<S> key_mask = {}, node<S> key_bias = {}) {
  constexpr std::string_view fn = "autodiff::set_attention";
  tape<S>& t = q.owner();
  t.check_owner(fn, q);
  t.check_owner(fn, k);
  t.check_owner(fn, v);
  check_positive(fn, "set_size", set_size);
  check_positive(fn, "n_heads", n_heads);
  const index_t N = q.rows(), d = q.cols(), P = set_size;
  if (k.rows() != N || v.rows() != N || k.cols() != d || v.cols() != d)
    throw_invalid_argument(fn, "q, k and v must have the same shape");
  if (N % P != 0)
    throw_invalid_argument(fn, hepad::detail::concat("rows (", N, ") must be a multiple of set_size (", P, ")"));
  if (d % n_heads != 0)
    throw_invalid_argument(fn, hepad::detail::concat("columns (", d, ") must be a multiple of n_heads (", n_heads, ")"));
  const index_t B = N / P, H = n_heads, dh = d / H;
  for (auto [m, what] : {std::pair{key_mask, "key_mask"}, std::pair{key_bias, "key_bias"}}) {
    if (!m.valid()) continue;
    t.check_owner(fn, m);
    if (m.rows() != B || m.cols() != P)
      throw_invalid_argument(fn, hepad::detail::concat(what, " must be ", B, " x ", P, ", got ", m.rows(), " x ", m.cols()));
  }
  const bool rg = t.any_requires_grad(q, k, v) || (key_bias.valid() && key_bias.requires_grad());
  node<S> out = t.make(N, d, rg);
  const S scale = static_cast<S>(1.0 / std::sqrt(static_cast<double>(dh)));
  // Attention weights of every (set, head), kept for the reverse pass: B H P P values.
  S* att = t.template allocate<S>(static_cast<std::size_t>(B * H * P * P));
  S* kt = t.template allocate<S>(static_cast<std::size_t>(dh * P));
  const S* qv = q.data()->value;
  const S* kv = k.data()->value;
  const S* vv = v.data()->value;
  const S* mask = key_mask.valid() ? key_mask.data()->value : nullptr;
  const S* bias = key_bias.valid() ? key_bias.data()->value : nullptr;
  S* o = out.data()->value;
  constexpr S neg_inf = -std::numeric_limits<S>::infinity();
  for (index_t b = 0; b < B; ++b)
    for (index_t h = 0; h < H; ++h) {
      const index_t base = b * P * d + h * dh;
      S* A = att + (b * H + h) * P * P;
      detail::transpose<S>(P, dh, kv + base, d, kt, P);
      detail::gemm<S>(P, P, dh, qv + base, d, 1, kt, P, A, P, false);
      for (index_t i = 0; i < P; ++i) {
        S* a = A + i * P;
        S mx = neg_inf;
        for (index_t j = 0; j < P; ++j) {
          S s = a[j] * scale + (bias ? bias[b * P + j] : S(0));
          if (mask && mask[b * P + j] != S(0)) s = neg_inf;
          a[j] = s;
          mx = (std::max)(mx, s);
        }
        if (mx == neg_inf) {  // every key masked: zero output
          for (index_t j = 0; j < P; ++j) a[j] = S(0);
          continue;
        }
        S sum = 0;
        for (index_t j = 0; j < P; ++j) {
          a[j] = std::exp(a[j] - mx);
          sum += a[j];
        }
        const S inv = S(1) / sum;
        for (index_t j = 0; j < P; ++j) a[j] *= inv;
      }
      detail::gemm<S>(P, dh, P, A, P, 1, vv + base, d, o + base, d, false);
    }
  t.on_backward(out, [q, k, v, key_bias, out, att, B, H, P, d, dh, scale] {
    tape<S>& tp = out.owner();
    const S* go = out.data()->grad;
    const S* qv2 = q.data()->value;
    const S* kv2 = k.data()->value;
    const S* vv2 = v.data()->value;
    S* gq = q.requires_grad() ? q.data()->grad : nullptr;
    S* gk = k.requires_grad() ? k.data()->grad : nullptr;
    S* gv = v.requires_grad() ? v.data()->grad : nullptr;
    S* gb = key_bias.valid() && key_bias.requires_grad() ? key_bias.data()->grad : nullptr;
    const index_t N2 = B * P;
    // Initialise the adjoints once (first writer zero-fills), then accumulate block by block.
    if (gq && !begin_grad_write(q)) std::fill_n(gq, N2 * d, S(0));
    if (gk && !begin_grad_write(k)) std::fill_n(gk, N2 * d, S(0));
    if (gv && !begin_grad_write(v)) std::fill_n(gv, N2 * d, S(0));
    if (gb && !begin_grad_write(key_bias)) std::fill_n(gb, B * P, S(0));
    S* vt = tp.template allocate<S>(static_cast<std::size_t>(dh * P));
    S* dA = tp.template allocate<S>(static_cast<std::size_t>(P * P));
    for (index_t b = 0; b < B; ++b)
      for (index_t h = 0; h < H; ++h) {
        const index_t base = b * P * d + h * dh;
        const S* A = att + (b * H + h) * P * P;
        if (gv) detail::gemm<S>(P, dh, P, A, 1, P, go + base, d, gv + base, d, true);  // A^T dO
        if (!gq && !gk && !gb) continue;
        detail::transpose<S>(P, dh, vv2 + base, d, vt, P);
        detail::gemm<S>(P, P, dh, go + base, d, 1, vt, P, dA, P, false);  // dO V^T
        for (index_t i = 0; i < P; ++i) {
          const S* a = A + i * P;
          S* g = dA + i * P;
          S dot = 0;
          for (index_t j = 0; j < P; ++j) dot += g[j] * a[j];
          for (index_t j = 0; j < P; ++j) g[j] = a[j] * (g[j] - dot);  // dS
          if (gb)
            for (index_t j = 0; j < P; ++j) gb[b * P + j] += g[j];
          for (index_t j = 0; j < P; ++j) g[j] *= scale;
        }
        if (gq) detail::gemm<S>(P, dh, P, dA, P, 1, kv2 + base, d, gq + base, d, true);   // dS K
        if (gk) detail::gemm<S>(P, dh, P, dA, 1, P, qv2 + base, d, gk + base, d, true);   // dS^T Q
      }
  });
  return out;
}

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_OPS_ATTENTION_HPP
