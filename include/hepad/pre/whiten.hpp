// SPDX-License-Identifier: BSL-1.0
/// @file hepad/pre/whiten.hpp
/// @brief `hepad::pre::whiten`: y = W (x - mean) with W chosen so that the (weighted)
/// covariance of y is the identity: ZCA (W = Sigma^-1/2), PCA (W = Lambda^-1/2 U^T) or Cholesky
/// (W = L^-1 with Sigma = L L^T). Constant Jacobian log|det W| = -1/2 log det Sigma.
#ifndef HEPAD_PRE_WHITEN_HPP
#define HEPAD_PRE_WHITEN_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/data/table.hpp>
#include <hepad/pre/detail/common.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>

#include <cmath>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::pre {

/// How the whitening matrix is chosen (all give identity covariance; they differ by a rotation).
enum class whiten_method : int {
  zca = 0,       ///< W = Sigma^-1/2 (symmetric; y stays closest to x)
  pca = 1,       ///< W = Lambda^-1/2 U^T (y along the principal axes, by decreasing variance)
  cholesky = 2,  ///< W = L^-1, Sigma = L L^T (triangular: y_k depends on x_1..x_k only)
};

/// Decorrelating, unit-variance linear map fitted on (weighted) data.
///
/// Weighted covariance: Sigma = sum w (x - mean)(x - mean)^T / W, W = sum w > 0 (negative weights
/// allowed; see standardize). `epsilon` is added to the diagonal of Sigma (regularisation). Sigma
/// must be positive definite.
struct whiten {
  whiten_method method = whiten_method::zca;
  double epsilon = 0.0;  ///< added to the covariance diagonal

  // Learned by fit.
  std::vector<double> mean{};     ///< d
  std::vector<double> w{};        ///< d x d row-major whitening matrix W
  std::vector<double> w_inv{};    ///< d x d row-major inverse of W
  double log_det = 0.0;           ///< log|det W|

  static constexpr std::string_view name = "whiten";
  static constexpr auto fields() {
    return std::tuple{config::field{"method", &whiten::method}, config::field{"epsilon", &whiten::epsilon},
                      config::field{"mean", &whiten::mean}, config::field{"w", &whiten::w},
                      config::field{"w_inv", &whiten::w_inv}, config::field{"log_det", &whiten::log_det}};
  }

  [[nodiscard]] bool fitted() const noexcept { return !mean.empty(); }

  template <class D>
  void fit(const Eigen::MatrixBase<D>& x) {
    fit_impl(x, static_cast<const Eigen::MatrixBase<Eigen::VectorXd>*>(nullptr));
  }
  /// @throws hepad::invalid_argument if the total weight is <= 0 or the covariance is not
  /// positive definite.
  template <class D, class W>
  void fit(const Eigen::MatrixBase<D>& x, const Eigen::MatrixBase<W>& weights) {
    fit_impl(x, &weights);
  }
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> transform(const Eigen::MatrixBase<D>& x) const {
    prepare("pre::whiten::transform", x.cols());
    const Eigen::Map<const matrix<double>> W(w.data(), dim(), dim());
    const Eigen::Map<const row_vector<double>> m(mean.data(), dim());
    matrix<double> y = (x.template cast<double>().rowwise() - m) * W.transpose();
    return y.template cast<typename D::Scalar>();
  }
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> inverse_transform(const Eigen::MatrixBase<D>& y) const {
    prepare("pre::whiten::inverse_transform", y.cols());
    const Eigen::Map<const matrix<double>> Wi(w_inv.data(), dim(), dim());
    const Eigen::Map<const row_vector<double>> m(mean.data(), dim());
    matrix<double> x = (y.template cast<double>() * Wi.transpose()).rowwise() + m;
    return x.template cast<typename D::Scalar>();
  }
  template <class D>
  [[nodiscard]] vector<typename D::Scalar> log_abs_det_jacobian(const Eigen::MatrixBase<D>& x) const {
    prepare("pre::whiten::log_abs_det_jacobian", x.cols());
    return vector<typename D::Scalar>::Constant(x.rows(), static_cast<typename D::Scalar>(log_det));
  }

  template <class S>
  data::table<S> fit(data::table<S> t) {
    return detail::fit_table(*this, std::move(t));
  }
  template <class S>
  data::table<S> run(data::table<S> t) const {
    return detail::run_table(*this, std::move(t));
  }

 private:
  [[nodiscard]] Eigen::Index dim() const noexcept { return static_cast<Eigen::Index>(mean.size()); }
  void prepare(std::string_view fn, std::int64_t cols) const {
    detail::require_fitted(fitted(), fn);
    detail::require_columns(fn, cols, dim());
  }
  template <class D, class DW>
  void fit_impl(const Eigen::MatrixBase<D>& x, const Eigen::MatrixBase<DW>* weights) {
    constexpr std::string_view fn = "pre::whiten::fit";
    check_nonnegative(fn, "epsilon", epsilon);
    const auto s = detail::weighted_stats(fn, x, weights);
    const auto d = x.cols();
    Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(d, d);
    Eigen::VectorXd r(d);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const double wi = weights ? static_cast<double>((*weights)(i)) : 1.0;
      for (Eigen::Index j = 0; j < d; ++j) r(j) = static_cast<double>(x(i, j)) - s.mean[static_cast<std::size_t>(j)];
      cov.noalias() += wi * r * r.transpose();
    }
    cov /= s.total_weight;
    cov.diagonal().array() += epsilon;
    Eigen::MatrixXd W(d, d), Wi(d, d);
    double ld = 0.0;
    if (method == whiten_method::cholesky) {
      Eigen::LLT<Eigen::MatrixXd> llt(cov);
      if (llt.info() != Eigen::Success) not_positive_definite();
      const Eigen::MatrixXd L = llt.matrixL();
      Wi = L;
      W = L.triangularView<Eigen::Lower>().solve(Eigen::MatrixXd::Identity(d, d));
      for (Eigen::Index j = 0; j < d; ++j) ld -= std::log(L(j, j));
    } else {
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(cov);
      if (es.info() != Eigen::Success || !(es.eigenvalues().minCoeff() > 0.0)) not_positive_definite();
      // Decreasing order for PCA.
      const Eigen::VectorXd lam = es.eigenvalues().reverse();
      const Eigen::MatrixXd U = es.eigenvectors().rowwise().reverse();
      const Eigen::VectorXd is = lam.array().rsqrt().matrix(), sq = lam.array().sqrt().matrix();
      if (method == whiten_method::pca) {
        W = is.asDiagonal() * U.transpose();
        Wi = U * sq.asDiagonal();
      } else {
        W = U * is.asDiagonal() * U.transpose();
        Wi = U * sq.asDiagonal() * U.transpose();
      }
      ld = -0.5 * lam.array().log().sum();
    }
    mean = s.mean;
    w.resize(static_cast<std::size_t>(d * d));
    w_inv.resize(static_cast<std::size_t>(d * d));
    Eigen::Map<matrix<double>>(w.data(), d, d) = W;
    Eigen::Map<matrix<double>>(w_inv.data(), d, d) = Wi;
    log_det = ld;
  }
  [[noreturn]] static void not_positive_definite() {
    throw_invalid_argument("pre::whiten::fit",
                           "the (weighted) covariance is not positive definite (collinear or constant "
                           "columns, or negative weights dominating); add epsilon to regularise");
  }
};

}  // namespace hepad::pre

#endif  // HEPAD_PRE_WHITEN_HPP
