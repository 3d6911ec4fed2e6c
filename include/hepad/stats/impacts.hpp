// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/impacts.hpp
/// @brief Pulls and impacts (the ranking of nuisance parameters) for any likelihood the minimizer
/// can fit, including unbinned likelihoods with neural per-event terms: only values and gradients
/// are needed. For each nuisance parameter θ_j: the post-fit impact Δμ± = μ̂(θ_j fixed at
/// θ̂_j ± σ̂_j) - μ̂ by refitting, the pre-fit impact (θ_j at θ̂_j ± its constraint width, when the
/// likelihood has constraints), the covariance approximation C_μj/σ̂_j, and the pull
/// (θ̂_j - g_j)/width with the constraint ratio σ̂_j/width.
#ifndef HEPAD_STATS_IMPACTS_HPP
#define HEPAD_STATS_IMPACTS_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/concepts/likelihood.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/stats/fit.hpp>
#include <hepad/stats/minimum.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace hepad::stats {

/// Pull and impact of one nuisance parameter on the parameter of interest.
struct impact {
  std::size_t parameter = 0;
  std::string name{};
  double value = 0, error = 0;  ///< θ̂_j and σ̂_j (HESSE)
  double center = std::numeric_limits<double>::quiet_NaN();  ///< global observable of its constraint (NaN: unconstrained)
  double width = std::numeric_limits<double>::quiet_NaN();   ///< pre-fit width of its constraint
  double pull = std::numeric_limits<double>::quiet_NaN();    ///< (θ̂_j - center)/width
  double constraint = std::numeric_limits<double>::quiet_NaN();  ///< σ̂_j / width
  double postfit_up = 0, postfit_down = 0;  ///< Δμ for θ_j = θ̂_j + σ̂_j and θ̂_j - σ̂_j
  double prefit_up = std::numeric_limits<double>::quiet_NaN(), prefit_down = std::numeric_limits<double>::quiet_NaN();
  double covariance_impact = 0;             ///< C_μj / σ̂_j (linear approximation of postfit_up)
  hepad::status status = status::success;   ///< worst status of the refits
  /// The ranking key: max(|Δμ+|, |Δμ-|) post-fit.
  [[nodiscard]] double magnitude() const { return (std::max)(std::abs(postfit_up), std::abs(postfit_down)); }
};

/// Settings of `impacts`.
struct impact_options {
  migrad conditional{.strategy = 1, .tolerance = 0.01};
  bool prefit = true;  ///< also the pre-fit impacts (constrained parameters)
  bool sort = true;    ///< ranked by decreasing post-fit magnitude
};

/// Impacts of every free parameter other than the POI of `l` at its minimum `m` (with HESSE
/// errors). Refits run in parallel on `pool` (one task per parameter), results independent of the
/// thread count. @throws invalid_argument if `m` has no covariance.
template <class L>
  requires has_poi<L>
std::vector<impact> impacts(const L& l, const minimum& m, thread_pool& pool, const impact_options& opt = {}) {
  if (!m.status.has_covariance) throw_invalid_argument("stats::impacts", "the minimum needs a covariance (run HESSE)");
  const std::size_t poi = l.poi();
  std::vector<std::size_t> idx;
  for (std::size_t j = 0; j < m.values.size(); ++j)
    if (j != poi && !m.parameters[j].fixed) idx.push_back(j);
  std::vector<impact> out(idx.size());
  pool.run(static_cast<std::int64_t>(idx.size()), [&](std::int64_t t) {
    const std::size_t j = idx[static_cast<std::size_t>(t)];
    impact& im = out[static_cast<std::size_t>(t)];
    im.parameter = j;
    im.name = m.parameters[j].name;
    im.value = m.values[j];
    im.error = m.errors[j];
    const double cov = m.covariance(static_cast<index_t>(poi), static_cast<index_t>(j));
    im.covariance_impact = im.error > 0 ? cov / im.error : 0.0;
    if constexpr (constrained_likelihood<L>) {
      for (const auto& c : l.constraints())
        if (c.parameter == j) {
          im.center = c.center;
          im.width = c.width;
          im.pull = (im.value - c.center) / c.width;
          im.constraint = im.error / c.width;
        }
    }
    auto shift = [&](double value) {
      const auto& p = m.parameters[j];
      if (p.has_lower()) value = (std::max)(value, p.lower);
      if (p.has_upper()) value = (std::min)(value, p.upper);
      const auto c = conditional_fit(l, m, j, value, opt.conditional);
      if (!c.status.valid() && usable(im.status)) im.status = c.status.code;
      return c.values[poi] - m.values[poi];
    };
    const double s = im.error > 0 ? im.error : m.parameters[j].step;
    im.postfit_up = shift(im.value + s);
    im.postfit_down = shift(im.value - s);
    if (opt.prefit && std::isfinite(im.width)) {
      im.prefit_up = shift(im.value + im.width);
      im.prefit_down = shift(im.value - im.width);
    }
  });
  if (opt.sort)
    std::stable_sort(out.begin(), out.end(), [](const impact& a, const impact& b) { return a.magnitude() > b.magnitude(); });
  return out;
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_IMPACTS_HPP
