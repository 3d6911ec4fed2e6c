// SPDX-License-Identifier: BSL-1.0
/// @file hepad/density/detail/stats.hpp
/// @brief Internal helpers of the density family: input checks shared by the estimators, weighted
/// mean and covariance, log-sum-exp, Cholesky factors with clear errors, and weighted index
/// sampling. Everything here works in double precision; estimators convert at their boundary.
#ifndef HEPAD_DENSITY_DETAIL_STATS_HPP
#define HEPAD_DENSITY_DETAIL_STATS_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>

#include <Eigen/Cholesky>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string_view>
#include <vector>

namespace hepad::density::detail {

using dmatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using dvector = Eigen::VectorXd;
/// Column-major double matrix (covariances, Cholesky factors).
using cmatrix = Eigen::MatrixXd;

/// log(2 pi).
inline constexpr double log_2pi = 1.8378770664093454835606594728112;

/// Checks a training sample: non-empty, finite, and (if given) weights of matching size that are
/// finite, non-negative and not all zero. Returns the weights (ones when none were given).
template <class S>
inline dvector checked_weights(std::string_view fn, matrix_cref<S> x, const vector<S>* w) {
  check_not_empty(fn, "x (rows)", static_cast<std::size_t>(x.rows()));
  check_not_empty(fn, "x (columns)", static_cast<std::size_t>(x.cols()));
  check_all_finite(fn, "x", x);
  if (w == nullptr) return dvector::Ones(x.rows());
  check_size(fn, "weights", static_cast<std::size_t>(w->size()), static_cast<std::size_t>(x.rows()));
  dvector out(x.rows());
  double total = 0.0;
  for (index_t i = 0; i < x.rows(); ++i) {
    const double v = static_cast<double>((*w)(i));
    if (!std::isfinite(v) || v < 0.0)
      throw_invalid_argument(fn, hepad::detail::concat("weights must be finite and non-negative, got ",
                                                       v, " at row ", i,
                                                       " (negative event weights are not supported "
                                                       "by this estimator)"));
    out(i) = v;
    total += v;
  }
  if (!(total > 0.0)) throw_invalid_argument(fn, "weights must not all be zero");
  return out;
}

/// Checks query events: `x.cols() == d` and every entry finite.
template <class S>
inline void check_query(std::string_view fn, matrix_cref<S> x, std::int64_t d) {
  if (x.cols() != d)
    throw_invalid_argument(fn, hepad::detail::concat("x must have ", d, " columns (the fitted "
                                                     "number of features), got ",
                                                     x.cols()));
  check_all_finite(fn, "x", x);
}

/// Effective sample size (sum w)^2 / sum w^2.
inline double effective_size(const dvector& w) {
  const double s = w.sum();
  return s * s / w.squaredNorm();
}

/// Weighted mean of the rows of `x`.
template <class S>
inline dvector weighted_mean(matrix_cref<S> x, const dvector& w) {
  dvector m = dvector::Zero(x.cols());
  for (index_t i = 0; i < x.rows(); ++i) m += w(i) * x.row(i).transpose().template cast<double>();
  return m / w.sum();
}

/// Weighted covariance with the "reliability weights" unbiased normalisation (as numpy.cov with
/// aweights): sum w (x - m)(x - m)^T / (W - sum w^2 / W). Reduces to the usual 1/(n - 1) form.
template <class S>
inline cmatrix weighted_covariance(matrix_cref<S> x, const dvector& w, const dvector& mean) {
  const index_t d = x.cols();
  cmatrix c = cmatrix::Zero(d, d);
  dvector dx(d);
  for (index_t i = 0; i < x.rows(); ++i) {
    dx = x.row(i).transpose().template cast<double>() - mean;
    c.selfadjointView<Eigen::Lower>().rankUpdate(dx, w(i));
  }
  c = c.selfadjointView<Eigen::Lower>();
  const double W = w.sum();
  const double denom = W - w.squaredNorm() / W;
  return denom > 0.0 ? cmatrix(c / denom) : cmatrix(c / W);
}

/// Lower Cholesky factor of a symmetric matrix; throws `invalid_argument` naming `what` when the
/// matrix is not positive definite.
inline cmatrix cholesky_lower(std::string_view fn, std::string_view what, const cmatrix& a) {
  Eigen::LLT<cmatrix> llt(a);
  if (llt.info() != Eigen::Success || !(llt.matrixL().toDenseMatrix().diagonal().minCoeff() > 0.0))
    throw_invalid_argument(fn, hepad::detail::concat(what, " is not positive definite (are the "
                                                     "data degenerate, e.g. a constant column?)"));
  return llt.matrixL();
}

/// Numerically stable log(sum_i exp(v_i)); -inf for an empty or all -inf input.
inline double logsumexp(const double* v, index_t n) {
  double m = -std::numeric_limits<double>::infinity();
  for (index_t i = 0; i < n; ++i) m = (std::max)(m, v[i]);
  if (!std::isfinite(m)) return m;
  double s = 0.0;
  for (index_t i = 0; i < n; ++i) s += std::exp(v[i] - m);
  return m + std::log(s);
}

/// Draws indices with probability proportional to non-negative weights (inverse CDF on the
/// cumulative sums; O(log n) per draw).
class weighted_index {
 public:
  weighted_index() = default;
  explicit weighted_index(const dvector& w) : cdf_(static_cast<std::size_t>(w.size())) {
    double s = 0.0;
    for (index_t i = 0; i < w.size(); ++i) cdf_[static_cast<std::size_t>(i)] = (s += w(i));
    total_ = s;
  }
  index_t operator()(rng& r) const {
    const double u = r.uniform<double>() * total_;
    auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
    if (it == cdf_.end()) {  // u rounded up to the total: the last entry with positive weight
      --it;
      while (it != cdf_.begin() && *(it - 1) == *it) --it;
    }
    // upper_bound never lands on a zero-weight entry: its cdf equals its predecessor's (<= u).
    return static_cast<index_t>(it - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
  double total_ = 0.0;
};

}  // namespace hepad::density::detail

#endif  // HEPAD_DENSITY_DETAIL_STATS_HPP
