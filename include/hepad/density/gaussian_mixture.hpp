// SPDX-License-Identifier: BSL-1.0
/// @file hepad/density/gaussian_mixture.hpp
/// @brief `density::gaussian_mixture`: full-covariance Gaussian mixture fitted by (weighted)
/// expectation-maximisation from a seeded k-means++ start; log_prob, its gradient, and sampling.
/// Not here: diagonal/tied covariances, Bayesian (variational) mixtures, model selection.
#ifndef HEPAD_DENSITY_GAUSSIAN_MIXTURE_HPP
#define HEPAD_DENSITY_GAUSSIAN_MIXTURE_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/core/result.hpp>
#include <hepad/density/detail/stats.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::density {

/// Configuration of `gaussian_mixture`.
struct gmm_config {
  std::int64_t n_components = 1;
  std::int64_t max_iterations = 500;
  /// EM stops when the penalised mean log-likelihood improves by less than this (nats/event).
  double tolerance = 1e-7;
  /// Covariance floor (see `gaussian_mixture`); in units of x^2.
  double reg_covar = 1e-6;
  /// Independent seeded starts; the one with the highest objective is kept.
  std::int64_t n_init = 1;
  /// Lloyd iterations after the k-means++ seeding.
  std::int64_t kmeans_iterations = 10;
  static constexpr std::string_view name = "gaussian_mixture";
  static constexpr auto fields() {
    return std::tuple{config::field{"n_components", &gmm_config::n_components},
                      config::field{"max_iterations", &gmm_config::max_iterations},
                      config::field{"tolerance", &gmm_config::tolerance},
                      config::field{"reg_covar", &gmm_config::reg_covar},
                      config::field{"n_init", &gmm_config::n_init},
                      config::field{"kmeans_iterations", &gmm_config::kmeans_iterations}};
  }
};

/// Gaussian mixture \f$ p(x) = \sum_k \pi_k N(x; \mu_k, \Sigma_k) \f$ with full covariances.
///
/// Fitting maximises the penalised weighted log-likelihood
/// \f$ J = \frac{1}{W}\left[\sum_i w_i \log p(x_i) - \frac{\epsilon}{2} \sum_k \mathrm{tr}\,
/// \Sigma_k^{-1}\right] \f$, \f$ \epsilon = \mathrm{reg\_covar}\, W / K \f$, by EM. The M-step is the
/// exact maximiser, \f$ \Sigma_k = S_k + (\epsilon / N_k) I \f$, so J never decreases (unlike adding
/// reg_covar to the covariance after the fact, which optimises no fixed objective); for balanced
/// components the floor is about reg_covar. The history of J is kept (`objective_history`).
/// Non-convergence within `max_iterations` is reported as `status::max_iterations`, never thrown.
/// Internally double precision. Models `weighted_density`, `sampleable_density`.
/// @tparam S float or double.
template <class S = double>
class gaussian_mixture {
 public:
  using scalar_type = S;
  using config_type = gmm_config;

  explicit gaussian_mixture(gmm_config cfg = {}) : cfg_(cfg) {}

  /// Fits by EM from `cfg.n_init` seeded k-means++ starts drawn from `r.split(start)`.
  /// @returns the final penalised mean log-likelihood J with the status and EM iteration count.
  /// @throws invalid_argument for bad data or configuration.
  result<double> fit(matrix_cref<S> x, rng& r) { return fit_impl(x, nullptr, r); }
  /// Weighted fit (weights finite, non-negative, not all zero).
  result<double> fit(matrix_cref<S> x, vector_cref<S> w, rng& r) {
    const vector<S> wv = w;
    return fit_impl(x, &wv, r);
  }

  /// log p(x) per row. Complexity O(rows K d^2).
  [[nodiscard]] vector<S> log_prob(matrix_cref<S> x) const {
    require_fitted("gaussian_mixture::log_prob");
    detail::check_query<S>("gaussian_mixture::log_prob", x, d_);
    const detail::dmatrix xd = x.template cast<double>();
    detail::dmatrix lj = joint_log(xd, comps_);
    vector<S> out(x.rows());
    for (index_t i = 0; i < x.rows(); ++i) out(i) = static_cast<S>(detail::logsumexp(&lj(i, 0), K_));
    return out;
  }

