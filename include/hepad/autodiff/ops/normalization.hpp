// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/ops/normalization.hpp
/// @brief Fused normalisation nodes: `layer_norm(x, gamma, beta, eps)` (each row normalised over
/// its features) and `batch_norm(x, gamma, beta, mean, var, eps)` (each column normalised with the
/// given statistics) plus `batch_statistics` (biased mean and variance of each column, as used in
/// training mode). gamma and beta (1 x C) may be empty handles.
#ifndef HEPAD_AUTODIFF_OPS_NORMALIZATION_HPP
#define HEPAD_AUTODIFF_OPS_NORMALIZATION_HPP

#include <hepad/autodiff/tape.hpp>

#include <cmath>
#include <string_view>

namespace hepad::autodiff {

namespace detail {
template <class S>
inline void check_affine(std::string_view fn, node<S> x, node<S> p, const char* what) {
  if (!p.valid()) return;
  if (p.data()->owner != x.data()->owner) throw_invalid_argument(fn, hepad::detail::concat(what, " belongs to a different tape"));
  if (p.rows() != 1 || p.cols() != x.cols())
    throw_invalid_argument(fn, hepad::detail::concat(what, " must be 1 x ", x.cols(), ", got ", p.rows(), " x ", p.cols()));
}
}  // namespace detail

/// Layer normalisation: y_ij = (x_ij - mu_i) / sqrt(var_i + eps) gamma_j + beta_j with the mean and
/// biased variance of row i. One node; exact reverse pass.
template <class S>
inline node<S> layer_norm(node<S> x, node<S> gamma = {}, node<S> beta = {}, S eps = S(1e-5)) {
  constexpr std::string_view fn = "autodiff::layer_norm";
  tape<S>& t = x.owner();
  t.check_owner(fn, x);
  detail::check_affine(fn, x, gamma, "gamma");
  detail::check_affine(fn, x, beta, "beta");
  const index_t R = x.rows(), C = x.cols();
  if (C == 0) throw_invalid_argument(fn, "x must have at least one column");
  bool rg = x.requires_grad() || (gamma.valid() && gamma.requires_grad()) || (beta.valid() && beta.requires_grad());
  node<S> out = t.make(R, C, rg);
  S* xhat = t.template allocate<S>(static_cast<std::size_t>(R * C));
  S* rstd = t.template allocate<S>(static_cast<std::size_t>(R));
  const S* xv = x.data()->value;
  const S* g = gamma.valid() ? gamma.data()->value : nullptr;
  const S* b = beta.valid() ? beta.data()->value : nullptr;
  S* y = out.data()->value;
  for (index_t i = 0; i < R; ++i) {
    const S* xi = xv + i * C;
    S mean = 0;
    for (index_t j = 0; j < C; ++j) mean += xi[j];
    mean /= static_cast<S>(C);
    S var = 0;
    for (index_t j = 0; j < C; ++j) var += (xi[j] - mean) * (xi[j] - mean);
    var /= static_cast<S>(C);
    const S r = S(1) / std::sqrt(var + eps);
    rstd[i] = r;
    for (index_t j = 0; j < C; ++j) {
      const S h = (xi[j] - mean) * r;
      xhat[i * C + j] = h;
      y[i * C + j] = (g ? h * g[j] : h) + (b ? b[j] : S(0));
    }
  }
  t.on_backward(out, [x, gamma, beta, out, xhat, rstd, R, C] {
    const S* gy = out.data()->grad;
    const S* g = gamma.valid() ? gamma.data()->value : nullptr;
    if (gamma.valid() && gamma.requires_grad()) {
      S* gg = gamma.data()->grad;
      if (!begin_grad_write(gamma)) std::fill_n(gg, C, S(0));
      for (index_t i = 0; i < R; ++i)
        for (index_t j = 0; j < C; ++j) gg[j] += gy[i * C + j] * xhat[i * C + j];
    }
    if (beta.valid() && beta.requires_grad()) {
      S* gb = beta.data()->grad;
      if (!begin_grad_write(beta)) std::fill_n(gb, C, S(0));
      for (index_t i = 0; i < R; ++i)
        for (index_t j = 0; j < C; ++j) gb[j] += gy[i * C + j];
    }
    if (x.requires_grad()) {
      const bool acc = begin_grad_write(x);
      S* gx = x.data()->grad;
      for (index_t i = 0; i < R; ++i) {
        S m1 = 0, m2 = 0;  // means of dxhat and dxhat * xhat
        for (index_t j = 0; j < C; ++j) {
          const S d = g ? gy[i * C + j] * g[j] : gy[i * C + j];
          m1 += d;
          m2 += d * xhat[i * C + j];
        }
        m1 /= static_cast<S>(C);
        m2 /= static_cast<S>(C);
        for (index_t j = 0; j < C; ++j) {
          const S d = g ? gy[i * C + j] * g[j] : gy[i * C + j];
          const S v = rstd[i] * (d - m1 - xhat[i * C + j] * m2);
          gx[i * C + j] = acc ? gx[i * C + j] + v : v;
        }
      }
    }
  });
  return out;
}

/// Column means and biased variances of x (1 x C each) as nodes that carry gradients (the
/// training-mode statistics of batch normalisation).
template <class S>
inline std::pair<node<S>, node<S>> batch_statistics(node<S> x) {
  constexpr std::string_view fn = "autodiff::batch_statistics";
  tape<S>& t = x.owner();
  t.check_owner(fn, x);
  const index_t R = x.rows(), C = x.cols();
  if (R == 0) throw_invalid_argument(fn, "x must have at least one row");
  node<S> mean = t.make(1, C, x.requires_grad()), var = t.make(1, C, x.requires_grad());
  const S* xv = x.data()->value;
  for (index_t j = 0; j < C; ++j) {
    S m = 0;
    for (index_t i = 0; i < R; ++i) m += xv[i * C + j];
    m /= static_cast<S>(R);
    S v = 0;
    for (index_t i = 0; i < R; ++i) v += (xv[i * C + j] - m) * (xv[i * C + j] - m);
    mean.data()->value[j] = m;
    var.data()->value[j] = v / static_cast<S>(R);
  }
  t.on_backward(mean, [x, mean, R, C] {
    const S* g = mean.data()->grad;
    const bool acc = begin_grad_write(x);
    S* gx = x.data()->grad;
    for (index_t i = 0; i < R; ++i)
      for (index_t j = 0; j < C; ++j) {
        const S v = g[j] / static_cast<S>(R);
        gx[i * C + j] = acc ? gx[i * C + j] + v : v;
      }
  });
  t.on_backward(var, [x, mean, var, R, C] {
    const S* g = var.data()->grad;
    const S* xv2 = x.data()->value;
    const S* m = mean.data()->value;
    const bool acc = begin_grad_write(x);
    S* gx = x.data()->grad;
    for (index_t i = 0; i < R; ++i)
      for (index_t j = 0; j < C; ++j) {
        const S v = g[j] * S(2) * (xv2[i * C + j] - m[j]) / static_cast<S>(R);
        gx[i * C + j] = acc ? gx[i * C + j] + v : v;
      }
  });
  return {mean, var};
}

/// Batch normalisation with given statistics: y_ij = (x_ij - mean_j) / sqrt(var_j + eps) gamma_j +
/// beta_j. mean and var (1 x C) are nodes: batch statistics (`batch_statistics`, training) or
/// constants (running statistics, evaluation).
template <class S>
inline node<S> batch_norm(node<S> x, node<S> gamma, node<S> beta, node<S> mean, node<S> var, S eps = S(1e-5)) {
  constexpr std::string_view fn = "autodiff::batch_norm";
  tape<S>& t = x.owner();
  t.check_owner(fn, x);
  detail::check_affine(fn, x, gamma, "gamma");
  detail::check_affine(fn, x, beta, "beta");
  detail::check_affine(fn, x, mean, "mean");
  detail::check_affine(fn, x, var, "var");
  if (!mean.valid() || !var.valid()) throw_invalid_argument(fn, "mean and var are required");
  const index_t R = x.rows(), C = x.cols();
  const bool rg = t.any_requires_grad(x, mean, var) || (gamma.valid() && gamma.requires_grad()) ||
                  (beta.valid() && beta.requires_grad());
  node<S> out = t.make(R, C, rg);
  S* rstd = t.template allocate<S>(static_cast<std::size_t>(C));
  const S* xv = x.data()->value;
  const S* m = mean.data()->value;
  const S* v = var.data()->value;
  const S* g = gamma.valid() ? gamma.data()->value : nullptr;
  const S* b = beta.valid() ? beta.data()->value : nullptr;
  for (index_t j = 0; j < C; ++j) rstd[j] = S(1) / std::sqrt(v[j] + eps);
  S* y = out.data()->value;
  for (index_t i = 0; i < R; ++i)
    for (index_t j = 0; j < C; ++j) {
      const S h = (xv[i * C + j] - m[j]) * rstd[j];
      y[i * C + j] = (g ? h * g[j] : h) + (b ? b[j] : S(0));
    }
  t.on_backward(out, [x, gamma, beta, mean, var, out, rstd, R, C] {
    const S* gy = out.data()->grad;
    const S* xx = x.data()->value;
    const S* mm = mean.data()->value;
    const S* gg = gamma.valid() ? gamma.data()->value : nullptr;
    if (gamma.valid() && gamma.requires_grad()) {
      S* d = gamma.data()->grad;
      if (!begin_grad_write(gamma)) std::fill_n(d, C, S(0));
      for (index_t i = 0; i < R; ++i)
        for (index_t j = 0; j < C; ++j) d[j] += gy[i * C + j] * (xx[i * C + j] - mm[j]) * rstd[j];
    }
    if (beta.valid() && beta.requires_grad()) {
      S* d = beta.data()->grad;
      if (!begin_grad_write(beta)) std::fill_n(d, C, S(0));
      for (index_t i = 0; i < R; ++i)
        for (index_t j = 0; j < C; ++j) d[j] += gy[i * C + j];
    }
    // dy/dx = gamma rstd; dy/dmean = -gamma rstd; dy/dvar = -(x - mean) gamma rstd^3 / 2.
    if (x.requires_grad()) {
      const bool acc = begin_grad_write(x);
      S* d = x.data()->grad;
      for (index_t i = 0; i < R; ++i)
        for (index_t j = 0; j < C; ++j) {
          const S val = gy[i * C + j] * (gg ? gg[j] : S(1)) * rstd[j];
          d[i * C + j] = acc ? d[i * C + j] + val : val;
        }
    }
    if (mean.requires_grad()) {
      S* d = mean.data()->grad;
      if (!begin_grad_write(mean)) std::fill_n(d, C, S(0));
      for (index_t i = 0; i < R; ++i)
        for (index_t j = 0; j < C; ++j) d[j] -= gy[i * C + j] * (gg ? gg[j] : S(1)) * rstd[j];
    }
    if (var.requires_grad()) {
      S* d = var.data()->grad;
      if (!begin_grad_write(var)) std::fill_n(d, C, S(0));
      for (index_t i = 0; i < R; ++i)
        for (index_t j = 0; j < C; ++j)
          d[j] -= gy[i * C + j] * (gg ? gg[j] : S(1)) * (xx[i * C + j] - mm[j]) * rstd[j] * rstd[j] * rstd[j] / S(2);
    }
  });
  return out;
}

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_OPS_NORMALIZATION_HPP
