// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/minimize.hpp
/// @brief `stats::minimize`: a variable-metric (MIGRAD-like) minimizer driven by exact gradients,
/// with bounded (transformed) and fixed parameters, strategy levels, EDM-based convergence and a
/// `fit_status` that always says whether it converged and, if not, why.
///
/// Algorithm (docs/design/stats.md): quasi-Newton (BFGS update of the inverse Hessian V) with a
/// backtracking / extrapolating line search; initial V from the exact diagonal second derivatives
/// (strategy 0, 1) or the full exact Hessian (strategy 2); convergence when EDM = 1/2 g^T V g is
/// below 0.002 tolerance errordef (Minuit's definition). With strategy >= 1 the exact Hessian is
/// computed at the end, EDM is re-checked with it (iterating further if needed), and one Newton
/// step polishes the minimum. Non-convergence is a status, never an exception: call limit,
/// non-finite values, failed line search, diverging parameters (no minimum), or a Hessian that is
/// not positive definite.
///
/// Not here: HESSE (stats/hesse.hpp), MINOS (stats/minos.hpp), profile scans (stats/profile.hpp).
#ifndef HEPAD_STATS_MINIMIZE_HPP
#define HEPAD_STATS_MINIMIZE_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/result.hpp>
#include <hepad/stats/detail/evaluator.hpp>
#include <hepad/stats/minimum.hpp>
#include <hepad/stats/objective.hpp>
#include <hepad/stats/parameter.hpp>

#include <Eigen/Cholesky>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::stats {

/// Settings of the variable-metric minimizer (names as in Minuit).
struct migrad {
  int strategy = 1;             ///< 0: fast, approximate covariance; 1: exact Hessian at the end; 2: also at the start
  double tolerance = 0.1;       ///< EDM goal = 0.002 * tolerance * errordef (iminuit's default tolerance)
  double errordef = 0.5;        ///< 0.5 for -ln L, 1 for chi^2 and -2 ln L
  std::int64_t max_calls = 0;   ///< 0: 200 + 100 n + 5 n^2 (n free parameters), as Minuit
  bool exact_hessian = true;    ///< use the objective's exact Hessian where available (else differences of gradients)
  bool polish = true;           ///< strategy >= 1: one Newton step with the exact Hessian after convergence
  bool kink_search = true;      ///< objectives with kinks: also try the other side of a concave kink (lower minimum)
  static constexpr std::string_view name = "migrad";
  static constexpr auto fields() {
    return std::tuple{config::field{"strategy", &migrad::strategy}, config::field{"tolerance", &migrad::tolerance},
                      config::field{"errordef", &migrad::errordef}, config::field{"max_calls", &migrad::max_calls},
                      config::field{"exact_hessian", &migrad::exact_hessian}, config::field{"polish", &migrad::polish},
                      config::field{"kink_search", &migrad::kink_search}};
  }
};

