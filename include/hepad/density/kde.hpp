// SPDX-License-Identifier: BSL-1.0
/// @file hepad/density/kde.hpp
/// @brief `density::gaussian_kde`: weighted multivariate Gaussian kernel density estimate with
/// Scott's or Silverman's rule, a chosen factor, or a chosen absolute bandwidth; log_prob,
/// gradient of log_prob, and sampling. Not here: adaptive (per-point) bandwidths, bounded-domain
/// kernels, tree-accelerated evaluation (evaluation is exact, O(n_query x n_data x d)).
#ifndef HEPAD_DENSITY_KDE_HPP
#define HEPAD_DENSITY_KDE_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/density/detail/stats.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <tuple>

namespace hepad::density {

/// How the kernel covariance H is chosen from the (weighted) data covariance Sigma.
enum class bandwidth_rule : int {
  scott = 0,      ///< H = f^2 Sigma, f = n_eff^(-1/(d+4))
  silverman = 1,  ///< H = f^2 Sigma, f = (n_eff (d+2) / 4)^(-1/(d+4))
  factor = 2,     ///< H = bandwidth^2 Sigma (scipy's scalar `bw_method`)
  absolute = 3    ///< H = bandwidth^2 I, in the units of x (no data covariance)
};

/// Configuration of `gaussian_kde`.
struct kde_config {
  bandwidth_rule rule = bandwidth_rule::scott;
  /// The factor (`rule == factor`) or the kernel standard deviation (`rule == absolute`).
  double bandwidth = 1.0;
  static constexpr std::string_view name = "gaussian_kde";
  static constexpr auto fields() {
    return std::tuple{config::field{"rule", &kde_config::rule},
                      config::field{"bandwidth", &kde_config::bandwidth}};
  }
};

/// Weighted Gaussian kernel density estimate
/// \f$ \hat p(x) = \sum_i w_i N(x; x_i, H) / \sum_i w_i \f$.
///
/// Models `weighted_density` and `sampleable_density` (docs/concepts/density_estimator.md). The
/// estimate is normalised exactly (a mixture of normalised Gaussians). With weights, the effective
/// sample size n_eff = (sum w)^2 / sum w^2 enters the bandwidth rules. Negative weights are rejected.
/// Internally double precision; `S` is the scalar of the inputs and outputs.
/// @tparam S float or double.
template <class S = double>
class gaussian_kde {
 public:
  using scalar_type = S;
  using config_type = kde_config;

  explicit gaussian_kde(kde_config cfg = {}) : cfg_(cfg) {}

  /// Fits on the rows of `x` (unit weights). @throws invalid_argument for empty or non-finite data,
  /// or a singular data covariance (use `bandwidth_rule::absolute` for degenerate data).
  void fit(matrix_cref<S> x) { fit_impl(x, nullptr); }
  /// Fits with per-event weights (finite, non-negative, not all zero).
  void fit(matrix_cref<S> x, vector_cref<S> w) {
    const vector<S> wv = w;
    fit_impl(x, &wv);
  }

  /// Natural log of the estimated density at each row of `x`. Complexity O(rows(x) n d).
  /// @throws invalid_argument if not fitted, on a column mismatch or non-finite input.
  [[nodiscard]] vector<S> log_prob(matrix_cref<S> x) const {
    require_fitted("gaussian_kde::log_prob");
    detail::check_query<S>("gaussian_kde::log_prob", x, d_);
    vector<S> out(x.rows());
    evaluate(x, &out, nullptr);
    return out;
  }

  /// Gradient of log p with respect to x, one row per event.
  [[nodiscard]] matrix<S> grad_log_prob(matrix_cref<S> x) const {
    require_fitted("gaussian_kde::grad_log_prob");
    detail::check_query<S>("gaussian_kde::grad_log_prob", x, d_);
    matrix<S> g(x.rows(), d_);
    evaluate(x, nullptr, &g);
    return g;
  }

