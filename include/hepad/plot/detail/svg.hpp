// SPDX-License-Identifier: BSL-1.0
/// @file hepad/plot/detail/svg.hpp
/// @brief Internal: number formatting, XML escaping, a small label markup (`^{..}`, `_{..}`) turned
/// into SVG tspans, text-width estimates, and "nice" tick positions for linear and log axes.
#ifndef HEPAD_PLOT_DETAIL_SVG_HPP
#define HEPAD_PLOT_DETAIL_SVG_HPP

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hepad::plot::detail {

/// Shortest text of `v` with at most `digits` significant digits ("-0" becomes "0").
inline std::string num(double v, int digits = 6) {
  if (std::abs(v) < 1e-300) v = 0.0;
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, digits);
  std::string s(buf, r.ptr);
  return s;
}

/// Coordinates with two decimals (enough at screen resolution, small files).
inline std::string px(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), std::round(v * 100.0) / 100.0, std::chars_format::fixed, 2);
  std::string s(buf, r.ptr);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

/// XML-escapes text.
inline std::string escape(std::string_view t) {
  std::string s;
  s.reserve(t.size());
  for (char c : t) {
    switch (c) {
      case '&': s += "&amp;"; break;
      case '<': s += "&lt;"; break;
      case '>': s += "&gt;"; break;
      case '"': s += "&quot;"; break;
      default: s += c;
    }
  }
  return s;
}

/// Label markup to SVG: `x^{2}` superscript, `p_{T}` subscript (only with braces, so names such as
/// "t1_sig_norm" stay as written), everything else escaped. `size` is the font size in pixels (baseline shifts use `dy`
/// in pixels, which every SVG renderer supports). Returns tspans for use inside a <text> element.
inline std::string markup(std::string_view t, double size) {
  std::string out;
  std::size_t i = 0;
  double pending = 0;  // baseline shift to undo before the next normal text
  while (i < t.size()) {
    const char c = t[i];
    if ((c == '^' || c == '_') && i + 1 < t.size() && t[i + 1] == '{') {
      const double dy = c == '^' ? -0.38 * size : 0.22 * size;
      const std::size_t end = t.find('}', i + 2);
      if (end == std::string_view::npos) {
        out += escape(t.substr(i));
        break;
      }
      const std::string_view body = t.substr(i + 2, end - i - 2);
      i = end + 1;
      out += "<tspan dy=\"" + px(dy + pending) + "\" font-size=\"" + px(0.72 * size) + "\">" + escape(body) +
             "</tspan>";
      pending = -dy;
      continue;
    }
    std::size_t j = i + 1;
    while (j < t.size() && !((t[j] == '^' || t[j] == '_') && j + 1 < t.size() && t[j + 1] == '{')) ++j;
    if (pending != 0) {
      out += "<tspan dy=\"" + px(pending) + "\">" + escape(t.substr(i, j - i)) + "</tspan>";
      pending = 0;
    } else {
      out += escape(t.substr(i, j - i));
    }
    i = j;
  }
  return out;
}

/// Approximate rendered width of `t` (markup removed) at font size `size` in pixels, for layout
/// (DejaVu/Helvetica average glyph width ~0.58 em; sub/superscripts count 0.72).
inline double text_width(std::string_view t, double size) {
  double w = 0;
  double scale = 1.0;
  int depth = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto u = static_cast<unsigned char>(t[i]);
    if ((t[i] == '^' || t[i] == '_') && i + 1 < t.size() && t[i + 1] == '{') {
      ++depth;
      scale = 0.72;
      ++i;
      continue;
    }
    if (t[i] == '}' && depth > 0) {
      --depth;
      scale = depth ? 0.72 : 1.0;
      continue;
    }
    if ((u & 0xc0) == 0x80) continue;  // UTF-8 continuation byte
    double cw = 0.61;
    if (t[i] == ' ' || t[i] == '.' || t[i] == ',' || t[i] == 'i' || t[i] == 'l' || t[i] == '|' || t[i] == '(' ||
        t[i] == ')')
      cw = 0.32;
    else if (t[i] >= 'A' && t[i] <= 'Z')
      cw = 0.72;
    w += cw * size * scale;
  }
  return w;
}

/// A tick: position in data units and its label (empty for minor ticks).
struct tick {
  double value;
  std::string label;
  bool major;
};

