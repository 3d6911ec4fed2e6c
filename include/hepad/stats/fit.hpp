// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/fit.hpp
/// @brief Fitting likelihood models: `fit_parameters` (the parameter list of a likelihood: start
/// values, steps, bounds), `fit_likelihood` (MIGRAD + HESSE with the likelihood's errordef) and
/// `conditional_fit` (a parameter held at a value, the others re-minimized), the building blocks of
/// test statistics, limits, toys and impacts. Works for any `likelihood_model` that is also an
/// objective (the composite `stats::likelihood` is) or any generic autodiff function.
#ifndef HEPAD_STATS_FIT_HPP
#define HEPAD_STATS_FIT_HPP

#include <hepad/core/concepts/likelihood.hpp>
#include <hepad/stats/detail/conditional.hpp>
#include <hepad/stats/hesse.hpp>
#include <hepad/stats/minimize.hpp>
#include <hepad/stats/minimum.hpp>
#include <hepad/stats/objective.hpp>
#include <hepad/stats/parameter.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace hepad::stats {

/// The parameter list of likelihood `l`: its own `parameters()` if it has them, otherwise built
/// from `parameter_names()`, `bounds()` and `initial_values()` (or 0 moved into the bounds).
template <likelihood_model L>
std::vector<parameter> fit_parameters(const L& l) {
  if constexpr (requires { { l.parameters() } -> std::convertible_to<std::span<const parameter>>; }) {
    const std::span<const parameter> p = l.parameters();
    return {p.begin(), p.end()};
  } else {
    const auto names = l.parameter_names();
    const auto b = l.bounds();
    std::vector<parameter> p(l.n_parameters());
    for (std::size_t i = 0; i < p.size(); ++i) {
      p[i].name = names[i];
      p[i].lower = b[i].lower;
      p[i].upper = b[i].upper;
      double v = 0.0;
      if constexpr (has_initial_values<L>) v = l.initial_values()[i];
      if (std::isfinite(b[i].lower) && v < b[i].lower) v = std::isfinite(b[i].upper) ? 0.5 * (b[i].lower + b[i].upper) : b[i].lower + 1.0;
      if (std::isfinite(b[i].upper) && v > b[i].upper) v = std::isfinite(b[i].lower) ? 0.5 * (b[i].lower + b[i].upper) : b[i].upper - 1.0;
      p[i].value = v;
      p[i].step = std::isfinite(b[i].lower) && std::isfinite(b[i].upper) ? 0.1 * (b[i].upper - b[i].lower) : 0.1 * (std::max)(1.0, std::abs(v));
    }
    return p;
  }
}

/// Settings of `fit_likelihood`.
struct fit_options {
  migrad minimizer{};   ///< MIGRAD settings (its errordef is replaced by the likelihood's)
  bool hesse = true;    ///< recompute the covariance at the minimum (exact Hessian)
};

/// The maximum-likelihood fit of `l` from `parameters` (default: `fit_parameters(l)`).
template <class L>
minimum fit_likelihood(const L& l, std::span<const parameter> parameters, const fit_options& opt = {}) {
  migrad cfg = opt.minimizer;
  cfg.errordef = errordef_of(l);
  minimum m = minimize(l, parameters, cfg);
  if (opt.hesse && m.valid()) m = hesse(l, m);
  return m;
}
template <class L>
minimum fit_likelihood(const L& l, const fit_options& opt = {}) {
  const auto p = fit_parameters(l);
  return fit_likelihood(l, std::span<const parameter>(p), opt);
}

/// A fit with parameter `k` held at `value`, starting from (and warm-started by) `global`.
struct conditional_result {
  std::vector<double> values;  ///< all parameters
  double fval = 0;
  fit_status status{};
};

/// Minimum of `l` over all free parameters except `k`, which is held at `value`.
/// @throws invalid_argument if `k` is out of range.
template <class L>
conditional_result conditional_fit(const L& l, const minimum& global, std::size_t k, double value,
                                   const migrad& cfg = {.strategy = 1, .tolerance = 0.01}) {
  if (k >= global.values.size()) throw_invalid_argument("stats::conditional_fit", "parameter index out of range");
  auto&& obj = as_objective(l);
  using Obj = std::remove_cvref_t<decltype(obj)>;
  migrad c = cfg;
  c.errordef = global.errordef;
  detail::conditional_fitter<Obj> cf(obj, global, k, c);
  auto r = cf(value, global.values);
  return {std::move(r.values), r.fval, std::move(r.status)};
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_FIT_HPP
