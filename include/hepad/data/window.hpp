// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/window.hpp
/// @brief `hepad::data::window`: a 1-D signal window with sidebands on one column, the region
/// layout of resonant (bump-hunt) searches: signal region [lo, hi), sidebands
/// [sideband_lo, lo) and [hi, sideband_hi). Not here: the pipeline stage that labels SR vs SB
/// (data/sideband_labeler.hpp).
#ifndef HEPAD_DATA_WINDOW_HPP
#define HEPAD_DATA_WINDOW_HPP

#include <hepad/core/check.hpp>
#include <hepad/data/region.hpp>

#include <cmath>
#include <limits>
#include <string>

namespace hepad::data {

/// A signal window on `column` with sidebands on both sides. Infinite sideband edges mean "every
/// event outside the window". All intervals are half-open [a, b).
struct window {
  std::string column = "m_jj";
  double lo = 0.0;  ///< signal-region lower edge (included)
  double hi = 0.0;  ///< signal-region upper edge (excluded)
  double sideband_lo = -std::numeric_limits<double>::infinity();  ///< outer edge of the lower sideband
  double sideband_hi = std::numeric_limits<double>::infinity();   ///< outer edge of the upper sideband

  /// @throws hepad::invalid_argument unless sideband_lo <= lo < hi <= sideband_hi.
  void validate() const {
    if (!(lo < hi)) throw_invalid_argument("data::window", hepad::detail::concat("lo must be < hi, got ", lo, " and ", hi));
    if (!(sideband_lo <= lo) || !(hi <= sideband_hi))
      throw_invalid_argument("data::window",
                             hepad::detail::concat("sidebands must enclose the window, got [", sideband_lo, ", ",
                                                   sideband_hi, ") around [", lo, ", ", hi, ")"));
  }
  /// [lo, hi).
  [[nodiscard]] region signal_region() const {
    validate();
    return within(column, lo, hi);
  }
  /// [sideband_lo, lo) or [hi, sideband_hi) (empty pieces dropped).
  [[nodiscard]] region sidebands() const {
    validate();
    return in_interval(column, interval{sideband_lo, lo, std::isfinite(sideband_lo), false}) |
           in_interval(column, interval{hi, sideband_hi, true, false});
  }
  /// Signal region and sidebands together: [sideband_lo, sideband_hi).
  [[nodiscard]] region analysis_region() const { return signal_region() | sidebands(); }
};

}  // namespace hepad::data

#endif  // HEPAD_DATA_WINDOW_HPP
