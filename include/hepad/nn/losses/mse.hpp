// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/losses/mse.hpp
/// @brief Squared-error losses: `mse(p, t, w)` (torch's MSELoss: mean over events AND outputs),
/// `sum_squared_error(p, t, w)` (per-event sum over outputs, then the reduction over events, as
/// in VAE reconstruction terms) and the loss policy `nn::mse_loss` (target = the batch's y, or its
/// x when there is no y: autoencoders). Weights multiply each event's term, any sign.
#ifndef HEPAD_NN_LOSSES_MSE_HPP
#define HEPAD_NN_LOSSES_MSE_HPP

#include <hepad/autodiff/tape.hpp>
#include <hepad/nn/batch.hpp>
#include <hepad/nn/losses/reduction.hpp>

#include <string_view>

namespace hepad::nn {

namespace detail {
template <class S>
inline autodiff::node<S> squared_error(std::string_view fn, autodiff::node<S> p, autodiff::node<S> y,
                                       autodiff::node<S> w, reduction red, bool per_element) {
  auto& t = p.owner();
  t.check_owner(fn, p);
  t.check_owner(fn, y);
  if (y.rows() != p.rows() || y.cols() != p.cols())
    throw_invalid_argument(fn, hepad::detail::concat("targets must be ", p.rows(), " x ", p.cols(), ", got ",
                                                     y.rows(), " x ", y.cols()));
  check_weights(fn, p, w);
  const index_t n = p.rows(), k = p.cols();
  const double div = per_element ? reduction_divisor(fn, red, n * k, w, k) : reduction_divisor(fn, red, n, w, 1);
  const S inv = static_cast<S>(1.0 / div);
  const S* pv = p.data()->value;
  const S* yv = y.data()->value;
  const S* wv = w.valid() ? w.data()->value : nullptr;
  double total = 0;
  for (index_t i = 0; i < n; ++i) {
    double row = 0;
    for (index_t j = 0; j < k; ++j) {
      const double d = static_cast<double>(pv[i * k + j]) - static_cast<double>(yv[i * k + j]);
      row += d * d;
    }
    total += wv ? static_cast<double>(wv[i]) * row : row;
  }
  auto out = t.make(1, 1, t.any_requires_grad(p, y));
  out.data()->value[0] = static_cast<S>(total / div);
  t.on_backward(out, [p, y, w, out, inv, n, k] {
    const S g = S(2) * out.data()->grad[0] * inv;
    const S* pp = p.data()->value;
    const S* yy = y.data()->value;
    const S* ww = w.valid() ? w.data()->value : nullptr;
    for (int side = 0; side < 2; ++side) {
      auto x = side == 0 ? p : y;
      if (!x.requires_grad()) continue;
      const S sg = side == 0 ? g : -g;
      const bool acc = autodiff::begin_grad_write(x);
      S* gd = x.data()->grad;
      for (index_t i = 0; i < n; ++i) {
        const S gi = ww ? sg * ww[i] : sg;
        for (index_t j = 0; j < k; ++j) {
          const index_t e = i * k + j;
          const S v = gi * (pp[e] - yy[e]);
          gd[e] = acc ? gd[e] + v : v;
        }
      }
    }
  });
  return out;
}
}  // namespace detail

/// sum_ij w_i (p_ij - y_ij)^2 / (n k) for reduction::mean (torch MSELoss). Gradients flow into
/// both p and y (y may be a network output too).
template <class S>
inline autodiff::node<S> mse(autodiff::node<S> p, autodiff::node<S> y, autodiff::node<S> w = {},
                             reduction red = reduction::mean) {
  return detail::squared_error("nn::mse", p, y, w, red, true);
}

/// sum_i w_i sum_j (p_ij - y_ij)^2 / n for reduction::mean: per-event sums over outputs.
template <class S>
inline autodiff::node<S> sum_squared_error(autodiff::node<S> p, autodiff::node<S> y,
                                           autodiff::node<S> w = {}, reduction red = reduction::mean) {
  return detail::squared_error("nn::sum_squared_error", p, y, w, red, false);
}

/// Loss policy: mse(prediction, batch y (or x if the data has no y), batch weights).
struct mse_loss {
  reduction red = reduction::mean;
  static constexpr std::string_view name = "mse";
  template <class S>
  autodiff::node<S> operator()(autodiff::node<S> pred, const batch<S>& b) const {
    auto& t = pred.owner();
    return mse(pred, b.y ? b.targets(t) : b.features(t), b.weights(t), red);
  }
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_LOSSES_MSE_HPP
