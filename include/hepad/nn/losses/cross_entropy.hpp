// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/losses/cross_entropy.hpp
/// @brief Categorical cross entropy on logits: `cross_entropy(z, labels, w)` (one fused node:
/// log-softmax + negative log-likelihood of each event's class, weights of any sign) and the loss
/// policy `nn::cross_entropy_loss` (class index = the batch's first y column).
#ifndef HEPAD_NN_LOSSES_CROSS_ENTROPY_HPP
#define HEPAD_NN_LOSSES_CROSS_ENTROPY_HPP

#include <hepad/autodiff/tape.hpp>
#include <hepad/nn/batch.hpp>
#include <hepad/nn/losses/reduction.hpp>

#include <cmath>
#include <iterator>
#include <limits>
#include <string_view>

namespace hepad::nn {

/// -sum_i w_i log softmax(z_i)[y_i] / N for logits z (n x K) and class indices y (n integers in
/// [0, K)). @throws invalid_argument on a label out of range or a size mismatch.
template <class S, class Labels>
inline autodiff::node<S> cross_entropy(autodiff::node<S> z, const Labels& labels, autodiff::node<S> w = {},
                                       reduction red = reduction::mean) {
  constexpr std::string_view fn = "nn::cross_entropy";
  auto& t = z.owner();
  t.check_owner(fn, z);
  detail::check_weights(fn, z, w);
  const index_t n = z.rows(), k = z.cols();
  if (static_cast<index_t>(std::size(labels)) != n)
    throw_invalid_argument(fn, hepad::detail::concat("labels must have ", n, " entries, got ", std::size(labels)));
  index_t* y = t.template allocate<index_t>(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) {
    const auto v = static_cast<index_t>(labels[static_cast<decltype(std::size(labels))>(i)]);
    if (v < 0 || v >= k)
      throw_invalid_argument(fn, hepad::detail::concat("label ", v, " at row ", i, " is out of range [0, ", k, ")"));
    y[i] = v;
  }
  const double div = detail::reduction_divisor(fn, red, n, w, 1);
  const S* zv = z.data()->value;
  const S* wv = w.valid() ? w.data()->value : nullptr;
  S* lse = t.template allocate<S>(static_cast<std::size_t>(n));
  double total = 0;
  for (index_t i = 0; i < n; ++i) {
    const S* zi = zv + i * k;
    S m = -std::numeric_limits<S>::infinity();
    for (index_t j = 0; j < k; ++j) m = (std::max)(m, zi[j]);
    S s = 0;
    for (index_t j = 0; j < k; ++j) s += std::exp(zi[j] - m);
    lse[i] = m + std::log(s);
    const double li = static_cast<double>(lse[i] - zi[y[i]]);
    total += wv ? static_cast<double>(wv[i]) * li : li;
  }
  auto out = t.make(1, 1, z.requires_grad());
  out.data()->value[0] = static_cast<S>(total / div);
  const S inv = static_cast<S>(1.0 / div);
  t.on_backward(out, [z, w, out, y, lse, n, k, inv] {
    const S g = out.data()->grad[0] * inv;
    const S* zz = z.data()->value;
    const S* ww = w.valid() ? w.data()->value : nullptr;
    const bool acc = autodiff::begin_grad_write(z);
    S* gz = z.data()->grad;
    for (index_t i = 0; i < n; ++i) {
      const S gi = ww ? g * ww[i] : g;
      for (index_t j = 0; j < k; ++j) {
        const S v = gi * (std::exp(zz[i * k + j] - lse[i]) - (j == y[i] ? S(1) : S(0)));
        gz[i * k + j] = acc ? gz[i * k + j] + v : v;
      }
    }
  });
  return out;
}

/// Loss policy: cross_entropy(prediction, class index from the batch's first y column, weights).
struct cross_entropy_loss {
  reduction red = reduction::mean;
  static constexpr std::string_view name = "cross_entropy";
  template <class S>
  autodiff::node<S> operator()(autodiff::node<S> logits, const batch<S>& b) const {
    auto& t = logits.owner();
    if (!b.y) throw_invalid_argument("nn::cross_entropy_loss", "the training data has no class labels (y)");
    struct column {
      const S* p;
      index_t n, stride;
      std::size_t size() const { return static_cast<std::size_t>(n); }
      index_t operator[](std::size_t i) const { return static_cast<index_t>(std::llround(p[static_cast<index_t>(i) * stride])); }
    };
    return cross_entropy(logits, column{b.y, b.n, b.dy}, b.weights(t), red);
  }
};

}  // namespace hepad::nn

#endif  // HEPAD_NN_LOSSES_CROSS_ENTROPY_HPP
