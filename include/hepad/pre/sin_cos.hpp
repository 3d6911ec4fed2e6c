// SPDX-License-Identifier: BSL-1.0
/// @file hepad/pre/sin_cos.hpp
/// @brief `hepad::pre::sin_cos`: replaces each angle column phi by the two columns (cos phi,
/// sin phi), which removes the artificial edge at +-pi. Stateless; changes the number of columns.
#ifndef HEPAD_PRE_SIN_COS_HPP
#define HEPAD_PRE_SIN_COS_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/data/table.hpp>
#include <hepad/pre/detail/common.hpp>

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::pre {

/// Angle embedding: every angle column phi becomes (cos phi, sin phi) at its position; other
/// columns pass through. The inverse is phi = atan2(sin, cos) in (-pi, pi].
///
/// Jacobian: the map is an embedding R -> R^2, not a square map. Its volume factor
/// sqrt(det(J^T J)) = sqrt(sin^2 + cos^2) = 1 per angle, so `log_abs_det_jacobian` is 0: a density
/// on the circle in the embedded space equals the density in phi (per unit arc length).
struct sin_cos {
  std::vector<std::int64_t> columns{};  ///< angle columns (empty: all)

  static constexpr bool stateless = true;
  static constexpr std::string_view name = "sin_cos";
  static constexpr auto fields() { return std::tuple{config::field{"columns", &sin_cos::columns}}; }

  [[nodiscard]] bool fitted() const noexcept { return true; }
  template <class D>
  void fit(const Eigen::MatrixBase<D>&) const noexcept {}
  template <class D, class W>
  void fit(const Eigen::MatrixBase<D>&, const Eigen::MatrixBase<W>&) const noexcept {}

  /// n x d -> n x (d + number of angle columns).
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> transform(const Eigen::MatrixBase<D>& x) const {
    using S = typename D::Scalar;
    const auto on = detail::active_columns("pre::sin_cos::transform", columns, x.cols());
    Eigen::Index k = 0;
    for (const auto b : on) k += b;
    matrix<S> y(x.rows(), x.cols() + k);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      Eigen::Index o = 0;
      for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const double v = static_cast<double>(x(i, j));
        if (on[static_cast<std::size_t>(j)]) {
          y(i, o++) = static_cast<S>(std::cos(v));
          y(i, o++) = static_cast<S>(std::sin(v));
        } else {
          y(i, o++) = x(i, j);
        }
      }
    }
    return y;
  }
  /// n x (d + k) -> n x d, where the angle columns are those of the *input* layout: `columns`
  /// must then be given explicitly unless all columns are angles.
  template <class D>
  [[nodiscard]] matrix<typename D::Scalar> inverse_transform(const Eigen::MatrixBase<D>& y) const {
    using S = typename D::Scalar;
    // Input width d solves d + k(d) = y.cols(); with explicit columns k is their count.
    const Eigen::Index d = columns.empty() ? y.cols() / 2 : y.cols() - static_cast<Eigen::Index>(columns.size());
    if ((columns.empty() && y.cols() % 2 != 0) || d < 0)
      throw_invalid_argument("pre::sin_cos::inverse_transform",
                             hepad::detail::concat("y has ", y.cols(), " columns, which no input width gives"));
    const auto on = detail::active_columns("pre::sin_cos::inverse_transform", columns, d);
    matrix<S> x(y.rows(), d);
    for (Eigen::Index i = 0; i < y.rows(); ++i) {
      Eigen::Index o = 0;
      for (Eigen::Index j = 0; j < d; ++j) {
        if (on[static_cast<std::size_t>(j)]) {
          const double c = static_cast<double>(y(i, o)), s = static_cast<double>(y(i, o + 1));
          x(i, j) = static_cast<S>(std::atan2(s, c));
          o += 2;
        } else {
          x(i, j) = y(i, o++);
        }
      }
    }
    return x;
  }
  /// 0 for every event (see the class comment).
  template <class D>
  [[nodiscard]] vector<typename D::Scalar> log_abs_det_jacobian(const Eigen::MatrixBase<D>& x) const {
    (void)detail::active_columns("pre::sin_cos::log_abs_det_jacobian", columns, x.cols());
    return vector<typename D::Scalar>::Zero(x.rows());
  }
  /// Output names: "phi" becomes "phi_cos", "phi_sin".
  [[nodiscard]] std::vector<std::string> output_names(std::span<const std::string> in) const {
    const auto on = detail::active_columns("pre::sin_cos", columns, static_cast<std::int64_t>(in.size()));
    std::vector<std::string> out;
    for (std::size_t j = 0; j < in.size(); ++j) {
      if (on[j]) {
        out.push_back(in[j] + "_cos");
        out.push_back(in[j] + "_sin");
      } else {
        out.push_back(in[j]);
      }
    }
    return out;
  }

  template <class S>
  data::table<S> fit(data::table<S> t) {
    return detail::fit_table(*this, std::move(t));
  }
  template <class S>
  data::table<S> run(data::table<S> t) const {
    return detail::run_table(*this, std::move(t));
  }
};

}  // namespace hepad::pre

#endif  // HEPAD_PRE_SIN_COS_HPP
