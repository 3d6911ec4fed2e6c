// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/hesse.hpp
/// @brief `stats::hesse`: the covariance of a minimum from the exact Hessian (forward-mode second
/// derivatives) or, for objectives with gradients only, central differences of exact gradients.
/// Covariance = 2 errordef H^-1 in internal coordinates, transformed to external ones as Minuit
/// does for bounded parameters. Parameters the minimum holds on a kink of the objective
/// (`minimum::kink_parameters`) are treated as fixed.
#ifndef HEPAD_STATS_HESSE_HPP
#define HEPAD_STATS_HESSE_HPP

#include <hepad/stats/detail/evaluator.hpp>
#include <hepad/stats/minimize.hpp>
#include <hepad/stats/minimum.hpp>
#include <hepad/stats/objective.hpp>

#include <cmath>
#include <string_view>
#include <vector>

namespace hepad::stats {

/// Options of `hesse`.
struct hesse_options {
  bool exact = true;  ///< exact second derivatives where the objective provides them
};

/// Recomputes the covariance, errors and EDM of `m` from the Hessian of `f` at `m.values`.
/// A Hessian that is not positive definite is forced positive definite (eigenvalue shift) and
/// the status becomes `invalid_covariance`; EDM above the goal makes it `not_converged`.
template <class F>
minimum hesse(const F& f, minimum m, const hesse_options& opt = {}) {
  auto&& obj = as_objective(f);
  using Obj = std::remove_cvref_t<decltype(obj)>;
  std::vector<parameter> pars = m.parameters;
  for (std::size_t i = 0; i < pars.size(); ++i)
    if (pars[i].fixed) pars[i].value = m.values[i];
  // parameters held on a kink at the minimum: the covariance is conditional on them (the
  // curvature across a kink is unbounded; a numerical Hessian would see (slope jump)/step)
  for (std::size_t i : m.kink_parameters) {
    pars[i].fixed = true;
    pars[i].value = m.values[i];
  }
  detail::evaluator<Obj> ev(obj, pars);
  const std::size_t nf = ev.n_free(), n = ev.n_all();
  if (nf == 0) return m;
  const auto xi = ev.internal(m.values);
  matrix<double> h, v;
  std::vector<double> g(nf);
  const double fval = ev.internal_hessian(xi, g, h, opt.exact);
  m.n_calls += ev.calls();
  m.n_gradients += ev.gradients();
  m.n_hessians += ev.hessians();
  if (!std::isfinite(fval) || !h.allFinite() || !detail::all_finite(g)) {
    m.status.hesse_failed = true;
    m.status.non_finite = true;
    m.status.has_covariance = false;
    m.status.code = status::non_finite;
    m.status.message = "HESSE: Hessian not finite";
    return m;
  }
  m.status.has_covariance = true;
  m.status.covariance_accurate = true;
  if (detail::spd_inverse(h, v)) {
    m.status.covariance_pos_def = true;
    m.status.made_pos_def = false;
  } else {
    v = detail::forced_inverse(h);
    m.status.covariance_pos_def = false;
    m.status.made_pos_def = true;
    m.status.code = status::invalid_covariance;
    m.status.message = "HESSE: Hessian not positive definite (forced positive definite)";
  }
  const Eigen::Map<const Eigen::VectorXd> gv(g.data(), static_cast<index_t>(nf));
  m.edm = 0.5 * gv.dot(v * gv);
  const auto& fi = ev.free_index();
  m.covariance = matrix<double>::Zero(static_cast<index_t>(n), static_cast<index_t>(n));
  for (std::size_t a = 0; a < nf; ++a)
    for (std::size_t b = 0; b < nf; ++b)
      m.covariance(static_cast<index_t>(fi[a]), static_cast<index_t>(fi[b])) =
          2.0 * m.errordef * v(static_cast<index_t>(a), static_cast<index_t>(b)) * ev.tr(a).d1(xi[a]) * ev.tr(b).d1(xi[b]);
  for (std::size_t i = 0; i < n; ++i)
    m.errors[i] = std::sqrt((std::max)(0.0, m.covariance(static_cast<index_t>(i), static_cast<index_t>(i))));
  if (usable(m.status.code) && !(m.edm < m.edm_goal)) {
    m.status.above_max_edm = true;
    m.status.code = status::not_converged;
    m.status.message = hepad::detail::concat("HESSE: EDM = ", m.edm, " above the goal ", m.edm_goal, " with the exact Hessian");
  }
  return m;
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_HESSE_HPP
