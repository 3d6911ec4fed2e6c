// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/ops/matmul.hpp
/// @brief Matrix products on tape nodes: `matmul` (a b), `matmul_nt` (a b^T), `matmul_tn` (a^T b),
/// and the fused dense layer `linear(x, w, b, activation)` = f(x w + b) recorded as ONE node whose
/// forward is a single register-blocked product with the bias and ReLU applied in its epilogue and
/// whose reverse pass computes the activation derivative, the bias gradient (column sums), the
/// weight gradient x^T dz and the input gradient dz w^T. Not here: attention (attention.hpp).
#ifndef HEPAD_AUTODIFF_OPS_MATMUL_HPP
#define HEPAD_AUTODIFF_OPS_MATMUL_HPP

#include <hepad/autodiff/activation.hpp>
#include <hepad/autodiff/detail/gemm.hpp>
#include <hepad/autodiff/tape.hpp>

#include <string_view>

namespace hepad::autodiff {

namespace detail {
template <class S>
inline void check_inner(std::string_view fn, index_t ka, index_t kb, node<S> a, node<S> b) {
  if (!a.valid() || !b.valid()) throw_invalid_argument(fn, "node handle is empty (default-constructed)");
  if (a.data()->owner != b.data()->owner) throw_invalid_argument(fn, "operands belong to different tapes");
  if (ka != kb)
    throw_invalid_argument(fn, hepad::detail::concat("inner dimensions differ: ", a.rows(), " x ",
                                                     a.cols(), " and ", b.rows(), " x ", b.cols()));
}
}  // namespace detail

/// a b for a (m x k), b (k x n). Complexity: m n k multiply-adds forward, 2 m n k backward.
/// @throws invalid_argument if the inner dimensions differ.
template <class S>
inline node<S> matmul(node<S> a, node<S> b) {
  detail::check_inner("autodiff::matmul", a.cols(), b.rows(), a, b);
  tape<S>& t = a.owner();
  const index_t m = a.rows(), k = a.cols(), n = b.cols();
  node<S> out = t.make(m, n, t.any_requires_grad(a, b));
  detail::gemm<S>(m, n, k, a.data()->value, k, 1, b.data()->value, n, out.data()->value, n, false);
  t.on_backward(out, [a, b, out, m, k, n] {
    const S* gy = out.data()->grad;
    if (a.requires_grad()) {
      S* bt = a.owner().template allocate<S>(static_cast<std::size_t>(n * k));
      detail::transpose<S>(k, n, b.data()->value, n, bt, k);
      detail::gemm<S>(m, k, n, gy, n, 1, bt, k, a.data()->grad, k, begin_grad_write(a));
    }
    if (b.requires_grad())
      detail::gemm<S>(k, n, m, a.data()->value, 1, k, gy, n, b.data()->grad, n, begin_grad_write(b));
  });
  return out;
}

/// a b^T for a (m x k), b (n x k) (e.g. attention scores q k^T).
template <class S>
inline node<S> matmul_nt(node<S> a, node<S> b) {
  detail::check_inner("autodiff::matmul_nt", a.cols(), b.cols(), a, b);
  tape<S>& t = a.owner();
  const index_t m = a.rows(), k = a.cols(), n = b.rows();
  node<S> out = t.make(m, n, t.any_requires_grad(a, b));
  S* bt = t.template allocate<S>(static_cast<std::size_t>(n * k));
  detail::transpose<S>(n, k, b.data()->value, k, bt, n);
  detail::gemm<S>(m, n, k, a.data()->value, k, 1, bt, n, out.data()->value, n, false);
  t.on_backward(out, [a, b, out, m, k, n] {
    const S* gy = out.data()->grad;
    if (a.requires_grad())
      detail::gemm<S>(m, k, n, gy, n, 1, b.data()->value, k, a.data()->grad, k, begin_grad_write(a));
    if (b.requires_grad())
      detail::gemm<S>(n, k, m, gy, 1, n, a.data()->value, k, b.data()->grad, k, begin_grad_write(b));
  });
  return out;
}

/// a^T b for a (k x m), b (k x n) (e.g. a covariance x^T x).
template <class S>
inline node<S> matmul_tn(node<S> a, node<S> b) {
  detail::check_inner("autodiff::matmul_tn", a.rows(), b.rows(), a, b);
  tape<S>& t = a.owner();
  const index_t m = a.cols(), k = a.rows(), n = b.cols();
  node<S> out = t.make(m, n, t.any_requires_grad(a, b));
  detail::gemm<S>(m, n, k, a.data()->value, 1, m, b.data()->value, n, out.data()->value, n, false);
  t.on_backward(out, [a, b, out, m, k, n] {
    const S* gy = out.data()->grad;
    if (a.requires_grad()) {
      S* gyt = a.owner().template allocate<S>(static_cast<std::size_t>(m * n));
      detail::transpose<S>(m, n, gy, n, gyt, m);
      detail::gemm<S>(k, m, n, b.data()->value, n, 1, gyt, m, a.data()->grad, m, begin_grad_write(a));
    }
    if (b.requires_grad())
      detail::gemm<S>(k, n, m, a.data()->value, m, 1, gy, n, b.data()->grad, n, begin_grad_write(b));
  });
  return out;
}

/// The fused dense layer y = f(x w + b) as one node.
/// @param x input (m x in); @param w weight (in x out); @param b bias (1 x out), or an empty
/// handle for no bias; @param act activation f; @param slope negative slope of leaky_relu.
/// Complexity: m in out multiply-adds forward, 2 m in out backward (m in out without an input
/// gradient, e.g. for the first layer).
/// @throws invalid_argument on shape mismatch.
template <class S>
inline node<S> linear(node<S> x, node<S> w, node<S> b = {}, activation act = activation::identity,
                      S slope = S(0.01)) {
  detail::check_inner("autodiff::linear", x.cols(), w.rows(), x, w);
  const bool has_bias = b.valid();
  if (has_bias) {
    if (b.data()->owner != x.data()->owner)
      throw_invalid_argument("autodiff::linear", "bias belongs to a different tape");
    if (b.rows() != 1 || b.cols() != w.cols())
      throw_invalid_argument("autodiff::linear",
                             hepad::detail::concat("bias must be 1 x ", w.cols(), ", got ", b.rows(),
                                                   " x ", b.cols()));
  }
  tape<S>& t = x.owner();
  const index_t m = x.rows(), in = x.cols(), out_dim = w.cols();
  const bool rg = has_bias ? t.any_requires_grad(x, w, b) : t.any_requires_grad(x, w);
  node<S> out = t.make(m, out_dim, rg);
  S* y = out.data()->value;
  const S* bias = has_bias ? b.data()->value : nullptr;
  detail::epilogue epi = detail::epilogue::none;
  if (has_bias) epi = act == activation::relu ? detail::epilogue::bias_relu : detail::epilogue::bias;
  detail::gemm<S>(m, out_dim, in, x.data()->value, in, 1, w.data()->value, out_dim, y, out_dim, false,
                  epi, bias);
  const bool fused = act == activation::identity || (act == activation::relu && has_bias);
  S* z = nullptr;  // pre-activation, kept only when the derivative needs it
  const index_t n = m * out_dim;
  if (!fused) {
    if (rg && activation_fn<S>::needs_input(act)) {
      z = t.template allocate<S>(static_cast<std::size_t>(n));
      std::copy_n(y, n, z);
    }
    for (index_t i = 0; i < n; ++i) y[i] = activation_fn<S>::apply(act, y[i], slope);
  }
  t.on_backward(out, [x, w, b, out, act, slope, z, m, in, out_dim, has_bias] {
    tape<S>& tp = out.owner();
    const index_t nn = m * out_dim;
    const S* gy = out.data()->grad;
    const S* yv = out.data()->value;
    const bool need_b = has_bias && b.requires_grad();
    // dz = gy * f'(z), and (fused into the same pass) db = column sums of dz.
    const S* dz = gy;
    S* db = nullptr;
    if (need_b) {
      db = tp.template allocate<S>(static_cast<std::size_t>(out_dim));
      std::fill_n(db, out_dim, S(0));
    }
    if (act != activation::identity) {
      S* d = tp.template allocate<S>(static_cast<std::size_t>(nn));
      if (act == activation::relu) {
        detail::relu_backward<S>(m, out_dim, gy, yv, d, db);
      } else {
        for (index_t i = 0; i < nn; ++i)
          d[i] = gy[i] * activation_fn<S>::derivative(act, z ? z[i] : S(0), yv[i], slope);
        if (db) detail::add_column_sums<S>(m, out_dim, d, db);
      }
      dz = d;
    } else if (db) {
      detail::add_column_sums<S>(m, out_dim, dz, db);
    }
    if (db) {
      S* gb = b.data()->grad;
      if (begin_grad_write(b))
        for (index_t j = 0; j < out_dim; ++j) gb[j] += db[j];
      else
        std::copy_n(db, out_dim, gb);
    }
    if (w.requires_grad())
      detail::gemm<S>(in, out_dim, m, x.data()->value, 1, in, dz, out_dim, w.data()->grad, out_dim,
                      begin_grad_write(w));
    if (x.requires_grad()) {
      S* wt = tp.template allocate<S>(static_cast<std::size_t>(in * out_dim));
      detail::transpose<S>(in, out_dim, w.data()->value, out_dim, wt, in);
      detail::gemm<S>(m, in, out_dim, dz, out_dim, 1, wt, in, x.data()->grad, in, begin_grad_write(x));
    }
  });
  return out;
}

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_OPS_MATMUL_HPP
