// SPDX-License-Identifier: BSL-1.0
/// @file hepad/plot/figure.hpp
/// @brief `plot::figure`: a grid of panels (`plot::axes`), each optionally with a ratio panel
/// below sharing its x axis; written as SVG (`to_svg`, `save_svg`) or PNG through `rsvg-convert`
/// (`save_png`, where the program exists). See docs/design/plots.md.
#ifndef HEPAD_PLOT_FIGURE_HPP
#define HEPAD_PLOT_FIGURE_HPP

#include <hepad/core/atomic_file.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/error.hpp>
#include <hepad/plot/axes.hpp>
#include <hepad/plot/detail/svg.hpp>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace hepad::plot {

/// Size and font of a figure.
struct figure_options {
  double width = 640;      ///< pixels per grid column
  double height = 480;     ///< pixels per grid row
  double font_size = 13;   ///< base font size in pixels
  int rows = 1;            ///< grid rows
  int cols = 1;            ///< grid columns
  std::string font_family = "DejaVu Sans, Helvetica, Arial, sans-serif";
};

/// A figure: `rows x cols` panels; `add_ratio_panel` splits a cell into a main and a ratio panel.
class figure {
 public:
  /// @throws invalid_argument for non-positive sizes or grid dimensions.
  explicit figure(figure_options o = {}) : opt_(std::move(o)) {
    check_positive("plot::figure", "width", opt_.width);
    check_positive("plot::figure", "height", opt_.height);
    check_positive("plot::figure", "rows", opt_.rows);
    check_positive("plot::figure", "cols", opt_.cols);
    cells_.resize(static_cast<std::size_t>(opt_.rows * opt_.cols));
    for (auto& c : cells_) c.main = std::make_unique<plot::axes>();
  }

  /// The panel at (`row`, `col`) (the only one for a 1x1 figure).
  /// @throws out_of_range for a cell outside the grid.
  plot::axes& axes(int row = 0, int col = 0) { return *cell(row, col).main; }

  /// Adds (or returns) the ratio panel below cell (`row`, `col`), taking `fraction` of its height.
  /// It shares the main panel's x range and scale; the main panel's x tick labels are hidden.
  plot::axes& add_ratio_panel(int row = 0, int col = 0, double fraction = 0.3) {
    check_in_range("plot::figure::add_ratio_panel", "fraction", fraction, 0.1, 0.7);
    auto& c = cell(row, col);
    if (!c.ratio) c.ratio = std::make_unique<plot::axes>();
    c.fraction = fraction;
    c.main->hide_x_tick_labels();
    return *c.ratio;
  }

  /// The SVG document.
  [[nodiscard]] std::string to_svg() const {
    using plot::detail::px;
    const double W = opt_.width * opt_.cols, H = opt_.height * opt_.rows, f = opt_.font_size;
    std::string out;
    out.reserve(1 << 16);
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px(W) + "\" height=\"" + px(H) + "\" viewBox=\"0 0 " +
           px(W) + " " + px(H) + "\" font-family=\"" + plot::detail::escape(opt_.font_family) + "\" xml:space=\"preserve\">\n";
    out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
    int uid = 0;
    for (int r = 0; r < opt_.rows; ++r) {
      for (int c = 0; c < opt_.cols; ++c) {
        const auto& cl = cells_[static_cast<std::size_t>(r * opt_.cols + c)];
        const double cx = opt_.width * c, cy = opt_.height * r;
        const double left = 4.6 * f + 22, right = 0.9 * f + 8;
        double top = 0.9 * f + 6;
        if (cl.main->has_title()) top += 1.3 * f;
        if (cl.main->has_secondary_x()) top += 2 * f + 18;
        const double bottom = 2 * f + 26;
        const double aw = opt_.width - left - right, ah = opt_.height - top - bottom;
        if (cl.ratio) {
          const double gap = 6;
          const double hr = (ah - gap) * cl.fraction, hm = ah - gap - hr;
          cl.main->render(out, {cx + left, cy + top, aw, hm}, std::to_string(uid++), f);
          // ratio panel shares the main x range and scale
          plot::axes ratio = *cl.ratio;
          const auto xr = cl.main->x_range();
          ratio.xscale(cl.main->x_scale()).xlim(xr.first, xr.second);
          ratio.render(out, {cx + left, cy + top + hm + gap, aw, hr}, std::to_string(uid++), f);
        } else {
          cl.main->render(out, {cx + left, cy + top, aw, ah}, std::to_string(uid++), f);
        }
      }
    }
    out += "</svg>\n";
    return out;
  }

  /// Writes the SVG to `path` atomically. @throws io_error if it cannot be written.
  void save_svg(const std::filesystem::path& path) const { write_file_atomically(path, to_svg()); }

  /// Writes a PNG via `rsvg-convert` (scaled by `zoom`). Returns false, writing nothing, when
  /// `rsvg-convert` is not installed. @throws io_error if the conversion fails.
  bool save_png(const std::filesystem::path& path, double zoom = 1.5) const {
    if (!rsvg_convert_available()) return false;
    const std::string p = path.string();
    if (p.find_first_of("'\"\\$`\n") != std::string::npos)
      throw_invalid_argument("plot::figure::save_png", "path must not contain quotes, backslashes, $ or backticks");
    const std::filesystem::path svg = path.string() + ".tmp.svg";
    write_file_atomically(svg, to_svg());
    const std::string cmd = "rsvg-convert -z " + plot::detail::num(zoom, 4) + " -b white -o '" + p + ".tmp' '" + svg.string() +
                            "' 2>/dev/null";
    const int rc = std::system(cmd.c_str());
    std::error_code ec;
    std::filesystem::remove(svg, ec);
    if (rc != 0) {
      std::filesystem::remove(p + ".tmp", ec);
      hepad::detail::raise<io_error>(p, "rsvg-convert failed to write the PNG");
    }
    std::filesystem::rename(p + ".tmp", path, ec);
    if (ec) hepad::detail::raise<io_error>(p, "cannot rename the PNG into place: " + ec.message());
    return true;
  }

  /// True if the `rsvg-convert` program can be run.
  static bool rsvg_convert_available() {
    static const bool ok = std::system("command -v rsvg-convert >/dev/null 2>&1") == 0;
    return ok;
  }

 private:
  struct cell_t {
    std::unique_ptr<plot::axes> main, ratio;
    double fraction = 0.3;
  };
  cell_t& cell(int row, int col) {
    if (row < 0 || row >= opt_.rows || col < 0 || col >= opt_.cols)
      hepad::detail::raise<out_of_range>(hepad::detail::concat("plot::figure: cell (", row, ", ", col, ") outside the ", opt_.rows,
                                                        "x", opt_.cols, " grid"));
    return cells_[static_cast<std::size_t>(row * opt_.cols + col)];
  }

  figure_options opt_;
  std::vector<cell_t> cells_;
};

}  // namespace hepad::plot

#endif  // HEPAD_PLOT_FIGURE_HPP
