// SPDX-License-Identifier: BSL-1.0
/// @file hepad/pre/minmax.hpp
/// @brief `hepad::pre::minmax`: per-column linear map of the fitted [min, max] onto [lo, hi]
/// (S0: [-2.5, 2.5], fitted on MC). Values outside the fitted range map outside [lo, hi]; nothing
/// is clipped. Invertible, constant Jacobian. Not here: other scalers (pre/standardize.hpp).
#ifndef HEPAD_PRE_MINMAX_HPP
#define HEPAD_PRE_MINMAX_HPP

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

/// y = lo + (hi - lo) (x - min) / (max - min) per column, min/max learned by `fit`.
///
/// A column with max == min gets scale 1 (y = lo + x - min), as in scikit-learn. With weights,
/// min and max run over the events with non-zero weight (negative weights included).
/// log|det J| = sum_j log((hi - lo) / (max_j - min_j)) (the same for every event).
struct minmax {
  double lo = 0.0;  ///< target of each column's minimum
  double hi = 1.0;  ///< target of each column's maximum
  std::vector<std::int64_t> columns{};  ///< columns to scale (empty: all); others pass through

  // Learned by fit.
  std::vector<double> data_min{};  ///< per column
  std::vector<double> data_max{};  ///< per column

  static constexpr std::string_view name = "minmax";
  static constexpr auto fields() {
    return std::tuple{config::field{"lo", &minmax::lo}, config::field{"hi", &minmax::hi},
                      config::field{"columns", &minmax::columns}, config::field{"data_min", &minmax::data_min},
                      config::field{"data_max", &minmax::data_max}};
  }

  /// Whether `fit` has run.
  [[nodiscard]] bool fitted() const noexcept { return !data_min.empty(); }

  /// Learns each column's min and max. O(n d).
  /// @throws hepad::invalid_argument unless lo < hi, x is non-empty and finite.
  template <class D>
  void fit(const Eigen::MatrixBase<D>& x) {
    check();
    assign(detail::weighted_stats<D>("pre::minmax::fit", x));
  }
  /// Weighted: min and max over the events with w != 0. @throws also if the total weight is <= 0.
  template <class D, class W>
  void fit(const Eigen::MatrixBase<D>& x, const Eigen::MatrixBase<W>& w) {
    check();
    assign(detail::weighted_stats("pre::minmax::fit", x, &w));
  }
  /// y = T(x). @throws hepad::invalid_argument if not fitted or the width differs.
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> transform(const Eigen::MatrixBase<D>& x) const {
    const auto on = prepare("pre::minmax::transform", x.cols());
    return detail::map_columns(x, on, [&](Eigen::Index j, double v) { return lo + (v - min_(j)) * scale(j); });
  }
  /// x = T^-1(y).
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> inverse_transform(const Eigen::MatrixBase<D>& y) const {
    const auto on = prepare("pre::minmax::inverse_transform", y.cols());
    return detail::map_columns(y, on, [&](Eigen::Index j, double v) { return min_(j) + (v - lo) / scale(j); });
  }
  /// log|det dT/dx| per event (constant).
  template <class D>
  [[nodiscard]] vector<typename D::Scalar> log_abs_det_jacobian(const Eigen::MatrixBase<D>& x) const {
    const auto on = prepare("pre::minmax::log_abs_det_jacobian", x.cols());
    return detail::sum_columns(x, on, [&](Eigen::Index j, double) { return std::log(scale(j)); });
  }

  /// Pipeline stage: fits on the table's features (with its weights) and transforms them.
  template <class S>
  data::table<S> fit(data::table<S> t) {
    return detail::fit_table(*this, std::move(t));
  }
  /// Pipeline stage: transforms the table's features.
  template <class S>
  data::table<S> run(data::table<S> t) const {
    return detail::run_table(*this, std::move(t));
  }

 private:
  void check() const {
    check_finite("pre::minmax", "lo", lo);
    check_finite("pre::minmax", "hi", hi);
    if (!(lo < hi)) throw_invalid_argument("pre::minmax", hepad::detail::concat("lo must be < hi, got ", lo, " and ", hi));
  }
  void assign(const detail::column_stats& s) {
    (void)detail::active_columns("pre::minmax::fit", columns, static_cast<std::int64_t>(s.mean.size()));
    data_min = s.min;
    data_max = s.max;
  }
  [[nodiscard]] std::vector<std::uint8_t> prepare(std::string_view fn, std::int64_t cols) const {
    detail::require_fitted(fitted(), fn);
    detail::require_columns(fn, cols, static_cast<std::int64_t>(data_min.size()));
    return detail::active_columns(fn, columns, cols);
  }
  [[nodiscard]] double min_(Eigen::Index j) const noexcept { return data_min[static_cast<std::size_t>(j)]; }
  [[nodiscard]] double scale(Eigen::Index j) const noexcept {
    const double r = data_max[static_cast<std::size_t>(j)] - data_min[static_cast<std::size_t>(j)];
    return r > 0.0 ? (hi - lo) / r : 1.0;
  }
};

}  // namespace hepad::pre

#endif  // HEPAD_PRE_MINMAX_HPP
