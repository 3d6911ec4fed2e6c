// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/histograms.hpp
/// @brief `ad::compare_histograms`: per-column comparison of a weighted estimate with a (weighted)
/// reference, as in the S0 closure ratio plots (§5b): unit-normalised histograms with their
/// errors, the ratio estimate/reference with its error, and a chi-square of the normalised
/// contents, chi2 = sum_i (a_i/A - b_i/B)^2 / (sum_a w^2/A^2 + sum_b w^2/B^2) over bins with at
/// least `min_count` reference events, ndf = bins used - 1 (expectation ndf when both samples
/// come from the same density, for any weights).
#ifndef HEPAD_AD_HISTOGRAMS_HPP
#define HEPAD_AD_HISTOGRAMS_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace hepad::ad {

/// Binning of the comparison (S0 §5b: 30 bins on [-3, 3] in scaled units). With `quantile`,
/// each column gets `bins` bins of equal reference population between the reference's minimum and
/// maximum instead (better conditioned chi-squares for steeply falling spectra).
struct histogram_config {
  std::int64_t bins = 30;
  double lo = -3.0, hi = 3.0;
  double min_count = 10;  ///< reference events a bin needs to enter the chi-square
  bool quantile = false;  ///< equal-population bins of the reference instead of [lo, hi]

  static constexpr std::string_view name = "histograms";
  static constexpr auto fields() {
    return std::tuple{config::field{"bins", &histogram_config::bins}, config::field{"lo", &histogram_config::lo},
                      config::field{"hi", &histogram_config::hi},
                      config::field{"min_count", &histogram_config::min_count},
                      config::field{"quantile", &histogram_config::quantile}};
  }
};

/// One column's comparison. Densities are normalised to unit area over the binned range (events
/// outside are not counted).
struct histogram_comparison {
  std::string name;
  std::vector<double> edges;
  std::vector<double> estimate, estimate_error;    ///< density and its error
  std::vector<double> reference, reference_error;
  std::vector<double> ratio, ratio_error;          ///< estimate / reference (NaN where reference = 0)
  double chi2 = 0;
  std::int64_t ndf = 0;
  [[nodiscard]] double chi2_ndf() const noexcept {
    return ndf > 0 ? chi2 / static_cast<double>(ndf) : std::numeric_limits<double>::quiet_NaN();
  }
};

