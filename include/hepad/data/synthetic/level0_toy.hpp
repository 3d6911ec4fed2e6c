// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/synthetic/level0_toy.hpp
/// @brief The level-0 toy of S0 §12.2 (the authors' early toy): context (m1, m2) Gaussian with a
/// population-dependent width, one feature x | m ~ N(k (cos theta m1 + sin theta m2), 1) shared by
/// all classes, signal region m1 > 1 and m2 > 1. Closed-form truth: context densities, their ratio
/// (the full data/MC ratio, since the conditionals coincide) and the conditional density.
#ifndef HEPAD_DATA_SYNTHETIC_LEVEL0_TOY_HPP
#define HEPAD_DATA_SYNTHETIC_LEVEL0_TOY_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/region.hpp>
#include <hepad/data/synthetic/detail/common.hpp>
#include <hepad/data/table.hpp>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::data::synthetic {

/// Samples of the level-0 toy (independent random streams from one generator).
enum class level0_sample : int { data = 1, mc = 2, ideal = 3, test = 4, signal = 5 };

/// Level-0 toy. Columns: m1, m2 (context), x (feature). Background label 0, signal label 1.
struct level0_toy {
  double k = 0.5;
  double theta = std::numbers::pi / 4.0;
  double context_mean = -1.0;  ///< background m1, m2 mean
  double data_sd = 2.0;        ///< data (ideal, test) context width
  double mc_sd = 2.8;          ///< MC context width
  double signal_mean = 2.8;
  double signal_sd = 0.5;
  double sr_cut = 1.0;  ///< SR: m1 > sr_cut and m2 > sr_cut

  static constexpr std::string_view name = "level0_toy";
  static constexpr auto fields() {
    return std::tuple{config::field{"k", &level0_toy::k}, config::field{"theta", &level0_toy::theta},
                      config::field{"context_mean", &level0_toy::context_mean},
                      config::field{"data_sd", &level0_toy::data_sd}, config::field{"mc_sd", &level0_toy::mc_sd},
                      config::field{"signal_mean", &level0_toy::signal_mean},
                      config::field{"signal_sd", &level0_toy::signal_sd}, config::field{"sr_cut", &level0_toy::sr_cut}};
  }

  /// Context mean and width of a sample.
  [[nodiscard]] std::pair<double, double> context_law(level0_sample s) const noexcept {
    if (s == level0_sample::signal) return {signal_mean, signal_sd};
    return {context_mean, s == level0_sample::mc ? mc_sd : data_sd};
  }
  /// Mean of x given the context.
  [[nodiscard]] double feature_mean(double m1, double m2) const noexcept {
    return k * (std::cos(theta) * m1 + std::sin(theta) * m2);
  }
  /// Events first .. first + n - 1 of sample `s`.
  template <class S>
  [[nodiscard]] table<S> generate_range(level0_sample s, std::int64_t first, std::int64_t n, const rng& r) const {
    const auto [mu, sd] = context_law(s);
    const int label = s == level0_sample::signal ? 1 : 0;
    auto t = detail::generate<S>({"m1", "m2", "x"}, first, n, r.split(static_cast<std::uint64_t>(s)),
                                 [&](rng& e, double* row) {
                                   row[0] = e.normal(mu, sd);
                                   row[1] = e.normal(mu, sd);
                                   row[2] = e.normal(feature_mean(row[0], row[1]), 1.0);
                                   return label;
                                 });
    t.set_context(0, 2).set_features(2, 1);
    return t;
  }
  /// `n` events of sample `s`.
  template <class S>
  [[nodiscard]] table<S> generate(level0_sample s, std::int64_t n, const rng& r) const {
    return generate_range<S>(s, 0, n, r);
  }
  /// The signal region m1 > sr_cut and m2 > sr_cut.
  [[nodiscard]] region signal_region() const { return above("m1", sr_cut) & above("m2", sr_cut); }

  /// log p(m1, m2) of sample `s`.
  [[nodiscard]] double log_prob_context(level0_sample s, double m1, double m2) const noexcept {
    const auto [mu, sd] = context_law(s);
    return detail::log_normal_pdf(m1, mu, sd) + detail::log_normal_pdf(m2, mu, sd);
  }
  /// log p(x | m1, m2) (the same for every sample).
  [[nodiscard]] double log_prob_feature(double x, double m1, double m2) const noexcept {
    return detail::log_normal_pdf(x, feature_mean(m1, m2), 1.0);
  }
  /// log p_a(row) - log p_b(row) for rows (m1, m2, x): only the contexts differ.
  template <class S>
  [[nodiscard]] vector<double> log_density_ratio(level0_sample a, level0_sample b, matrix_cref<S> rows) const {
    vector<double> out(rows.rows());
    for (Eigen::Index i = 0; i < rows.rows(); ++i)
      out(i) = log_prob_context(a, static_cast<double>(rows(i, 0)), static_cast<double>(rows(i, 1))) -
               log_prob_context(b, static_cast<double>(rows(i, 0)), static_cast<double>(rows(i, 1)));
    return out;
  }
  /// Exact P(m1 > cut and m2 > cut) for sample `s`: Phi_c((cut - mu)/sd)^2.
  [[nodiscard]] double sr_probability(level0_sample s) const noexcept {
    const auto [mu, sd] = context_law(s);
    const double p = detail::normal_sf((sr_cut - mu) / sd);
    return p * p;
  }
};

}  // namespace hepad::data::synthetic

#endif  // HEPAD_DATA_SYNTHETIC_LEVEL0_TOY_HPP
