// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/profile.hpp
/// @brief Likelihood scans of one parameter: `profile_scan` (the others re-minimized at every
/// point), `fixed_scan` (the others held at the minimum, as the S4 "HEPHY" interval does) and
/// `scan_crossings` (where a scan crosses a level, by linear interpolation).
///
/// Scan values are q = (F - F_min)/errordef, i.e. -2 Δ ln L for F = -ln L (errordef 0.5) and
/// Δχ² for F = χ² or -2 ln L (errordef 1). Points are computed outward from the minimum, each
/// warm-started from its neighbour; a failed point keeps its status and the scan goes on.
#ifndef HEPAD_STATS_PROFILE_HPP
#define HEPAD_STATS_PROFILE_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/result.hpp>
#include <hepad/stats/detail/conditional.hpp>
#include <hepad/stats/minimize.hpp>
#include <hepad/stats/minimum.hpp>
#include <hepad/stats/objective.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <span>
#include <string_view>
#include <vector>

namespace hepad::stats {

/// A scan of one parameter.
struct scan_result {
  std::size_t parameter = 0;
  std::vector<double> values{};                ///< scanned values of the parameter
  std::vector<double> q{};                     ///< (F - F_min)/errordef at each value
  std::vector<double> fval{};                  ///< F at each value
  std::vector<std::vector<double>> points{};   ///< all parameters at each value
  std::vector<hepad::status> statuses{};       ///< per-point fit status (success for fixed scans)
  /// True if every point is usable.
  [[nodiscard]] bool ok() const {
    return std::all_of(statuses.begin(), statuses.end(), [](hepad::status s) { return usable(s); });
  }
};

/// Settings of `profile_scan`.
struct profile_options {
  double tolerance = 5e-6;   ///< MIGRAD tolerance of the conditional fits
  bool kink_search = true;   ///< conditional fits also try the other side of concave kinks
};

/// Profile scan of parameter `k` at `values` (any order): F minimized over the other free
/// parameters at each value. @throws invalid_argument for a bad index, a fixed parameter or
/// non-finite values.
template <class F>
scan_result profile_scan(const F& f, const minimum& m, std::size_t k, std::span<const double> values,
                         const profile_options& opt = {}) {
  constexpr std::string_view fn = "stats::profile_scan";
  if (k >= m.values.size()) throw_invalid_argument(fn, hepad::detail::concat("parameter index ", k, " out of range"));
  if (m.parameters[k].fixed) throw_invalid_argument(fn, "the scanned parameter is fixed");
  for (double v : values) check_finite(fn, "values", v);
  auto&& obj = as_objective(f);
  using Obj = std::remove_cvref_t<decltype(obj)>;
  detail::conditional_fitter<Obj> cf(obj, m, k, migrad{.strategy = 0, .tolerance = opt.tolerance, .errordef = m.errordef, .kink_search = opt.kink_search});
  const std::size_t n = values.size();
  scan_result r;
  r.parameter = k;
  r.values.assign(values.begin(), values.end());
  r.q.assign(n, std::numeric_limits<double>::quiet_NaN());
  r.fval.assign(n, std::numeric_limits<double>::quiet_NaN());
  r.points.assign(n, {});
  r.statuses.assign(n, status::not_converged);
  // order: outward from the minimum on each side, each point starting from the previous one
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  const double theta = m.values[k];
  std::vector<std::size_t> below, above;
  for (std::size_t i : order) (values[i] < theta ? below : above).push_back(i);
  std::reverse(below.begin(), below.end());
  for (const auto* side : {&below, &above}) {
    std::vector<double> start = m.values;
    for (std::size_t i : *side) {
      auto fit = cf(values[i], start);
      r.fval[i] = fit.fval;
      r.q[i] = (fit.fval - m.fval) / m.errordef;
      r.points[i] = fit.values;
      r.statuses[i] = fit.status.code;
      if (fit.status.valid()) start = fit.values;
    }
  }
  return r;
}

/// Scan of parameter `k` with all other parameters held at the minimum (no re-minimization).
template <class F>
scan_result fixed_scan(const F& f, const minimum& m, std::size_t k, std::span<const double> values) {
  constexpr std::string_view fn = "stats::fixed_scan";
  if (k >= m.values.size()) throw_invalid_argument(fn, hepad::detail::concat("parameter index ", k, " out of range"));
  auto&& obj = as_objective(f);
  scan_result r;
  r.parameter = k;
  for (double v : values) {
    check_finite(fn, "values", v);
    std::vector<double> p = m.values;
    p[k] = v;
    const double fv = static_cast<double>(obj.evaluate(std::span<const double>(p)));
    r.values.push_back(v);
    r.fval.push_back(fv);
    r.q.push_back((fv - m.fval) / m.errordef);
    r.points.push_back(p);
    r.statuses.push_back(std::isfinite(fv) ? status::success : status::non_finite);
  }
  return r;
}

/// Where a scan crosses `level`, found by linear interpolation between neighbouring points
/// (sorted by value; non-finite points skipped): the nearest crossing below and above `best`.
struct scan_interval {
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
  bool lower_found = false, upper_found = false;
  int n_crossings = 0;  ///< all crossings of the level in the scan
};

/// Crossings of `q` with `level` around `best` (e.g. 1 for a 68 % interval).
/// @throws invalid_argument if the sizes differ.
inline scan_interval scan_crossings(std::span<const double> values, std::span<const double> q, double best,
                                    double level = 1.0) {
  check_size("stats::scan_crossings", "q", q.size(), values.size());
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (std::isfinite(values[i]) && std::isfinite(q[i])) idx.push_back(i);
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  scan_interval out;
  for (std::size_t j = 1; j < idx.size(); ++j) {
    const double x0 = values[idx[j - 1]], x1 = values[idx[j]], y0 = q[idx[j - 1]] - level, y1 = q[idx[j]] - level;
    if ((y0 < 0) == (y1 < 0)) continue;
    ++out.n_crossings;
    const double x = x0 + (x1 - x0) * (-y0) / (y1 - y0);
    if (x <= best) {
      out.lower = x;  // the last crossing below best is the nearest
      out.lower_found = true;
    } else if (!out.upper_found) {
      out.upper = x;
      out.upper_found = true;
    }
  }
  return out;
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_PROFILE_HPP