/// Compares every column of `estimate` (weights `w_est`) with `reference` (weights `w_ref`, or
/// unit weights when empty). @throws invalid_argument for mismatched widths or sizes.
template <class S>
[[nodiscard]] inline std::vector<histogram_comparison> compare_histograms(matrix_cref<S> estimate, vector_cref<S> w_est,
                                                                          matrix_cref<S> reference, vector_cref<S> w_ref,
                                                                          const std::vector<std::string>& names,
                                                                          const histogram_config& cfg = {}) {
  constexpr std::string_view fn = "ad::compare_histograms";
  check_positive(fn, "bins", cfg.bins);
  if (!(cfg.lo < cfg.hi)) throw_invalid_argument(fn, hepad::detail::concat("lo must be < hi, got ", cfg.lo, " and ", cfg.hi));
  check_size(fn, "reference columns", static_cast<std::size_t>(reference.cols()), static_cast<std::size_t>(estimate.cols()));
  check_size(fn, "estimate weights", static_cast<std::size_t>(w_est.size()), static_cast<std::size_t>(estimate.rows()));
  if (w_ref.size() != 0)
    check_size(fn, "reference weights", static_cast<std::size_t>(w_ref.size()), static_cast<std::size_t>(reference.rows()));
  check_size(fn, "names", names.size(), static_cast<std::size_t>(estimate.cols()));
  const auto nb = static_cast<std::size_t>(cfg.bins);
  check_not_empty(fn, "reference", static_cast<std::size_t>(reference.rows()));
  std::vector<histogram_comparison> out;
  for (index_t j = 0; j < estimate.cols(); ++j) {
    histogram_comparison h;
    h.name = names[static_cast<std::size_t>(j)];
    if (cfg.quantile) {
      std::vector<double> v(static_cast<std::size_t>(reference.rows()));
      for (index_t i = 0; i < reference.rows(); ++i) v[static_cast<std::size_t>(i)] = static_cast<double>(reference(i, j));
      std::sort(v.begin(), v.end());
      h.edges.push_back(v.front());
      for (std::size_t b = 1; b < nb; ++b) {
        const double e = v[b * (v.size() - 1) / nb];
        if (e > h.edges.back()) h.edges.push_back(e);
      }
      h.edges.push_back(std::nextafter(v.back(), std::numeric_limits<double>::infinity()));
      if (!(h.edges.back() > h.edges.front())) h.edges.back() = h.edges.front() + 1.0;
    } else {
      const double step = (cfg.hi - cfg.lo) / static_cast<double>(nb);
      for (std::size_t b = 0; b <= nb; ++b) h.edges.push_back(cfg.lo + step * static_cast<double>(b));
    }
    const std::size_t m = h.edges.size() - 1;
    const double lo = h.edges.front(), hi = h.edges.back();
    std::vector<double> a(m, 0), a2(m, 0), r(m, 0), r2(m, 0), rc(m, 0);
    auto fill = [&](matrix_cref<S> x, vector_cref<S> w, std::vector<double>& s, std::vector<double>& s2,
                    std::vector<double>* cnt) {
      for (index_t i = 0; i < x.rows(); ++i) {
        const double v = static_cast<double>(x(i, j));
        if (!(v >= lo && v < hi)) continue;
        const auto b = static_cast<std::size_t>(std::upper_bound(h.edges.begin(), h.edges.end(), v) - h.edges.begin()) - 1;
        const double wi = w.size() ? static_cast<double>(w(i)) : 1.0;
        s[b] += wi;
        s2[b] += wi * wi;
        if (cnt) (*cnt)[b] += 1.0;
      }
    };
    fill(estimate, w_est, a, a2, nullptr);
    fill(reference, w_ref, r, r2, &rc);
    double A = 0, R = 0;
    for (std::size_t b = 0; b < m; ++b) {
      A += a[b];
      R += r[b];
    }
    if (!(A > 0) || !(R > 0))
      throw_invalid_argument(fn, hepad::detail::concat("column '", h.name, "': no weight inside [", lo, ", ", hi, ")"));
    std::int64_t used = 0;
    for (std::size_t b = 0; b < m; ++b) {
      const double width = h.edges[b + 1] - h.edges[b];
      const double pa = a[b] / A, pr = r[b] / R, va = a2[b] / (A * A), vr = r2[b] / (R * R);
      h.estimate.push_back(pa / width);
      h.estimate_error.push_back(std::sqrt(va) / width);
      h.reference.push_back(pr / width);
      h.reference_error.push_back(std::sqrt(vr) / width);
      if (pr > 0) {
        const double q = pa / pr;
        h.ratio.push_back(q);
        h.ratio_error.push_back(std::sqrt(va / (pr * pr) + q * q * vr / (pr * pr)));
      } else {
        h.ratio.push_back(std::numeric_limits<double>::quiet_NaN());
        h.ratio_error.push_back(std::numeric_limits<double>::quiet_NaN());
      }
      if (rc[b] >= cfg.min_count && va + vr > 0) {
        h.chi2 += (pa - pr) * (pa - pr) / (va + vr);
        ++used;
      }
    }
    h.ndf = used > 0 ? used - 1 : 0;
    out.push_back(std::move(h));
  }
  return out;
}

/// Sum of chi2 and ndf over comparisons (columns are correlated, so this is a summary, not a test
/// with a chi-square distribution).
[[nodiscard]] inline std::pair<double, std::int64_t> total_chi2(const std::vector<histogram_comparison>& h) {
  double c = 0;
  std::int64_t n = 0;
  for (const auto& x : h) {
    c += x.chi2;
    n += x.ndf;
  }
  return {c, n};
}

}  // namespace hepad::ad

#endif  // HEPAD_AD_HISTOGRAMS_HPP
