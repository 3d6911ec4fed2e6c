// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/permutation.hpp
/// @brief `flows::permutation<S>`: a fixed permutation of the feature columns (reverse, random
/// from a seeded generator, or given), a volume-preserving flow layer with no parameters. Not
/// here: the trainable LU-decomposed linear map (lu_linear.hpp).
#ifndef HEPAD_FLOWS_PERMUTATION_HPP
#define HEPAD_FLOWS_PERMUTATION_HPP

#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/bijector.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/flows/concepts.hpp>
#include <hepad/flows/detail/tape_support.hpp>

#include <cstdint>
#include <numeric>
#include <vector>

namespace hepad::flows {

/// u[:, j] = x[:, perm[j]]; log|det| = 0.
/// @tparam S float or double.
template <class S>
class permutation {
 public:
  using scalar_type = S;

  permutation() = default;
  /// @param perm a permutation of 0..D-1; @param n_context context columns (ignored, for the
  /// layer interface). @throws invalid_argument if `perm` is not a permutation.
  explicit permutation(std::vector<std::int64_t> perm, index_t n_context = 0)
      : perm_(std::move(perm)), inv_(perm_.size()), C_(n_context) {
    std::vector<char> seen(perm_.size(), 0);
    for (std::size_t j = 0; j < perm_.size(); ++j) {
      const auto p = perm_[j];
      if (p < 0 || p >= static_cast<std::int64_t>(perm_.size()) || seen[static_cast<std::size_t>(p)])
        throw_invalid_argument("flows::permutation", "perm must be a permutation of 0..D-1");
      seen[static_cast<std::size_t>(p)] = 1;
      inv_[static_cast<std::size_t>(p)] = static_cast<std::int64_t>(j);
    }
  }
  /// Reverses the feature order.
  static permutation reverse(index_t D, index_t n_context = 0) {
    std::vector<std::int64_t> p(static_cast<std::size_t>(D));
    for (index_t j = 0; j < D; ++j) p[static_cast<std::size_t>(j)] = D - 1 - j;
    return permutation(std::move(p), n_context);
  }
  /// A uniformly random permutation drawn from `r`.
  static permutation random(index_t D, rng& r, index_t n_context = 0) {
    return permutation(r.permutation(D), n_context);
  }

  [[nodiscard]] std::int64_t n_features() const noexcept { return static_cast<std::int64_t>(perm_.size()); }
  [[nodiscard]] std::int64_t n_context() const noexcept { return C_; }
  [[nodiscard]] const std::vector<std::int64_t>& indices() const noexcept { return perm_; }
  void reset_parameters(rng&) noexcept {}
  [[nodiscard]] std::vector<autodiff::parameter<S>*> parameters() noexcept { return {}; }

  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x, matrix_cref<S> = matrix<S>()) const {
    return {apply(x, perm_), vector<S>::Zero(x.rows())};
  }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u, matrix_cref<S> = matrix<S>()) const {
    return {apply(u, inv_), vector<S>::Zero(u.rows())};
  }

  flow_nodes<S> forward(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S>, bool) {
    const index_t n = x.rows(), D = n_features();
    autodiff::node<S> u = t.make(n, D, x.requires_grad());
    const std::int64_t* p = copy_to(t, perm_);
    const S* xv = x.value().data();
    S* uv = u.mutable_value().data();
    for (index_t i = 0; i < n; ++i)
      for (index_t j = 0; j < D; ++j) uv[i * D + j] = xv[i * D + p[j]];
    t.on_backward(u, [x, u, p, n, D] {
      const S* gu = autodiff::out_grad(u).data();
      S* gx = detail::param_leaves<S>::writable(x);
      for (index_t i = 0; i < n; ++i)
        for (index_t j = 0; j < D; ++j) gx[i * D + p[j]] += gu[i * D + j];
    });
    return {u, autodiff::node<S>()};
  }

 private:
  static matrix<S> apply(matrix_cref<S> x, const std::vector<std::int64_t>& p) {
    matrix<S> u(x.rows(), x.cols());
    for (index_t j = 0; j < x.cols(); ++j) u.col(j) = x.col(p[static_cast<std::size_t>(j)]);
    return u;
  }
  static const std::int64_t* copy_to(autodiff::tape<S>& t, const std::vector<std::int64_t>& v) {
    auto* p = t.template allocate<std::int64_t>(v.size());
    std::copy(v.begin(), v.end(), p);
    return p;
  }

  std::vector<std::int64_t> perm_, inv_;
  index_t C_ = 0;
};

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_PERMUTATION_HPP
