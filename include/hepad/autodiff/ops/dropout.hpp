// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/ops/dropout.hpp
/// @brief `dropout(x, p)`: in training mode (`tape::training()`), zeroes each entry with
/// probability p and scales the others by 1 / (1 - p), drawing from the tape's generator; in
/// evaluation mode it returns x unchanged.
#ifndef HEPAD_AUTODIFF_OPS_DROPOUT_HPP
#define HEPAD_AUTODIFF_OPS_DROPOUT_HPP

#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>

namespace hepad::autodiff {

/// Inverted dropout with drop probability `p` in [0, 1).
template <class S>
inline node<S> dropout(node<S> x, double p) {
  if (!(p >= 0.0 && p < 1.0))
    throw_invalid_argument("autodiff::dropout", hepad::detail::concat("p must be in [0, 1), got ", p));
  tape<S>& t = x.owner();
  t.check_owner("autodiff::dropout", x);
  if (!t.training() || p == 0.0) return x;
  const index_t n = x.size();
  S* keep = t.template allocate<S>(static_cast<std::size_t>(n));
  const S scale = static_cast<S>(1.0 / (1.0 - p));
  rng& r = t.random();
  for (index_t i = 0; i < n; ++i) keep[i] = r.uniform<double>() < p ? S(0) : scale;
  node<S> out = t.make(x.rows(), x.cols(), x.requires_grad());
  const S* xv = x.data()->value;
  S* y = out.data()->value;
  for (index_t i = 0; i < n; ++i) y[i] = xv[i] * keep[i];
  t.on_backward(out, [x, out, keep, n] {
    auto* d = x.data();
    if (!d->requires_grad) return;
    const S* g = out.data()->grad;
    if (begin_grad_write(x))
      for (index_t i = 0; i < n; ++i) d->grad[i] += g[i] * keep[i];
    else
      for (index_t i = 0; i < n; ++i) d->grad[i] = g[i] * keep[i];
  });
  return out;
}

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_OPS_DROPOUT_HPP
