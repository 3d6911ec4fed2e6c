// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/stats.hpp
/// @brief All of hepad/stats except stats/histogram.hpp (Boost.Histogram; include it by name):
/// AD metrics, curves and bands, two-sample tests, the minimizer (MIGRAD, HESSE, MINOS, scans),
/// likelihood building blocks, test statistics, asymptotics, toys, limits and impacts.
/// Prefer the narrow headers in your own code. See docs/design/stats.md.
#ifndef HEPAD_STATS_STATS_HPP
#define HEPAD_STATS_STATS_HPP

#include <hepad/stats/asymptotics.hpp>
#include <hepad/stats/curves.hpp>
#include <hepad/stats/fit.hpp>
#include <hepad/stats/hesse.hpp>
#include <hepad/stats/impacts.hpp>
#include <hepad/stats/likelihood/binned_channel.hpp>
#include <hepad/stats/likelihood/histfactory.hpp>
#include <hepad/stats/likelihood/interpolation.hpp>
#include <hepad/stats/likelihood/likelihood.hpp>
#include <hepad/stats/likelihood/parameter_set.hpp>
#include <hepad/stats/likelihood/unbinned.hpp>
#include <hepad/stats/limits.hpp>
#include <hepad/stats/metrics.hpp>
#include <hepad/stats/minimize.hpp>
#include <hepad/stats/minimum.hpp>
#include <hepad/stats/minos.hpp>
#include <hepad/stats/objective.hpp>
#include <hepad/stats/optimal.hpp>
#include <hepad/stats/parameter.hpp>
#include <hepad/stats/profile.hpp>
#include <hepad/stats/roc.hpp>
#include <hepad/stats/sic.hpp>
#include <hepad/stats/test_statistics.hpp>
#include <hepad/stats/toys.hpp>
#include <hepad/stats/two_sample.hpp>

#endif  // HEPAD_STATS_STATS_HPP
