// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/synthetic/svj_like.hpp
/// @brief The SVJ-like 7-column non-resonant generator of S0 §12.3 with its closed-form truth
/// (§12.4): background populations "data" (also "ideal" and "test") and "MC" (differently
/// configured, optionally with the mod_mc distortion of §2.1), semi-visible-jet signals of mass M,
/// exact context and conditional feature densities, the exact data/MC density ratio, the exact
/// morphing map MC <-> data at fixed context, SR probabilities, and the CWoLa oracle
/// (`svj_oracle`). Formulas and calibration facts: docs/data/generators.md.
///
/// Columns (raw GeV, S0 §2.2): HT, MET, m_jj, tau21_j1, tau21_j2, tau32_j1, tau32_j2; context = the
/// first two, features = the last five. Background label 0, signal label 1, weights 1.
#ifndef HEPAD_DATA_SYNTHETIC_SVJ_LIKE_HPP
#define HEPAD_DATA_SYNTHETIC_SVJ_LIKE_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/region.hpp>
#include <hepad/data/synthetic/detail/common.hpp>
#include <hepad/data/table.hpp>

#include <Eigen/LU>

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::data::synthetic {

/// Column names of the SVJ-like events, in order.
inline const std::vector<std::string>& svj_columns() {
  static const std::vector<std::string> names{"HT", "MET", "m_jj", "tau21_j1", "tau21_j2", "tau32_j1", "tau32_j2"};
  return names;
}

/// One background population of the SVJ-like toy (S0 §12.3). The defaults are "data"; `mc()` gives
/// the MC values. All densities are for the observed (raw-GeV) columns; with `mod_mc` the observed
/// values are the distorted ones and the densities include the Jacobian of the distortion.
struct svj_population {
  double ht_mu = std::log(230.0);     ///< HT = 250 + exp(N(ht_mu, ht_sigma^2))
  double ht_sigma = 0.50;
  double met_s0 = 20.0;               ///< MET | HT = met_s0 (HT/500)^0.8 Gamma(2, 1)
  double r_offset = std::log(0.90);   ///< ln(m_jj/HT) ~ N(r_offset + 0.3 MET/HT (+ delta term), 0.18^2)
  double m21 = 0.85;                  ///< logit tau21 mean offset
  double s21 = 0.55;                  ///< logit tau21 scale
  double m32 = 1.45;                  ///< logit tau32 mean offset
  double delta = 0.0;                 ///< optional extrapolation term delta ln(HT/500) MET/100
  bool mod_mc = false;                ///< apply the S0 §2.1 mod_mc distortion to the output

  static constexpr std::string_view name = "svj_population";
  static constexpr auto fields() {
    return std::tuple{config::field{"ht_mu", &svj_population::ht_mu},
                      config::field{"ht_sigma", &svj_population::ht_sigma},
                      config::field{"met_s0", &svj_population::met_s0},
                      config::field{"r_offset", &svj_population::r_offset},
                      config::field{"m21", &svj_population::m21}, config::field{"s21", &svj_population::s21},
                      config::field{"m32", &svj_population::m32}, config::field{"delta", &svj_population::delta},
                      config::field{"mod_mc", &svj_population::mod_mc}};
  }

  /// The "data" (and "ideal", "test") background.
  [[nodiscard]] static svj_population data(double delta = 0.0) {
    svj_population p;
    p.delta = delta;
    return p;
  }
  /// The "MC" background: ln 240, 0.56, 21.5, ln 0.92, 0.90, 0.5775, 1.48.
  [[nodiscard]] static svj_population mc(double delta = 0.0, bool mod_mc = false) {
    return svj_population{std::log(240.0), 0.56, 21.5, std::log(0.92), 0.90, 0.5775, 1.48, delta, mod_mc};
  }

  // --- conditional parameters ------------------------------------------------------------------

  /// Gamma scale of MET given HT.
  [[nodiscard]] double met_scale(double ht) const noexcept { return met_s0 * std::pow(ht / 500.0, 0.8); }
  /// The delta term delta ln(HT/500) MET/100.
  [[nodiscard]] double delta_term(double ht, double met) const noexcept {
    return delta * std::log(ht / 500.0) * met / 100.0;
  }
  /// Mean of ln(m_jj/HT) given the raw context.
  [[nodiscard]] double mu_r(double ht, double met) const noexcept {
    return r_offset + 0.3 * met / ht + delta_term(ht, met);
  }
  /// Mean of logit tau21 (both jets) given the raw context.
  [[nodiscard]] double mu21(double ht, double met) const noexcept {
    return m21 - 0.25 * std::log(ht / 500.0) - 0.5 * met / ht + delta_term(ht, met);
  }
  /// Mean of logit tau32 (both jets) given the raw context.
  [[nodiscard]] double mu32(double ht) const noexcept { return m32 - 0.10 * std::log(ht / 500.0); }
  /// Covariance of (logit tau21_j1, logit tau21_j2, logit tau32_j1, logit tau32_j2) (S0 §12.4).
  [[nodiscard]] Eigen::Matrix4d zeta_covariance() const noexcept {
    const double v21 = s21 * s21, v32 = 0.45 * 0.45, c = 0.4 * 0.3 * 0.45 * s21;
    Eigen::Matrix4d m;
    m << v21, 0.16 * v21, c, c, 0.16 * v21, v21, c, c, c, c, v32, 0.09 * v32, c, c, 0.09 * v32, v32;
    return m;
  }

  // --- sampling (raw, undistorted) ----------------------------------------------------------

  /// Draws (HT, MET) (raw).
  void sample_context(rng& e, double& ht, double& met) const {
    ht = 250.0 + std::exp(e.normal(ht_mu, ht_sigma));
    met = met_scale(ht) * (-std::log(e.uniform_open0()) - std::log(e.uniform_open0()));  // Gamma(2, 1)
  }
  /// Draws the five raw features given a raw context into x[0..4].
  void sample_features(rng& e, double ht, double met, double* x) const {
    x[0] = ht * std::exp(e.normal(mu_r(ht, met), 0.18));
    const double u = e.normal();
    const double m1 = mu21(ht, met), m2 = mu32(ht);
    const double e1 = e.normal(), e2 = e.normal(), h1 = e.normal(), h2 = e.normal();
    x[1] = detail::sigmoid(m1 + s21 * (0.4 * u + std::sqrt(0.84) * e1));
    x[2] = detail::sigmoid(m1 + s21 * (0.4 * u + std::sqrt(0.84) * e2));
    x[3] = detail::sigmoid(m2 + 0.45 * (0.3 * u + std::sqrt(0.91) * h1));
    x[4] = detail::sigmoid(m2 + 0.45 * (0.3 * u + std::sqrt(0.91) * h2));
  }
  /// Applies the mod_mc distortion to a raw 7-column row (if enabled): HT unchanged;
  /// MET -> MET (1 + MET/500); m_jj -> m_jj (1 + m_jj/6000); every tau -> tau^1.1.
  void distort(double* row) const noexcept {
    if (!mod_mc) return;
    row[1] *= 1.0 + row[1] / 500.0;
    row[2] *= 1.0 + row[2] / 6000.0;
    for (int k = 3; k < 7; ++k) row[k] = std::pow(row[k], 1.1);
  }
  /// Draws one full observed event into row[0..6].
  void sample(rng& e, double* row) const {
    sample_context(e, row[0], row[1]);
    sample_features(e, row[0], row[1], row + 2);
    distort(row);
  }

  // --- truth -------------------------------------------------------------------------------

  /// Raw MET from an observed one (inverse of the mod_mc distortion; identity without it).
  [[nodiscard]] double raw_met(double met) const noexcept {
    return mod_mc ? 250.0 * (std::sqrt(1.0 + met / 125.0) - 1.0) : met;
  }
  /// log p(HT, MET) of the observed context.
  [[nodiscard]] double log_prob_context(double ht, double met) const noexcept {
    const double h = ht - 250.0;
    if (!(h > 0.0) || !(met > 0.0)) return detail::neg_inf;
    const double m = raw_met(met);
    const double th = met_scale(ht);
    double lp = detail::log_lognormal_pdf(h, ht_mu, ht_sigma) + std::log(m) - 2.0 * std::log(th) - m / th;
    if (mod_mc) lp -= std::log1p(m / 250.0);  // dMET_raw/dMET_obs = 1 / (1 + MET_raw/250)
    return lp;
  }
  /// log p(x | c) for the observed features x[0..4] = (m_jj, tau21_j1, tau21_j2, tau32_j1,
  /// tau32_j2) given the observed context: N(r) N4(zeta) / m_jj / prod tau (1 - tau), with the
  /// mod_mc Jacobian when enabled.
  [[nodiscard]] double log_prob_features(double ht, double met, const double* x) const {
    return log_prob_features(ht, met, x, zeta_covariance().inverse(), std::log(zeta_covariance().determinant()));
  }
  /// As above with a precomputed inverse covariance and log-determinant (for loops).
  [[nodiscard]] double log_prob_features(double ht, double met, const double* x, const Eigen::Matrix4d& prec,
                                         double log_det) const {
    if (!(ht > 250.0) || !(met > 0.0) || !(x[0] > 0.0)) return detail::neg_inf;
    const double m = raw_met(met);
    double mjj = x[0], jac = 0.0;
    std::array<double, 4> tau{x[1], x[2], x[3], x[4]};
    for (const double t : tau)
      if (!(t > 0.0 && t < 1.0)) return detail::neg_inf;
    if (mod_mc) {
      mjj = 3000.0 * (std::sqrt(1.0 + x[0] / 1500.0) - 1.0);
      jac -= std::log1p(mjj / 3000.0);
      for (auto& t : tau) {
        t = std::pow(t, 1.0 / 1.1);
        jac -= std::log(1.1) + 0.1 * std::log(t);
      }
    }
    const double r = std::log(mjj / ht);
    double lp = detail::log_normal_pdf(r, mu_r(ht, m), 0.18) - std::log(mjj);
    const double a = mu21(ht, m), b = mu32(ht);
    Eigen::Vector4d z(detail::logit(tau[0]) - a, detail::logit(tau[1]) - a, detail::logit(tau[2]) - b,
                      detail::logit(tau[3]) - b);
    lp += -0.5 * z.dot(prec * z) - 0.5 * log_det - 4.0 * detail::log_sqrt_2pi;
    for (const double t : tau) lp -= std::log(t) + std::log1p(-t);
    return lp + jac;
  }
  /// log p(c, x) of an observed 7-column row.
  [[nodiscard]] double log_prob(const double* row) const {
    return log_prob_context(row[0], row[1]) + log_prob_features(row[0], row[1], row + 2);
  }
  /// log p(c, x) for every row of a 7-column matrix.
  template <class S>
  [[nodiscard]] vector<double> log_prob(matrix_cref<S> rows) const {
    return per_row(rows, [&](const double* row, const Eigen::Matrix4d& P, double ld) {
      return log_prob_context(row[0], row[1]) + log_prob_features(row[0], row[1], row + 2, P, ld);
    });
  }
  /// log p(c) for every row (first two columns used).
  template <class S>
  [[nodiscard]] vector<double> log_prob_context(matrix_cref<S> rows) const {
    return per_row(rows, [&](const double* row, const Eigen::Matrix4d&, double) {
      return log_prob_context(row[0], row[1]);
    });
  }
  /// log p(x | c) for every row of a 7-column matrix.
  template <class S>
  [[nodiscard]] vector<double> log_prob_features(matrix_cref<S> rows) const {
    return per_row(rows, [&](const double* row, const Eigen::Matrix4d& P, double ld) {
      return log_prob_features(row[0], row[1], row + 2, P, ld);
    });
  }

  /// Exact P(HT > ht_cut and MET > met_cut) (cuts on observed values) by one-dimensional
  /// quadrature of p(HT) P(MET > cut | HT), with P(Gamma(2, theta) > m) = (1 + m/theta) e^(-m/theta).
  [[nodiscard]] double sr_probability(double ht_cut = 800.0, double met_cut = 75.0) const {
    const double b = raw_met(met_cut);
    const double lo = ht_cut > 250.0 ? (std::log(ht_cut - 250.0) - ht_mu) / ht_sigma : -40.0;
    return detail::integrate(
        [&](double s) {
          const double ht = 250.0 + std::exp(ht_mu + ht_sigma * s);
          const double t = b / met_scale(ht);
          return std::exp(-0.5 * s * s - detail::log_sqrt_2pi) * (1.0 + t) * std::exp(-t);
        },
        lo, std::numeric_limits<double>::infinity());
  }

 private:
  template <class S, class F>
  [[nodiscard]] vector<double> per_row(matrix_cref<S> rows, F&& f) const {
    if (rows.cols() != 7)
      throw_invalid_argument("data::synthetic::svj_population",
                             hepad::detail::concat("rows must have the 7 SVJ-like columns, got ", rows.cols()));
    const Eigen::Matrix4d C = zeta_covariance();
    const Eigen::Matrix4d P = C.inverse();
    const double ld = std::log(C.determinant());
    vector<double> out(rows.rows());
    std::array<double, 7> row{};
    for (Eigen::Index i = 0; i < rows.rows(); ++i) {
      for (int k = 0; k < 7; ++k) row[static_cast<std::size_t>(k)] = static_cast<double>(rows(i, k));
      out(i) = f(row.data(), P, ld);
    }
    return out;
  }
};

/// Semi-visible-jet signal of Z' mass `mass` (S0 §12.3; r_inv ~ 1/3).
struct svj_signal {
  double mass = 4000.0;

  static constexpr std::string_view name = "svj_signal";
  static constexpr auto fields() { return std::tuple{config::field{"mass", &svj_signal::mass}}; }

  /// Draws one event into row[0..6].
  void sample(rng& e, double* row) const {
    const double M = mass;
    row[0] = detail::truncated_normal_above(e, 0.55 * M, 0.18 * M, 300.0);
    row[1] = e.exponential(0.08 * M);
    if (e.bernoulli(0.5))
      row[2] = e.normal(0.85 * M, 0.07 * M);
    else
      row[2] = row[0] * std::exp(e.normal(std::log(0.8), 0.3));
    row[3] = detail::sigmoid(e.normal(-0.5, 0.9));
    row[4] = detail::sigmoid(e.normal(-0.5, 0.9));
    row[5] = detail::sigmoid(e.normal(0.9, 0.6));
    row[6] = detail::sigmoid(e.normal(0.9, 0.6));
  }
  /// log p(HT, MET): normal truncated to HT > 300 times an exponential.
  [[nodiscard]] double log_prob_context(double ht, double met) const noexcept {
    const double M = mass;
    if (!(ht > 300.0) || !(met >= 0.0)) return detail::neg_inf;
    return detail::log_normal_pdf(ht, 0.55 * M, 0.18 * M) - std::log(detail::normal_sf((300.0 - 0.55 * M) / (0.18 * M))) -
           std::log(0.08 * M) - met / (0.08 * M);
  }
  /// log p(m_jj | HT): 0.5 N(0.85 M, (0.07 M)^2) + 0.5 LN(m_jj/HT; ln 0.8, 0.3^2) / HT.
  [[nodiscard]] double log_prob_mjj(double mjj, double ht) const noexcept {
    const double M = mass;
    return std::log(0.5) + detail::log_add_exp(detail::log_normal_pdf(mjj, 0.85 * M, 0.07 * M),
                                               detail::log_lognormal_pdf(mjj / ht, std::log(0.8), 0.3) - std::log(ht));
  }
  /// log of the (context-independent) tau density of x[1..4].
  [[nodiscard]] static double log_prob_taus(const double* x) noexcept {
    double lp = 0.0;
    for (int k = 1; k <= 4; ++k) {
      const double t = x[k];
      if (!(t > 0.0 && t < 1.0)) return detail::neg_inf;
      lp += (k <= 2 ? detail::log_normal_pdf(detail::logit(t), -0.5, 0.9) : detail::log_normal_pdf(detail::logit(t), 0.9, 0.6)) -
            std::log(t) - std::log1p(-t);
    }
    return lp;
  }
  /// log p(x | c) for x[0..4] = (m_jj, taus); depends on HT only (through m_jj).
  [[nodiscard]] double log_prob_features(double ht, double, const double* x) const noexcept {
    return log_prob_mjj(x[0], ht) + log_prob_taus(x);
  }
  /// log p(c, x) of a 7-column row.
  [[nodiscard]] double log_prob(const double* row) const noexcept {
    return log_prob_context(row[0], row[1]) + log_prob_features(row[0], row[1], row + 2);
  }
  /// Exact signal efficiency of HT > ht_cut and MET > met_cut (ht_cut >= 300):
  /// [Phi_c((ht_cut - 0.55M)/0.18M) / Phi_c((300 - 0.55M)/0.18M)] exp(-met_cut / 0.08M).
  [[nodiscard]] double sr_efficiency(double ht_cut = 800.0, double met_cut = 75.0) const {
    const double M = mass;
    const double a = (std::max)(ht_cut, 300.0);
    return detail::normal_sf((a - 0.55 * M) / (0.18 * M)) / detail::normal_sf((300.0 - 0.55 * M) / (0.18 * M)) *
           std::exp(-(std::max)(met_cut, 0.0) / (0.08 * M));
  }
};

/// Which background sample: each has its own random stream, so all four are independent draws
/// from one seed. data, ideal and test use the "data" population; mc the "MC" population.
enum class svj_sample : int { data = 1, mc = 2, ideal = 3, test = 4 };
/// Which signal pool (independent streams): the injection pool and the test/fully-supervised pool.
enum class svj_signal_pool : int { injection = 0, test = 1 };

/// The SVJ-like generator (S0 §12.3-12.4).
///
/// @code
/// data::synthetic::svj_like g{.delta = 0.1};
/// hepad::rng r(42);
/// auto data = g.background<float>(svj_sample::data, 1'000'000, r);
/// auto mc = g.background<float>(svj_sample::mc, 1'000'000, r);
/// auto sig = g.signal<float>(4000.0, 50'000, r);
/// auto w = g.log_density_ratio<float>(mc.values());   // exact log p_data/p_MC per MC event
/// @endcode
/// Event i of a sample draws from `r.split(stream).split(i)`: results do not depend on chunking or
/// on the number of threads, and `background_range` gives any slice of the same sample.
struct svj_like {
  double delta = 0.0;     ///< extrapolation term for data and MC (0 easy, 0.1, 0.3)
  bool mod_mc = false;    ///< distort the MC sample (S0 §2.1 mod_mc stress test)
  double ht_cut = 800.0;  ///< signal region HT > ht_cut
  double met_cut = 75.0;  ///< signal region MET > met_cut

  static constexpr std::string_view name = "svj_like";
  static constexpr auto fields() {
    return std::tuple{config::field{"delta", &svj_like::delta}, config::field{"mod_mc", &svj_like::mod_mc},
                      config::field{"ht_cut", &svj_like::ht_cut}, config::field{"met_cut", &svj_like::met_cut}};
  }

  /// The population of a sample.
  [[nodiscard]] svj_population population(svj_sample s) const {
    return s == svj_sample::mc ? svj_population::mc(delta, mod_mc) : svj_population::data(delta);
  }
  /// The signal region HT > ht_cut and MET > met_cut (strict).
  [[nodiscard]] region signal_region() const { return above("HT", ht_cut) & above("MET", met_cut); }
  /// The L-shaped control region (complement of the signal region).
  [[nodiscard]] region control_region() const { return ~signal_region(); }

  /// Background events first .. first + n - 1 of sample `s` (label 0).
  template <class S>
  [[nodiscard]] table<S> background_range(svj_sample s, std::int64_t first, std::int64_t n, const rng& r,
                                          thread_pool* pool = nullptr) const {
    const svj_population p = population(s);
    auto t = detail::generate<S>(
        svj_columns(), first, n, r.split(static_cast<std::uint64_t>(s)),
        [&](rng& e, double* row) {
          p.sample(e, row);
          return 0;
        },
        pool);
    t.set_context(0, 2).set_features(2, 5);
    return t;
  }
  /// `n` background events of sample `s`.
  template <class S>
  [[nodiscard]] table<S> background(svj_sample s, std::int64_t n, const rng& r, thread_pool* pool = nullptr) const {
    return background_range<S>(s, 0, n, r, pool);
  }
  /// Signal events first .. first + n - 1 of mass `mass` from `pool_id` (label 1).
  template <class S>
  [[nodiscard]] table<S> signal_range(double mass, std::int64_t first, std::int64_t n, const rng& r,
                                      svj_signal_pool pool_id = svj_signal_pool::injection,
                                      thread_pool* pool = nullptr) const {
    check_positive("data::synthetic::svj_like::signal", "mass", mass);
    const svj_signal sig{mass};
    const auto stream = 1000u + 2u * static_cast<std::uint64_t>(std::llround(mass)) + static_cast<std::uint64_t>(pool_id);
    auto t = detail::generate<S>(
        svj_columns(), first, n, r.split(stream),
        [&](rng& e, double* row) {
          sig.sample(e, row);
          return 1;
        },
        pool);
    t.set_context(0, 2).set_features(2, 5);
    return t;
  }
  /// `n` signal events of mass `mass`.
  template <class S>
  [[nodiscard]] table<S> signal(double mass, std::int64_t n, const rng& r,
                                svj_signal_pool pool_id = svj_signal_pool::injection, thread_pool* pool = nullptr) const {
    return signal_range<S>(mass, 0, n, r, pool_id, pool);
  }
  /// Features of sample `s` drawn at the given raw contexts (n x 2: HT, MET), with common random
  /// numbers: event i draws from `r.split(i)` whatever the sample, so MC and data features at the
  /// same contexts differ exactly by the morphing map. The mod_mc distortion is not applied.
  template <class S>
  [[nodiscard]] table<S> features_at(svj_sample s, matrix_cref<S> contexts, const rng& r) const {
    check_size("data::synthetic::svj_like::features_at", "context columns", static_cast<std::size_t>(contexts.cols()), 2);
    svj_population p = population(s);
    p.mod_mc = false;
    matrix<S> v(contexts.rows(), 7);
    for (Eigen::Index i = 0; i < contexts.rows(); ++i) {
      rng e = r.split(static_cast<std::uint64_t>(i));
      std::array<double, 7> row{static_cast<double>(contexts(i, 0)), static_cast<double>(contexts(i, 1))};
      p.sample_features(e, row[0], row[1], row.data() + 2);
      for (int k = 0; k < 7; ++k) v(i, k) = static_cast<S>(row[static_cast<std::size_t>(k)]);
    }
    table<S> t(svj_columns(), std::move(v));
    t.set_context(0, 2).set_features(2, 5);
    return t;
  }

  // --- truth -----------------------------------------------------------------------------------

  /// Exact log p_data(c, x) - log p_MC(c, x) for every 7-column row (the Reweight target w*).
  template <class S>
  [[nodiscard]] vector<double> log_density_ratio(matrix_cref<S> rows) const {
    return population(svj_sample::data).log_prob<S>(rows) - population(svj_sample::mc).log_prob<S>(rows);
  }
  /// Exact log p_data(c) - log p_MC(c) (the context-weight target).
  template <class S>
  [[nodiscard]] vector<double> log_context_ratio(matrix_cref<S> rows) const {
    return population(svj_sample::data).log_prob_context<S>(rows) -
           population(svj_sample::mc).log_prob_context<S>(rows);
  }
  /// The exact Morph target at fixed context (S0 §12.4, no mod_mc): maps MC features to data-like
  /// features (T^-1) when `to_data`, or data features to MC-like ones (T) otherwise. Rows are
  /// 7-column; the context columns are copied.
  /// @throws hepad::not_supported with mod_mc (the context itself is distorted then).
  template <class S>
  [[nodiscard]] matrix<S> morph(matrix_cref<S> rows, bool to_data = true) const {
    if (mod_mc)
      hepad::detail::raise<not_supported>(
          "data::synthetic::svj_like::morph: the exact morphing map is defined without mod_mc");
    check_size("data::synthetic::svj_like::morph", "columns", static_cast<std::size_t>(rows.cols()), 7);
    const svj_population from = population(to_data ? svj_sample::mc : svj_sample::data);
    const svj_population to = population(to_data ? svj_sample::data : svj_sample::mc);
    matrix<S> out(rows.rows(), 7);
    for (Eigen::Index i = 0; i < rows.rows(); ++i) {
      const double ht = static_cast<double>(rows(i, 0)), met = static_cast<double>(rows(i, 1));
      out(i, 0) = rows(i, 0);
      out(i, 1) = rows(i, 1);
      out(i, 2) = static_cast<S>(static_cast<double>(rows(i, 2)) * std::exp(to.r_offset - from.r_offset));
      for (int k = 3; k < 5; ++k) {
        const double z = detail::logit(static_cast<double>(rows(i, k)));
        out(i, k) = static_cast<S>(
            detail::sigmoid(to.mu21(ht, met) + (to.s21 / from.s21) * (z - from.mu21(ht, met))));
      }
      for (int k = 5; k < 7; ++k)
        out(i, k) = static_cast<S>(detail::sigmoid(detail::logit(static_cast<double>(rows(i, k))) + to.m32 - from.m32));
    }
    return out;
  }
  /// Exact background SR fraction of a sample's population.
  [[nodiscard]] double background_sr_probability(svj_sample s) const {
    return population(s).sr_probability(ht_cut, met_cut);
  }
  /// Exact signal SR efficiency.
  [[nodiscard]] double signal_sr_efficiency(double mass) const { return svj_signal{mass}.sr_efficiency(ht_cut, met_cut); }
};

/// The CWoLa oracle of S0 §12.4: the Bayes-optimal signal-region score on the five features,
/// log LR(x) = log p_S,SR(x) - log p_B,SR(x), where each SR density is the Monte-Carlo average of
/// the exact conditional density over `n_contexts` contexts drawn from that class's SR context
/// distribution (data background; signal of mass M). The Monte-Carlo error of each average falls
/// as 1/sqrt(n_contexts) (the spec suggests 1e5-1e6).
class svj_oracle {
 public:
  /// Draws the contexts from `r` (background: data population conditioned on the SR by rejection;
  /// signal: truncated-normal HT above the cut, since m_jj depends on HT only).
  svj_oracle(const svj_like& g, double mass, std::int64_t n_contexts, rng r) : sig_{mass} {
    check_positive("data::synthetic::svj_oracle", "n_contexts", n_contexts);
    const svj_population p = g.population(svj_sample::data);
    const Eigen::Matrix4d C = p.zeta_covariance();
    prec_ = C.inverse();
    const Eigen::Vector4d a(1, 1, 0, 0), b(0, 0, 1, 1);
    aPa_ = a.dot(prec_ * a);
    aPb_ = a.dot(prec_ * b);
    bPb_ = b.dot(prec_ * b);
    norm_ = -0.5 * std::log(C.determinant()) - 5.0 * detail::log_sqrt_2pi - std::log(0.18);
    rng rb = r.split(0), rs = r.split(1);
    while (static_cast<std::int64_t>(ctx_.size()) < n_contexts) {
      double ht, met;
      p.sample_context(rb, ht, met);
      if (ht > g.ht_cut && met > g.met_cut)
        ctx_.push_back(context_terms{std::log(ht), p.mu_r(ht, met), p.mu21(ht, met), p.mu32(ht)});
    }
    const double lo = (std::max)(g.ht_cut, 300.0);
    for (std::int64_t j = 0; j < n_contexts; ++j)
      sig_ht_.push_back(detail::truncated_normal_above(rs, 0.55 * mass, 0.18 * mass, lo));
  }

  /// log p_B,SR(x) for x[0..4] = (m_jj, tau21_j1, tau21_j2, tau32_j1, tau32_j2).
  [[nodiscard]] double log_prob_background(const double* x) const {
    if (!(x[0] > 0.0)) return detail::neg_inf;
    double common = norm_ - std::log(x[0]);
    Eigen::Vector4d z;
    for (int k = 0; k < 4; ++k) {
      const double t = x[k + 1];
      if (!(t > 0.0 && t < 1.0)) return detail::neg_inf;
      z(k) = detail::logit(t);
      common -= std::log(t) + std::log1p(-t);
    }
    const Eigen::Vector4d pz = prec_ * z;
    const double zpz = z.dot(pz), apz = pz(0) + pz(1), bpz = pz(2) + pz(3), lm = std::log(x[0]);
    double m = detail::neg_inf, s = 0.0;
    for (const auto& c : ctx_) {
      const double d = (lm - c.log_ht - c.mu_r) / 0.18;
      const double q = zpz - 2.0 * (c.mu21 * apz + c.mu32 * bpz) + c.mu21 * c.mu21 * aPa_ +
                       2.0 * c.mu21 * c.mu32 * aPb_ + c.mu32 * c.mu32 * bPb_;
      accumulate(-0.5 * (d * d + q), m, s);
    }
    return common + m + std::log(s / static_cast<double>(ctx_.size()));
  }
  /// log p_S,SR(x).
  [[nodiscard]] double log_prob_signal(const double* x) const {
    const double taus = svj_signal::log_prob_taus(x);
    if (taus == detail::neg_inf) return taus;
    double m = detail::neg_inf, s = 0.0;
    for (const double ht : sig_ht_) accumulate(sig_.log_prob_mjj(x[0], ht), m, s);
    if (m == detail::neg_inf) return m;
    return m + std::log(s / static_cast<double>(sig_ht_.size())) + taus;
  }
  /// log LR for every row of an (n x 5) feature matrix; runs on `pool` if given (identical results).
  template <class S>
  [[nodiscard]] vector<double> log_likelihood_ratio(matrix_cref<S> features, thread_pool* pool = nullptr) const {
    check_size("data::synthetic::svj_oracle", "feature columns", static_cast<std::size_t>(features.cols()), 5);
    vector<double> out(features.rows());
    auto task = [&](std::int64_t i) {
      std::array<double, 5> x{};
      for (int k = 0; k < 5; ++k) x[static_cast<std::size_t>(k)] = static_cast<double>(features(i, k));
      out(i) = log_prob_signal(x.data()) - log_prob_background(x.data());
    };
    if (pool)
      pool->run(features.rows(), task);
    else
      for (Eigen::Index i = 0; i < features.rows(); ++i) task(i);
    return out;
  }

 private:
  struct context_terms {
    double log_ht, mu_r, mu21, mu32;
  };
  // Online log-sum-exp: keeps s * exp(m) equal to the sum of exp(v).
  static void accumulate(double v, double& m, double& s) noexcept {
    if (v == detail::neg_inf) return;
    if (v > m) {
      s = s * std::exp(m - v) + 1.0;
      m = v;
    } else {
      s += std::exp(v - m);
    }
  }
  svj_signal sig_;
  Eigen::Matrix4d prec_;
  double aPa_ = 0.0, aPb_ = 0.0, bPb_ = 0.0, norm_ = 0.0;
  std::vector<context_terms> ctx_;
  std::vector<double> sig_ht_;
};

}  // namespace hepad::data::synthetic

#endif  // HEPAD_DATA_SYNTHETIC_SVJ_LIKE_HPP
