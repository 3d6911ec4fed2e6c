// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/ops/pooling.hpp
/// @brief Pooling over sets of rows (jets, events of constituents): `set_sum(x, P, w)` (weighted
/// sum; w = 1 - padding mask gives the sum over real members, w = pT fractions the pT-weighted sum)
/// and `set_mean(x, P, mask)` (mean over unmasked members). x is (B P) x d with rows
/// [b P, (b + 1) P) in set b; the result is B x d.
#ifndef HEPAD_AUTODIFF_OPS_POOLING_HPP
#define HEPAD_AUTODIFF_OPS_POOLING_HPP

#include <hepad/autodiff/tape.hpp>

#include <string_view>

namespace hepad::autodiff {

/// out(b, :) = sum_p w(b, p) x(b P + p, :); w (B x P) may be empty (all ones) and may carry a
/// gradient (learned pooling weights).
template <class S>
inline node<S> set_sum(node<S> x, index_t set_size, node<S> w = {}) {
  constexpr std::string_view fn = "autodiff::set_sum";
  tape<S>& t = x.owner();
  t.check_owner(fn, x);
  check_positive(fn, "set_size", set_size);
  const index_t N = x.rows(), d = x.cols(), P = set_size;
  if (N % P != 0) throw_invalid_argument(fn, hepad::detail::concat("rows (", N, ") must be a multiple of set_size (", P, ")"));
  const index_t B = N / P;
  if (w.valid()) {
    t.check_owner(fn, w);
    if (w.rows() != B || w.cols() != P)
      throw_invalid_argument(fn, hepad::detail::concat("w must be ", B, " x ", P, ", got ", w.rows(), " x ", w.cols()));
  }
  node<S> out = t.make(B, d, x.requires_grad() || (w.valid() && w.requires_grad()));
  const S* xv = x.data()->value;
  const S* wv = w.valid() ? w.data()->value : nullptr;
  S* o = out.data()->value;
  std::fill_n(o, B * d, S(0));
  for (index_t b = 0; b < B; ++b)
    for (index_t p = 0; p < P; ++p) {
      const S c = wv ? wv[b * P + p] : S(1);
      const S* xr = xv + (b * P + p) * d;
      for (index_t j = 0; j < d; ++j) o[b * d + j] += c * xr[j];
    }
  t.on_backward(out, [x, w, out, B, P, d] {
    const S* g = out.data()->grad;
    const S* wv2 = w.valid() ? w.data()->value : nullptr;
    if (x.requires_grad()) {
      const bool acc = begin_grad_write(x);
      S* gx = x.data()->grad;
      for (index_t b = 0; b < B; ++b)
        for (index_t p = 0; p < P; ++p) {
          const S c = wv2 ? wv2[b * P + p] : S(1);
          S* r = gx + (b * P + p) * d;
          for (index_t j = 0; j < d; ++j) r[j] = acc ? r[j] + c * g[b * d + j] : c * g[b * d + j];
        }
    }
    if (w.valid() && w.requires_grad()) {
      const bool acc = begin_grad_write(w);
      S* gw = w.data()->grad;
      const S* xv2 = x.data()->value;
      for (index_t b = 0; b < B; ++b)
        for (index_t p = 0; p < P; ++p) {
          S s = 0;
          for (index_t j = 0; j < d; ++j) s += g[b * d + j] * xv2[(b * P + p) * d + j];
          gw[b * P + p] = acc ? gw[b * P + p] + s : s;
        }
    }
  });
  return out;
}

/// out(b, :) = mean of x over the members of set b whose mask is zero (mask B x P constant, non-zero
/// = padded; empty: all members). A set without members gives zeros.
template <class S>
inline node<S> set_mean(node<S> x, index_t set_size, node<S> mask = {}) {
  constexpr std::string_view fn = "autodiff::set_mean";
  tape<S>& t = x.owner();
  t.check_owner(fn, x);
  check_positive(fn, "set_size", set_size);
  const index_t P = set_size;
  if (x.rows() % P != 0) throw_invalid_argument(fn, hepad::detail::concat("rows (", x.rows(), ") must be a multiple of set_size (", P, ")"));
  const index_t B = x.rows() / P;
  if (mask.valid() && (mask.rows() != B || mask.cols() != P))
    throw_invalid_argument(fn, hepad::detail::concat("mask must be ", B, " x ", P, ", got ", mask.rows(), " x ", mask.cols()));
  node<S> w = t.make(B, P, false);
  for (index_t b = 0; b < B; ++b) {
    index_t count = 0;
    for (index_t p = 0; p < P; ++p) count += (!mask.valid() || mask.data()->value[b * P + p] == S(0));
    for (index_t p = 0; p < P; ++p) {
      const bool real = !mask.valid() || mask.data()->value[b * P + p] == S(0);
      w.data()->value[b * P + p] = real && count > 0 ? S(1) / static_cast<S>(count) : S(0);
    }
  }
  return set_sum(x, set_size, w);
}

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_OPS_POOLING_HPP