namespace detail {

inline void check_migrad(std::string_view fn, const migrad& c) {
  check_in_range(fn, "strategy", c.strategy, 0, 2);
  check_positive(fn, "tolerance", c.tolerance);
  check_positive(fn, "errordef", c.errordef);
  check_nonnegative(fn, "max_calls", c.max_calls);
}

/// Symmetric inverse by Cholesky; false if not positive definite (or not finite). (A template so
/// that the factorisation is compiled only where used.)
template <class M>
inline bool spd_inverse(const M& h, M& inv) {
  if (!h.allFinite()) return false;
  Eigen::LLT<Eigen::MatrixXd> llt(h);
  if (llt.info() != Eigen::Success) return false;
  inv = llt.solve(Eigen::MatrixXd::Identity(h.rows(), h.cols()));
  return inv.allFinite();
}

/// Minuit's MnPosDef idea: adds a multiple of the identity (scaled to the diagonal) until the
/// Cholesky factorisation succeeds, then inverts. (No eigen-decomposition: cheap to compile.)
template <class M>
inline M forced_inverse(const M& h) {
  const index_t n = h.rows();
  double dmax = 0;
  for (index_t i = 0; i < n; ++i) dmax = (std::max)(dmax, std::abs(h(i, i)));
  if (!(dmax > 0) || !std::isfinite(dmax)) dmax = 1.0;
  M inv, a = h;
  if (!a.allFinite()) a = M::Identity(n, n);
  for (double shift = 1e-3 * dmax;; shift *= 4) {
    M b = a;
    b.diagonal().array() += shift;
    if (spd_inverse(b, inv)) return inv;
    if (shift > 1e12 * dmax) return M(M::Identity(n, n) / dmax);
  }
}

/// Outcome of the inner loop.
struct migrad_state {
  std::vector<double> x, g;  // internal point and gradient
  double f = 0;
  matrix<double> v;          // inverse Hessian approximation (internal)
  matrix<double> h;          // exact internal Hessian at the end (strategy >= 1), may be empty
  double edm = 0;
  int iterations = 0;
  std::vector<char> active;  // free parameters held on a kink
  fit_status st;
};

/// The variable-metric iteration from internal start `x0`, optionally with an initial inverse
/// Hessian `v0` (internal).
template <class Obj>
migrad_state run_migrad(evaluator<Obj>& ev, std::vector<double> x0, const migrad& cfg, const matrix<double>* v0) {
  const std::size_t n = ev.n_free();
  const double edm_goal = 0.002 * cfg.tolerance * cfg.errordef;
  const std::int64_t max_calls = cfg.max_calls > 0 ? cfg.max_calls
                                                   : 200 + 100 * static_cast<std::int64_t>(n) + 5 * static_cast<std::int64_t>(n * n);
  const std::int64_t calls0 = ev.calls();
  migrad_state s;
  s.x = std::move(x0);
  s.g.assign(n, 0.0);
  auto fail = [&](hepad::status code, std::string msg) {
    s.st.code = code;
    s.st.message = std::move(msg);
    return s;
  };
  s.f = ev.value_gradient(s.x, s.g);
  if (!std::isfinite(s.f) || !all_finite(s.g)) {
    s.st.non_finite = true;
    return fail(status::non_finite, "function or gradient not finite at the start values");
  }
  auto diag_metric = [&]() {
    std::vector<double> d(n);
    ev.internal_diagonal(s.x, d);
    const auto st = ev.internal_steps(s.x);
    s.v = matrix<double>::Zero(static_cast<index_t>(n), static_cast<index_t>(n));
    for (std::size_t i = 0; i < n; ++i) {
      const double vi = (d[i] > 0 && std::isfinite(d[i])) ? 1.0 / d[i] : st[i] * st[i] / (2.0 * cfg.errordef);
      s.v(static_cast<index_t>(i), static_cast<index_t>(i)) = vi;
    }
  };
  auto exact_metric = [&]() -> bool {
    matrix<double> h, inv;
    std::vector<double> g(n);
    const double f = ev.internal_hessian(s.x, g, h, cfg.exact_hessian);
    (void)f;
    if (spd_inverse(h, inv)) {
      s.v = inv;
      s.h = h;
      return true;
    }
    return false;
  };
  if (v0 && v0->rows() == static_cast<index_t>(n) && v0->allFinite()) s.v = *v0;
  else if (cfg.strategy >= 2 && n > 0) {
    if (!exact_metric()) diag_metric();
  } else if (n > 0) diag_metric();
  s.active.assign(n, 0);
  std::vector<double> gm(n);  // gradient with the kink-held components zeroed
  auto masked = [&]() -> const std::vector<double>& {
    for (std::size_t i = 0; i < n; ++i) gm[i] = s.active[i] ? 0.0 : s.g[i];
    return gm;
  };
  auto edm_of = [&](const matrix<double>& v) {
    masked();
    const Eigen::Map<const Eigen::VectorXd> g(gm.data(), static_cast<index_t>(n));
    return 0.5 * g.dot(v * g);
  };
  auto clear_active = [&](matrix<double>& v) {
    for (std::size_t i = 0; i < n; ++i)
      if (s.active[i]) {
        v.row(static_cast<index_t>(i)).setZero();
        v.col(static_cast<index_t>(i)).setZero();
      }
  };
  // Hessian of the non-held parameters, inverted and embedded (held rows/columns zero)
  auto active_inverse = [&](const matrix<double>& h, matrix<double>& inv) -> bool {
    std::vector<index_t> idx;
    for (std::size_t i = 0; i < n; ++i)
      if (!s.active[i]) idx.push_back(static_cast<index_t>(i));
    const auto m = static_cast<index_t>(idx.size());
    matrix<double> sub(m, m), subinv;
    for (index_t a = 0; a < m; ++a)
      for (index_t b = 0; b < m; ++b) sub(a, b) = h(idx[static_cast<std::size_t>(a)], idx[static_cast<std::size_t>(b)]);
    bool ok = spd_inverse(sub, subinv);
    if (!ok) subinv = forced_inverse(sub);
    inv = matrix<double>::Zero(static_cast<index_t>(n), static_cast<index_t>(n));
    for (index_t a = 0; a < m; ++a)
      for (index_t b = 0; b < m; ++b) inv(idx[static_cast<std::size_t>(a)], idx[static_cast<std::size_t>(b)]) = subinv(a, b);
    return ok;
  };
  // one-sided derivatives along free parameter i at its kink value kv (others at s.x)
  std::vector<double> xk(n), gk(n);
  auto one_sided = [&](std::size_t i, double kv, double& left, double& right) {
    const double eps = 1e-9 * (1.0 + std::abs(kv));
    xk = s.x;
    xk[i] = kv - eps;
    const double fl = ev.value_gradient(xk, gk);
    left = gk[i];
    xk[i] = kv + eps;
    const double fr = ev.value_gradient(xk, gk);
    right = gk[i];
    return std::isfinite(fl) && std::isfinite(fr);
  };
  // Holds parameters that sit near a kink whose one-sided slopes bracket zero (a kink minimum
  // along that parameter); true if any was newly held.
  auto hold_kinks = [&]() -> bool {
    bool any = false;
    const auto st = ev.internal_steps(s.x);
    for (const auto& k : ev.kinks()) {
      const std::size_t i = k.parameter;
      if (s.active[i]) continue;
      // near the kink on the scale of the parameter's step (the quasi-Newton metric has learned
      // the slope jump as a huge curvature there, so its variance is no guide)
      if (!(std::abs(s.x[i] - k.value) <= 0.1 * st[i])) continue;
      double left = 0, right = 0;
      if (!one_sided(i, k.value, left, right)) continue;
      if (left <= 0 && right >= 0) {
        s.x[i] = k.value;
        s.active[i] = 1;
        any = true;
      }
    }
    if (any) {
      s.f = ev.value_gradient(s.x, s.g);
      clear_active(s.v);
      s.edm = edm_of(s.v);
    }
    return any;
  };
  // Releases held parameters whose kink no longer brackets zero; true if any was released.
  int releases = 0;
  auto release_kinks = [&]() -> bool {
    bool any = false;
    const auto st = ev.internal_steps(s.x);
    for (const auto& k : ev.kinks()) {
      const std::size_t i = k.parameter;
      if (!s.active[i]) continue;
      double left = 0, right = 0;
      if (!one_sided(i, k.value, left, right)) continue;
      const double tol = 10.0 * edm_goal / st[i];
      if (left > tol || right < -tol) {
        s.active[i] = 0;
        std::vector<double> d(n);
        ev.internal_diagonal(s.x, d);
        s.v(static_cast<index_t>(i), static_cast<index_t>(i)) = d[i] > 0 ? 1.0 / d[i] : st[i] * st[i];
        any = true;
      }
    }
    if (any) {
      ++releases;
      s.f = ev.value_gradient(s.x, s.g);
      s.edm = edm_of(s.v);
    }
    return any;
  };
  s.edm = n > 0 ? edm_of(s.v) : 0.0;

  std::vector<double> x1(n), g1(n), p(n), best_x(n), best_g(n);
  int hesse_rounds = 0;
  bool reset_done = false;
  const std::vector<double> xstart = s.x;
  while (true) {
    if (n == 0) break;
    if (ev.calls() - calls0 >= max_calls) {
      s.st.reached_call_limit = true;
      s.st.above_max_edm = s.edm >= edm_goal;
      return fail(status::max_iterations, hepad::detail::concat("call limit ", max_calls, " reached with EDM = ", s.edm,
                                                                " (goal ", edm_goal, ")"));
    }
    if (s.edm < edm_goal) {
      if (cfg.strategy == 0) break;
      // verify with the exact Hessian; iterate further if the exact EDM is above the goal
      matrix<double> h, inv;
      std::vector<double> g(n);
      ev.internal_hessian(s.x, g, h, cfg.exact_hessian);
      if (!h.allFinite()) {
        s.st.hesse_failed = true;
        s.st.non_finite = true;
        return fail(status::non_finite, "Hessian not finite at the minimum");
      }
      s.h = h;
      if (releases < 10 && release_kinks()) continue;
      if (!active_inverse(h, inv)) {
        s.v = inv;
        s.st.made_pos_def = true;
        s.edm = edm_of(s.v);
        s.st.converged = true;
        s.st.has_covariance = true;
        s.st.covariance_accurate = true;
        return fail(status::invalid_covariance,
                    "Hessian not positive definite at the end point (not a minimum: saddle point, maximum or flat "
                    "direction); covariance forced positive definite");
      }
      s.v = inv;
      s.edm = edm_of(s.v);
      if (cfg.polish) {
        // one Newton step: exact for a quadratic, removes what is left of EDM
        masked();
        const Eigen::Map<const Eigen::VectorXd> g0(gm.data(), static_cast<index_t>(n));
        const Eigen::VectorXd dx = -(s.v * g0);
        for (std::size_t i = 0; i < n; ++i) x1[i] = s.x[i] + dx[static_cast<index_t>(i)];
        const double f1 = ev.value_gradient(x1, g1);
        if (std::isfinite(f1) && all_finite(g1) && f1 <= s.f) {
          s.x = x1;
          s.g = g1;
          s.f = f1;
          s.edm = edm_of(s.v);
        }
      }
      s.st.covariance_accurate = true;
      if (s.edm < edm_goal) break;
      // the quasi-Newton metric saw convergence, the exact Hessian does not: typical of a minimum
      // on a kink (the slope jump looked like a huge curvature)
      if (hold_kinks()) continue;
      if (++hesse_rounds > 4) break;
      continue;
    }
    // search direction
    masked();
    const Eigen::Map<const Eigen::VectorXd> gv(gm.data(), static_cast<index_t>(n));
    Eigen::VectorXd pv = -(s.v * gv);
    double gdel = pv.dot(gv);
    if (!(gdel < 0)) {
      // the metric is not positive definite: restart from the diagonal
      diag_metric();
      clear_active(s.v);
      pv = -(s.v * gv);
      gdel = pv.dot(gv);
      if (!(gdel < 0)) return fail(status::not_converged, "no descent direction (gradient and metric inconsistent)");
    }
    for (std::size_t i = 0; i < n; ++i) p[i] = pv[static_cast<index_t>(i)];
    // line search on phi(a) = f(x + a p)
    double alpha = 1.0, best_a = 0, best_f = s.f;
    bool found = false, nonfinite = false;
    for (int it = 0; it < 30; ++it) {
      for (std::size_t i = 0; i < n; ++i) x1[i] = s.x[i] + alpha * p[i];
      const double f1 = ev.value_gradient(x1, g1);
      if (!std::isfinite(f1) || !all_finite(g1)) {
        nonfinite = true;
        alpha *= 0.2;
        continue;
      }
      double slope = 0;
      for (std::size_t i = 0; i < n; ++i) slope += g1[i] * p[i];
      if (f1 <= s.f + 1e-4 * alpha * gdel) {
        if (!found || f1 < best_f) {
          best_f = f1;
          best_a = alpha;
          best_x = x1;
          best_g = g1;
          found = true;
        }
        // still descending steeply: extrapolate (at most up to 100x the quasi-Newton step)
        if (slope < 0.5 * gdel && alpha < 100.0 && f1 <= best_f) {
          alpha *= 4.0;
          continue;
        }
        break;
      }
      if (found) break;  // an extrapolation overshot: keep the best point
      // quadratic interpolation from phi(0), phi'(0), phi(alpha)
      const double denom = 2.0 * (f1 - s.f - gdel * alpha);
      double a_new = denom > 0 ? -gdel * alpha * alpha / denom : 0.1 * alpha;
      a_new = std::clamp(a_new, 0.1 * alpha, 0.5 * alpha);
      alpha = a_new;
      if (alpha < 1e-14) break;
    }
    if (!found) {
      // a minimum on a kink stalls the line search: hold the kinked parameters there
      if (hold_kinks()) {
        reset_done = false;
        continue;
      }
      if (!reset_done) {
        // try once more from a fresh metric (exact if available)
        reset_done = true;
        if (!exact_metric()) diag_metric();
        clear_active(s.v);
        s.edm = edm_of(s.v);
        continue;
      }
      if (s.edm < 10 * edm_goal || s.edm < 1e-10 * (1.0 + std::abs(s.f))) break;  // precision limit reached
      s.st.non_finite = nonfinite;
      s.st.above_max_edm = true;
      return fail(nonfinite ? status::non_finite : status::not_converged,
                  hepad::detail::concat("line search found no decrease", nonfinite ? " (function not finite along the step)" : "",
                                        "; EDM = ", s.edm, " above goal ", edm_goal));
    }
    reset_done = false;
    // divergence: parameters running away or the function unbounded below
    double step_norm = 0, x_norm = 0;
    for (std::size_t i = 0; i < n; ++i) {
      step_norm = (std::max)(step_norm, std::abs(best_x[i] - xstart[i]));
      x_norm = (std::max)(x_norm, std::abs(xstart[i]));
    }
    if (step_norm > 1e10 * (1.0 + x_norm) || best_f < -1e300)
      return fail(status::not_converged, hepad::detail::concat("parameters diverge (moved by ", step_norm,
                                                               "): the function appears to have no minimum"));
    // BFGS update of V
    Eigen::VectorXd dx(static_cast<index_t>(n)), dg(static_cast<index_t>(n));
    for (std::size_t i = 0; i < n; ++i) {
      dx[static_cast<index_t>(i)] = best_x[i] - s.x[i];
      dg[static_cast<index_t>(i)] = s.active[i] ? 0.0 : best_g[i] - s.g[i];
    }
    const double delgam = dx.dot(dg);
    if (delgam > 1e-300) {
      const Eigen::VectorXd vg = s.v * dg;
      const double gvg = dg.dot(vg);
      s.v += ((1.0 + gvg / delgam) / delgam) * (dx * dx.transpose()) - (vg * dx.transpose() + dx * vg.transpose()) / delgam;
    }
    s.x = best_x;
    s.g = best_g;
    s.f = best_f;
    (void)best_a;
    ++s.iterations;
    s.edm = edm_of(s.v);
    // creeping onto a kink (steps shrinking towards it without the line search failing)
    if (!ev.kinks().empty()) {
      const auto st = ev.internal_steps(s.x);
      for (const auto& k : ev.kinks())
        if (!s.active[k.parameter] && std::abs(s.x[k.parameter] - k.value) < 1e-3 * st[k.parameter]) {
          hold_kinks();
          break;
        }
    }
  }
  if (n > 0 && !(s.edm < edm_goal)) {
    s.st.above_max_edm = true;
    s.st.has_covariance = true;
    return fail(status::not_converged, hepad::detail::concat("stopped with EDM = ", s.edm, " above the goal ", edm_goal,
                                                             " (no further decrease possible: precision limit?)"));
  }
  s.st.converged = true;
  s.st.code = status::success;
  s.st.has_covariance = n > 0;
  s.st.covariance_pos_def = true;
  s.st.message = "converged";
  for (char a : s.active) s.st.at_kink |= a != 0;
  if (s.st.at_kink) s.st.message = "converged on a kink of the objective (parameters held there: see kink_parameters)";
  return s;
}

/// With kinked objectives (piecewise interpolation) a concave kink separates two local minima.
/// After a minimum is found, for every kink whose other side descends from the kink (one-sided
/// slope pointing away), the fit is restarted on the other side (mirrored start) and the lower
/// minimum is kept.
template <class Obj>
migrad_state search_kinks(evaluator<Obj>& ev, migrad_state s, const migrad& cfg) {
  const std::size_t n = ev.n_free();
  if (!cfg.kink_search || ev.kinks().empty() || !usable(s.st.code)) return s;
  std::vector<double> xk(n), gk(n);
  for (int pass = 0; pass < 2; ++pass) {
    bool improved = false;
    for (const auto& k : ev.kinks()) {
      const std::size_t i = k.parameter;
      if (!s.active.empty() && s.active[i]) continue;
      const auto st = ev.internal_steps(s.x);
      const double d = s.x[i] - k.value;
      const double eps = 1e-9 * (1.0 + std::abs(k.value));
      xk = s.x;
      xk[i] = k.value - eps;
      const double f_left = ev.value_gradient(xk, gk);
      const double left = gk[i];
      xk[i] = k.value + eps;
      const double f_right = ev.value_gradient(xk, gk);
      const double right = gk[i];
      const bool descends = (d >= 0 && left > 0) || (d <= 0 && right < 0);
      if (!descends) continue;
      std::vector<double> x1 = s.x, dd(n);
      ev.internal_diagonal(s.x, dd);
      const double slope = d >= 0 ? left : right;
      // Explore a kink near the minimum (3 steps), or a far one whose other side promises a lower
      // value: F at the kink minus the one-sided quadratic model's descent g^2 / (2 h), with one
      // errordef of margin for the model's error (a profile scan or MINOS point can sit several
      // steps from a kink and still have the lower minimum beyond it).
      const double f_kink = d >= 0 ? f_left : f_right;
      const double predicted = dd[i] > 0 ? f_kink - slope * slope / (2.0 * dd[i]) : -std::numeric_limits<double>::infinity();
      if (std::abs(d) > 3.0 * st[i] && !(predicted < s.f + cfg.errordef)) continue;
      // start on the other side at the Newton point of the one-sided model from the kink
      double step = dd[i] > 0 ? std::abs(slope) / dd[i] : 0.1 * st[i];
      step = std::clamp(step, 1e-3 * st[i], 3.0 * st[i]);
      x1[i] = d >= 0 ? k.value - step : k.value + step;
      auto s2 = run_migrad(ev, x1, cfg, nullptr);
      s2.iterations += s.iterations;
      if (usable(s2.st.code) && s2.f < s.f - 1e-9 * (1.0 + std::abs(s.f))) {
        s = std::move(s2);
        improved = true;
      }
    }
    if (!improved) break;
  }
  return s;
}

/// Fills a `minimum` from the internal state.
template <class Obj>
minimum make_minimum(evaluator<Obj>& ev, const migrad_state& s, const migrad& cfg) {
  minimum m;
  m.parameters = ev.parameters();
  ev.to_external(s.x, m.values);
  m.fval = s.f;
  m.edm = s.edm;
  m.edm_goal = 0.002 * cfg.tolerance * cfg.errordef;
  m.errordef = cfg.errordef;
  m.iterations = s.iterations;
  m.status = s.st;
  for (std::size_t a = 0; a < s.active.size(); ++a)
    if (s.active[a]) m.kink_parameters.push_back(ev.free_index()[a]);
  const std::size_t n = ev.n_all(), nf = ev.n_free();
  m.covariance = matrix<double>::Zero(static_cast<index_t>(n), static_cast<index_t>(n));
  m.errors.assign(n, 0.0);
  if (s.v.rows() == static_cast<index_t>(nf) && nf > 0 && s.st.has_covariance) {
    const auto& fi = ev.free_index();
    for (std::size_t a = 0; a < nf; ++a)
      for (std::size_t b = 0; b < nf; ++b)
        m.covariance(static_cast<index_t>(fi[a]), static_cast<index_t>(fi[b])) =
            2.0 * cfg.errordef * s.v(static_cast<index_t>(a), static_cast<index_t>(b)) * ev.tr(a).d1(s.x[a]) * ev.tr(b).d1(s.x[b]);
    for (std::size_t i = 0; i < n; ++i) m.errors[i] = std::sqrt((std::max)(0.0, m.covariance(static_cast<index_t>(i), static_cast<index_t>(i))));
  }
  // parameters at a bound
  for (std::size_t i = 0; i < n; ++i) {
    const auto& p = m.parameters[i];
    if (p.fixed) continue;
    const double scale = (p.has_lower() && p.has_upper()) ? p.upper - p.lower : (std::max)(1.0, std::abs(m.values[i]));
    if ((p.has_lower() && m.values[i] - p.lower < 1e-6 * scale) || (p.has_upper() && p.upper - m.values[i] < 1e-6 * scale))
      m.status.at_limit = true;
  }
  if (m.status.code == status::success && m.status.at_limit) {
    m.status.code = status::at_limit;
    m.status.message = "converged with a parameter at its bound";
  }
  m.n_calls = ev.calls();
  m.n_gradients = ev.gradients();
  m.n_hessians = ev.hessians();
  return m;
}

}  // namespace detail