/// Text of a linear-axis tick value, given the tick step (no spurious digits).
inline std::string tick_label(double v, double step) {
  if (std::abs(v) < step * 1e-9) v = 0.0;
  const double a = std::abs(v);
  if (a != 0.0 && (a >= 1e5 || a < 1e-3)) {
    // scientific: mantissa x 10^exp
    const int e = static_cast<int>(std::floor(std::log10(a)));
    const double m = v / std::pow(10.0, e);
    const std::string ms = num(m, 3);
    if (ms == "1") return "10^{" + std::to_string(e) + "}";
    if (ms == "-1") return "−10^{" + std::to_string(e) + "}";
    return ms + "×10^{" + std::to_string(e) + "}";
  }
  int decimals = 0;
  if (step < 1) decimals = static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  // steps like 0.25 need one more digit
  const double scaled = step * std::pow(10.0, decimals);
  if (std::abs(scaled - std::round(scaled)) > 1e-6) ++decimals;
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed, decimals);
  std::string s(buf, r.ptr);
  if (s[0] == '-') s = "−" + s.substr(1);  // typographic minus
  return s;
}

/// "Nice" step (1, 2, 2.5, 5 x 10^k) giving the number of intervals over `span` closest to `target`.
inline double nice_step(double span, int target) {
  const double raw = span / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double best = mag, best_err = 1e300;
  for (double f : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    const double err = std::abs(span / (f * mag) - target);
    if (err < best_err - 1e-9) {
      best = f * mag;
      best_err = err;
    }
  }
  return best;
}

/// Ticks of a linear axis on [lo, hi]: majors at a nice step, 4 or 5 minors between.
inline std::vector<tick> linear_ticks(double lo, double hi, int target = 6) {
  std::vector<tick> t;
  if (!(hi > lo)) return t;
  const double step = nice_step(hi - lo, target);
  const double first = std::ceil(lo / step - 1e-9) * step;
  const double mag = std::pow(10.0, std::floor(std::log10(step)));
  const double lead = step / mag;
  const int nminor = std::abs(lead - 2.0) < 1e-9 ? 4 : 5;
  const double mstep = step / nminor;
  for (double m = std::ceil(lo / mstep - 1e-9) * mstep; m <= hi + mstep * 1e-9; m += mstep) {
    const double r = std::remainder(m - first, step);
    if (std::abs(r) < mstep * 1e-6) continue;
    t.push_back({m, {}, false});
  }
  for (double v = first; v <= hi + step * 1e-9; v += step) t.push_back({v, tick_label(v, step), true});
  return t;
}

/// Ticks of a log axis on [lo, hi] (both > 0): decades labelled 10^k (every n-th decade when the
/// range is wide), minors at 2..9 x 10^k; ranges under a decade fall back to linear-style labels.
inline std::vector<tick> log_ticks(double lo, double hi) {
  std::vector<tick> t;
  if (!(hi > lo) || !(lo > 0)) return t;
  const double l0 = std::log10(lo), l1 = std::log10(hi);
  const int d0 = static_cast<int>(std::floor(l0 + 1e-9)), d1 = static_cast<int>(std::floor(l1 + 1e-9));
  if (l1 - l0 < 1.0) {
    auto lin = linear_ticks(lo, hi, 4);
    return lin;
  }
  const int ndec = d1 - d0;
  const int every = ndec > 12 ? 3 : (ndec > 7 ? 2 : 1);
  for (int d = d0; d <= d1 + 1; ++d) {
    const double p = std::pow(10.0, d);
    if (p >= lo * (1 - 1e-9) && p <= hi * (1 + 1e-9)) {
      const bool labelled = (d % every) == 0;
      std::string label;
      if (labelled) {
        if (d == 0) label = "1";
        else if (d == 1) label = "10";
        else label = "10^{" + std::string(d < 0 ? "−" : "") + std::to_string(std::abs(d)) + "}";
      }
      t.push_back({p, label, true});
    }
    if (every == 1 || ndec <= 9)
      for (int k = 2; k <= 9; ++k) {
        const double m = k * p;
        if (m >= lo && m <= hi) t.push_back({m, {}, false});
      }
  }
  return t;
}

}  // namespace hepad::plot::detail

#endif  // HEPAD_PLOT_DETAIL_SVG_HPP
