// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/sideband_labeler.hpp
/// @brief `hepad::data::sideband_labeler`: the pipeline stage of resonant weak supervision (CWoLa
/// hunting): keeps the events of the signal region and the sidebands of one column and labels them
/// 1 (signal region) and 0 (sidebands); other events are dropped.
///
/// @code
/// auto p = hepad::make_pipeline(data::sideband_labeler{.signal_region = {3300, 3700}},
///                               pre::standardize{}, ...);
/// @endcode
#ifndef HEPAD_DATA_SIDEBAND_LABELER_HPP
#define HEPAD_DATA_SIDEBAND_LABELER_HPP

#include <hepad/config/fields.hpp>
#include <hepad/data/table.hpp>
#include <hepad/data/window.hpp>

#include <array>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>

namespace hepad::data {

/// Labels signal region (1) versus sidebands (0) on `column`; drops the rest.
struct sideband_labeler {
  std::string column = "m_jj";
  std::array<double, 2> signal_region{3300.0, 3700.0};  ///< [lo, hi)
  /// Outer sideband edges; {0, 0} (the default) means every event outside the signal region.
  std::array<double, 2> sidebands{0.0, 0.0};

  static constexpr std::string_view name = "sideband_labeler";
  static constexpr auto fields() {
    return std::tuple{config::field{"column", &sideband_labeler::column},
                      config::field{"signal_region", &sideband_labeler::signal_region},
                      config::field{"sidebands", &sideband_labeler::sidebands}};
  }

  /// The window this configuration describes.
  [[nodiscard]] window as_window() const {
    constexpr double inf = std::numeric_limits<double>::infinity();
    const bool unbounded = sidebands[0] == 0.0 && sidebands[1] == 0.0;
    window w{column, signal_region[0], signal_region[1], unbounded ? -inf : sidebands[0],
             unbounded ? inf : sidebands[1]};
    w.validate();
    return w;
  }

  /// Keeps signal-region and sideband events (in order) and sets their labels to 1 and 0.
  /// @throws hepad::out_of_range if the table has no such column.
  template <class S>
  table<S> run(const table<S>& t) const {
    const window w = as_window();
    const auto in_sr = w.signal_region().mask(t);
    const auto in_sb = w.sidebands().mask(t);
    table<S> out = t.select(in_sr | in_sb);
    auto y = out.mutable_labels();
    std::int64_t k = 0;
    for (std::int64_t i = 0; i < t.size(); ++i)
      if (in_sr[i] || in_sb[i]) y(k++) = in_sr[i] ? 1 : 0;
    return out;
  }
};

}  // namespace hepad::data

#endif  // HEPAD_DATA_SIDEBAND_LABELER_HPP
