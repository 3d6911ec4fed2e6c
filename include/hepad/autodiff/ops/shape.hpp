// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/ops/shape.hpp
/// @brief Structural operations: `concat` (along rows or columns), `slice_rows`, `slice_cols`,
/// `gather` (per-event column index, e.g. the logit of the true class), `gather_rows` (index
/// select), `masked_fill` (masking with broadcasting), `transpose`, `reshape`.
#ifndef HEPAD_AUTODIFF_OPS_SHAPE_HPP
#define HEPAD_AUTODIFF_OPS_SHAPE_HPP

#include <hepad/autodiff/detail/gemm.hpp>
#include <hepad/autodiff/ops/arithmetic.hpp>
#include <hepad/autodiff/ops/reduce.hpp>
#include <hepad/autodiff/tape.hpp>

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <span>

namespace hepad::autodiff {

/// Concatenation of `parts` along `dim`: 1 places them side by side (same rows), 0 stacks them
/// (same columns). @throws invalid_argument if empty or the other dimension differs.
template <class S>
inline node<S> concat(std::span<const node<S>> parts, int dim = 1) {
  detail::check_dim("autodiff::concat", dim);
  if (parts.empty()) throw_invalid_argument("autodiff::concat", "parts must not be empty");
  tape<S>& t = parts[0].owner();
  index_t R = 0, C = 0;
  bool rg = false;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const node<S>& p = parts[k];
    t.check_owner("autodiff::concat", p);
    const index_t other = dim == 1 ? p.rows() : p.cols();
    const index_t want = dim == 1 ? parts[0].rows() : parts[0].cols();
    if (other != want)
      throw_invalid_argument("autodiff::concat",
                             hepad::detail::concat("part ", k, " is ", p.rows(), " x ", p.cols(),
                                                   "; all parts must have ", want,
                                                   dim == 1 ? " rows" : " columns"));
    if (dim == 1) C += p.cols();
    else R += p.rows();
    rg = rg || p.requires_grad();
  }
  if (dim == 1) R = parts[0].rows();
  else C = parts[0].cols();
  node<S> out = t.make(R, C, rg && t.grad_enabled());
  const std::size_t n = parts.size();
  node<S>* saved = t.template allocate<node<S>>(n);
  index_t off = 0;
  for (std::size_t k = 0; k < n; ++k) {
    saved[k] = parts[k];
    if (dim == 1) out.mutable_value().middleCols(off, parts[k].cols()) = parts[k].value();
    else out.mutable_value().middleRows(off, parts[k].rows()) = parts[k].value();
    off += dim == 1 ? parts[k].cols() : parts[k].rows();
  }
  t.on_backward(out, [saved, n, out, dim] {
    const auto g = out_grad(out);
    index_t o = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const node<S> p = saved[k];
      if (dim == 1) accumulate_grad(p, g.middleCols(o, p.cols()));
      else accumulate_grad(p, g.middleRows(o, p.rows()));
      o += dim == 1 ? p.cols() : p.rows();
    }
  });
  return out;
}
/// `concat({a, b, ...}, dim)`.
template <class S>
inline node<S> concat(std::initializer_list<node<S>> parts, int dim = 1) {
  return concat(std::span<const node<S>>(parts.begin(), parts.size()), dim);
}

/// Columns [begin, begin + count) of x.
template <class S>
inline node<S> slice_cols(node<S> x, index_t begin, index_t count) {
  tape<S>& t = x.owner();
  t.check_owner("autodiff::slice_cols", x);
  if (begin < 0 || count < 0 || begin + count > x.cols())
    throw_invalid_argument("autodiff::slice_cols",
                           hepad::detail::concat("columns [", begin, ", ", begin + count,
                                                 ") are out of range for ", x.cols(), " columns"));
  node<S> out = t.make(x.rows(), count, x.requires_grad());
  out.mutable_value() = x.value().middleCols(begin, count);
  t.on_backward(out, [x, out, begin, count] {
    auto* d = x.data();
    if (!d->requires_grad) return;
    Eigen::Map<matrix<S>> g(d->grad, d->rows, d->cols);
    if (!begin_grad_write(x)) g.setZero();
    g.middleCols(begin, count) += out_grad(out);
  });
  return out;
}

/// Rows [begin, begin + count) of x.
template <class S>
inline node<S> slice_rows(node<S> x, index_t begin, index_t count) {
  tape<S>& t = x.owner();
  t.check_owner("autodiff::slice_rows", x);
  if (begin < 0 || count < 0 || begin + count > x.rows())
    throw_invalid_argument("autodiff::slice_rows",
                           hepad::detail::concat("rows [", begin, ", ", begin + count,
                                                 ") are out of range for ", x.rows(), " rows"));
  node<S> out = t.make(count, x.cols(), x.requires_grad());
  out.mutable_value() = x.value().middleRows(begin, count);
  t.on_backward(out, [x, out, begin, count] {
    auto* d = x.data();
    if (!d->requires_grad) return;
    Eigen::Map<matrix<S>> g(d->grad, d->rows, d->cols);
    if (!begin_grad_write(x)) g.setZero();
    g.middleRows(begin, count) += out_grad(out);
  });
  return out;
}

namespace detail {
template <class R>
inline index_t* copy_indices(auto& t, const R& idx, std::string_view fn, index_t limit) {
  const auto n = static_cast<std::size_t>(std::size(idx));
  index_t* p = t.template allocate<index_t>(n);
  for (std::size_t k = 0; k < n; ++k) {
    const auto v = static_cast<index_t>(idx[static_cast<decltype(std::size(idx))>(k)]);
    if (v < 0 || v >= limit)
      throw_invalid_argument(fn, hepad::detail::concat("index ", v, " at position ", k,
                                                       " is out of range [0, ", limit, ")"));
    p[k] = v;
  }
  return p;
}
}  // namespace detail

