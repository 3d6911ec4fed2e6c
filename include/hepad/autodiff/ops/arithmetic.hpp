// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/ops/arithmetic.hpp
/// @brief Broadcasting elementwise arithmetic on tape nodes: `add`, `sub`, `mul`, `div` (and the
/// operators `+ - * /`), negation and operations with scalars.
///
/// Broadcasting: each operand is `R x C`, `1 x C` (a row, repeated for every event), `R x 1` (a
/// column, repeated for every feature) or `1 x 1`; the result is `R x C`. The reverse pass sums
/// over the broadcast dimensions. Not here: matrix products (matmul.hpp), reductions (reduce.hpp).
#ifndef HEPAD_AUTODIFF_OPS_ARITHMETIC_HPP
#define HEPAD_AUTODIFF_OPS_ARITHMETIC_HPP

#include <hepad/autodiff/tape.hpp>

#include <algorithm>
#include <string_view>

namespace hepad::autodiff {

namespace detail {

/// Strided read access to a node's value with broadcasting (stride 0 along size-1 dimensions).
template <class S>
struct bview {
  const S* p;
  index_t rs, cs;
  S operator()(index_t i, index_t j) const noexcept { return p[i * rs + j * cs]; }
};
template <class S>
inline bview<S> broadcast_view(const node_data<S>* d) noexcept {
  return {d->value, d->rows == 1 ? 0 : d->cols, d->cols == 1 ? 0 : 1};
}

/// Result extent of broadcasting two extents; -1 if incompatible.
inline index_t broadcast_extent(index_t a, index_t b) noexcept {
  if (a == b) return a;
  if (a == 1) return b;
  if (b == 1) return a;
  return -1;
}

template <class S>
inline void check_same_tape(std::string_view fn, node<S> a, node<S> b) {
  if (!a.valid() || !b.valid()) throw_invalid_argument(fn, "node handle is empty (default-constructed)");
  if (a.data()->owner != b.data()->owner)
    throw_invalid_argument(fn, "operands belong to different tapes");
}

/// Shape of a broadcasting binary operation (throws with both shapes if incompatible).
template <class S>
inline std::pair<index_t, index_t> broadcast_shape(std::string_view fn, node<S> a, node<S> b) {
  check_same_tape(fn, a, b);
  const index_t r = broadcast_extent(a.rows(), b.rows());
  const index_t c = broadcast_extent(a.cols(), b.cols());
  if (r < 0 || c < 0)
    throw_invalid_argument(fn, hepad::detail::concat("shapes ", a.rows(), " x ", a.cols(), " and ",
                                                     b.rows(), " x ", b.cols(),
                                                     " cannot be broadcast (each dimension must "
                                                     "be equal or 1)"));
  return {r, c};
}

/// Adds h(i, j) (an R x C field) into the adjoint of `x`, summing over x's broadcast dimensions.
template <class S, class H>
inline void reduce_grad(node<S> x, index_t R, index_t C, H h) {
  auto* d = x.data();
  if (!d->requires_grad) return;
  const bool acc = d->grad_set;
  d->grad_set = true;
  S* g = d->grad;
  if (d->rows == R && d->cols == C) {
    if (acc)
      for (index_t i = 0; i < R; ++i)
        for (index_t j = 0; j < C; ++j) g[i * C + j] += h(i, j);
    else
      for (index_t i = 0; i < R; ++i)
        for (index_t j = 0; j < C; ++j) g[i * C + j] = h(i, j);
    return;
  }
  if (!acc) std::fill_n(g, d->rows * d->cols, S(0));
  const index_t rs = d->rows == 1 ? 0 : d->cols, cs = d->cols == 1 ? 0 : 1;
  for (index_t i = 0; i < R; ++i)
    for (index_t j = 0; j < C; ++j) g[i * rs + j * cs] += h(i, j);
}

/// Forward of a broadcasting binary op: out(i, j) = f(a(i, j), b(i, j)).
template <class S, class F>
inline void broadcast_forward(const node_data<S>* a, const node_data<S>* b, S* out, index_t R,
                              index_t C, F f) {
  if (a->rows == R && a->cols == C && b->rows == R && b->cols == C) {
    const S* av = a->value;
    const S* bv = b->value;
    for (index_t k = 0; k < R * C; ++k) out[k] = f(av[k], bv[k]);
    return;
  }
  const bview<S> va = broadcast_view(a), vb = broadcast_view(b);
  if (va.cs == 1 && vb.cs == 1) {
    for (index_t i = 0; i < R; ++i) {
      const S* ar = va.p + i * va.rs;
      const S* br = vb.p + i * vb.rs;
      S* o = out + i * C;
      for (index_t j = 0; j < C; ++j) o[j] = f(ar[j], br[j]);
    }
    return;
  }
  for (index_t i = 0; i < R; ++i)
    for (index_t j = 0; j < C; ++j) out[i * C + j] = f(va(i, j), vb(i, j));
}

enum class binary_kind { add, sub, mul, div };

template <binary_kind K, class S>
inline node<S> binary(std::string_view fn, node<S> a, node<S> b) {
  const auto [R, C] = broadcast_shape(fn, a, b);
  tape<S>& t = a.owner();
  node<S> out = t.make(R, C, t.any_requires_grad(a, b));
  S* o = out.data()->value;
  if constexpr (K == binary_kind::add) broadcast_forward(a.data(), b.data(), o, R, C, [](S x, S y) { return x + y; });
  if constexpr (K == binary_kind::sub) broadcast_forward(a.data(), b.data(), o, R, C, [](S x, S y) { return x - y; });
  if constexpr (K == binary_kind::mul) broadcast_forward(a.data(), b.data(), o, R, C, [](S x, S y) { return x * y; });
  if constexpr (K == binary_kind::div) broadcast_forward(a.data(), b.data(), o, R, C, [](S x, S y) { return x / y; });
  t.on_backward(out, [a, b, out, R = R, C = C] {
    const S* go = out.data()->grad;
    const auto g = [go, C](index_t i, index_t j) { return go[i * C + j]; };
    const bview<S> va = broadcast_view(a.data()), vb = broadcast_view(b.data());
    if constexpr (K == binary_kind::add) {
      reduce_grad(a, R, C, g);
      reduce_grad(b, R, C, g);
    } else if constexpr (K == binary_kind::sub) {
      reduce_grad(a, R, C, g);
      reduce_grad(b, R, C, [&](index_t i, index_t j) { return -g(i, j); });
    } else if constexpr (K == binary_kind::mul) {
      reduce_grad(a, R, C, [&](index_t i, index_t j) { return g(i, j) * vb(i, j); });
      reduce_grad(b, R, C, [&](index_t i, index_t j) { return g(i, j) * va(i, j); });
    } else {
      const S* ov = out.data()->value;
      reduce_grad(a, R, C, [&](index_t i, index_t j) { return g(i, j) / vb(i, j); });
      reduce_grad(b, R, C, [&](index_t i, index_t j) { return -g(i, j) * ov[i * C + j] / vb(i, j); });
    }
  });
  return out;
}

}  // namespace detail

/// a + b with broadcasting. @throws invalid_argument if the shapes do not broadcast.
template <class S>
inline node<S> add(node<S> a, node<S> b) {
  return detail::binary<detail::binary_kind::add>("autodiff::add", a, b);
}
/// a - b with broadcasting.
template <class S>
inline node<S> sub(node<S> a, node<S> b) {
  return detail::binary<detail::binary_kind::sub>("autodiff::sub", a, b);
}
/// a * b elementwise (Hadamard) with broadcasting.
template <class S>
inline node<S> mul(node<S> a, node<S> b) {
  return detail::binary<detail::binary_kind::mul>("autodiff::mul", a, b);
}
/// a / b elementwise with broadcasting.
template <class S>
inline node<S> div(node<S> a, node<S> b) {
  return detail::binary<detail::binary_kind::div>("autodiff::div", a, b);
}

/// a * s + c for scalars s, c (one node; used for scaling and shifting).
template <class S>
inline node<S> affine(node<S> a, S s, S c = S(0)) {
  tape<S>& t = a.owner();
  t.check_owner("autodiff::affine", a);
  node<S> out = t.make(a.rows(), a.cols(), a.requires_grad());
  out.mutable_value().array() = a.value().array() * s + c;
  t.on_backward(out, [a, out, s] { accumulate_grad(a, out_grad(out).array() * s); });
  return out;
}

/// -a.
template <class S>
inline node<S> neg(node<S> a) {
  return affine(a, S(-1));
}

/// s / a elementwise for a scalar s.
template <class S>
inline node<S> rdiv(S s, node<S> a) {
  tape<S>& t = a.owner();
  t.check_owner("autodiff::rdiv", a);
  node<S> out = t.make(a.rows(), a.cols(), a.requires_grad());
  out.mutable_value().array() = s / a.value().array();
  t.on_backward(out, [a, out] {
    accumulate_grad(a, -out_grad(out).array() * out.value().array() / a.value().array());
  });
  return out;
}

template <class S>
inline node<S> operator+(node<S> a, node<S> b) { return add(a, b); }
template <class S>
inline node<S> operator-(node<S> a, node<S> b) { return sub(a, b); }
template <class S>
inline node<S> operator*(node<S> a, node<S> b) { return mul(a, b); }
template <class S>
inline node<S> operator/(node<S> a, node<S> b) { return div(a, b); }
template <class S>
inline node<S> operator-(node<S> a) { return neg(a); }
template <class S>
inline node<S> operator+(node<S> a, std::type_identity_t<S> s) { return affine(a, S(1), s); }
template <class S>
inline node<S> operator+(std::type_identity_t<S> s, node<S> a) { return affine(a, S(1), s); }
template <class S>
inline node<S> operator-(node<S> a, std::type_identity_t<S> s) { return affine(a, S(1), -s); }
template <class S>
inline node<S> operator-(std::type_identity_t<S> s, node<S> a) { return affine(a, S(-1), s); }
template <class S>
inline node<S> operator*(node<S> a, std::type_identity_t<S> s) { return affine(a, s); }
template <class S>
inline node<S> operator*(std::type_identity_t<S> s, node<S> a) { return affine(a, s); }
template <class S>
inline node<S> operator/(node<S> a, std::type_identity_t<S> s) { return affine(a, S(1) / s); }
template <class S>
inline node<S> operator/(std::type_identity_t<S> s, node<S> a) { return rdiv(s, a); }

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_OPS_ARITHMETIC_HPP
