// SPDX-License-Identifier: BSL-1.0
/// @file hepad/plot/axes.hpp
/// @brief `plot::axes`: one plot panel with series (lines, markers with error bars, bands, step
/// histograms, reference lines, text), linear or log axes with ticks and labels, a legend and an
/// optional secondary x axis; rendered to SVG by `plot::figure` (plot/figure.hpp).
///
/// Data are copied into the axes (plots are small). Points that cannot be drawn (NaN, or <= 0 on a
/// log axis) break lines and are skipped, never drawn at a wrong place. See docs/design/plots.md.
#ifndef HEPAD_PLOT_AXES_HPP
#define HEPAD_PLOT_AXES_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/error.hpp>
#include <hepad/plot/detail/svg.hpp>
#include <hepad/plot/style.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace hepad::plot {

/// A rectangle in pixels (origin top left).
struct rect {
  double x = 0, y = 0, w = 0, h = 0;
};

/// One plot panel. Build with the chaining calls below, then add it to a `figure`.
class axes {
 public:
  // --- series -------------------------------------------------------------------------------

  /// A polyline through (x[i], y[i]) (optionally with markers: `style::marker`).
  /// @throws invalid_argument if the sizes differ.
  axes& line(std::span<const double> x, std::span<const double> y, style s = {}) {
    check_size("plot::axes::line", "y", y.size(), x.size());
    return add(kind::line, x, y, {}, {}, {}, {}, std::move(s));
  }

  /// Markers at (x[i], y[i]) with optional symmetric or asymmetric error bars (empty spans: none).
  /// Defaults to circles without a connecting line.
  axes& points(std::span<const double> x, std::span<const double> y, std::span<const double> y_err_lo = {},
               std::span<const double> y_err_hi = {}, std::span<const double> x_err = {}, style s = {}) {
    constexpr std::string_view fn = "plot::axes::points";
    check_size(fn, "y", y.size(), x.size());
    if (!y_err_lo.empty()) check_size(fn, "y_err_lo", y_err_lo.size(), x.size());
    if (!y_err_hi.empty()) check_size(fn, "y_err_hi", y_err_hi.size(), x.size());
    if (!x_err.empty()) check_size(fn, "x_err", x_err.size(), x.size());
    if (s.marker == marker::none) s.marker = marker::circle;
    std::vector<double> lo(y_err_lo.begin(), y_err_lo.end());
    std::vector<double> hi = y_err_hi.empty() ? lo : std::vector<double>(y_err_hi.begin(), y_err_hi.end());
    return add(kind::points, x, y, lo, hi, std::vector<double>(x_err.begin(), x_err.end()), {}, std::move(s));
  }

  /// A filled band between `lo[i]` and `hi[i]` (e.g. a 16-84 % band), drawn below lines.
  axes& band(std::span<const double> x, std::span<const double> lo, std::span<const double> hi, style s = {}) {
    check_size("plot::axes::band", "lo", lo.size(), x.size());
    check_size("plot::axes::band", "hi", hi.size(), x.size());
    if (!s.fill && s.stroke) s.fill = s.stroke->with_alpha(0.25);
    if (s.line_width == style{}.line_width) s.line_width = 0;
    return add(kind::band, x, lo, std::vector<double>(hi.begin(), hi.end()), {}, {}, {}, std::move(s));
  }

  /// A histogram as a step line over `edges` (n+1 values) with `contents` (n values); optional
  /// symmetric `errors` drawn as bars at bin centres; `style::filled` fills below.
  /// @throws invalid_argument if the sizes do not match or the edges are not increasing.
  axes& step(std::span<const double> edges, std::span<const double> contents, std::span<const double> errors = {},
             style s = {}) {
    constexpr std::string_view fn = "plot::axes::step";
    check_size(fn, "edges", edges.size(), contents.size() + 1);
    if (!errors.empty()) check_size(fn, "errors", errors.size(), contents.size());
    for (std::size_t i = 1; i < edges.size(); ++i)
      if (!(edges[i] > edges[i - 1])) throw_invalid_argument(fn, "edges must be strictly increasing");
    std::vector<double> e(errors.begin(), errors.end());
    return add(kind::step, edges, contents, e, e, {}, {}, std::move(s));
  }

