// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/detail/conditional.hpp
/// @brief Internal to hepad/stats: repeated minimizations with one parameter held at given values
/// (MINOS, profile scans, conditional fits of test statistics), warm-started from the global
/// minimum's conditional covariance and the nearest previous solution.
#ifndef HEPAD_STATS_DETAIL_CONDITIONAL_HPP
#define HEPAD_STATS_DETAIL_CONDITIONAL_HPP

#include <hepad/stats/detail/evaluator.hpp>
#include <hepad/stats/minimize.hpp>
#include <hepad/stats/minimum.hpp>

#include <cmath>
#include <cstddef>
#include <vector>

namespace hepad::stats::detail {

/// Minimizes over all free parameters but `k`, which is held at a value given per call.
template <class Obj>
class conditional_fitter {
 public:
  /// @param m the global minimum (start point and covariance for the warm start)
  /// @param k the parameter to hold
  /// @param cfg minimizer settings for the conditional fits
  conditional_fitter(const Obj& f, const minimum& m, std::size_t k, const migrad& cfg)
      : k_(k), cfg_(cfg), pars_(m.parameters), ev_(f, fixed_list(m, k)) {
    const std::size_t nf = ev_.n_free();
    const auto& fi = ev_.free_index();
    const auto ki = static_cast<index_t>(k);
    // conditional covariance of the others given k, in internal units (inverse Hessian)
    v0_ = matrix<double>::Zero(static_cast<index_t>(nf), static_cast<index_t>(nf));
    const double ckk = m.covariance.rows() > ki ? m.covariance(ki, ki) : 0.0;
    const auto xi = ev_.internal(m.values);
    bool ok = m.status.has_covariance && ckk > 0;
    for (std::size_t a = 0; a < nf && ok; ++a)
      for (std::size_t b = 0; b < nf; ++b) {
        const auto ia = static_cast<index_t>(fi[a]), ib = static_cast<index_t>(fi[b]);
        const double c = m.covariance(ia, ib) - m.covariance(ia, ki) * m.covariance(ki, ib) / ckk;
        const double da = ev_.tr(a).d1(xi[a]), db = ev_.tr(b).d1(xi[b]);
        v0_(static_cast<index_t>(a), static_cast<index_t>(b)) = c / (2.0 * m.errordef * da * db);
      }
    // parameters without variance (held on a kink at the global minimum): a diagonal guess
    if (ok) {
      const auto st = ev_.internal_steps(xi);
      for (std::size_t a = 0; a < nf; ++a) {
        const auto ia = static_cast<index_t>(fi[a]);
        if (m.covariance(ia, ia) > 0) continue;
        v0_.row(static_cast<index_t>(a)).setZero();
        v0_.col(static_cast<index_t>(a)).setZero();
        v0_(static_cast<index_t>(a), static_cast<index_t>(a)) = st[a] * st[a] / (2.0 * m.errordef);
      }
    }
    has_v0_ = ok && v0_.allFinite();
    if (has_v0_) {
      // keep it only if positive definite
      matrix<double> tmp;
      has_v0_ = spd_inverse(v0_, tmp);
    }
    slope_.assign(m.values.size(), 0.0);
    if (ckk > 0)
      for (std::size_t i = 0; i < m.values.size(); ++i)
        slope_[i] = m.covariance(static_cast<index_t>(i), ki) / ckk;
  }

  /// Result of one conditional fit.
  struct fit {
    std::vector<double> values;  ///< all parameters (k at the held value)
    double fval = 0;
    fit_status status;
  };

  /// Conditional minimum with parameter k at `value`, starting from `start` (all parameters,
  /// external; k's entry is the value `start` was found at, used for the linear predictor).
  fit operator()(double value, const std::vector<double>& start) {
    ev_.set_fixed_value(k_, value);
    std::vector<double> s = start;
    const double shift = value - start[k_];
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (i == k_ || pars_[i].fixed) continue;
      double v = s[i] + slope_[i] * shift;
      const auto& p = pars_[i];
      if (p.has_lower()) v = (std::max)(v, p.lower + 1e-9 * (1.0 + std::abs(p.lower)));
      if (p.has_upper()) v = (std::min)(v, p.upper - 1e-9 * (1.0 + std::abs(p.upper)));
      s[i] = v;
    }
    s[k_] = value;
    auto st = search_kinks(ev_, run_migrad(ev_, ev_.internal(s), cfg_, has_v0_ ? &v0_ : nullptr), cfg_);
    fit out;
    ev_.to_external(st.x, out.values);
    out.values[k_] = value;
    out.fval = st.f;
    out.status = st.st;
    return out;
  }

  /// Derivative of the objective with respect to parameter k at `values` (all parameters).
  double slope_k(const std::vector<double>& values, const Obj& f) {
    std::vector<double> g(values.size());
    if constexpr (differentiable_objective<Obj>) {
      f.evaluate_with_gradient(std::span<const double>(values), std::span<double>(g));
      ++extra_calls_;
      return g[k_];
    } else {
      std::vector<double> x = values;
      const double h = 1e-6 * (std::max)(std::abs(x[k_]), pars_[k_].step);
      x[k_] += h;
      const double fp = f.evaluate(std::span<const double>(x));
      x[k_] -= 2 * h;
      const double fm = f.evaluate(std::span<const double>(x));
      extra_calls_ += 2;
      return (fp - fm) / (2 * h);
    }
  }

  [[nodiscard]] std::int64_t calls() const noexcept { return ev_.calls() + extra_calls_; }

  /// Whether the conditional fits also try the other side of concave kinks.
  [[nodiscard]] bool kink_search() const noexcept { return cfg_.kink_search; }
  void set_kink_search(bool on) noexcept { cfg_.kink_search = on; }

 private:
  static std::vector<parameter> fixed_list(const minimum& m, std::size_t k) {
    std::vector<parameter> p = m.parameters;
    for (std::size_t i = 0; i < p.size(); ++i)
      if (p[i].fixed) p[i].value = m.values[i];
    p[k].fixed = true;
    p[k].value = m.values[k];
    return p;
  }
  std::size_t k_;
  migrad cfg_;
  std::vector<parameter> pars_;
  evaluator<Obj> ev_;
  matrix<double> v0_;
  bool has_v0_ = false;
  std::vector<double> slope_;
  std::int64_t extra_calls_ = 0;
};

}  // namespace hepad::stats::detail

#endif  // HEPAD_STATS_DETAIL_CONDITIONAL_HPP