  /// Gradient of log p(x) with respect to x: \f$ -\sum_k r_k(x) \Sigma_k^{-1}(x - \mu_k) \f$.
  [[nodiscard]] matrix<S> grad_log_prob(matrix_cref<S> x) const {
    require_fitted("gaussian_mixture::grad_log_prob");
    detail::check_query<S>("gaussian_mixture::grad_log_prob", x, d_);
    const detail::dmatrix xd = x.template cast<double>();
    detail::dmatrix lj = joint_log(xd, comps_);
    matrix<S> g(x.rows(), d_);
    for (index_t i = 0; i < x.rows(); ++i) {
      const double lse = detail::logsumexp(&lj(i, 0), K_);
      detail::dvector gi = detail::dvector::Zero(d_);
      for (index_t k = 0; k < K_; ++k) {
        const double rk = std::exp(lj(i, k) - lse);
        if (rk == 0.0) continue;
        const auto& c = comps_[static_cast<std::size_t>(k)];
        const detail::dvector diff = xd.row(i).transpose() - c.mean;
        gi -= rk * c.chol.template triangularView<Eigen::Lower>().transpose().solve(
                       c.chol.template triangularView<Eigen::Lower>().solve(diff));
      }
      g.row(i) = gi.transpose().template cast<S>();
    }
    return g;
  }

  /// Draws `n` events (component by its weight, then mu + L z).
  [[nodiscard]] matrix<S> sample(std::int64_t n, rng& r) const {
    require_fitted("gaussian_mixture::sample");
    check_nonnegative("gaussian_mixture::sample", "n", n);
    detail::dvector pw(K_);
    for (index_t k = 0; k < K_; ++k) pw(k) = comps_[static_cast<std::size_t>(k)].weight;
    const detail::weighted_index pick(pw);
    matrix<S> out(n, d_);
    detail::dvector z(d_);
    for (index_t i = 0; i < n; ++i) {
      const auto& c = comps_[static_cast<std::size_t>(pick(r))];
      for (index_t j = 0; j < d_; ++j) z(j) = r.normal<double>();
      out.row(i) = (c.mean + c.chol * z).transpose().template cast<S>();
    }
    return out;
  }

  [[nodiscard]] std::int64_t n_features() const noexcept { return d_; }
  [[nodiscard]] std::int64_t n_components() const noexcept { return K_; }
  /// Mixing weight, mean and covariance of component k.
  [[nodiscard]] double weight(std::int64_t k) const { return comp(k).weight; }
  [[nodiscard]] const detail::dvector& mean(std::int64_t k) const { return comp(k).mean; }
  [[nodiscard]] const detail::cmatrix& covariance(std::int64_t k) const { return comp(k).cov; }
  /// Penalised mean log-likelihood J after the initial M-step and after every EM iteration of the
  /// start that was kept.
  [[nodiscard]] const std::vector<double>& objective_history() const noexcept { return history_; }
  [[nodiscard]] const gmm_config& config() const noexcept { return cfg_; }

 private:
  struct component {
    double weight = 0.0;
    detail::dvector mean;
    detail::cmatrix cov, chol;
    double log_norm = 0.0;  // -d/2 log 2pi - log|L|
  };

  const component& comp(std::int64_t k) const {
    require_fitted("gaussian_mixture");
    check_in_range("gaussian_mixture", "component", k, std::int64_t{0}, K_ - 1);
    return comps_[static_cast<std::size_t>(k)];
  }
  void require_fitted(std::string_view fn) const {
    if (d_ == 0) throw_invalid_argument(fn, "the estimator is not fitted (call fit first)");
  }

  // log pi_k + log N(x_i; mu_k, Sigma_k), n x K.
  detail::dmatrix joint_log(const detail::dmatrix& x, const std::vector<component>& cs) const {
    const index_t K = static_cast<index_t>(cs.size());
    detail::dmatrix lj(x.rows(), K);
    for (index_t k = 0; k < K; ++k) {
      const auto& c = cs[static_cast<std::size_t>(k)];
      const double lw = c.weight > 0.0 ? std::log(c.weight) : -std::numeric_limits<double>::infinity();
      const detail::cmatrix diff = (x.rowwise() - c.mean.transpose()).transpose();
      const detail::cmatrix y = c.chol.template triangularView<Eigen::Lower>().solve(diff);
      lj.col(k) = (lw + c.log_norm - 0.5 * y.colwise().squaredNorm().array()).matrix().transpose();
    }
    return lj;
  }

