// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/losses/contrastive.hpp
/// @brief Contrastive losses on embeddings z (rows = samples), built from tape operations (so
/// their gradients are those of the ops, gradient-checked in the tests):
/// - `nt_xent(z, temperature, w)` (SimCLR / JetCLR): rows [0, n/2) and [n/2, n) are two views of
///   the same n/2 objects; z is L2-normalised, s = z z^T / T with the diagonal excluded, and each
///   row is classified against its partner (i + n/2) mod n; mean over the n rows;
/// - `supervised_contrastive(z, labels, temperature, w)` (Khosla et al. 2020, L_out): every other
///   sample with the same label is a positive; l_i = -mean_{p in P(i)} log softmax_{a != i}(s_i)[p];
///   anchors without positives are left out of the mean.
/// Weights (n x 1, any sign) multiply each row's term. Both couple the rows of a batch: train them
/// with `trainer::chunks = 1`.
#ifndef HEPAD_NN_LOSSES_CONTRASTIVE_HPP
#define HEPAD_NN_LOSSES_CONTRASTIVE_HPP

#include <hepad/autodiff/ops/arithmetic.hpp>
#include <hepad/autodiff/ops/elementwise.hpp>
#include <hepad/autodiff/ops/matmul.hpp>
#include <hepad/autodiff/ops/reduce.hpp>
#include <hepad/autodiff/ops/shape.hpp>
#include <hepad/autodiff/ops/softmax.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>
#include <hepad/nn/losses/reduction.hpp>

#include <iterator>
#include <limits>
#include <string_view>
#include <vector>

namespace hepad::nn {

namespace detail {
/// Rows scaled to unit L2 norm.
template <class S>
inline autodiff::node<S> l2_normalize_rows(autodiff::node<S> z) {
  auto& t = z.owner();
  auto n2 = autodiff::sum(autodiff::square(z), 1);
  // sqrt(|z|^2 + 1e-24): smooth, and equal to |z| for any non-degenerate embedding.
  auto norm = autodiff::sqrt(autodiff::add(n2, t.constant(1, 1, S(1e-24))));
  return autodiff::div(z, norm);
}
/// Mean (or other reduction) of the per-row terms `l` (n x 1) with weights `w`, counting only rows
/// with `keep[i]` (all if empty).
template <class S>
inline autodiff::node<S> reduce_rows(std::string_view fn, autodiff::node<S> l, autodiff::node<S> w, reduction red,
                                     const std::vector<S>& keep) {
  auto& t = l.owner();
  const index_t n = l.rows();
  matrix<S> coef = matrix<S>::Ones(n, 1);
  double count = 0, wsum = 0;
  for (index_t i = 0; i < n; ++i) {
    const S k = keep.empty() ? S(1) : keep[static_cast<std::size_t>(i)];
    const S wi = w.valid() ? w.data()->value[i] : S(1);
    coef(i, 0) = k * wi;
    count += static_cast<double>(k);
    wsum += static_cast<double>(k * wi);
  }
  double div = 1.0;
  if (red == reduction::mean) div = count;
  if (red == reduction::weighted_mean) div = wsum;
  if (!(div != 0.0) || !std::isfinite(div))
    throw_invalid_argument(fn, hepad::detail::concat("the reduction divides by ", div, " (no usable rows)"));
  return autodiff::affine(autodiff::sum(autodiff::mul(l, t.constant(coef))), static_cast<S>(1.0 / div));
}
}  // namespace detail

/// NT-Xent (normalised temperature-scaled cross entropy) for two stacked views.
/// @param z n x d embeddings, n even: rows i and (i + n/2) mod n are the two views of one object.
/// @throws invalid_argument if n is odd or < 2, or the temperature is not positive.
template <class S>
inline autodiff::node<S> nt_xent(autodiff::node<S> z, double temperature, autodiff::node<S> w = {},
                                 reduction red = reduction::mean) {
  constexpr std::string_view fn = "nn::nt_xent";
  auto& t = z.owner();
  t.check_owner(fn, z);
  check_positive(fn, "temperature", temperature);
  const index_t n = z.rows();
  if (n < 2 || n % 2 != 0)
    throw_invalid_argument(fn, hepad::detail::concat("z must have an even number (>= 2) of rows (two views), got ", n));
  detail::check_weights(fn, z, w);
  auto zn = detail::l2_normalize_rows(z);
  auto sim = autodiff::affine(autodiff::matmul_nt(zn, zn), static_cast<S>(1.0 / temperature));
  matrix<S> eye = matrix<S>::Identity(n, n);
  auto masked = autodiff::masked_fill(sim, t.constant(eye), -std::numeric_limits<S>::infinity());
  auto ls = autodiff::log_softmax(masked, 1);
  std::vector<index_t> partner(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i) partner[static_cast<std::size_t>(i)] = (i + n / 2) % n;
  auto picked = autodiff::gather(ls, partner);
  return detail::reduce_rows(fn, autodiff::neg(picked), w, red, {});
}

/// Supervised contrastive loss (SupCon, L_out) with class labels (any sized range of integers).
template <class S, class Labels>
inline autodiff::node<S> supervised_contrastive(autodiff::node<S> z, const Labels& labels, double temperature,
                                                autodiff::node<S> w = {}, reduction red = reduction::mean) {
  constexpr std::string_view fn = "nn::supervised_contrastive";
  auto& t = z.owner();
  t.check_owner(fn, z);
  check_positive(fn, "temperature", temperature);
  const index_t n = z.rows();
  if (static_cast<index_t>(std::size(labels)) != n)
    throw_invalid_argument(fn, hepad::detail::concat("labels must have ", n, " entries, got ", std::size(labels)));
  detail::check_weights(fn, z, w);
  std::vector<long long> y(static_cast<std::size_t>(n));
  for (index_t i = 0; i < n; ++i)
    y[static_cast<std::size_t>(i)] = static_cast<long long>(labels[static_cast<decltype(std::size(labels))>(i)]);
  // Positive weights: 1 / |P(i)| for every positive p of anchor i.
  matrix<S> pos = matrix<S>::Zero(n, n);
  std::vector<S> keep(static_cast<std::size_t>(n), S(0));
  for (index_t i = 0; i < n; ++i) {
    index_t np = 0;
    for (index_t j = 0; j < n; ++j) np += (j != i && y[static_cast<std::size_t>(j)] == y[static_cast<std::size_t>(i)]);
    if (np == 0) continue;
    keep[static_cast<std::size_t>(i)] = S(1);
    for (index_t j = 0; j < n; ++j)
      if (j != i && y[static_cast<std::size_t>(j)] == y[static_cast<std::size_t>(i)]) pos(i, j) = S(1) / static_cast<S>(np);
  }
  auto zn = detail::l2_normalize_rows(z);
  auto sim = autodiff::affine(autodiff::matmul_nt(zn, zn), static_cast<S>(1.0 / temperature));
  const matrix<S> eye = matrix<S>::Identity(n, n);
  auto eye_node = t.constant(eye);
  auto ls = autodiff::log_softmax(autodiff::masked_fill(sim, eye_node, -std::numeric_limits<S>::infinity()), 1);
  auto ls0 = autodiff::masked_fill(ls, eye_node, S(0));  // the diagonal (-inf) never contributes
  auto per_anchor = autodiff::neg(autodiff::sum(autodiff::mul(ls0, t.constant(pos)), 1));
  return detail::reduce_rows(fn, per_anchor, w, red, keep);
}

}  // namespace hepad::nn

#endif  // HEPAD_NN_LOSSES_CONTRASTIVE_HPP
