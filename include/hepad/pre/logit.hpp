// SPDX-License-Identifier: BSL-1.0
/// @file hepad/pre/logit.hpp
/// @brief `hepad::pre::logit`: y = logit(margin + (1 - 2 margin) x) for x in [0, 1] (CATHODE-style
/// "logit with margin"; put `pre::minmax{0, 1}` before it for unbounded data). Stateless.
#ifndef HEPAD_PRE_LOGIT_HPP
#define HEPAD_PRE_LOGIT_HPP

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

/// u = margin + (1 - 2 margin) x, y = log(u / (1 - u)).
///
/// With margin > 0 the closed interval [0, 1] maps to finite values; the domain is every x with
/// 0 < u < 1. dy/dx = (1 - 2 margin) / (u (1 - u)), so
/// log|det J| = sum_j [log(1 - 2 margin) - log u_j - log(1 - u_j)].
struct logit {
  double margin = 0.0;  ///< in [0, 0.5)
  std::vector<std::int64_t> columns{};  ///< columns to transform (empty: all)

  static constexpr bool stateless = true;
  static constexpr std::string_view name = "logit";
  static constexpr auto fields() {
    return std::tuple{config::field{"margin", &logit::margin}, config::field{"columns", &logit::columns}};
  }

  [[nodiscard]] bool fitted() const noexcept { return true; }
  /// Nothing to learn (checks the margin).
  template <class D>
  void fit(const Eigen::MatrixBase<D>&) const {
    check();
  }
  template <class D, class W>
  void fit(const Eigen::MatrixBase<D>&, const Eigen::MatrixBase<W>&) const {
    check();
  }
  /// @throws hepad::invalid_argument naming row and column for x outside the domain.
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> transform(const Eigen::MatrixBase<D>& x) const {
    check();
    const auto on = detail::active_columns("pre::logit::transform", columns, x.cols());
    check_domain("pre::logit::transform", x, on);
    return detail::map_columns(x, on, [&](Eigen::Index, double v) {
      const double u = margin + (1.0 - 2.0 * margin) * v;
      return std::log(u) - std::log1p(-u);
    });
  }
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> inverse_transform(const Eigen::MatrixBase<D>& y) const {
    check();
    const auto on = detail::active_columns("pre::logit::inverse_transform", columns, y.cols());
    return detail::map_columns(y, on, [&](Eigen::Index, double v) {
      const double u = v >= 0.0 ? 1.0 / (1.0 + std::exp(-v)) : std::exp(v) / (1.0 + std::exp(v));
      return (u - margin) / (1.0 - 2.0 * margin);
    });
  }
  template <class D>
  [[nodiscard]] vector<typename D::Scalar> log_abs_det_jacobian(const Eigen::MatrixBase<D>& x) const {
    check();
    const auto on = detail::active_columns("pre::logit::log_abs_det_jacobian", columns, x.cols());
    check_domain("pre::logit::log_abs_det_jacobian", x, on);
    const double l = std::log1p(-2.0 * margin);
    return detail::sum_columns(x, on, [&](Eigen::Index, double v) {
      const double u = margin + (1.0 - 2.0 * margin) * v;
      return l - std::log(u) - std::log1p(-u);
    });
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
  void check() const {
    if (!(margin >= 0.0 && margin < 0.5))
      throw_invalid_argument("pre::logit", hepad::detail::concat("margin must be in [0, 0.5), got ", margin));
  }
  template <class D>
  void check_domain(std::string_view fn, const Eigen::MatrixBase<D>& x, const std::vector<std::uint8_t>& on) const {
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      for (Eigen::Index j = 0; j < x.cols(); ++j)
        if (on[static_cast<std::size_t>(j)]) {
          const double v = static_cast<double>(x(i, j));
          const double u = margin + (1.0 - 2.0 * margin) * v;
          if (!(u > 0.0 && u < 1.0))
            detail::domain_error(fn, v, i, j, margin > 0.0 ? "(-margin/(1-2 margin), (1-margin)/(1-2 margin))" : "(0, 1)");
        }
  }
};

}  // namespace hepad::pre

#endif  // HEPAD_PRE_LOGIT_HPP
