// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/parameter.hpp
/// @brief `stats::parameter`: name, start value, initial step, bounds and fixed flag of one fit
/// parameter, and `check_parameters` (validation with messages naming the parameter).
#ifndef HEPAD_STATS_PARAMETER_HPP
#define HEPAD_STATS_PARAMETER_HPP

#include <hepad/core/error.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hepad::stats {

/// One fit parameter. Bounds are optional (infinite = none); a bounded parameter is fitted in
/// Minuit's internal coordinates (sin transform for two bounds, sqrt transforms for one).
struct parameter {
  std::string name{};
  double value = 0.0;  ///< start value
  double step = 0.1;   ///< initial step / rough uncertainty (> 0)
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
  bool fixed = false;  ///< held at `value`

  [[nodiscard]] bool has_lower() const noexcept { return std::isfinite(lower); }
  [[nodiscard]] bool has_upper() const noexcept { return std::isfinite(upper); }
};

/// A kink of an objective: at `parameter == value` its one-sided derivatives differ (e.g. the
/// piecewise-linear HistFactory interpolation at α = 0). Objectives announce kinks with
/// `kinks()`; the minimizer then treats a minimum sitting on a kink as such (see minimize.hpp).
struct kink {
  std::size_t parameter = 0;
  double value = 0;
};

/// Parameters named p0, p1, ... with the given start values and default steps.
inline std::vector<parameter> make_parameters(std::span<const double> start) {
  std::vector<parameter> p(start.size());
  for (std::size_t i = 0; i < start.size(); ++i) {
    p[i].name = "p" + std::to_string(i);
    p[i].value = start[i];
    p[i].step = std::abs(start[i]) > 0 ? 0.1 * std::abs(start[i]) : 0.1;
  }
  return p;
}

/// Index of the parameter called `name`. @throws out_of_range if there is none.
inline std::size_t parameter_index(std::span<const parameter> p, std::string_view name) {
  for (std::size_t i = 0; i < p.size(); ++i)
    if (p[i].name == name) return i;
  hepad::detail::raise<out_of_range>(hepad::detail::concat("stats: no parameter named '", name, "'"));
}

/// Validates a parameter list: finite start values and positive steps, lower < upper, start within
/// the bounds. @throws invalid_argument naming `fn` and the parameter.
inline void check_parameters(std::string_view fn, std::span<const parameter> p) {
  for (std::size_t i = 0; i < p.size(); ++i) {
    const auto& q = p[i];
    const std::string who = hepad::detail::concat("parameter ", i, " ('", q.name, "')");
    if (!std::isfinite(q.value)) throw_invalid_argument(fn, hepad::detail::concat(who, ": start value must be finite, got ", q.value));
    if (!(q.step > 0) || !std::isfinite(q.step))
      throw_invalid_argument(fn, hepad::detail::concat(who, ": step must be positive and finite, got ", q.step));
    if (std::isnan(q.lower) || std::isnan(q.upper) || !(q.lower < q.upper))
      throw_invalid_argument(fn, hepad::detail::concat(who, ": bounds must satisfy lower < upper, got [", q.lower, ", ", q.upper, "]"));
    if (q.value < q.lower || q.value > q.upper)
      throw_invalid_argument(fn, hepad::detail::concat(who, ": start value ", q.value, " outside its bounds [", q.lower, ", ",
                                                       q.upper, "]"));
  }
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_PARAMETER_HPP
