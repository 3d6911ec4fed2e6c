// SPDX-License-Identifier: BSL-1.0
/// @file hepad/pre/standardize.hpp
/// @brief `hepad::pre::standardize`: per-column (x - mean) / sd with a weighted fit (negative
/// weights allowed). Not here: decorrelation (pre/whiten.hpp).
#ifndef HEPAD_PRE_STANDARDIZE_HPP
#define HEPAD_PRE_STANDARDIZE_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/data/table.hpp>
#include <hepad/pre/detail/common.hpp>

#include <cmath>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::pre {

/// y = (x - mean) / sd per column.
///
/// Weighted fit: mean = sum w x / W, variance = sum w (x - mean)^2 / W, W = sum w (population
/// variance, as scikit-learn's StandardScaler). With negative weights these are the moments of the
/// distribution the weighted sample represents; W must be positive, and a column whose weighted
/// variance comes out negative (negative weights dominating) is rejected. A zero variance gives
/// sd = 1 (as scikit-learn). log|det J| = -sum_j log sd_j.
struct standardize {
  bool with_mean = true;  ///< subtract the mean
  bool with_std = true;   ///< divide by the standard deviation
  std::vector<std::int64_t> columns{};  ///< columns to standardize (empty: all)

  // Learned by fit.
  std::vector<double> mean{};  ///< per column (0 if !with_mean)
  std::vector<double> sd{};    ///< per column (1 if !with_std)

  static constexpr std::string_view name = "standardize";
  static constexpr auto fields() {
    return std::tuple{config::field{"with_mean", &standardize::with_mean},
                      config::field{"with_std", &standardize::with_std},
                      config::field{"columns", &standardize::columns}, config::field{"mean", &standardize::mean},
                      config::field{"sd", &standardize::sd}};
  }

  [[nodiscard]] bool fitted() const noexcept { return !sd.empty(); }

  /// Learns mean and sd per column. O(n d). @throws hepad::invalid_argument on empty or
  /// non-finite input.
  template <class D>
  void fit(const Eigen::MatrixBase<D>& x) {
    assign(detail::weighted_stats<D>("pre::standardize::fit", x));
  }
  /// Weighted fit. @throws hepad::invalid_argument if the total weight is <= 0 or a weighted
  /// variance is negative.
  template <class D, class W>
  void fit(const Eigen::MatrixBase<D>& x, const Eigen::MatrixBase<W>& w) {
    assign(detail::weighted_stats("pre::standardize::fit", x, &w));
  }
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> transform(const Eigen::MatrixBase<D>& x) const {
    const auto on = prepare("pre::standardize::transform", x.cols());
    return detail::map_columns(x, on, [&](Eigen::Index j, double v) { return (v - mu(j)) / sigma(j); });
  }
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> inverse_transform(const Eigen::MatrixBase<D>& y) const {
    const auto on = prepare("pre::standardize::inverse_transform", y.cols());
    return detail::map_columns(y, on, [&](Eigen::Index j, double v) { return mu(j) + v * sigma(j); });
  }
  template <class D>
  [[nodiscard]] vector<typename D::Scalar> log_abs_det_jacobian(const Eigen::MatrixBase<D>& x) const {
    const auto on = prepare("pre::standardize::log_abs_det_jacobian", x.cols());
    return detail::sum_columns(x, on, [&](Eigen::Index j, double) { return -std::log(sigma(j)); });
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
  void assign(const detail::column_stats& s) {
    (void)detail::active_columns("pre::standardize::fit", columns, static_cast<std::int64_t>(s.mean.size()));
    mean.assign(s.mean.size(), 0.0);
    sd.assign(s.mean.size(), 1.0);
    for (std::size_t j = 0; j < s.mean.size(); ++j) {
      if (with_mean) mean[j] = s.mean[j];
      if (with_std) {
        if (s.variance[j] < 0.0)
          throw_invalid_argument("pre::standardize::fit",
                                 hepad::detail::concat("the weighted variance of column ", j, " is negative (",
                                                       s.variance[j], "): negative weights dominate it"));
        sd[j] = s.variance[j] > 0.0 ? std::sqrt(s.variance[j]) : 1.0;  // sklearn: the variance either way
      }
    }
  }
  [[nodiscard]] std::vector<std::uint8_t> prepare(std::string_view fn, std::int64_t cols) const {
    detail::require_fitted(fitted(), fn);
    detail::require_columns(fn, cols, static_cast<std::int64_t>(sd.size()));
    return detail::active_columns(fn, columns, cols);
  }
  [[nodiscard]] double mu(Eigen::Index j) const noexcept { return mean[static_cast<std::size_t>(j)]; }
  [[nodiscard]] double sigma(Eigen::Index j) const noexcept { return sd[static_cast<std::size_t>(j)]; }
};

}  // namespace hepad::pre

#endif  // HEPAD_PRE_STANDARDIZE_HPP
