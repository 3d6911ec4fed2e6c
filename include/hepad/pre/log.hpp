// SPDX-License-Identifier: BSL-1.0
/// @file hepad/pre/log.hpp
/// @brief `hepad::pre::log_transform`: y = log(x + offset) per column (masses, momenta). Stateless.
#ifndef HEPAD_PRE_LOG_HPP
#define HEPAD_PRE_LOG_HPP

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

/// y = log(x + offset); domain x > -offset. log|det J| = -sum_j log(x_j + offset).
/// (Named `log_transform` so that it does not hide `std::log` in user code.)
struct log_transform {
  double offset = 0.0;
  std::vector<std::int64_t> columns{};  ///< columns to transform (empty: all)

  static constexpr bool stateless = true;
  static constexpr std::string_view name = "log";
  static constexpr auto fields() {
    return std::tuple{config::field{"offset", &log_transform::offset},
                      config::field{"columns", &log_transform::columns}};
  }

  [[nodiscard]] bool fitted() const noexcept { return true; }
  template <class D>
  void fit(const Eigen::MatrixBase<D>&) const {
    check_finite("pre::log_transform", "offset", offset);
  }
  template <class D, class W>
  void fit(const Eigen::MatrixBase<D>&, const Eigen::MatrixBase<W>&) const {
    check_finite("pre::log_transform", "offset", offset);
  }
  /// @throws hepad::invalid_argument naming row and column for x <= -offset.
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> transform(const Eigen::MatrixBase<D>& x) const {
    const auto on = detail::active_columns("pre::log_transform::transform", columns, x.cols());
    check_domain("pre::log_transform::transform", x, on);
    return detail::map_columns(x, on, [&](Eigen::Index, double v) { return std::log(v + offset); });
  }
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> inverse_transform(const Eigen::MatrixBase<D>& y) const {
    const auto on = detail::active_columns("pre::log_transform::inverse_transform", columns, y.cols());
    return detail::map_columns(y, on, [&](Eigen::Index, double v) { return std::exp(v) - offset; });
  }
  template <class D>
  [[nodiscard]] vector<typename D::Scalar> log_abs_det_jacobian(const Eigen::MatrixBase<D>& x) const {
    const auto on = detail::active_columns("pre::log_transform::log_abs_det_jacobian", columns, x.cols());
    check_domain("pre::log_transform::log_abs_det_jacobian", x, on);
    return detail::sum_columns(x, on, [&](Eigen::Index, double v) { return -std::log(v + offset); });
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
  template <class D>
  void check_domain(std::string_view fn, const Eigen::MatrixBase<D>& x, const std::vector<std::uint8_t>& on) const {
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      for (Eigen::Index j = 0; j < x.cols(); ++j)
        if (on[static_cast<std::size_t>(j)] && !(static_cast<double>(x(i, j)) + offset > 0.0))
          detail::domain_error(fn, static_cast<double>(x(i, j)), i, j, "x > -offset");
  }
};

}  // namespace hepad::pre

#endif  // HEPAD_PRE_LOG_HPP