  /// A horizontal reference line at `y` across the panel.
  axes& hline(double y, style s = {}) {
    if (!s.stroke) s.stroke = rgb(0x555555);
    if (s.dash.empty()) s.dash = "5 4";
    if (s.line_width == style{}.line_width) s.line_width = 1.0;
    const double v[1] = {y};
    return add(kind::hline, {}, v, {}, {}, {}, {}, std::move(s));
  }

  /// A vertical reference line at `x`.
  axes& vline(double x, style s = {}) {
    if (!s.stroke) s.stroke = rgb(0x555555);
    if (s.dash.empty()) s.dash = "5 4";
    if (s.line_width == style{}.line_width) s.line_width = 1.0;
    const double v[1] = {x};
    return add(kind::vline, v, {}, {}, {}, {}, {}, std::move(s));
  }

  /// Text at (`fx`, `fy`) in axes fractions (0,0 = bottom left; 1,1 = top right); `anchor` is
  /// "start", "middle" or "end". Supports the label markup (`^{..}`, `_{..}`).
  axes& text(double fx, double fy, std::string t, std::string anchor = "start", double size = 0) {
    texts_.push_back({fx, fy, std::move(t), std::move(anchor), size});
    return *this;
  }

  // --- decoration -----------------------------------------------------------------------------

  axes& title(std::string t) { title_ = std::move(t); return *this; }
  axes& xlabel(std::string t) { xlabel_ = std::move(t); return *this; }
  axes& ylabel(std::string t) { ylabel_ = std::move(t); return *this; }
  axes& xscale(scale s) { xscale_ = s; return *this; }
  axes& yscale(scale s) { yscale_ = s; return *this; }
  /// Fixes the x range (otherwise from the data with a 4 % margin; log axes use decades' fractions).
  axes& xlim(double lo, double hi) { check_lim("xlim", lo, hi); xlim_ = {lo, hi}; return *this; }
  axes& ylim(double lo, double hi) { check_lim("ylim", lo, hi); ylim_ = {lo, hi}; return *this; }
  axes& legend(legend_position p) { legend_ = p; return *this; }
  /// Light grid lines at the major ticks.
  axes& grid(bool on = true) { grid_ = on; return *this; }
  /// A secondary x axis on top showing `f(x)` (monotonic), labelled `label`, e.g. S/sqrt(B) over S/B.
  axes& secondary_x(std::function<double(double)> f, std::string label) {
    sec_f_ = std::move(f);
    sec_label_ = std::move(label);
    return *this;
  }
  /// Hides the x tick labels and x label (used for the main panel above a ratio panel).
  axes& hide_x_tick_labels(bool on = true) { hide_x_ = on; return *this; }

  // --- queries used by figure -----------------------------------------------------------------

  [[nodiscard]] bool has_title() const { return !title_.empty(); }
  [[nodiscard]] bool has_secondary_x() const { return static_cast<bool>(sec_f_); }
  [[nodiscard]] bool x_labels_hidden() const { return hide_x_; }
  [[nodiscard]] std::size_t n_series() const { return series_.size(); }
  /// Data range (lo, hi) of the x axis as it will be drawn.
  [[nodiscard]] std::pair<double, double> x_range() const { return range(true); }
  /// Data range (lo, hi) of the y axis as it will be drawn.
  [[nodiscard]] std::pair<double, double> y_range() const { return range(false); }
  [[nodiscard]] scale x_scale() const { return xscale_; }

  /// Renders into `out` inside the plot area `area` (pixels); `uid` makes clip-path ids unique.
  void render(std::string& out, const rect& area, const std::string& uid, double font = 13.0) const;

 private:
  enum class kind { line, points, band, step, hline, vline };
  struct series {
    kind k;
    std::vector<double> x, y, a, b, xe;  // a/b: lower/upper error or band high
    style s;
    color stroke, fill;
  };
  struct text_item {
    double fx, fy;
    std::string t, anchor;
    double size;
  };

  static void check_lim(std::string_view what, double lo, double hi) {
    if (!(std::isfinite(lo) && std::isfinite(hi) && hi > lo))
      throw_invalid_argument("plot::axes", detail_concat(what, " needs finite lo < hi, got ", lo, ", ", hi));
  }
  template <class... A>
  static std::string detail_concat(const A&... a) { return hepad::detail::concat(a...); }

