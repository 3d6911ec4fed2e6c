// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/histogram.hpp
/// @brief Weighted histograms on Boost.Histogram for closure tests and plots: `weighted_histogram`
/// (a regular axis with weight storage: sums of weights and of squared weights per bin),
/// `fill_weighted`, `histogram_arrays` (edges, contents, variances, errors, normalisation) and
/// `chi2_weighted` on two histograms. Boost.Histogram is heavy to compile; this header is not in
/// hepad.hpp.
#ifndef HEPAD_STATS_HISTOGRAM_HPP
#define HEPAD_STATS_HISTOGRAM_HPP

#include <hepad/core/check.hpp>
#include <hepad/stats/two_sample.hpp>

#include <boost/histogram.hpp>

#include <cmath>
#include <span>
#include <tuple>
#include <vector>

namespace hepad::stats {

/// One-dimensional histogram with a regular axis and weight storage.
using weighted_histogram =
    boost::histogram::histogram<std::tuple<boost::histogram::axis::regular<>>, boost::histogram::weight_storage>;

/// A weighted histogram with `bins` equal bins on [lo, hi) (values outside go to the flow bins).
/// @throws invalid_argument unless bins >= 1 and lo < hi are finite.
inline weighted_histogram make_weighted_histogram(unsigned bins, double lo, double hi) {
  check_at_least("stats::make_weighted_histogram", "bins", bins, 1u);
  check_finite("stats::make_weighted_histogram", "lo", lo);
  check_finite("stats::make_weighted_histogram", "hi", hi);
  if (!(lo < hi)) throw_invalid_argument("stats::make_weighted_histogram", "lo must be < hi");
  return boost::histogram::make_weighted_histogram(boost::histogram::axis::regular<>(bins, lo, hi));
}

/// Fills `h` with values `x` and weights `w` (empty: unit weights).
/// @throws invalid_argument for a size mismatch.
template <class H>
inline void fill_weighted(H& h, std::span<const double> x, std::span<const double> w = {}) {
  if (!w.empty()) check_size("stats::fill_weighted", "w", w.size(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) h(x[i], boost::histogram::weight(w.empty() ? 1.0 : w[i]));
}

/// The in-range bins of a 1-D weighted histogram as arrays.
struct histogram_arrays {
  std::vector<double> edges{};     ///< n + 1 bin edges
  std::vector<double> centers{};   ///< n bin centres
  std::vector<double> sum_w{};     ///< sum of weights per bin
  std::vector<double> sum_w2{};    ///< sum of squared weights per bin
  /// sqrt(sum_w2): the statistical error per bin.
  [[nodiscard]] std::vector<double> errors() const {
    std::vector<double> e(sum_w2.size());
    for (std::size_t i = 0; i < e.size(); ++i) e[i] = std::sqrt((std::max)(sum_w2[i], 0.0));
    return e;
  }
  /// Total weight in range.
  [[nodiscard]] double total() const {
    double s = 0;
    for (double v : sum_w) s += v;
    return s;
  }
  /// Contents and errors divided by the total (unit-normalised), or by `norm` if given.
  [[nodiscard]] histogram_arrays normalized(double norm = 0) const {
    histogram_arrays o = *this;
    const double t = norm > 0 ? norm : total();
    for (std::size_t i = 0; i < o.sum_w.size(); ++i) {
      o.sum_w[i] /= t;
      o.sum_w2[i] /= t * t;
    }
    return o;
  }
};

/// Arrays of a 1-D weighted histogram (flow bins excluded).
template <class H>
inline histogram_arrays to_arrays(const H& h) {
  histogram_arrays a;
  const auto& ax = h.axis(0);
  for (int i = 0; i < static_cast<int>(ax.size()); ++i) {
    a.edges.push_back(ax.bin(i).lower());
    a.centers.push_back(0.5 * (ax.bin(i).lower() + ax.bin(i).upper()));
    const auto& c = h.at(i);
    a.sum_w.push_back(c.value());
    a.sum_w2.push_back(c.variance());
  }
  if (ax.size() > 0) a.edges.push_back(ax.bin(static_cast<int>(ax.size()) - 1).upper());
  return a;
}

/// χ² between two weighted histograms with the same binning (see the array overload).
/// @throws invalid_argument if the numbers of bins differ.
template <class H>
inline two_sample_result chi2_weighted(const H& h1, const H& h2) {
  const auto a = to_arrays(h1), b = to_arrays(h2);
  check_size("stats::chi2_weighted", "bins of histogram 2", b.sum_w.size(), a.sum_w.size());
  return chi2_weighted(a.sum_w, a.sum_w2, b.sum_w, b.sum_w2);
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_HISTOGRAM_HPP