/// Minimizes `f` over `parameters` (start values, steps, bounds, fixed flags).
/// @param f an `objective` (plain: central-difference gradients; `differentiable_objective`: exact
///          gradients; `twice_differentiable_objective`: also exact Hessians) or a generic function
///          `T f(std::span<const T>)` (wrapped in `autodiff_objective`).
/// @throws invalid_argument for an invalid parameter list or configuration (never for numerical
///         trouble, which is reported in `minimum::status`).
/// Complexity: per iteration one or a few function+gradient evaluations and O(n^2) linear algebra.
template <class F>
minimum minimize(const F& f, std::span<const parameter> parameters, const migrad& cfg = {}) {
  constexpr std::string_view fn = "stats::minimize";
  detail::check_migrad(fn, cfg);
  check_parameters(fn, parameters);
  auto&& obj = as_objective(f);
  using Obj = std::remove_cvref_t<decltype(obj)>;
  detail::evaluator<Obj> ev(obj, parameters);
  std::vector<double> start(parameters.size());
  for (std::size_t i = 0; i < parameters.size(); ++i) start[i] = parameters[i].value;
  auto s = detail::search_kinks(ev, detail::run_migrad(ev, ev.internal(start), cfg, nullptr), cfg);
  return detail::make_minimum(ev, s, cfg);
}

/// `minimize` with start values only (parameters named p0, p1, ..., no bounds).
template <class F>
minimum minimize(const F& f, std::initializer_list<double> start, const migrad& cfg = {}) {
  const std::vector<double> s(start);
  const auto p = make_parameters(s);
  return minimize(f, std::span<const parameter>(p), cfg);
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_MINIMIZE_HPP
