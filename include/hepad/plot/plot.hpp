// SPDX-License-Identifier: BSL-1.0
/// @file hepad/plot/plot.hpp
/// @brief All of hepad/plot: styles, axes, figures (SVG, PNG via rsvg-convert) and the ready-made
/// ROC / SIC / likelihood-scan figures. See docs/design/plots.md.
#ifndef HEPAD_PLOT_PLOT_HPP
#define HEPAD_PLOT_PLOT_HPP

#include <hepad/plot/axes.hpp>
#include <hepad/plot/curves.hpp>
#include <hepad/plot/figure.hpp>
#include <hepad/plot/style.hpp>

#endif  // HEPAD_PLOT_PLOT_HPP
