// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/minos.hpp
/// @brief `stats::minos`: MINOS-style asymmetric errors of one parameter, the points where the
/// profile F_p(θ_k) = min over the others of F reaches F_min + errordef · sigma^2.
///
/// Algorithm: on each side, Newton iterations on z(θ_k) = sqrt((F_p - F_min)/up) = 1, which is
/// nearly linear in θ_k, with the exact slope dF_p/dθ_k = ∂F/∂θ_k at the conditional minimum
/// (envelope theorem), safeguarded by a bracket. Each conditional minimization is warm-started
/// from the previous one (plus the covariance's linear prediction) and converged tightly, so the
/// crossing is found to ~1e-7 in units of the error. Not here: profile scans (stats/profile.hpp).
#ifndef HEPAD_STATS_MINOS_HPP
#define HEPAD_STATS_MINOS_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/stats/detail/conditional.hpp>
#include <hepad/stats/minimize.hpp>
#include <hepad/stats/minimum.hpp>
#include <hepad/stats/objective.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::stats {

/// Settings of `minos`.
struct minos_options {
  double sigma = 1.0;           ///< the interval is F_p <= F_min + errordef * sigma^2 (1: 68.3 % for one parameter)
  double precision = 1e-6;      ///< stop when |(F_p - F_min)/(errordef sigma^2) - 1| < precision
  int max_iterations = 30;      ///< Newton steps per side
  std::int64_t max_calls = 0;   ///< per side; 0: 10 x MIGRAD's default
  double tolerance = 5e-6;      ///< MIGRAD tolerance of the conditional fits (EDM goal 1e-8 errordef)
  /// Conditional fits also try the other side of concave kinks (piecewise interpolation, code 0
  /// and 1): the profile is the lowest conditional minimum, and a kink crossed between the
  /// minimum and the crossing can leave the fit in a higher local minimum on the old side (seen
  /// in 3 of 200 of peer_fit.py's toys: MINOS errors off by 1.3e-3 to 1.2e-2 relative). Costs one
  /// more conditional fit per side, more only where a lower minimum is found.
  bool kink_search = true;
  static constexpr std::string_view name = "minos";
  static constexpr auto fields() {
    return std::tuple{config::field{"sigma", &minos_options::sigma}, config::field{"precision", &minos_options::precision},
                      config::field{"max_iterations", &minos_options::max_iterations},
                      config::field{"max_calls", &minos_options::max_calls},
                      config::field{"tolerance", &minos_options::tolerance},
                      config::field{"kink_search", &minos_options::kink_search}};
  }
};

/// One side of a MINOS interval.
struct minos_side {
  double error = 0;             ///< signed: negative for the lower side
  bool valid = false;           ///< crossing found to the requested precision
  bool at_limit = false;        ///< the parameter's bound was reached before the crossing
  bool reached_call_limit = false;
  bool new_minimum = false;     ///< a conditional fit found a lower minimum than the global one
  bool fit_failed = false;      ///< a conditional fit did not converge
  std::vector<double> point{};  ///< all parameters at the crossing
  int iterations = 0;
};

/// MINOS result for one parameter.
struct minos_error {
  std::size_t parameter = 0;
  minos_side lower{}, upper{};
  std::int64_t n_calls = 0;
  hepad::status status = status::not_converged;
  std::string message{};
  [[nodiscard]] bool valid() const noexcept { return lower.valid && upper.valid; }
};