  // M-step from responsibilities (n x K, already multiplied by the event weights). Returns the
  // penalty term -eps/2 sum tr Sigma^-1.
  double m_step(const detail::dmatrix& x, const detail::dmatrix& rw, double W, double eps,
                std::vector<component>& cs) const {
    const index_t d = x.cols();
    double penalty = 0.0;
    for (index_t k = 0; k < K_; ++k) {
      auto& c = cs[static_cast<std::size_t>(k)];
      const double nk = rw.col(k).sum();
      c.weight = nk / W;
      if (nk > 1e-12 * W) {  // otherwise the component is dead: keep its shape, weight ~ 0
        c.mean = (rw.col(k).transpose() * x).transpose() / nk;
        const detail::dmatrix diff = x.rowwise() - c.mean.transpose();
        c.cov = (diff.transpose() * rw.col(k).asDiagonal() * diff) / nk;
        c.cov.diagonal().array() += eps / nk;
        c.cov = 0.5 * (c.cov + c.cov.transpose()).eval();
        Eigen::LLT<detail::cmatrix> llt(c.cov);
        if (llt.info() != Eigen::Success) {
          c.cov.diagonal().array() += 1e-10 * (c.cov.diagonal().mean() + 1.0);
          llt.compute(c.cov);
        }
        c.chol = llt.matrixL();
        c.log_norm = -0.5 * static_cast<double>(d) * detail::log_2pi - c.chol.diagonal().array().log().sum();
      }
      // tr Sigma^-1 = |L^-1|_F^2
      const detail::cmatrix li = c.chol.template triangularView<Eigen::Lower>().solve(
          detail::cmatrix::Identity(d, d));
      penalty -= 0.5 * eps * li.squaredNorm();
    }
    return penalty;
  }