  axes& add(kind k, std::span<const double> x, std::span<const double> y, std::vector<double> a,
            std::vector<double> b, std::vector<double> xe, std::vector<double>, style s) {
    series sr{k, {x.begin(), x.end()}, {y.begin(), y.end()}, std::move(a), std::move(b), std::move(xe), std::move(s), {}, {}};
    const bool counts = k != kind::hline && k != kind::vline;
    sr.stroke = sr.s.stroke ? *sr.s.stroke : (counts ? palette_color(color_index_++) : rgb(0x555555));
    sr.fill = sr.s.fill ? *sr.s.fill : sr.stroke.with_alpha(k == kind::band ? 0.25 : 0.35);
    series_.push_back(std::move(sr));
    return *this;
  }

  [[nodiscard]] bool usable(double v, bool xaxis) const {
    return std::isfinite(v) && ((xaxis ? xscale_ : yscale_) == scale::linear || v > 0);
  }

  std::pair<double, double> range(bool xaxis) const;

  std::vector<series> series_;
  std::vector<text_item> texts_;
  std::string title_, xlabel_, ylabel_, sec_label_;
  scale xscale_ = scale::linear, yscale_ = scale::linear;
  std::optional<std::pair<double, double>> xlim_, ylim_;
  legend_position legend_ = legend_position::best;
  bool grid_ = false, hide_x_ = false;
  std::function<double(double)> sec_f_;
  std::size_t color_index_ = 0;
};

// ------------------------------------------------------------------------------------------------

inline std::pair<double, double> axes::range(bool xaxis) const {
  if (xaxis && xlim_) return *xlim_;
  if (!xaxis && ylim_) return *ylim_;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  auto take = [&](double v) {
    if (usable(v, xaxis)) {
      lo = (std::min)(lo, v);
      hi = (std::max)(hi, v);
    }
  };
  for (const auto& s : series_) {
    switch (s.k) {
      case kind::hline:
        if (!xaxis) take(s.y[0]);
        break;
      case kind::vline:
        if (xaxis) take(s.x[0]);
        break;
      case kind::band:
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          if (xaxis) take(s.x[i]);
          else {
            take(s.y[i]);
            take(s.a[i]);
          }
        }
        break;
      case kind::step:
        if (xaxis) {
          for (double e : s.x) take(e);
        } else {
          for (std::size_t i = 0; i < s.y.size(); ++i) {
            take(s.y[i]);
            if (!s.a.empty()) {
              take(s.y[i] - s.a[i]);
              take(s.y[i] + s.a[i]);
            }
          }
          if (s.s.filled && yscale_ == scale::linear) take(0.0);
        }
        break;
      default:
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          if (xaxis) {
            take(s.x[i]);
            if (!s.xe.empty()) {
              take(s.x[i] - s.xe[i]);
              take(s.x[i] + s.xe[i]);
            }
          } else {
            take(s.y[i]);
            if (!s.a.empty()) {
              take(s.y[i] - s.a[i]);
              take(s.y[i] + s.b[i]);
            }
          }
        }
    }
  }
  const scale sc = xaxis ? xscale_ : yscale_;
  if (!(lo <= hi)) return sc == scale::log ? std::pair{0.1, 10.0} : std::pair{0.0, 1.0};
  if (sc == scale::log) {
    if (hi == lo) return {lo / 3, hi * 3};
    const double f = std::pow(hi / lo, 0.04);
    return {lo / f, hi * f};
  }
  if (hi == lo) return {lo - 0.5 * (std::abs(lo) + 1), hi + 0.5 * (std::abs(hi) + 1)};
  const double pad = 0.04 * (hi - lo);
  return {lo - pad, hi + pad};
}

