// SPDX-License-Identifier: BSL-1.0
/// @file hepad/plot/curves.hpp
/// @brief Ready-made figures for the standard curves: ROC (rejection vs signal efficiency, or TPR vs
/// FPR), SIC curves with the random-classifier reference, and likelihood scans with the 1 and 2
/// sigma levels and an interval marked. Each takes plain vectors (no dependency on hepad/stats) and
/// returns a `figure` that can be modified further before saving.
#ifndef HEPAD_PLOT_CURVES_HPP
#define HEPAD_PLOT_CURVES_HPP

#include <hepad/plot/figure.hpp>

#include <cmath>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace hepad::plot {

/// One curve for `roc_figure` / `sic_figure`: x and y, an optional band (lo, hi: empty = none).
struct curve {
  std::string label;
  std::vector<double> x, y;
  std::vector<double> lo{}, hi{};  ///< band (e.g. 16-84 % over seeds), same length as x
  style s{};                       ///< appearance (label is taken from `label`)
};

/// Options of the ready-made figures.
struct curve_figure_options {
  std::string title{};
  std::string note{};  ///< text in the lower left corner (e.g. sample sizes)
  figure_options fig{};
};

namespace detail {
inline void add_curves(axes& a, std::span<const curve> curves) {
  std::size_t k = 0;
  for (const auto& c : curves) {
    style s = c.s;
    if (!s.stroke) s.stroke = palette_color(k);
    ++k;
    if (!c.lo.empty()) {
      style b{.label = c.label.empty() ? std::string() : c.label + ", 16–84 %", .stroke = s.stroke};
      b.fill = s.stroke->with_alpha(0.22);
      a.band(c.x, c.lo, c.hi, b);
    }
    s.label = c.label;
    a.line(c.x, c.y, s);
  }
}
}  // namespace detail

/// Background rejection 1/FPR (log) against signal efficiency TPR: the HEP form of the ROC curve.
/// Each curve's x is TPR and y is 1/FPR. A random classifier (1/TPR) is drawn dashed.
inline figure roc_figure(std::span<const curve> curves, const curve_figure_options& o = {}) {
  figure f(o.fig);
  auto& a = f.axes();
  std::vector<double> t, r;
  for (int i = 1; i <= 100; ++i) {
    t.push_back(i / 100.0);
    r.push_back(100.0 / i);
  }
  a.line(t, r, {.label = "random", .stroke = rgb(0x888888), .line_width = 1.2, .dash = "6 4"});
  detail::add_curves(a, curves);
  a.yscale(scale::log).xlabel("signal efficiency ε_{S}").ylabel("background rejection 1/ε_{B}").grid().title(o.title);
  a.xlim(0, 1);
  if (!o.note.empty()) a.text(0.03, 0.04, o.note);
  return f;
}

/// SIC = TPR/sqrt(FPR) against signal efficiency (log x), with the random-classifier reference
/// sqrt(TPR). Each curve's x is TPR and y is SIC.
inline figure sic_figure(std::span<const curve> curves, const curve_figure_options& o = {}) {
  figure f(o.fig);
  auto& a = f.axes();
  double xmin = 1.0;
  for (const auto& c : curves)
    for (double x : c.x)
      if (x > 0 && x < xmin) xmin = x;
  std::vector<double> t, r;
  for (int i = 0; i <= 100; ++i) {
    const double x = std::pow(10.0, std::log10(xmin) * (1.0 - i / 100.0));
    t.push_back(x);
    r.push_back(std::sqrt(x));
  }
  a.line(t, r, {.label = "random", .stroke = rgb(0x888888), .line_width = 1.2, .dash = "6 4"});
  detail::add_curves(a, curves);
  a.xscale(scale::log).xlabel("signal efficiency ε_{S}").ylabel("SIC = ε_{S}/√ε_{B}").grid().title(o.title);
  a.legend(legend_position::upper_left);
  if (!o.note.empty()) a.text(0.97, 0.04, o.note, "end");
  return f;
}

/// A likelihood scan: `y` = 2ΔNLL (or any -2Δln L) against the parameter `x`, with the levels 1
/// and 4 dashed, and optionally an interval [lo, hi] (e.g. MINOS) marked by vertical lines.
/// Additional scans (e.g. the fixed-nuisance scan) can be added to `figure::axes()` afterwards.
inline figure scan_figure(std::span<const double> x, std::span<const double> y, const std::string& parameter,
                          std::optional<std::pair<double, double>> interval = std::nullopt,
                          const curve_figure_options& o = {}, const std::string& label = "profile likelihood") {
  figure f(o.fig);
  auto& a = f.axes();
  a.line(x, y, {.label = label, .marker = marker::circle, .marker_size = 2.5});
  a.hline(1.0).hline(4.0);
  if (interval) {
    a.vline(interval->first, {.label = "68 % interval", .stroke = rgb(0x333333), .line_width = 1.2, .dash = "2 3"});
    a.vline(interval->second, {.stroke = rgb(0x333333), .line_width = 1.2, .dash = "2 3"});
  }
  a.xlabel(parameter).ylabel("−2 Δ ln L").title(o.title);
  if (!o.note.empty()) a.text(0.03, 0.92, o.note);
  return f;
}

}  // namespace hepad::plot

#endif  // HEPAD_PLOT_CURVES_HPP
