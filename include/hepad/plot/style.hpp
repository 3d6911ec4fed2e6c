// SPDX-License-Identifier: BSL-1.0
/// @file hepad/plot/style.hpp
/// @brief Colours, the default palette, markers, line/series styles and axis scales for
/// hepad's SVG plots. Not here: axes and figures (plot/axes.hpp, plot/figure.hpp).
#ifndef HEPAD_PLOT_STYLE_HPP
#define HEPAD_PLOT_STYLE_HPP

#include <hepad/core/error.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace hepad::plot {

/// An sRGB colour with opacity.
struct color {
  std::uint8_t r = 0, g = 0, b = 0;
  double alpha = 1.0;  ///< opacity in [0, 1]

  /// `#rrggbb` (the opacity is written separately).
  [[nodiscard]] std::string hex() const {
    constexpr char digits[] = "0123456789abcdef";
    std::string s = "#";
    for (std::uint8_t c : {r, g, b}) {
      s += digits[c >> 4];
      s += digits[c & 15];
    }
    return s;
  }
  /// The same colour with another opacity.
  [[nodiscard]] color with_alpha(double a) const { return {r, g, b, a}; }
  friend bool operator==(const color&, const color&) = default;
};

/// Colour from `0xRRGGBB`.
inline constexpr color rgb(std::uint32_t v, double alpha = 1.0) {
  return {static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>((v >> 8) & 255),
          static_cast<std::uint8_t>(v & 255), alpha};
}

/// Default cycle: a colour-blind-friendly set (Okabe-Ito order adapted, then tab10 extras).
inline constexpr std::array<color, 10> palette{rgb(0x0072b2), rgb(0xd55e00), rgb(0x009e73), rgb(0xcc79a7),
                                               rgb(0xe69f00), rgb(0x56b4e9), rgb(0x000000), rgb(0x7f7f7f),
                                               rgb(0xbcbd22), rgb(0x8c564b)};

/// Colour `i` of the default cycle.
inline constexpr color palette_color(std::size_t i) { return palette[i % palette.size()]; }

/// Marker shapes.
enum class marker { none, circle, square, triangle, diamond, cross, plus };

/// Axis scales.
enum class scale { linear, log };

/// Legend placement inside the axes (`best`: the corner covering the fewest data points).
enum class legend_position { best, upper_right, upper_left, lower_right, lower_left, none };

/// Appearance of one series. Unset colours take the next palette colour of the axes.
struct style {
  std::string label{};                ///< legend entry (empty: not in the legend)
  std::optional<color> stroke{};      ///< line / marker colour
  std::optional<color> fill{};        ///< fill colour (bands, filled histograms; default: stroke at 25 %)
  double line_width = 1.8;            ///< in pixels (0: no line)
  std::string dash{};                 ///< SVG dash array, e.g. "6 3" (empty: solid)
  plot::marker marker = marker::none; ///< marker at every point
  double marker_size = 4.0;           ///< marker radius in pixels
  double cap_size = 3.0;              ///< error-bar cap half-width in pixels (0: no caps)
  bool filled = false;                ///< step histograms: fill below the line
};

}  // namespace hepad::plot

#endif  // HEPAD_PLOT_STYLE_HPP