  /// Draws `n` events: a data point chosen with probability proportional to its weight plus a
  /// kernel displacement N(0, H).
  [[nodiscard]] matrix<S> sample(std::int64_t n, rng& r) const {
    require_fitted("gaussian_kde::sample");
    check_nonnegative("gaussian_kde::sample", "n", n);
    matrix<S> out(n, d_);
    detail::dvector z(d_);
    for (index_t k = 0; k < n; ++k) {
      const index_t i = pick_(r);
      for (index_t j = 0; j < d_; ++j) z(j) = r.normal<double>();
      out.row(k) = (data_.row(i).transpose() + chol_ * z).transpose().template cast<S>();
    }
    return out;
  }

  [[nodiscard]] std::int64_t n_features() const noexcept { return d_; }
  /// Kernel covariance H (d x d).
  [[nodiscard]] const detail::cmatrix& kernel_covariance() const noexcept { return cov_; }
  /// The bandwidth factor f (H = f^2 Sigma), or the absolute bandwidth for `absolute`.
  [[nodiscard]] double factor() const noexcept { return factor_; }
  /// Effective sample size of the training data.
  [[nodiscard]] double effective_size() const noexcept { return n_eff_; }
  [[nodiscard]] const kde_config& config() const noexcept { return cfg_; }

 private:
  void require_fitted(std::string_view fn) const {
    if (d_ == 0) throw_invalid_argument(fn, "the estimator is not fitted (call fit first)");
  }

  void fit_impl(matrix_cref<S> x, const vector<S>* w) {
    constexpr std::string_view fn = "gaussian_kde::fit";
    if (cfg_.rule == bandwidth_rule::factor || cfg_.rule == bandwidth_rule::absolute) {
      check_positive(fn, "bandwidth", cfg_.bandwidth);
      check_finite(fn, "bandwidth", cfg_.bandwidth);
    } else if (cfg_.rule != bandwidth_rule::scott && cfg_.rule != bandwidth_rule::silverman) {
      throw_invalid_argument(fn, hepad::detail::concat("rule must be scott, silverman, factor or "
                                                       "absolute, got ",
                                                       static_cast<int>(cfg_.rule)));
    }
    const detail::dvector wd = detail::checked_weights<S>(fn, x, w);
    const index_t d = x.cols();
    n_eff_ = detail::effective_size(wd);
    const double dd = static_cast<double>(d);
    switch (cfg_.rule) {
      case bandwidth_rule::scott: factor_ = std::pow(n_eff_, -1.0 / (dd + 4.0)); break;
      case bandwidth_rule::silverman:
        factor_ = std::pow(n_eff_ * (dd + 2.0) / 4.0, -1.0 / (dd + 4.0));
        break;
      default: factor_ = cfg_.bandwidth; break;
    }
    if (cfg_.rule == bandwidth_rule::absolute) {
      cov_ = detail::cmatrix::Identity(d, d) * (factor_ * factor_);
    } else {
      if (x.rows() < 2) throw_invalid_argument(fn, "x must have at least 2 rows for a data-driven bandwidth");
      const detail::dvector mean = detail::weighted_mean<S>(x, wd);
      cov_ = detail::weighted_covariance<S>(x, wd, mean) * (factor_ * factor_);
    }
    chol_ = detail::cholesky_lower(fn, "the kernel covariance", cov_);
    // Whitened data y_i = L^-1 x_i, so that (x - x_i)^T H^-1 (x - x_i) = |y - y_i|^2.
    // The data are centred first so that the expanded distances |y|^2 + |y_i|^2 - 2 y.y_i do not
    // lose precision far from the origin.
    data_ = x.template cast<double>();
    center_ = data_.colwise().mean();
    white_ = chol_.template triangularView<Eigen::Lower>()
                 .solve((data_.rowwise() - center_).transpose())
                 .transpose();
    norms_ = white_.rowwise().squaredNorm();
    log_w_ = (wd / wd.sum()).array().log().matrix();
    pick_ = detail::weighted_index(wd);
    log_norm_ = -0.5 * dd * detail::log_2pi - chol_.diagonal().array().log().sum();
    d_ = d;
  }

