// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/losses/bce.hpp
/// @brief Binary cross entropy on logits: the function `bce_with_logits(z, y, w)` (one fused node,
/// stable for any logit) and the loss policy `nn::bce_loss` for trainers (targets = the batch's y,
/// weights = the batch's w, possibly negative).
///
/// Per element: l = max(z, 0) - z y + log(1 + e^-|z|) = -[y log s(z) + (1 - y) log(1 - s(z))];
/// dl/dz = s(z) - y. Weighted: sum_i w_i l_i / N (reduction::mean), any sign of w_i.
#ifndef HEPAD_NN_LOSSES_BCE_HPP
#define HEPAD_NN_LOSSES_BCE_HPP

#include <hepad/autodiff/activation.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/nn/batch.hpp>
#include <hepad/nn/losses/reduction.hpp>

#include <cmath>
#include <string_view>

namespace hepad::nn {

/// Binary cross entropy of logits `z` (n x k) against targets `y` (n x k, in [0, 1]) with optional
/// per-event weights `w` (n x 1). No gradient flows into y or w.
/// @throws invalid_argument on shape mismatch.
template <class S>
inline autodiff::node<S> bce_with_logits(autodiff::node<S> z, autodiff::node<S> y,
                                         autodiff::node<S> w = {}, reduction red = reduction::mean) {
  constexpr std::string_view fn = "nn::bce_with_logits";
  auto& t = z.owner();
  t.check_owner(fn, z);
  t.check_owner(fn, y);
  if (y.rows() != z.rows() || y.cols() != z.cols())
    throw_invalid_argument(fn, hepad::detail::concat("targets must be ", z.rows(), " x ", z.cols(), ", got ",
                                                     y.rows(), " x ", y.cols()));
  detail::check_weights(fn, z, w);
  const index_t n = z.rows(), k = z.cols();
  const S inv = static_cast<S>(1.0 / detail::reduction_divisor(fn, red, n * k, w, k));
  const S* zv = z.data()->value;
  const S* yv = y.data()->value;
  const S* wv = w.valid() ? w.data()->value : nullptr;
  // Vectorised: l = max(z, 0) - z y + log1p(exp(-|z|)); s(z) kept for the reverse pass.
  using A = Eigen::Array<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const A> za(zv, n, k), ya(yv, n, k);
  S* sig = t.template allocate<S>(static_cast<std::size_t>(n * k));
  Eigen::Map<A> sa(sig, n, k);
  const A e = (-za.abs()).exp();  // in (0, 1]
  const A l = (za >= S(0)).select(za, S(0)) - za * ya + e.log1p();
  sa = (za >= S(0)).select(S(1) / (S(1) + e), e / (S(1) + e));
  double total = 0;
  for (index_t i = 0; i < n; ++i) {
    double row = 0;
    for (index_t j = 0; j < k; ++j) row += static_cast<double>(l(i, j));
    total += wv ? static_cast<double>(wv[i]) * row : row;
  }
  auto out = t.make(1, 1, z.requires_grad());
  out.data()->value[0] = static_cast<S>(total * static_cast<double>(inv));
  t.on_backward(out, [z, y, w, out, inv, n, k, sig] {
    const S g = out.data()->grad[0] * inv;
    const S* yy = y.data()->value;
    const S* ww = w.valid() ? w.data()->value : nullptr;
    auto* d = z.data();
    const bool acc = autodiff::begin_grad_write(z);
    for (index_t i = 0; i < n; ++i) {
      const S gi = ww ? g * ww[i] : g;
      for (index_t j = 0; j < k; ++j) {
        const index_t e2 = i * k + j;
        const S v = gi * (sig[e2] - yy[e2]);
        d->grad[e2] = acc ? d->grad[e2] + v : v;
      }
    }
  });
  return out;
}

/// Loss policy: `bce_with_logits(prediction, batch targets, batch weights)`.
struct bce_loss {
  reduction red = reduction::mean;
  static constexpr std::string_view name = "bce";
  template <class S>
  autodiff::node<S> operator()(autodiff::node<S> logits, const batch<S>& b) const {
    auto& t = logits.owner();
    return bce_with_logits(logits, b.targets(t), b.weights(t), red);
  }
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_LOSSES_BCE_HPP