/// MINOS errors of parameter `k` of minimum `m` of `f` (the same function `m` came from).
/// @throws invalid_argument if `k` is out of range or fixed, or the options are invalid.
template <class F>
minos_error minos(const F& f, const minimum& m, std::size_t k, const minos_options& opt = {}) {
  constexpr std::string_view fn = "stats::minos";
  if (k >= m.values.size())
    throw_invalid_argument(fn, hepad::detail::concat("parameter index ", k, " out of range (", m.values.size(), " parameters)"));
  if (m.parameters[k].fixed) throw_invalid_argument(fn, hepad::detail::concat("parameter '", m.parameters[k].name, "' is fixed"));
  check_positive(fn, "sigma", opt.sigma);
  check_positive(fn, "precision", opt.precision);
  check_positive(fn, "tolerance", opt.tolerance);
  auto&& obj = as_objective(f);
  using Obj = std::remove_cvref_t<decltype(obj)>;
  const std::size_t nfree = [&] {
    std::size_t c = 0;
    for (const auto& p : m.parameters) c += p.fixed ? 0 : 1;
    return c;
  }();
  const std::int64_t max_calls = opt.max_calls > 0 ? opt.max_calls
                                                   : 10 * (200 + 100 * static_cast<std::int64_t>(nfree) + 5 * static_cast<std::int64_t>(nfree * nfree));
  // The Newton iterations run without the kink search; the crossing they converge to is then
  // re-fitted with it, and only if that finds a lower conditional minimum (a kink crossed on the
  // way) do the iterations go on with the search switched on.
  migrad cfg{.strategy = 0, .tolerance = opt.tolerance, .errordef = m.errordef, .max_calls = max_calls, .kink_search = false};
  minos_error out;
  out.parameter = k;
  const double up = m.errordef * opt.sigma * opt.sigma;
  const auto& pk = m.parameters[k];
  const double theta = m.values[k];
  const double sigma0 = m.errors[k] > 0 ? m.errors[k] : pk.step;
  std::int64_t calls = 0;
  for (int dir : {-1, +1}) {
    detail::conditional_fitter<Obj> cf(obj, m, k, cfg);
    minos_side side;
    const double bound = dir < 0 ? pk.lower : pk.upper;
    const double room = std::isfinite(bound) ? std::abs(bound - theta) : std::numeric_limits<double>::infinity();
    double s = (std::min)(opt.sigma * sigma0, 0.999 * room);  // distance from the minimum along dir
    double lo = 0, hi = std::numeric_limits<double>::infinity();  // bracket in s: q(lo) < 1 < q(hi)
    std::vector<double> start = m.values;
    for (int it = 0; it < opt.max_iterations; ++it) {
      side.iterations = it + 1;
      const double value = theta + dir * s;
      auto fit = cf(value, start);
      // false: stop iterating (the reason is recorded in `side` and `out.message`)
      const auto usable = [&](const auto& ft) {
        if (cf.calls() > max_calls) {
          side.reached_call_limit = true;
          return false;
        }
        if (!ft.status.valid() && !(ft.status.code == status::invalid_covariance)) {
          side.fit_failed = true;
          out.message += hepad::detail::concat(dir < 0 ? "lower" : "upper", ": conditional fit failed (", ft.status.message, "); ");
          return false;
        }
        if ((ft.fval - m.fval) / up < -1e-6 * (1.0 + 1.0 / up)) {
          side.new_minimum = true;
          side.point = ft.values;
          out.message += hepad::detail::concat(dir < 0 ? "lower" : "upper", ": new minimum found (F = ", ft.fval, " < ", m.fval, "); ");
          return false;
        }
        return true;
      };
      if (!usable(fit)) break;
      double q = (fit.fval - m.fval) / up;
      if (std::abs(q - 1.0) < opt.precision && opt.kink_search && !cf.kink_search()) {
        cf.set_kink_search(true);
        auto other = cf(value, fit.values);
        if (!usable(other)) break;
        const double q2 = (other.fval - m.fval) / up;
        if (q2 < q - opt.precision) {  // a lower minimum beyond a kink: earlier points above the level may not be
          fit = std::move(other);
          q = q2;
          hi = std::numeric_limits<double>::infinity();
        }
      }
      start = fit.values;
      side.point = fit.values;
      side.error = dir * s;
      if (std::abs(q - 1.0) < opt.precision) {
        side.valid = true;
        break;
      }
      if (q < 1.0) lo = (std::max)(lo, s);
      else hi = (std::min)(hi, s);
      // Newton on z(s) = sqrt(q): dz/ds = (dq/ds) / (2 z), dq/ds = dir * dF/dθ_k / up
      const double z = std::sqrt((std::max)(q, 0.0));
      const double dq = dir * cf.slope_k(fit.values, obj) / up;
      double s_new;
      if (z > 1e-8 && dq > 0 && std::isfinite(dq)) s_new = s + (1.0 - z) * 2.0 * z / dq;
      else s_new = std::isfinite(hi) ? 0.5 * (lo + hi) : 2.0 * s;
      // safeguards: stay inside the bracket and the parameter's range
      if (!(s_new > lo && s_new < hi)) s_new = std::isfinite(hi) ? 0.5 * (lo + hi) : (std::max)(2.0 * s, lo * 1.5);
      if (s_new >= room) {
        if (s >= 0.999999 * room) {  // already at the bound and still below the level
          side.at_limit = true;
          side.error = dir * room;
          break;
        }
        s_new = room;
      }
      s = s_new;
    }
    calls += cf.calls();
    (dir < 0 ? out.lower : out.upper) = side;
  }
  out.n_calls = calls;
  if (out.valid()) {
    out.status = status::success;
    out.message = "valid";
  } else {
    out.status = (out.lower.at_limit || out.upper.at_limit) ? status::at_limit
                 : (out.lower.reached_call_limit || out.upper.reached_call_limit) ? status::max_iterations
                                                                                    : status::not_converged;
    if (out.message.empty()) out.message = (out.lower.at_limit || out.upper.at_limit) ? "parameter bound reached" : "no crossing found";
  }
  return out;
}

/// MINOS errors of the parameter called `name`. @throws out_of_range if there is none.
template <class F>
minos_error minos(const F& f, const minimum& m, std::string_view name, const minos_options& opt = {}) {
  return minos(f, m, parameter_index(m.parameters, name), opt);
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_MINOS_HPP
