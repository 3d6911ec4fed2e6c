// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/ops/reduce.hpp
/// @brief Reductions of a node: `sum`, `mean`, `logsumexp`, `max`, over all elements (1 x 1
/// result) or along one dimension: `dim = 0` reduces over rows (events) to a 1 x C row, `dim = 1`
/// reduces over columns (features) to an R x 1 column (the torch `dim` convention).
/// Not here: softmax (softmax.hpp).
#ifndef HEPAD_AUTODIFF_OPS_REDUCE_HPP
#define HEPAD_AUTODIFF_OPS_REDUCE_HPP

#include <hepad/autodiff/tape.hpp>

#include <cmath>
#include <limits>
#include <string_view>

namespace hepad::autodiff {

namespace detail {
inline void check_dim(std::string_view fn, int dim) {
  if (dim != 0 && dim != 1)
    throw_invalid_argument(fn, hepad::detail::concat("dim must be 0 (over rows) or 1 (over columns), got ", dim));
}
}  // namespace detail

/// Sum of all elements (1 x 1).
template <class S>
inline node<S> sum(node<S> x) {
  tape<S>& t = x.owner();
  t.check_owner("autodiff::sum", x);
  node<S> out = t.make(1, 1, x.requires_grad());
  out.data()->value[0] = x.value().sum();
  t.on_backward(out, [x, out] {
    const S g = out.data()->grad[0];
    accumulate_grad(x, matrix<S>::Constant(x.rows(), x.cols(), g).array());
  });
  return out;
}

/// Sum along `dim`: 0 -> 1 x C (over rows), 1 -> R x 1 (over columns).
template <class S>
inline node<S> sum(node<S> x, int dim) {
  detail::check_dim("autodiff::sum", dim);
  tape<S>& t = x.owner();
  t.check_owner("autodiff::sum", x);
  const index_t R = x.rows(), C = x.cols();
  node<S> out = dim == 0 ? t.make(1, C, x.requires_grad()) : t.make(R, 1, x.requires_grad());
  if (dim == 0) out.mutable_value() = x.value().colwise().sum();
  else out.mutable_value() = x.value().rowwise().sum();
  t.on_backward(out, [x, out, dim] {
    const auto g = out_grad(out);
    if (dim == 0) accumulate_grad(x, g.replicate(x.rows(), 1));
    else accumulate_grad(x, g.replicate(1, x.cols()));
  });
  return out;
}

/// Mean of all elements (1 x 1). @throws invalid_argument for an empty node.
template <class S>
inline node<S> mean(node<S> x) {
  if (x.size() == 0) throw_invalid_argument("autodiff::mean", "node must not be empty");
  tape<S>& t = x.owner();
  t.check_owner("autodiff::mean", x);
  node<S> out = t.make(1, 1, x.requires_grad());
  out.data()->value[0] = x.value().mean();
  t.on_backward(out, [x, out] {
    const S g = out.data()->grad[0] / static_cast<S>(x.size());
    accumulate_grad(x, matrix<S>::Constant(x.rows(), x.cols(), g).array());
  });
  return out;
}

/// Mean along `dim` (see `sum(x, dim)`).
template <class S>
inline node<S> mean(node<S> x, int dim) {
  detail::check_dim("autodiff::mean", dim);
  const index_t n = dim == 0 ? x.rows() : x.cols();
  if (n == 0) throw_invalid_argument("autodiff::mean", "reduced dimension must not be empty");
  tape<S>& t = x.owner();
  t.check_owner("autodiff::mean", x);
  const index_t R = x.rows(), C = x.cols();
  node<S> out = dim == 0 ? t.make(1, C, x.requires_grad()) : t.make(R, 1, x.requires_grad());
  if (dim == 0) out.mutable_value() = x.value().colwise().mean();
  else out.mutable_value() = x.value().rowwise().mean();
  t.on_backward(out, [x, out, dim, n] {
    const auto g = out_grad(out);
    const S inv = S(1) / static_cast<S>(n);
    if (dim == 0) accumulate_grad(x, (g.replicate(x.rows(), 1) * inv).eval());
    else accumulate_grad(x, (g.replicate(1, x.cols()) * inv).eval());
  });
  return out;
}

/// log sum exp of all elements (1 x 1), computed stably (max shift).
template <class S>
inline node<S> logsumexp(node<S> x) {
  if (x.size() == 0) throw_invalid_argument("autodiff::logsumexp", "node must not be empty");
  tape<S>& t = x.owner();
  t.check_owner("autodiff::logsumexp", x);
  node<S> out = t.make(1, 1, x.requires_grad());
  const S m = x.value().maxCoeff();
  out.data()->value[0] =
      std::isfinite(m) ? m + std::log((x.value().array() - m).exp().sum()) : m;
  t.on_backward(out, [x, out] {
    const S g = out.data()->grad[0];
    const S y = out.data()->value[0];
    accumulate_grad(x, g * (x.value().array() - y).exp());
  });
  return out;
}

/// log sum exp along `dim` (see `sum(x, dim)`), computed stably.
template <class S>
inline node<S> logsumexp(node<S> x, int dim) {
  detail::check_dim("autodiff::logsumexp", dim);
  if ((dim == 0 ? x.rows() : x.cols()) == 0)
    throw_invalid_argument("autodiff::logsumexp", "reduced dimension must not be empty");
  tape<S>& t = x.owner();
  t.check_owner("autodiff::logsumexp", x);
  const index_t R = x.rows(), C = x.cols();
  node<S> out = dim == 0 ? t.make(1, C, x.requires_grad()) : t.make(R, 1, x.requires_grad());
  const auto xv = x.value();
  auto y = out.mutable_value();
  if (dim == 1) {
    for (index_t i = 0; i < R; ++i) {
      const S m = xv.row(i).maxCoeff();
      y(i, 0) = std::isfinite(m) ? m + std::log((xv.row(i).array() - m).exp().sum()) : m;
    }
  } else {
    for (index_t j = 0; j < C; ++j) {
      const S m = xv.col(j).maxCoeff();
      y(0, j) = std::isfinite(m) ? m + std::log((xv.col(j).array() - m).exp().sum()) : m;
    }
  }
  t.on_backward(out, [x, out, dim] {
    const auto g = out_grad(out);
    const auto yv = out.value();
    if (dim == 1)
      accumulate_grad(x, ((x.value().colwise() - yv.col(0)).array().exp().colwise() *
                          g.col(0).array()).eval());
    else
      accumulate_grad(x, ((x.value().rowwise() - yv.row(0)).array().exp().rowwise() *
                          g.row(0).array()).eval());
  });
  return out;
}

/// Maximum of all elements (1 x 1); the gradient goes to the first maximal element.
template <class S>
inline node<S>(max)(node<S> x) {
  if (x.size() == 0) throw_invalid_argument("autodiff::max", "node must not be empty");
  tape<S>& t = x.owner();
  t.check_owner("autodiff::max", x);
  node<S> out = t.make(1, 1, x.requires_grad());
  index_t r = 0, c = 0;
  out.data()->value[0] = x.value().maxCoeff(&r, &c);
  const index_t at = r * x.cols() + c;
  t.on_backward(out, [x, out, at] {
    auto* d = x.data();
    if (!d->requires_grad) return;
    if (!begin_grad_write(x)) std::fill_n(d->grad, x.size(), S(0));
    d->grad[at] += out.data()->grad[0];
  });
  return out;
}

/// Maximum along `dim` (see `sum(x, dim)`); the gradient goes to the first maximal element.
template <class S>
inline node<S>(max)(node<S> x, int dim) {
  detail::check_dim("autodiff::max", dim);
  if ((dim == 0 ? x.rows() : x.cols()) == 0)
    throw_invalid_argument("autodiff::max", "reduced dimension must not be empty");
  tape<S>& t = x.owner();
  t.check_owner("autodiff::max", x);
  const index_t R = x.rows(), C = x.cols();
  const index_t n = dim == 0 ? C : R;
  node<S> out = dim == 0 ? t.make(1, C, x.requires_grad()) : t.make(R, 1, x.requires_grad());
  index_t* arg = t.template allocate<index_t>(static_cast<std::size_t>(n));
  const auto xv = x.value();
  for (index_t k = 0; k < n; ++k) {
    index_t a = 0;
    out.data()->value[k] = dim == 0 ? xv.col(k).maxCoeff(&a) : xv.row(k).maxCoeff(&a);
    arg[k] = dim == 0 ? a * C + k : k * C + a;
  }
  t.on_backward(out, [x, out, arg, n] {
    auto* d = x.data();
    if (!d->requires_grad) return;
    if (!begin_grad_write(x)) std::fill_n(d->grad, x.size(), S(0));
    for (index_t k = 0; k < n; ++k) d->grad[arg[k]] += out.data()->grad[k];
  });
  return out;
}

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_OPS_REDUCE_HPP