  // One start: k-means++ seeding, Lloyd iterations, initial M-step, then EM.
  result<double> run_start(const detail::dmatrix& x, const detail::dvector& w, rng& r,
                           std::vector<component>& cs, std::vector<double>& hist) const {
    const index_t n = x.rows(), d = x.cols();
    const double W = w.sum(), eps = cfg_.reg_covar * W / static_cast<double>(K_);
    // k-means++ (weighted D^2 sampling).
    detail::dmatrix centers(K_, d);
    centers.row(0) = x.row(detail::weighted_index(w)(r));
    detail::dvector d2 = (x.rowwise() - centers.row(0)).rowwise().squaredNorm();
    for (index_t k = 1; k < K_; ++k) {
      detail::dvector p = d2.cwiseProduct(w);
      if (!(p.sum() > 0.0)) p = w;  // fewer distinct points than components
      centers.row(k) = x.row(detail::weighted_index(p)(r));
      d2 = d2.cwiseMin((x.rowwise() - centers.row(k)).rowwise().squaredNorm());
    }
    std::vector<index_t> assign(static_cast<std::size_t>(n), 0);
    for (std::int64_t it = 0; it <= cfg_.kmeans_iterations; ++it) {
      for (index_t i = 0; i < n; ++i) {
        index_t best = 0;
        double bd = std::numeric_limits<double>::infinity();
        for (index_t k = 0; k < K_; ++k) {
          const double dd = (x.row(i) - centers.row(k)).squaredNorm();
          if (dd < bd) bd = dd, best = k;
        }
        assign[static_cast<std::size_t>(i)] = best;
      }
      if (it == cfg_.kmeans_iterations) break;
      detail::dmatrix sum = detail::dmatrix::Zero(K_, d);
      detail::dvector cnt = detail::dvector::Zero(K_);
      for (index_t i = 0; i < n; ++i) {
        sum.row(assign[static_cast<std::size_t>(i)]) += w(i) * x.row(i);
        cnt(assign[static_cast<std::size_t>(i)]) += w(i);
      }
      for (index_t k = 0; k < K_; ++k)
        if (cnt(k) > 0.0) centers.row(k) = sum.row(k) / cnt(k);
    }
    detail::dmatrix rw = detail::dmatrix::Zero(n, K_);
    for (index_t i = 0; i < n; ++i) rw(i, assign[static_cast<std::size_t>(i)]) = w(i);
    // Components that got no events start as the whole sample's covariance at their centre.
    cs.assign(static_cast<std::size_t>(K_), component{});
    const detail::dvector gmean = (w.transpose() * x).transpose() / W;
    detail::cmatrix gcov = ((x.rowwise() - gmean.transpose()).transpose() * w.asDiagonal() *
                            (x.rowwise() - gmean.transpose())) / W;
    gcov.diagonal().array() += cfg_.reg_covar;
    for (index_t k = 0; k < K_; ++k) {
      auto& c = cs[static_cast<std::size_t>(k)];
      c.mean = centers.row(k).transpose();
      c.cov = gcov;
      c.chol = detail::cholesky_lower("gaussian_mixture::fit", "the data covariance", gcov);
      c.log_norm = -0.5 * static_cast<double>(d) * detail::log_2pi - c.chol.diagonal().array().log().sum();
    }
    double penalty = m_step(x, rw, W, eps, cs);
    hist.clear();
    result<double> res;
    for (std::int64_t it = 0;; ++it) {
      // E-step and the objective of the current parameters.
      detail::dmatrix lj = joint_log(x, cs);
      double ll = 0.0;
      for (index_t i = 0; i < n; ++i) {
        const double lse = detail::logsumexp(&lj(i, 0), K_);
        if (w(i) > 0.0) ll += w(i) * lse;
        for (index_t k = 0; k < K_; ++k) rw(i, k) = w(i) > 0.0 ? w(i) * std::exp(lj(i, k) - lse) : 0.0;
      }
      const double J = (ll + penalty) / W;
      hist.push_back(J);
      res.value = J;
      res.iterations = it;
      if (!std::isfinite(J)) {
        res.status = status::non_finite;
        res.message = "the log-likelihood became non-finite";
        return res;
      }
      if (it > 0 && J - hist[hist.size() - 2] < cfg_.tolerance) {
        res.status = status::success;
        return res;
      }
      if (it == cfg_.max_iterations) {
        res.status = status::max_iterations;
        res.message = hepad::detail::concat("EM did not converge in ", cfg_.max_iterations,
                                            " iterations (last change ",
                                            J - hist[hist.size() - 2], ")");
        return res;
      }
      penalty = m_step(x, rw, W, eps, cs);
    }
  }

  result<double> fit_impl(matrix_cref<S> x, const vector<S>* w, rng& r) {
    constexpr std::string_view fn = "gaussian_mixture::fit";
    check_positive(fn, "n_components", cfg_.n_components);
    check_positive(fn, "n_init", cfg_.n_init);
    check_nonnegative(fn, "max_iterations", cfg_.max_iterations);
    check_nonnegative(fn, "kmeans_iterations", cfg_.kmeans_iterations);
    check_positive(fn, "reg_covar", cfg_.reg_covar);
    check_nonnegative(fn, "tolerance", cfg_.tolerance);
    const detail::dvector wd = detail::checked_weights<S>(fn, x, w);
    if (cfg_.n_components > x.rows())
      throw_invalid_argument(fn, hepad::detail::concat("n_components must be <= the number of "
                                                       "events ",
                                                       x.rows(), ", got ", cfg_.n_components));
    K_ = cfg_.n_components;
    const detail::dmatrix xd = x.template cast<double>();
    result<double> best;
    best.value = -std::numeric_limits<double>::infinity();
    std::vector<component> cs;
    std::vector<double> hist;
    bool have = false;
    for (std::int64_t s = 0; s < cfg_.n_init; ++s) {
      rng rs = r.split(static_cast<std::uint64_t>(s));
      result<double> res = run_start(xd, wd, rs, cs, hist);
      if (!have || (std::isfinite(res.value) && res.value > best.value)) {
        best = res;
        comps_ = cs;
        history_ = hist;
        have = true;
      }
    }
    d_ = x.cols();
    return best;
  }

  gmm_config cfg_;
  index_t d_ = 0, K_ = 0;
  std::vector<component> comps_;
  std::vector<double> history_;
};

}  // namespace hepad::density

#endif  // HEPAD_DENSITY_GAUSSIAN_MIXTURE_HPP
