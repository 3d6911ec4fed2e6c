// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/losses/gaussian_kl.hpp
/// @brief `gaussian_kl(mu, logvar, w)`: KL(N(mu, diag e^logvar) || N(0, I)) per event,
/// KL_i = -1/2 sum_j (1 + logvar_ij - mu_ij^2 - e^logvar_ij), reduced over events (weights of any
/// sign). One fused node with gradients mu and (e^logvar - 1)/2.
#ifndef HEPAD_NN_LOSSES_GAUSSIAN_KL_HPP
#define HEPAD_NN_LOSSES_GAUSSIAN_KL_HPP

#include <hepad/autodiff/tape.hpp>
#include <hepad/nn/losses/reduction.hpp>

#include <cmath>
#include <string_view>

namespace hepad::nn {

/// KL divergence of diagonal Gaussians from the standard normal, per event, then reduced.
/// @param mu, logvar n x d nodes; @param w optional n x 1 weights.
template <class S>
inline autodiff::node<S> gaussian_kl(autodiff::node<S> mu, autodiff::node<S> logvar, autodiff::node<S> w = {},
                                     reduction red = reduction::mean) {
  constexpr std::string_view fn = "nn::gaussian_kl";
  auto& t = mu.owner();
  t.check_owner(fn, mu);
  t.check_owner(fn, logvar);
  if (logvar.rows() != mu.rows() || logvar.cols() != mu.cols())
    throw_invalid_argument(fn, hepad::detail::concat("logvar must be ", mu.rows(), " x ", mu.cols(), ", got ",
                                                     logvar.rows(), " x ", logvar.cols()));
  detail::check_weights(fn, mu, w);
  const index_t n = mu.rows(), d = mu.cols();
  const double div = detail::reduction_divisor(fn, red, n, w, 1);
  const S* m = mu.data()->value;
  const S* lv = logvar.data()->value;
  const S* wv = w.valid() ? w.data()->value : nullptr;
  // Vectorised: e^logvar is computed once and kept for the reverse pass.
  using A = Eigen::Array<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  S* ev = t.template allocate<S>(static_cast<std::size_t>(n * d));
  Eigen::Map<A> ea(ev, n, d);
  const Eigen::Map<const A> ma(m, n, d), la(lv, n, d);
  ea = la.exp();
  const A terms = S(1) + la - ma.square() - ea;
  double total = 0;
  for (index_t i = 0; i < n; ++i) {
    double kl = 0;
    for (index_t j = 0; j < d; ++j) kl += static_cast<double>(terms(i, j));
    kl *= -0.5;
    total += wv ? static_cast<double>(wv[i]) * kl : kl;
  }
  auto out = t.make(1, 1, t.any_requires_grad(mu, logvar));
  out.data()->value[0] = static_cast<S>(total / div);
  const S inv = static_cast<S>(1.0 / div);
  t.on_backward(out, [mu, logvar, w, out, inv, n, d, ev] {
    const S g = out.data()->grad[0] * inv;
    const S* ww = w.valid() ? w.data()->value : nullptr;
    const S* mm = mu.data()->value;
    if (mu.requires_grad()) {
      const bool acc = autodiff::begin_grad_write(mu);
      S* gm = mu.data()->grad;
      for (index_t i = 0; i < n; ++i) {
        const S gi = ww ? g * ww[i] : g;
        for (index_t j = 0; j < d; ++j) {
          const S v = gi * mm[i * d + j];
          gm[i * d + j] = acc ? gm[i * d + j] + v : v;
        }
      }
    }
    if (logvar.requires_grad()) {
      const bool acc = autodiff::begin_grad_write(logvar);
      S* gl = logvar.data()->grad;
      for (index_t i = 0; i < n; ++i) {
        const S gi = ww ? g * ww[i] : g;
        for (index_t j = 0; j < d; ++j) {
          const S v = gi * S(0.5) * (ev[i * d + j] - S(1));
          gl[i * d + j] = acc ? gl[i * d + j] + v : v;
        }
      }
    }
  });
  return out;
}

}  // namespace hepad::nn

#endif  // HEPAD_NN_LOSSES_GAUSSIAN_KL_HPP
