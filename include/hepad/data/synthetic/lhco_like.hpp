// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/synthetic/lhco_like.hpp
/// @brief An LHCO-like resonant dijet generator at the level of the usual five high-level
/// features (m_jj, m_j1, delta_m_j = m_j2 - m_j1, tau21_j1, tau21_j2; j1 = lighter jet) with a
/// resonant W' -> X(500) Y(100) signal, and its closed-form truth: p(m_jj), p(x | m_jj) for
/// background and signal, the full likelihood ratio, and the signal-region score
/// p_S,SR(x) / p_B,SR(x) (the background part integrated over the window by quadrature).
/// Formulas: docs/data/generators.md. Not here: constituent-level jets (jet_constituents.hpp).
#ifndef HEPAD_DATA_SYNTHETIC_LHCO_LIKE_HPP
#define HEPAD_DATA_SYNTHETIC_LHCO_LIKE_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/synthetic/detail/common.hpp>
#include <hepad/data/table.hpp>
#include <hepad/data/window.hpp>

#include <boost/math/special_functions/gamma.hpp>

#include <Eigen/Cholesky>
#include <Eigen/LU>

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::data::synthetic {

/// Column names of the LHCO-like events.
inline const std::vector<std::string>& lhco_columns() {
  static const std::vector<std::string> names{"m_jj", "m_j1", "delta_m_j", "tau21_j1", "tau21_j2"};
  return names;
}

/// LHCO-like resonant dijet generator (GeV).
///
/// Background: m_jj - mjj_min ~ Gamma(mjj_shape, mjj_scale) (a turn-on and a falling tail);
/// z = (ln m_j1, ln delta_m_j, logit tau21_j1, logit tau21_j2) | m_jj ~ N4(mu + slope L, Sigma),
/// L = ln(m_jj / 3500), Sigma = diag(sd) R diag(sd) with the correlations below.
/// Signal: m_jj ~ N(signal_mass, signal_width^2); ln m_j1 ~ N(ln m_y, sy^2), ln delta_m_j ~
/// N(ln(m_x - m_y), sx^2), logit tau21 ~ N(-0.9, 0.5^2) per jet, all independent of m_jj.
/// Background label 0, signal label 1; context = m_jj, features = the other four.
struct lhco_like {
  double mjj_min = 2200.0, mjj_shape = 2.0, mjj_scale = 600.0;
  std::array<double, 4> mean{std::log(60.0), std::log(80.0), 0.6, 0.7};  ///< z means at m_jj = 3500
  std::array<double, 4> slope{0.4, 0.5, 0.15, 0.15};                     ///< d mean / d ln(m_jj/3500)
  std::array<double, 4> sd{0.5, 0.7, 0.5, 0.5};
  std::array<double, 6> correlation{0.3, -0.2, 0.0, 0.0, -0.2, 0.1};  ///< r12 r13 r14 r23 r24 r34
  double signal_mass = 3500.0, signal_width = 180.0;
  double m_x = 500.0, m_y = 100.0, sx = 0.07, sy = 0.08;
  double signal_tau_mean = -0.9, signal_tau_sd = 0.5;

  static constexpr std::string_view name = "lhco_like";
  static constexpr auto fields() {
    return std::tuple{
        config::field{"mjj_min", &lhco_like::mjj_min}, config::field{"mjj_shape", &lhco_like::mjj_shape},
        config::field{"mjj_scale", &lhco_like::mjj_scale}, config::field{"mean", &lhco_like::mean},
        config::field{"slope", &lhco_like::slope}, config::field{"sd", &lhco_like::sd},
        config::field{"correlation", &lhco_like::correlation}, config::field{"signal_mass", &lhco_like::signal_mass},
        config::field{"signal_width", &lhco_like::signal_width}, config::field{"m_x", &lhco_like::m_x},
        config::field{"m_y", &lhco_like::m_y}, config::field{"sx", &lhco_like::sx}, config::field{"sy", &lhco_like::sy},
        config::field{"signal_tau_mean", &lhco_like::signal_tau_mean},
        config::field{"signal_tau_sd", &lhco_like::signal_tau_sd}};
  }

  /// Background covariance of z. @throws hepad::invalid_argument if not positive definite.
  [[nodiscard]] Eigen::Matrix4d covariance() const {
    const auto& c = correlation;
    Eigen::Matrix4d R;
    R << 1, c[0], c[1], c[2], c[0], 1, c[3], c[4], c[1], c[3], 1, c[5], c[2], c[4], c[5], 1;
    const Eigen::Vector4d s(sd[0], sd[1], sd[2], sd[3]);
    Eigen::Matrix4d C = s.asDiagonal() * R * s.asDiagonal();
    if (Eigen::LLT<Eigen::Matrix4d>(C).info() != Eigen::Success)
      throw_invalid_argument("data::synthetic::lhco_like", "the background covariance is not positive definite");
    return C;
  }
  /// Mean of z given m_jj.
  [[nodiscard]] Eigen::Vector4d mean_at(double mjj) const noexcept {
    const double L = std::log(mjj / 3500.0);
    Eigen::Vector4d m;
    for (int k = 0; k < 4; ++k) m(k) = mean[static_cast<std::size_t>(k)] + slope[static_cast<std::size_t>(k)] * L;
    return m;
  }

  /// Background events first .. first + n - 1 (independent stream from the signal).
  template <class S>
  [[nodiscard]] table<S> background_range(std::int64_t first, std::int64_t n, const rng& r,
                                          thread_pool* pool = nullptr) const {
    const Eigen::Matrix4d L = covariance().llt().matrixL();
    auto t = detail::generate<S>(
        lhco_columns(), first, n, r.split(1),
        [&](rng& e, double* row) {
          const double m = mjj_min + mjj_scale * e.gamma(mjj_shape);
          Eigen::Vector4d g;
          for (int k = 0; k < 4; ++k) g(k) = e.normal();
          const Eigen::Vector4d z = mean_at(m) + L * g;
          row[0] = m;
          row[1] = std::exp(z(0));
          row[2] = std::exp(z(1));
          row[3] = detail::sigmoid(z(2));
          row[4] = detail::sigmoid(z(3));
          return 0;
        },
        pool);
    t.set_context(0, 1).set_features(1, 4);
    return t;
  }
  template <class S>
  [[nodiscard]] table<S> background(std::int64_t n, const rng& r, thread_pool* pool = nullptr) const {
    return background_range<S>(0, n, r, pool);
  }
  /// Signal events first .. first + n - 1.
  template <class S>
  [[nodiscard]] table<S> signal_range(std::int64_t first, std::int64_t n, const rng& r,
                                      thread_pool* pool = nullptr) const {
    auto t = detail::generate<S>(
        lhco_columns(), first, n, r.split(2),
        [&](rng& e, double* row) {
          row[0] = e.normal(signal_mass, signal_width);
          row[1] = std::exp(e.normal(std::log(m_y), sy));
          row[2] = std::exp(e.normal(std::log(m_x - m_y), sx));
          row[3] = detail::sigmoid(e.normal(signal_tau_mean, signal_tau_sd));
          row[4] = detail::sigmoid(e.normal(signal_tau_mean, signal_tau_sd));
          return 1;
        },
        pool);
    t.set_context(0, 1).set_features(1, 4);
    return t;
  }
  template <class S>
  [[nodiscard]] table<S> signal(std::int64_t n, const rng& r, thread_pool* pool = nullptr) const {
    return signal_range<S>(0, n, r, pool);
  }

  // --- truth -----------------------------------------------------------------------------------

  /// log p_B(m_jj).
  [[nodiscard]] double log_prob_background_mjj(double m) const {
    const double t = (m - mjj_min) / mjj_scale;
    if (!(t > 0.0)) return detail::neg_inf;
    return (mjj_shape - 1.0) * std::log(t) - t - std::lgamma(mjj_shape) - std::log(mjj_scale);
  }
  /// P_B(lo <= m_jj < hi).
  [[nodiscard]] double background_mjj_probability(double lo, double hi) const {
    auto cdf = [&](double m) {
      const double t = (m - mjj_min) / mjj_scale;
      return t > 0.0 ? boost::math::gamma_p(mjj_shape, t) : 0.0;
    };
    return cdf(hi) - cdf(lo);
  }
  /// log p_B(x | m_jj), x = (m_j1, delta_m_j, tau21_j1, tau21_j2).
  [[nodiscard]] double log_prob_background_features(double mjj, const double* x) const {
    return log_prob_background_features(mjj, x, covariance().inverse(), std::log(covariance().determinant()));
  }
  /// As above with a precomputed precision matrix and log-determinant.
  [[nodiscard]] double log_prob_background_features(double mjj, const double* x, const Eigen::Matrix4d& prec,
                                                    double log_det) const {
    Eigen::Vector4d z;
    double jac = 0.0;
    if (!latent(x, z, jac)) return detail::neg_inf;
    const Eigen::Vector4d d = z - mean_at(mjj);
    return -0.5 * d.dot(prec * d) - 0.5 * log_det - 4.0 * detail::log_sqrt_2pi - jac;
  }
  /// log p_S(m_jj).
  [[nodiscard]] double log_prob_signal_mjj(double m) const noexcept {
    return detail::log_normal_pdf(m, signal_mass, signal_width);
  }
  /// P_S(lo <= m_jj < hi).
  [[nodiscard]] double signal_mjj_probability(double lo, double hi) const noexcept {
    return detail::normal_sf((lo - signal_mass) / signal_width) - detail::normal_sf((hi - signal_mass) / signal_width);
  }
  /// log p_S(x) (independent of m_jj).
  [[nodiscard]] double log_prob_signal_features(const double* x) const noexcept {
    Eigen::Vector4d z;
    double jac = 0.0;
    if (!latent(x, z, jac)) return detail::neg_inf;
    return detail::log_normal_pdf(z(0), std::log(m_y), sy) + detail::log_normal_pdf(z(1), std::log(m_x - m_y), sx) +
           detail::log_normal_pdf(z(2), signal_tau_mean, signal_tau_sd) +
           detail::log_normal_pdf(z(3), signal_tau_mean, signal_tau_sd) - jac;
  }
  /// Full log p_S(m_jj, x) - log p_B(m_jj, x) per row of a 5-column matrix.
  template <class S>
  [[nodiscard]] vector<double> log_likelihood_ratio(matrix_cref<S> rows) const {
    check_size("data::synthetic::lhco_like", "columns", static_cast<std::size_t>(rows.cols()), 5);
    const Eigen::Matrix4d C = covariance(), P = C.inverse();
    const double ld = std::log(C.determinant());
    vector<double> out(rows.rows());
    for (Eigen::Index i = 0; i < rows.rows(); ++i) {
      std::array<double, 5> v{};
      for (int k = 0; k < 5; ++k) v[static_cast<std::size_t>(k)] = static_cast<double>(rows(i, k));
      out(i) = log_prob_signal_mjj(v[0]) + log_prob_signal_features(v.data() + 1) - log_prob_background_mjj(v[0]) -
               log_prob_background_features(v[0], v.data() + 1, P, ld);
    }
    return out;
  }
  /// log p_B(x | lo <= m_jj < hi) = log of the integral over the window of p_B(m) p_B(x|m), divided
  /// by P_B(window) (adaptive Gauss-Kronrod over m_jj).
  [[nodiscard]] double log_prob_background_features_in(double lo, double hi, const double* x) const {
    const Eigen::Matrix4d C = covariance(), P = C.inverse();
    const double ld = std::log(C.determinant());
    // Factor out the value at the window centre for numerical range.
    const double ref = log_prob_background_mjj(0.5 * (lo + hi)) + log_prob_background_features(0.5 * (lo + hi), x, P, ld);
    if (ref == detail::neg_inf) return ref;
    const double integral = detail::integrate(
        [&](double m) { return std::exp(log_prob_background_mjj(m) + log_prob_background_features(m, x, P, ld) - ref); },
        (std::max)(lo, mjj_min), hi, 1e-10);
    return ref + std::log(integral) - std::log(background_mjj_probability(lo, hi));
  }
  /// The optimal signal-region score on the four features: log p_S(x) - log p_B(x | window), per
  /// row of an (n x 4) feature matrix.
  template <class S>
  [[nodiscard]] vector<double> window_log_likelihood_ratio(const window& w, matrix_cref<S> features) const {
    check_size("data::synthetic::lhco_like", "feature columns", static_cast<std::size_t>(features.cols()), 4);
    vector<double> out(features.rows());
    for (Eigen::Index i = 0; i < features.rows(); ++i) {
      std::array<double, 4> x{};
      for (int k = 0; k < 4; ++k) x[static_cast<std::size_t>(k)] = static_cast<double>(features(i, k));
      out(i) = log_prob_signal_features(x.data()) - log_prob_background_features_in(w.lo, w.hi, x.data());
    }
    return out;
  }
  /// The usual resonant window: signal region [3300, 3700) with unbounded sidebands.
  [[nodiscard]] window default_window() const { return window{"m_jj", 3300.0, 3700.0}; }

 private:
  // z from x and the log-Jacobian log |dx/dz| (so that log p(x) = log p(z) - jac).
  static bool latent(const double* x, Eigen::Vector4d& z, double& jac) noexcept {
    if (!(x[0] > 0.0) || !(x[1] > 0.0) || !(x[2] > 0.0 && x[2] < 1.0) || !(x[3] > 0.0 && x[3] < 1.0)) return false;
    z << std::log(x[0]), std::log(x[1]), detail::logit(x[2]), detail::logit(x[3]);
    jac = std::log(x[0]) + std::log(x[1]) + std::log(x[2]) + std::log1p(-x[2]) + std::log(x[3]) + std::log1p(-x[3]);
    return true;
  }
};

}  // namespace hepad::data::synthetic

#endif  // HEPAD_DATA_SYNTHETIC_LHCO_LIKE_HPP