inline void axes::render(std::string& out, const rect& area, const std::string& uid, double font) const {
  using plot::detail::px;
  const auto [x0, x1] = range(true);
  const auto [y0, y1] = range(false);
  const bool xlog = xscale_ == scale::log, ylog = yscale_ == scale::log;
  auto tx = [&](double v) {
    const double t = xlog ? (std::log10(v) - std::log10(x0)) / (std::log10(x1) - std::log10(x0)) : (v - x0) / (x1 - x0);
    return area.x + t * area.w;
  };
  auto ty = [&](double v) {
    const double t = ylog ? (std::log10(v) - std::log10(y0)) / (std::log10(y1) - std::log10(y0)) : (v - y0) / (y1 - y0);
    return area.y + area.h - t * area.h;
  };
  // clamp to a band around the area so that huge values do not produce huge coordinates
  auto cx = [&](double v) { return (std::clamp)(tx(v), area.x - area.w, area.x + 2 * area.w); };
  auto cy = [&](double v) { return (std::clamp)(ty(v), area.y - area.h, area.y + 2 * area.h); };
  const std::string clip = "clip" + uid;
  const std::string fs = px(font), fs_small = px(font * 0.92);

  out += "<defs><clipPath id=\"" + clip + "\"><rect x=\"" + px(area.x) + "\" y=\"" + px(area.y) + "\" width=\"" +
         px(area.w) + "\" height=\"" + px(area.h) + "\"/></clipPath></defs>\n";
  out += "<rect x=\"" + px(area.x) + "\" y=\"" + px(area.y) + "\" width=\"" + px(area.w) + "\" height=\"" + px(area.h) +
         "\" fill=\"#ffffff\"/>\n";

  const auto xt = xlog ? plot::detail::log_ticks(x0, x1) : plot::detail::linear_ticks(x0, x1, area.w > 420 ? 7 : 5);
  const auto yt = ylog ? plot::detail::log_ticks(y0, y1) : plot::detail::linear_ticks(y0, y1, area.h > 300 ? 6 : 4);
  auto inside_x = [&](double v) { return v >= (std::min)(x0, x1) - 1e-12 * std::abs(x1 - x0) && v <= (std::max)(x0, x1) + 1e-12 * std::abs(x1 - x0); };
  auto inside_y = [&](double v) { return v >= y0 - 1e-12 * std::abs(y1 - y0) && v <= y1 + 1e-12 * std::abs(y1 - y0); };

  if (grid_) {
    out += "<g stroke=\"#e6e6e6\" stroke-width=\"0.8\">";
    for (const auto& t : xt)
      if (t.major && inside_x(t.value))
        out += "<line x1=\"" + px(tx(t.value)) + "\" y1=\"" + px(area.y) + "\" x2=\"" + px(tx(t.value)) + "\" y2=\"" +
               px(area.y + area.h) + "\"/>";
    for (const auto& t : yt)
      if (t.major && inside_y(t.value))
        out += "<line x1=\"" + px(area.x) + "\" y1=\"" + px(ty(t.value)) + "\" x2=\"" + px(area.x + area.w) + "\" y2=\"" +
               px(ty(t.value)) + "\"/>";
    out += "</g>\n";
  }

  auto stroke_attrs = [&](const series& s) {
    std::string a = " stroke=\"" + s.stroke.hex() + "\" stroke-width=\"" + px(s.s.line_width) + "\"";
    if (s.stroke.alpha < 1) a += " stroke-opacity=\"" + px(s.stroke.alpha) + "\"";
    if (!s.s.dash.empty()) a += " stroke-dasharray=\"" + plot::detail::escape(s.s.dash) + "\"";
    return a;
  };
  auto fill_attrs = [&](const color& c) {
    std::string a = " fill=\"" + c.hex() + "\"";
    if (c.alpha < 1) a += " fill-opacity=\"" + px(c.alpha) + "\"";
    return a;
  };
  auto marker_svg = [&](marker m, double X, double Y, double r, const color& c) {
    std::string g;
    switch (m) {
      case marker::none: break;
      case marker::circle:
        g = "<circle cx=\"" + px(X) + "\" cy=\"" + px(Y) + "\" r=\"" + px(r) + "\"/>";
        break;
      case marker::square:
        g = "<rect x=\"" + px(X - r) + "\" y=\"" + px(Y - r) + "\" width=\"" + px(2 * r) + "\" height=\"" + px(2 * r) + "\"/>";
        break;
      case marker::triangle:
        g = "<path d=\"M" + px(X) + " " + px(Y - 1.2 * r) + "L" + px(X + 1.1 * r) + " " + px(Y + 0.8 * r) + "L" +
            px(X - 1.1 * r) + " " + px(Y + 0.8 * r) + "Z\"/>";
        break;
      case marker::diamond:
        g = "<path d=\"M" + px(X) + " " + px(Y - 1.3 * r) + "L" + px(X + r) + " " + px(Y) + "L" + px(X) + " " +
            px(Y + 1.3 * r) + "L" + px(X - r) + " " + px(Y) + "Z\"/>";
        break;
      case marker::cross:
        g = "<path fill=\"none\" stroke=\"" + c.hex() + "\" stroke-width=\"1.6\" d=\"M" + px(X - r) + " " + px(Y - r) + "L" +
            px(X + r) + " " + px(Y + r) + "M" + px(X - r) + " " + px(Y + r) + "L" + px(X + r) + " " + px(Y - r) + "\"/>";
        break;
      case marker::plus:
        g = "<path fill=\"none\" stroke=\"" + c.hex() + "\" stroke-width=\"1.6\" d=\"M" + px(X - r) + " " + px(Y) + "L" +
            px(X + r) + " " + px(Y) + "M" + px(X) + " " + px(Y - r) + "L" + px(X) + " " + px(Y + r) + "\"/>";
        break;
    }
    return g;
  };

  // series: bands first, then steps, lines and points in insertion order
  out += "<g clip-path=\"url(#" + clip + ")\">\n";
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& s : series_) {
      if ((pass == 0) != (s.k == kind::band)) continue;
      switch (s.k) {
        case kind::band: {
          // polygons over runs of drawable points
          std::size_t i = 0;
          while (i < s.x.size()) {
            while (i < s.x.size() && !(usable(s.x[i], true) && usable(s.y[i], false) && usable(s.a[i], false))) ++i;
            std::size_t j = i;
            while (j < s.x.size() && usable(s.x[j], true) && usable(s.y[j], false) && usable(s.a[j], false)) ++j;
            if (j > i + 0) {
              std::string d;
              for (std::size_t k = i; k < j; ++k) d += (k == i ? "M" : "L") + px(cx(s.x[k])) + " " + px(cy(s.a[k]));
              for (std::size_t k = j; k-- > i;) d += "L" + px(cx(s.x[k])) + " " + px(cy(s.y[k]));
              d += "Z";
              out += "<path d=\"" + d + "\"" + fill_attrs(s.fill) +
                     (s.s.line_width > 0 ? stroke_attrs(s) : std::string(" stroke=\"none\"")) + "/>\n";
            }
            i = j;
          }
          break;
        }
        case kind::step: {
          const double base = ylog ? y0 : (std::max)(y0, (std::min)(0.0, y1));
          std::string d;
          bool open = false;
          for (std::size_t i = 0; i < s.y.size(); ++i) {
            if (!usable(s.y[i], false)) {
              open = false;
              continue;
            }
            const double X0 = cx(s.x[i]), X1 = cx(s.x[i + 1]), Y = cy(s.y[i]);
            d += (open ? "L" : "M") + px(X0) + " " + px(Y) + "L" + px(X1) + " " + px(Y);
            open = true;
          }
          if (s.s.filled) {
            std::string f;
            for (std::size_t i = 0; i < s.y.size(); ++i) {
              if (!usable(s.y[i], false)) continue;
              const double X0 = cx(s.x[i]), X1 = cx(s.x[i + 1]), Y = cy(s.y[i]), B = cy(base);
              f += "M" + px(X0) + " " + px(B) + "L" + px(X0) + " " + px(Y) + "L" + px(X1) + " " + px(Y) + "L" + px(X1) +
                   " " + px(B) + "Z";
            }
            out += "<path d=\"" + f + "\"" + fill_attrs(s.fill) + " stroke=\"none\"/>\n";
          }
          if (s.s.line_width > 0) out += "<path d=\"" + d + "\" fill=\"none\"" + stroke_attrs(s) + "/>\n";
          if (!s.a.empty()) {
            std::string e;
            for (std::size_t i = 0; i < s.y.size(); ++i) {
              const double c = 0.5 * (s.x[i] + s.x[i + 1]);
              const double lo = s.y[i] - s.a[i], hi = s.y[i] + s.a[i];
              if (!usable(c, true) || !usable(hi, false)) continue;
              e += "M" + px(cx(c)) + " " + px(cy(usable(lo, false) ? lo : y0)) + "L" + px(cx(c)) + " " + px(cy(hi));
            }
            out += "<path d=\"" + e + "\" fill=\"none\" stroke=\"" + s.stroke.hex() + "\" stroke-width=\"1.2\"/>\n";
          }
          break;
        }
        case kind::line:
        case kind::points: {
          if (s.k == kind::line && s.s.line_width > 0) {
            std::string d;
            bool open = false;
            for (std::size_t i = 0; i < s.x.size(); ++i) {
              if (!usable(s.x[i], true) || !usable(s.y[i], false)) {
                open = false;
                continue;
              }
              d += (open ? "L" : "M") + px(cx(s.x[i])) + " " + px(cy(s.y[i]));
              open = true;
            }
            out += "<path d=\"" + d + "\" fill=\"none\" stroke-linejoin=\"round\"" + stroke_attrs(s) + "/>\n";
          }
          if (!s.a.empty() || !s.xe.empty()) {
            std::string e;
            const double cap = s.s.cap_size;
            for (std::size_t i = 0; i < s.x.size(); ++i) {
              if (!usable(s.x[i], true) || !usable(s.y[i], false)) continue;
              const double X = cx(s.x[i]), Y = cy(s.y[i]);
              if (!s.a.empty()) {
                const double lo = s.y[i] - s.a[i], hi = s.y[i] + s.b[i];
                const double YL = usable(lo, false) ? cy(lo) : area.y + area.h + 2, YH = cy(hi);
                e += "M" + px(X) + " " + px(YL) + "L" + px(X) + " " + px(YH);
                if (cap > 0)
                  e += "M" + px(X - cap) + " " + px(YL) + "L" + px(X + cap) + " " + px(YL) + "M" + px(X - cap) + " " +
                       px(YH) + "L" + px(X + cap) + " " + px(YH);
              }
              if (!s.xe.empty()) {
                const double lo = s.x[i] - s.xe[i], hi = s.x[i] + s.xe[i];
                e += "M" + px(usable(lo, true) ? cx(lo) : area.x - 2) + " " + px(Y) + "L" + px(cx(hi)) + " " + px(Y);
              }
            }
            out += "<path d=\"" + e + "\" fill=\"none\" stroke=\"" + s.stroke.hex() + "\" stroke-width=\"1.3\"/>\n";
          }
          if (s.s.marker != marker::none) {
            out += "<g" + fill_attrs(s.stroke) + ">";
            for (std::size_t i = 0; i < s.x.size(); ++i)
              if (usable(s.x[i], true) && usable(s.y[i], false))
                out += marker_svg(s.s.marker, cx(s.x[i]), cy(s.y[i]), s.s.marker_size, s.stroke);
            out += "</g>\n";
          }
          break;
        }
        case kind::hline:
          if (usable(s.y[0], false))
            out += "<line x1=\"" + px(area.x) + "\" y1=\"" + px(ty(s.y[0])) + "\" x2=\"" + px(area.x + area.w) + "\" y2=\"" +
                   px(ty(s.y[0])) + "\"" + stroke_attrs(s) + "/>\n";
          break;
        case kind::vline:
          if (usable(s.x[0], true))
            out += "<line x1=\"" + px(tx(s.x[0])) + "\" y1=\"" + px(area.y) + "\" x2=\"" + px(tx(s.x[0])) + "\" y2=\"" +
                   px(area.y + area.h) + "\"" + stroke_attrs(s) + "/>\n";
          break;
      }
    }
  }
  out += "</g>\n";

  // frame and ticks (inward, mirrored; HEP style)
  out += "<rect x=\"" + px(area.x) + "\" y=\"" + px(area.y) + "\" width=\"" + px(area.w) + "\" height=\"" + px(area.h) +
         "\" fill=\"none\" stroke=\"#000000\" stroke-width=\"1.2\"/>\n";
  std::string tk;
  std::string labels;
  const double major = 7, minor = 3.5;
  for (const auto& t : xt) {
    if (!inside_x(t.value)) continue;
    const double X = tx(t.value), L = t.major ? major : minor;
    tk += "M" + px(X) + " " + px(area.y + area.h) + "v" + px(-L);
    if (!sec_f_) tk += "M" + px(X) + " " + px(area.y) + "v" + px(L);
    if (t.major && !t.label.empty() && !hide_x_)
      labels += "<text x=\"" + px(X) + "\" y=\"" + px(area.y + area.h + font + 5) + "\" text-anchor=\"middle\" font-size=\"" +
                fs_small + "\">" + plot::detail::markup(t.label, font * 0.92) + "</text>\n";
  }
  for (const auto& t : yt) {
    if (!inside_y(t.value)) continue;
    const double Y = ty(t.value), L = t.major ? major : minor;
    tk += "M" + px(area.x) + " " + px(Y) + "h" + px(L) + "M" + px(area.x + area.w) + " " + px(Y) + "h" + px(-L);
    if (t.major && !t.label.empty())
      labels += "<text x=\"" + px(area.x - 6) + "\" y=\"" + px(Y + font * 0.35) + "\" text-anchor=\"end\" font-size=\"" +
                fs_small + "\">" + plot::detail::markup(t.label, font * 0.92) + "</text>\n";
  }
  if (sec_f_) {
    // ticks of f(x) at nice values of f, positioned by inverting f by bisection on [x0, x1]
    const double f0 = sec_f_(x0), f1 = sec_f_(x1);
    if (std::isfinite(f0) && std::isfinite(f1) && f0 != f1) {
      const bool inc = f1 > f0;
      const double lo = (std::min)(f0, f1), hi = (std::max)(f0, f1);
      const bool log_like = xlog && lo > 0;
      const auto st = log_like ? plot::detail::log_ticks(lo, hi) : plot::detail::linear_ticks(lo, hi, 5);
      for (const auto& t : st) {
        double a = x0, b = x1;
        for (int it = 0; it < 100; ++it) {
          const double m = xlog ? std::sqrt(a * b) : 0.5 * (a + b);
          if ((sec_f_(m) < t.value) == inc) a = m;
          else b = m;
        }
        const double X = tx(xlog ? std::sqrt(a * b) : 0.5 * (a + b));
        tk += "M" + px(X) + " " + px(area.y) + "v" + px(t.major ? major : minor);
        if (t.major && !t.label.empty())
          labels += "<text x=\"" + px(X) + "\" y=\"" + px(area.y - 6) + "\" text-anchor=\"middle\" font-size=\"" + fs_small +
                    "\">" + plot::detail::markup(t.label, font * 0.92) + "</text>\n";
      }
    }
    labels += "<text x=\"" + px(area.x + area.w / 2) + "\" y=\"" + px(area.y - font - 12) + "\" text-anchor=\"middle\" font-size=\"" +
              fs + "\">" + plot::detail::markup(sec_label_, font) + "</text>\n";
  }
  out += "<path d=\"" + tk + "\" stroke=\"#000000\" stroke-width=\"1\" fill=\"none\"/>\n";
  out += labels;
  if (!xlabel_.empty() && !hide_x_)
    out += "<text x=\"" + px(area.x + area.w) + "\" y=\"" + px(area.y + area.h + 2 * font + 14) + "\" text-anchor=\"end\" font-size=\"" +
           fs + "\">" + plot::detail::markup(xlabel_, font) + "</text>\n";
  if (!ylabel_.empty()) {
    // width of the widest y tick label decides where the y label goes
    double wmax = 0;
    for (const auto& t : yt)
      if (t.major && inside_y(t.value)) wmax = (std::max)(wmax, plot::detail::text_width(t.label, font * 0.92));
    const double X = area.x - wmax - 14;
    out += "<text transform=\"translate(" + px(X) + "," + px(area.y) + ") rotate(-90)\" text-anchor=\"end\" font-size=\"" + fs +
           "\">" + plot::detail::markup(ylabel_, font) + "</text>\n";
  }
  if (!title_.empty()) {
    const double Y = area.y - (sec_f_ ? 2 * font + 22 : 8);
    out += "<text x=\"" + px(area.x) + "\" y=\"" + px(Y) + "\" font-size=\"" + px(font * 1.08) + "\" font-weight=\"bold\">" +
           plot::detail::markup(title_, font * 1.08) + "</text>\n";
  }
  for (const auto& t : texts_) {
    const double size = t.size > 0 ? t.size : font;
    out += "<text x=\"" + px(area.x + t.fx * area.w) + "\" y=\"" + px(area.y + (1 - t.fy) * area.h) + "\" text-anchor=\"" +
           plot::detail::escape(t.anchor) + "\" font-size=\"" + px(size) + "\">" + plot::detail::markup(t.t, size) + "</text>\n";
  }

  // legend
  if (legend_ != legend_position::none) {
    std::vector<const series*> entries;
    for (const auto& s : series_)
      if (!s.s.label.empty()) entries.push_back(&s);
    if (!entries.empty()) {
      const double lh = font * 1.45, sw = 26, pad = 8;
      double tw = 0;
      for (const auto* s : entries) tw = (std::max)(tw, plot::detail::text_width(s->s.label, font * 0.92));
      const double W = pad * 2 + sw + 8 + tw, H = pad * 2 + lh * static_cast<double>(entries.size()) - (lh - font);
      auto box = [&](legend_position p) {
        const bool right = p == legend_position::upper_right || p == legend_position::lower_right;
        const bool upper = p == legend_position::upper_right || p == legend_position::upper_left;
        return std::pair{right ? area.x + area.w - W - 10 : area.x + 10, upper ? area.y + 10 : area.y + area.h - H - 10};
      };
      legend_position where = legend_;
      if (where == legend_position::best) {
        // the corner whose box covers the fewest drawn points (sampled along lines and bands)
        std::size_t best_n = static_cast<std::size_t>(-1);
        for (auto p : {legend_position::upper_right, legend_position::upper_left, legend_position::lower_right,
                       legend_position::lower_left}) {
          const auto [bx, by] = box(p);
          std::size_t n = 0;
          auto hit = [&](double X, double Y) { n += (X >= bx - 4 && X <= bx + W + 4 && Y >= by - 4 && Y <= by + H + 4); };
          for (const auto& s : series_) {
            if (s.k == kind::hline || s.k == kind::vline) continue;
            const std::size_t m = s.k == kind::step ? s.y.size() : s.x.size();
            for (std::size_t i = 0; i < m; ++i) {
              const double xv = s.k == kind::step ? 0.5 * (s.x[i] + s.x[i + 1]) : s.x[i];
              if (!usable(xv, true)) continue;
              for (double yv : {s.y[i], s.k == kind::band ? s.a[i] : s.y[i]}) {
                if (!usable(yv, false)) continue;
                hit(tx(xv), ty(yv));
                if (i + 1 < m && s.k != kind::step && usable(s.x[i + 1], true) && usable(s.y[i + 1], false))
                  for (int k = 1; k < 4; ++k) hit(tx(xv) + (tx(s.x[i + 1]) - tx(xv)) * k / 4.0, ty(yv) + (ty(s.y[i + 1]) - ty(yv)) * k / 4.0);
              }
            }
          }
          if (n < best_n) {
            best_n = n;
            where = p;
          }
        }
      }
      const auto [LX, LY] = box(where);
      out += "<rect x=\"" + px(LX) + "\" y=\"" + px(LY) + "\" width=\"" + px(W) + "\" height=\"" + px(H) +
             "\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#bbbbbb\" stroke-width=\"0.8\"/>\n";
      for (std::size_t i = 0; i < entries.size(); ++i) {
        const series& s = *entries[i];
        const double cyl = LY + pad + font * 0.5 + lh * static_cast<double>(i);
        const double sx0 = LX + pad, sx1 = sx0 + sw;
        if (s.k == kind::band || (s.k == kind::step && s.s.filled)) {
          out += "<rect x=\"" + px(sx0) + "\" y=\"" + px(cyl - font * 0.4) + "\" width=\"" + px(sw) + "\" height=\"" +
                 px(font * 0.8) + "\"" + fill_attrs(s.fill) + (s.s.line_width > 0 ? stroke_attrs(s) : std::string()) + "/>\n";
        }
        if ((s.k == kind::line || s.k == kind::step || s.k == kind::hline || s.k == kind::vline) && s.s.line_width > 0 &&
            !(s.k == kind::step && s.s.filled))
          out += "<line x1=\"" + px(sx0) + "\" y1=\"" + px(cyl) + "\" x2=\"" + px(sx1) + "\" y2=\"" + px(cyl) + "\"" +
                 stroke_attrs(s) + "/>\n";
        if (s.k == kind::points && !s.a.empty())
          out += "<line x1=\"" + px((sx0 + sx1) / 2) + "\" y1=\"" + px(cyl - font * 0.5) + "\" x2=\"" + px((sx0 + sx1) / 2) +
                 "\" y2=\"" + px(cyl + font * 0.5) + "\" stroke=\"" + s.stroke.hex() + "\" stroke-width=\"1.3\"/>\n";
        if (s.s.marker != marker::none)
          out += "<g" + fill_attrs(s.stroke) + ">" + marker_svg(s.s.marker, (sx0 + sx1) / 2, cyl, s.s.marker_size, s.stroke) +
                 "</g>\n";
        out += "<text x=\"" + px(sx1 + 8) + "\" y=\"" + px(cyl + font * 0.33) + "\" font-size=\"" + fs_small + "\">" +
               plot::detail::markup(s.s.label, font * 0.92) + "</text>\n";
      }
    }
  }
}

}  // namespace hepad::plot

#endif  // HEPAD_PLOT_AXES_HPP
