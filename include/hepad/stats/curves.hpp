// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/curves.hpp
/// @brief Curves on common grids and bands over repeated runs: `interp` (numpy.interp), grids,
/// interpolated SIC / rejection / ROC curves (S0 §7), `percentile` (numpy's default "linear"
/// method) and `band_over_runs` (median with 16/84 % band per grid point).
///
/// Not here: the ROC itself (stats/roc.hpp) and point figures (stats/sic.hpp).
#ifndef HEPAD_STATS_CURVES_HPP
#define HEPAD_STATS_CURVES_HPP

#include <hepad/core/check.hpp>
#include <hepad/stats/roc.hpp>
#include <hepad/stats/sic.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

namespace hepad::stats {

/// Piecewise-linear interpolation with numpy.interp semantics: `xp` non-decreasing; values left of
/// `xp[0]` get `fp[0]`, right of `xp.back()` get `fp.back()`.
/// @throws invalid_argument if sizes differ or `xp` is empty.
inline double interp(double x, std::span<const double> xp, std::span<const double> fp) {
  check_size("stats::interp", "fp", fp.size(), xp.size());
  check_not_empty("stats::interp", "xp", xp.size());
  if (std::isnan(x)) return x;
  if (x < xp.front()) return fp.front();
  if (x >= xp.back()) return fp.back();
  const auto it = std::upper_bound(xp.begin(), xp.end(), x);
  const std::size_t j = static_cast<std::size_t>(it - xp.begin()) - 1;
  const double dx = xp[j + 1] - xp[j];
  if (!(dx > 0)) return fp[j + 1];
  return fp[j] + (x - xp[j]) * (fp[j + 1] - fp[j]) / dx;
}

/// `interp` at every point of `x`.
inline std::vector<double> interp(std::span<const double> x, std::span<const double> xp,
                                  std::span<const double> fp) {
  std::vector<double> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = interp(x[i], xp, fp);
  return out;
}

/// `n` points from `lo` to `hi` inclusive, evenly spaced (numpy.linspace).
/// @throws invalid_argument unless n >= 2 and the ends are finite.
inline std::vector<double> linear_grid(double lo, double hi, std::size_t n) {
  check_at_least("stats::linear_grid", "n", n, std::size_t{2});
  check_finite("stats::linear_grid", "lo", lo);
  check_finite("stats::linear_grid", "hi", hi);
  std::vector<double> g(n);
  const double step = (hi - lo) / static_cast<double>(n - 1);
  for (std::size_t i = 0; i < n; ++i) g[i] = lo + step * static_cast<double>(i);
  g.back() = hi;
  return g;
}

/// `n` log-spaced points from `lo` to `hi` inclusive (numpy.logspace on log10 ends).
/// @throws invalid_argument unless n >= 2 and 0 < lo, hi.
inline std::vector<double> log_grid(double lo, double hi, std::size_t n) {
  check_positive("stats::log_grid", "lo", lo);
  check_positive("stats::log_grid", "hi", hi);
  auto g = linear_grid(std::log10(lo), std::log10(hi), n);
  for (double& v : g) v = std::pow(10.0, v);
  g.front() = lo;
  g.back() = hi;
  return g;
}

/// Curves of one ROC on fixed grids, ready to aggregate over runs (S0 §7).
struct interpolated_curves {
  std::vector<double> tpr_grid;   ///< signal efficiencies (default 100 log-spaced, 1e-5..1)
  std::vector<double> sic;        ///< SIC(TPR) on `tpr_grid`
  std::vector<double> rejection;  ///< 1/FPR (TPR) on `tpr_grid`
  std::vector<double> fpr_grid;   ///< background efficiencies (default 100 linear, 0..1)
  std::vector<double> roc_tpr;    ///< TPR(FPR) on `fpr_grid`
};

/// SIC and rejection against TPR on `tpr_grid`, and TPR against FPR on `fpr_grid`, by `interp`
/// over the ROC points (FPR > 0 for the first two).
inline interpolated_curves interpolate_curves(const roc& r, std::span<const double> tpr_grid,
                                              std::span<const double> fpr_grid) {
  const sic_points s = sic_curve(r);
  interpolated_curves c;
  c.tpr_grid.assign(tpr_grid.begin(), tpr_grid.end());
  c.fpr_grid.assign(fpr_grid.begin(), fpr_grid.end());
  if (s.size() > 0) {
    c.sic = interp(tpr_grid, s.tpr, s.sic);
    c.rejection = interp(tpr_grid, s.tpr, s.rejection);
  } else {
    c.sic.assign(tpr_grid.size(), std::numeric_limits<double>::quiet_NaN());
    c.rejection.assign(tpr_grid.size(), std::numeric_limits<double>::quiet_NaN());
  }
  c.roc_tpr = interp(fpr_grid, r.fpr, r.tpr);
  return c;
}

/// `interpolate_curves` on the S0 default grids (100 log-spaced TPR in [1e-5, 1], 100 linear FPR
/// in [0, 1]).
inline interpolated_curves interpolate_curves(const roc& r) {
  const auto t = log_grid(1e-5, 1.0, 100);
  const auto f = linear_grid(0.0, 1.0, 100);
  return interpolate_curves(r, t, f);
}

/// The `q`-th percentile (0..100) of `values` with numpy's default "linear" method, ignoring NaN
/// (numpy.nanpercentile). Returns NaN if no value is finite or NaN-free.
/// @throws invalid_argument unless 0 <= q <= 100.
inline double percentile(std::span<const double> values, double q) {
  check_in_range("stats::percentile", "q", q, 0.0, 100.0);
  std::vector<double> v;
  v.reserve(values.size());
  for (double x : values)
    if (!std::isnan(x)) v.push_back(x);
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const double pos = q / 100.0 * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = (std::min)(lo + 1, v.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  // numpy's _lerp: a + (b - a) * t, evaluated from the nearer end for t >= 0.5.
  const double a = v[lo], b = v[hi];
  return frac >= 0.5 ? b - (b - a) * (1.0 - frac) : a + (b - a) * frac;
}

/// Median with a lower and upper percentile band, per grid point.
struct band {
  std::vector<double> x;       ///< grid
  std::vector<double> median;  ///< 50th percentile
  std::vector<double> lo;      ///< `lo_percentile` (default 16th)
  std::vector<double> hi;      ///< `hi_percentile` (default 84th)
  std::vector<int> count;      ///< runs with a non-NaN value at this point
};

/// Per grid point, the median and the (`lo_q`, `hi_q`) percentiles over `runs` (each run a curve
/// on `x`; NaN entries, e.g. undefined values, are skipped and counted out).
/// @throws invalid_argument if `runs` is empty or a run's length differs from `x`.
inline band band_over_runs(std::span<const double> x, std::span<const std::vector<double>> runs,
                           double lo_q = 16.0, double hi_q = 84.0) {
  check_not_empty("stats::band_over_runs", "runs", runs.size());
  band b;
  b.x.assign(x.begin(), x.end());
  b.median.resize(x.size());
  b.lo.resize(x.size());
  b.hi.resize(x.size());
  b.count.resize(x.size());
  for (const auto& r : runs) check_size("stats::band_over_runs", "run length", r.size(), x.size());
  std::vector<double> col(runs.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    int cnt = 0;
    for (std::size_t k = 0; k < runs.size(); ++k) {
      col[k] = runs[k][i];
      cnt += std::isnan(col[k]) ? 0 : 1;
    }
    b.median[i] = percentile(col, 50.0);
    b.lo[i] = percentile(col, lo_q);
    b.hi[i] = percentile(col, hi_q);
    b.count[i] = cnt;
  }
  return b;
}

/// Median and (16, 84) % percentiles of a set of scalar results (e.g. max SIC over seeds).
struct summary {
  double median = 0, lo = 0, hi = 0;
  int count = 0;  ///< non-NaN values used
};

/// `summary` of `values` (NaN skipped) with percentiles `lo_q`, `hi_q`.
inline summary summarize(std::span<const double> values, double lo_q = 16.0, double hi_q = 84.0) {
  summary s;
  s.median = percentile(values, 50.0);
  s.lo = percentile(values, lo_q);
  s.hi = percentile(values, hi_q);
  for (double v : values) s.count += std::isnan(v) ? 0 : 1;
  return s;
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_CURVES_HPP
