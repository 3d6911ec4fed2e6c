// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/lu_linear.hpp
/// @brief `flows::lu_linear<S>`: a trainable invertible linear map u = x (L U)^T + b with L unit
/// lower triangular and U upper triangular with diagonal softplus(a) + eps (nflows' LULinear),
/// log|det| = sum log diag U. Initialised to the identity. Combine with a random permutation for
/// a general linear map (Glow's "1x1 convolution" / LU permutation). Not here: fixed permutations.
#ifndef HEPAD_FLOWS_LU_LINEAR_HPP
#define HEPAD_FLOWS_LU_LINEAR_HPP

#include <hepad/autodiff/parameter.hpp>
#include <hepad/autodiff/tape.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/concepts/bijector.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/flows/concepts.hpp>
#include <hepad/flows/detail/tape_support.hpp>
#include <hepad/flows/transformers.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

namespace hepad::flows {

/// LU-parameterised linear bijector. Parameters: "lower" (D x D, strict lower part used), "upper"
/// (D x D, strict upper part used), "diag" (1 x D, unconstrained), "bias" (1 x D).
template <class S>
class lu_linear {
 public:
  using scalar_type = S;

  lu_linear() = default;
  explicit lu_linear(index_t n_features, index_t n_context = 0, double eps = 1e-3) : C_(n_context), eps_(eps) {
    check_positive("flows::lu_linear", "n_features", n_features);
    params_.emplace_back("lower", n_features, n_features);
    params_.emplace_back("upper", n_features, n_features);
    params_.emplace_back("diag", 1, n_features);
    params_.emplace_back("bias", 1, n_features);
  }
  [[nodiscard]] std::int64_t n_features() const noexcept { return params_[3].cols(); }
  [[nodiscard]] std::int64_t n_context() const noexcept { return C_; }
  /// The identity map.
  void reset_parameters(rng&) {
    for (auto& p : params_) {
      p.value.setZero();
      p.grad.setZero();
    }
    params_[2].value.setConstant(static_cast<S>(std::log(std::expm1(1.0 - eps_))));
  }
  [[nodiscard]] std::vector<autodiff::parameter<S>*> parameters() {
    return {&params_[0], &params_[1], &params_[2], &params_[3]};
  }
  /// The matrix W = L U.
  [[nodiscard]] matrix<S> weight() const { return lower() * upper(); }

  [[nodiscard]] transform_result<S> forward(matrix_cref<S> x, matrix_cref<S> = matrix<S>()) const {
    matrix<S> u = (x * weight().transpose()).rowwise() + params_[3].value.row(0);
    return {std::move(u), vector<S>::Constant(x.rows(), log_det())};
  }
  [[nodiscard]] transform_result<S> inverse(matrix_cref<S> u, matrix_cref<S> = matrix<S>()) const {
    // x^T = U^-1 L^-1 (u - b)^T
    const matrix<S> L = lower(), U = upper();
    matrix<S> y = (u.rowwise() - params_[3].value.row(0)).transpose();
    y = L.template triangularView<Eigen::UnitLower>().solve(y);
    y = U.template triangularView<Eigen::Upper>().solve(y);
    return {y.transpose(), vector<S>::Constant(u.rows(), -log_det())};
  }

  flow_nodes<S> forward(autodiff::tape<S>& t, autodiff::node<S> x, autodiff::node<S>, bool train) {
    const index_t n = x.rows(), D = n_features();
    const auto leaves = detail::param_leaves<S>::make(t, params_, train);
    const bool need = leaves.any() || x.requires_grad();
    autodiff::node<S> u = t.make(n, D, need), ld = t.make(n, 1, need);
    const transform_result<S> r = forward(x.value());
    u.mutable_value() = r.value;
    ld.mutable_value() = r.log_det;
    if (!need) return {u, ld};
    const lu_linear* self = this;
    detail::on_backward_two(t, u, ld, [self, x, u, ld, n, D, leaves] {
      const auto gu = u.grad();
      const auto gl = ld.grad();
      const matrix<S> L = self->lower(), U = self->upper();
      if (x.requires_grad()) {
        Eigen::Map<matrix<S>> gx(detail::param_leaves<S>::writable(x), n, D);
        gx.noalias() += gu * (L * U);
      }
      if (S* const* pg = leaves.targets()) {
        const matrix<S> gW = gu.transpose() * x.value();  // D x D
        const matrix<S> gL = gW * U.transpose(), gU = L.transpose() * gW;
        Eigen::Map<matrix<S>> gl_(pg[0], D, D), gu_(pg[1], D, D);
        const S G = gl.sum();
        for (index_t a = 0; a < D; ++a) {
          for (index_t b = 0; b < D; ++b) {
            if (a > b) gl_(a, b) += gL(a, b);
            if (a < b) gu_(a, b) += gU(a, b);
          }
          const S z = self->params_[2].value(0, a);
          const S d = detail::softplus_(z) + S(self->eps_);
          pg[2][a] += (gU(a, a) + G / d) * detail::sigmoid_(z);
          S gb = 0;
          for (index_t i = 0; i < n; ++i) gb += gu(i, a);
          pg[3][a] += gb;
        }
      }
    });
    return {u, ld};
  }

 private:
  matrix<S> lower() const {
    matrix<S> L = params_[0].value.template triangularView<Eigen::StrictlyLower>();
    L.diagonal().setOnes();
    return L;
  }
  matrix<S> upper() const {
    matrix<S> U = params_[1].value.template triangularView<Eigen::StrictlyUpper>();
    for (index_t j = 0; j < n_features(); ++j)
      U(j, j) = detail::softplus_(params_[2].value(0, j)) + S(eps_);
    return U;
  }
  S log_det() const {
    S s = 0;
    for (index_t j = 0; j < n_features(); ++j) s += std::log(detail::softplus_(params_[2].value(0, j)) + S(eps_));
    return s;
  }

  index_t C_ = 0;
  double eps_ = 1e-3;
  std::vector<autodiff::parameter<S>> params_;
};

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_LU_LINEAR_HPP
