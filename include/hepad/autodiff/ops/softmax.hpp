// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/ops/softmax.hpp
/// @brief `softmax(x, dim)` and `log_softmax(x, dim)`, computed stably (max shift). `dim = 1`
/// (default) normalises each row (one distribution per event); `dim = 0` each column.
/// Entries equal to -infinity (masked) get probability 0 and no gradient; a group that is entirely
/// -infinity gives NaN (as torch), so mask at least one entry per group.
#ifndef HEPAD_AUTODIFF_OPS_SOFTMAX_HPP
#define HEPAD_AUTODIFF_OPS_SOFTMAX_HPP

#include <hepad/autodiff/ops/reduce.hpp>
#include <hepad/autodiff/tape.hpp>

#include <cmath>
#include <limits>

namespace hepad::autodiff {

namespace detail {
/// Geometry of the groups normalised by softmax along `dim`.
struct softmax_groups {
  index_t groups, len, gstride, estride;  // group g, element e at g * gstride + e * estride
};
inline softmax_groups softmax_geometry(index_t R, index_t C, int dim) noexcept {
  return dim == 1 ? softmax_groups{R, C, C, 1} : softmax_groups{C, R, 1, C};
}
/// y = log_softmax(x) per group.
template <class S>
inline void log_softmax_forward(const S* x, S* y, softmax_groups g) {
  for (index_t k = 0; k < g.groups; ++k) {
    const S* xk = x + k * g.gstride;
    S* yk = y + k * g.gstride;
    S m = -std::numeric_limits<S>::infinity();
    for (index_t e = 0; e < g.len; ++e) m = (std::max)(m, xk[e * g.estride]);
    S s = 0;
    for (index_t e = 0; e < g.len; ++e) s += std::exp(xk[e * g.estride] - m);
    const S lse = m + std::log(s);
    for (index_t e = 0; e < g.len; ++e) yk[e * g.estride] = xk[e * g.estride] - lse;
  }
}
}  // namespace detail

/// log softmax along `dim` (1: per row, 0: per column).
template <class S>
inline node<S> log_softmax(node<S> x, int dim = 1) {
  detail::check_dim("autodiff::log_softmax", dim);
  tape<S>& t = x.owner();
  t.check_owner("autodiff::log_softmax", x);
  node<S> out = t.make(x.rows(), x.cols(), x.requires_grad());
  const auto geo = detail::softmax_geometry(x.rows(), x.cols(), dim);
  detail::log_softmax_forward(x.data()->value, out.data()->value, geo);
  t.on_backward(out, [x, out, geo] {
    // dx = gy - softmax * sum(gy) per group.
    auto* d = x.data();
    if (!d->requires_grad) return;
    const bool acc = begin_grad_write(x);
    const S* gy = out.data()->grad;
    const S* y = out.data()->value;
    for (index_t k = 0; k < geo.groups; ++k) {
      const index_t o = k * geo.gstride;
      S s = 0;
      for (index_t e = 0; e < geo.len; ++e) s += gy[o + e * geo.estride];
      for (index_t e = 0; e < geo.len; ++e) {
        const index_t i = o + e * geo.estride;
        const S v = gy[i] - std::exp(y[i]) * s;
        d->grad[i] = acc ? d->grad[i] + v : v;
      }
    }
  });
  return out;
}

/// softmax along `dim` (1: per row, 0: per column).
template <class S>
inline node<S> softmax(node<S> x, int dim = 1) {
  detail::check_dim("autodiff::softmax", dim);
  tape<S>& t = x.owner();
  t.check_owner("autodiff::softmax", x);
  node<S> out = t.make(x.rows(), x.cols(), x.requires_grad());
  const auto geo = detail::softmax_geometry(x.rows(), x.cols(), dim);
  S* y = out.data()->value;
  detail::log_softmax_forward(x.data()->value, y, geo);
  for (index_t i = 0; i < x.size(); ++i) y[i] = std::exp(y[i]);
  t.on_backward(out, [x, out, geo] {
    // dx = y * (gy - sum(gy * y)) per group.
    auto* d = x.data();
    if (!d->requires_grad) return;
    const bool acc = begin_grad_write(x);
    const S* gy = out.data()->grad;
    const S* yv = out.data()->value;
    for (index_t k = 0; k < geo.groups; ++k) {
      const index_t o = k * geo.gstride;
      S s = 0;
      for (index_t e = 0; e < geo.len; ++e) s += gy[o + e * geo.estride] * yv[o + e * geo.estride];
      for (index_t e = 0; e < geo.len; ++e) {
        const index_t i = o + e * geo.estride;
        const S v = yv[i] * (gy[i] - s);
        d->grad[i] = acc ? d->grad[i] + v : v;
      }
    }
  });
  return out;
}

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_OPS_SOFTMAX_HPP