  // log p and/or its gradient, blocked: a (query block) x (data block) GEMM for the distances and
  // an online log-sum-exp across data blocks.
  void evaluate(matrix_cref<S> x, vector<S>* lp, matrix<S>* grad) const {
    constexpr index_t bq = 128, bd = 2048;
    const index_t n = white_.rows();
    const double ninf = -std::numeric_limits<double>::infinity();
    for (index_t q0 = 0; q0 < x.rows(); q0 += bq) {
      const index_t nq = (std::min)(bq, x.rows() - q0);
      const detail::dmatrix xq = x.middleRows(q0, nq).template cast<double>().rowwise() - center_;
      const detail::dmatrix yq =
          chol_.template triangularView<Eigen::Lower>().solve(xq.transpose()).transpose();
      const detail::dvector qn = yq.rowwise().squaredNorm();
      detail::dvector m = detail::dvector::Constant(nq, ninf), s = detail::dvector::Zero(nq);
      detail::dmatrix gs;  // sum_i e_i (y_i - y) in whitened coordinates, scaled like s
      if (grad) gs = detail::dmatrix::Zero(nq, d_);
      detail::dmatrix e(nq, bd);
      for (index_t i0 = 0; i0 < n; i0 += bd) {
        const index_t nd = (std::min)(bd, n - i0);
        auto eb = e.leftCols(nd);
        eb.noalias() = yq * white_.middleRows(i0, nd).transpose();
        for (index_t a = 0; a < nq; ++a) {
          double mx = ninf;
          for (index_t b = 0; b < nd; ++b) {
            const double d2 = (std::max)(0.0, qn(a) + norms_(i0 + b) - 2.0 * eb(a, b));
            eb(a, b) = log_w_(i0 + b) - 0.5 * d2;
            mx = (std::max)(mx, eb(a, b));
          }
          if (mx == ninf) {  // only zero-weight points in this block
            eb.row(a).setZero();
            continue;
          }
          if (mx > m(a)) {
            const double sc = std::exp(m(a) - mx);
            s(a) *= sc;
            if (grad) gs.row(a) *= sc;
            m(a) = mx;
          }
          for (index_t b = 0; b < nd; ++b) {
            const double t = std::exp(eb(a, b) - m(a));
            eb(a, b) = t;
            s(a) += t;
          }
        }
        if (grad) {
          // sum_b t_ab (y_b - y_a) = (T Y)_a - (sum_b t_ab) y_a; the second part is added below.
          gs.noalias() += eb * white_.middleRows(i0, nd);
        }
      }
      for (index_t a = 0; a < nq; ++a) {
        if (lp) (*lp)(q0 + a) = static_cast<S>(m(a) + std::log(s(a)) + log_norm_);
      }
      if (grad) {
        // d log p / dx = L^-T (sum_b t_b (y_b - y)) / sum_b t_b.
        detail::dmatrix gw(nq, d_);
        for (index_t a = 0; a < nq; ++a) gw.row(a) = gs.row(a) / s(a) - yq.row(a);
        const detail::dmatrix gx =
            chol_.transpose().template triangularView<Eigen::Upper>().solve(gw.transpose()).transpose();
        grad->middleRows(q0, nq) = gx.template cast<S>();
      }
    }
  }

  kde_config cfg_;
  index_t d_ = 0;
  double factor_ = 0.0, n_eff_ = 0.0, log_norm_ = 0.0;
  detail::cmatrix cov_, chol_;
  detail::dmatrix data_, white_;
  detail::dvector norms_, log_w_;
  Eigen::RowVectorXd center_;
  detail::weighted_index pick_;
};

}  // namespace hepad::density

#endif  // HEPAD_DENSITY_KDE_HPP