/// Per-event indexing: out(i, 0) = x(i, idx[i]) (R x 1), e.g. the log-probability of each event's
/// true class. `idx` is any sized range of integers with `x.rows()` entries.
template <class S, class R>
inline node<S> gather(node<S> x, const R& idx) {
  tape<S>& t = x.owner();
  t.check_owner("autodiff::gather", x);
  const index_t n = x.rows(), C = x.cols();
  if (static_cast<index_t>(std::size(idx)) != n)
    throw_invalid_argument("autodiff::gather",
                           hepad::detail::concat("idx must have ", n, " entries (one per row), got ",
                                                 std::size(idx)));
  const index_t* ix = detail::copy_indices(t, idx, "autodiff::gather", C);
  node<S> out = t.make(n, 1, x.requires_grad());
  for (index_t i = 0; i < n; ++i) out.data()->value[i] = x.data()->value[i * C + ix[i]];
  t.on_backward(out, [x, out, ix, n, C] {
    auto* d = x.data();
    if (!d->requires_grad) return;
    if (!begin_grad_write(x)) std::fill_n(d->grad, n * C, S(0));
    for (index_t i = 0; i < n; ++i) d->grad[i * C + ix[i]] += out.data()->grad[i];
  });
  return out;
}

/// Index select: out(k, :) = x(idx[k], :); rows may repeat (their gradients add up).
template <class S, class R>
inline node<S> gather_rows(node<S> x, const R& idx) {
  tape<S>& t = x.owner();
  t.check_owner("autodiff::gather_rows", x);
  const auto n = static_cast<index_t>(std::size(idx));
  const index_t C = x.cols();
  const index_t* ix = detail::copy_indices(t, idx, "autodiff::gather_rows", x.rows());
  node<S> out = t.make(n, C, x.requires_grad());
  for (index_t k = 0; k < n; ++k)
    std::copy_n(x.data()->value + ix[k] * C, C, out.data()->value + k * C);
  t.on_backward(out, [x, out, ix, n, C] {
    auto* d = x.data();
    if (!d->requires_grad) return;
    if (!begin_grad_write(x)) std::fill_n(d->grad, x.size(), S(0));
    const S* g = out.data()->grad;
    for (index_t k = 0; k < n; ++k)
      for (index_t j = 0; j < C; ++j) d->grad[ix[k] * C + j] += g[k * C + j];
  });
  return out;
}

/// Masking: out = value where mask != 0, x elsewhere. `mask` (usually a constant of 0/1) is
/// broadcast to x's shape (R x C, 1 x C, R x 1 or 1 x 1). No gradient flows to masked entries or
/// into the mask.
template <class S>
inline node<S> masked_fill(node<S> x, node<S> mask, S value) {
  const auto [R, C] = detail::broadcast_shape("autodiff::masked_fill", x, mask);
  if (R != x.rows() || C != x.cols())
    throw_invalid_argument("autodiff::masked_fill",
                           hepad::detail::concat("mask of shape ", mask.rows(), " x ", mask.cols(),
                                                 " must broadcast to x's shape ", x.rows(), " x ",
                                                 x.cols()));
  tape<S>& t = x.owner();
  node<S> out = t.make(R, C, x.requires_grad());
  const detail::bview<S> m = detail::broadcast_view(mask.data());
  const S* xv = x.data()->value;
  S* y = out.data()->value;
  for (index_t i = 0; i < R; ++i)
    for (index_t j = 0; j < C; ++j) y[i * C + j] = m(i, j) != S(0) ? value : xv[i * C + j];
  t.on_backward(out, [x, mask, out, R = R, C = C] {
    const detail::bview<S> mv = detail::broadcast_view(mask.data());
    const S* g = out.data()->grad;
    detail::reduce_grad(x, R, C, [&](index_t i, index_t j) { return mv(i, j) != S(0) ? S(0) : g[i * C + j]; });
  });
  return out;
}

/// x^T.
template <class S>
inline node<S> transpose(node<S> x) {
  tape<S>& t = x.owner();
  t.check_owner("autodiff::transpose", x);
  node<S> out = t.make(x.cols(), x.rows(), x.requires_grad());
  detail::transpose<S>(x.rows(), x.cols(), x.data()->value, x.cols(), out.data()->value, x.rows());
  t.on_backward(out, [x, out] { accumulate_grad(x, out_grad(out).transpose()); });
  return out;
}

/// The same elements (row-major order) as a `rows x cols` matrix.
/// @throws invalid_argument if the sizes differ.
template <class S>
inline node<S> reshape(node<S> x, index_t rows, index_t cols) {
  tape<S>& t = x.owner();
  t.check_owner("autodiff::reshape", x);
  if (rows < 0 || cols < 0 || rows * cols != x.size())
    throw_invalid_argument("autodiff::reshape",
                           hepad::detail::concat("cannot reshape ", x.rows(), " x ", x.cols(), " to ",
                                                 rows, " x ", cols));
  node<S> out = t.make(rows, cols, x.requires_grad());
  std::copy_n(x.data()->value, x.size(), out.data()->value);
  t.on_backward(out, [x, out] {
    accumulate_grad(x, Eigen::Map<const matrix<S>>(out.data()->grad, x.rows(), x.cols()));
  });
  return out;
}

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_OPS_SHAPE_HPP
