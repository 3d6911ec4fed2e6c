// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/detail/evaluator.hpp
/// @brief Internal to hepad/stats: Minuit's parameter transformations (bounded parameters live in
/// unbounded internal coordinates) and the evaluator that calls an objective in internal
/// coordinates, with exact or finite-difference derivatives, counting calls.
#ifndef HEPAD_STATS_DETAIL_EVALUATOR_HPP
#define HEPAD_STATS_DETAIL_EVALUATOR_HPP

#include <hepad/core/concepts/objective.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/stats/parameter.hpp>

#include <Eigen/Cholesky>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace hepad::stats::detail {

/// Minuit's transformations: ext = lo + (hi-lo)/2 (sin(i)+1) for two bounds; ext = lo - 1 +
/// sqrt(i^2+1) for a lower bound; ext = hi + 1 - sqrt(i^2+1) for an upper bound.
struct transform {
  enum kind_t { none, both, lower, upper } kind = none;
  double lo = 0, hi = 0;

  static transform of(const parameter& p) {
    if (p.has_lower() && p.has_upper()) return {both, p.lower, p.upper};
    if (p.has_lower()) return {lower, p.lower, 0};
    if (p.has_upper()) return {upper, 0, p.upper};
    return {};
  }
  [[nodiscard]] double ext(double i) const {
    switch (kind) {
      case both: return lo + 0.5 * (hi - lo) * (std::sin(i) + 1.0);
      case lower: return lo - 1.0 + std::sqrt(i * i + 1.0);
      case upper: return hi + 1.0 - std::sqrt(i * i + 1.0);
      default: return i;
    }
  }
  /// d ext / d int
  [[nodiscard]] double d1(double i) const {
    switch (kind) {
      case both: return 0.5 * (hi - lo) * std::cos(i);
      case lower: return i / std::sqrt(i * i + 1.0);
      case upper: return -i / std::sqrt(i * i + 1.0);
      default: return 1.0;
    }
  }
  /// d^2 ext / d int^2
  [[nodiscard]] double d2(double i) const {
    switch (kind) {
      case both: return -0.5 * (hi - lo) * std::sin(i);
      case lower: return 1.0 / std::pow(i * i + 1.0, 1.5);
      case upper: return -1.0 / std::pow(i * i + 1.0, 1.5);
      default: return 0.0;
    }
  }
  [[nodiscard]] double to_int(double e) const {
    switch (kind) {
      case both: {
        const double s = std::clamp(2.0 * (e - lo) / (hi - lo) - 1.0, -1.0, 1.0);
        return std::asin(s);
      }
      case lower: {
        const double y = e - lo + 1.0;
        return y * y > 1.0 ? std::sqrt(y * y - 1.0) : 0.0;
      }
      case upper: {
        const double y = hi - e + 1.0;
        return y * y > 1.0 ? std::sqrt(y * y - 1.0) : 0.0;
      }
      default: return e;
    }
  }
};

/// True if every entry is finite.
inline bool all_finite(std::span<const double> v) {
  for (double x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

/// Evaluates an objective in internal coordinates of the free parameters.
template <class Obj>
class evaluator {
 public:
  evaluator(const Obj& f, std::span<const parameter> pars) : f_(f), pars_(pars.begin(), pars.end()) {
    ext_.resize(pars_.size());
    gext_.resize(pars_.size());
    for (std::size_t i = 0; i < pars_.size(); ++i) {
      ext_[i] = pars_[i].value;
      if (!pars_[i].fixed) {
        free_.push_back(i);
        tr_.push_back(transform::of(pars_[i]));
      }
    }
    if constexpr (requires { f.kinks(); }) {
      for (const auto& k : f.kinks()) {
        for (std::size_t a = 0; a < free_.size(); ++a) {
          if (free_[a] != k.parameter) continue;
          const auto& p = pars_[free_[a]];
          if ((p.has_lower() && k.value <= p.lower) || (p.has_upper() && k.value >= p.upper)) continue;
          kinks_.push_back({a, tr_[a].to_int(k.value)});
        }
      }
    }
  }

  /// Kinks of the objective on free parameters: (internal index, internal value).
  [[nodiscard]] const std::vector<kink>& kinks() const noexcept { return kinks_; }

  /// Changes the value at which fixed parameter `i` is held.
  void set_fixed_value(std::size_t i, double v) { ext_[i] = v; }

  [[nodiscard]] std::size_t n_free() const noexcept { return free_.size(); }
  [[nodiscard]] std::size_t n_all() const noexcept { return pars_.size(); }
  [[nodiscard]] const std::vector<std::size_t>& free_index() const noexcept { return free_; }
  [[nodiscard]] const std::vector<parameter>& parameters() const noexcept { return pars_; }
  [[nodiscard]] const transform& tr(std::size_t k) const noexcept { return tr_[k]; }
  [[nodiscard]] const Obj& objective() const noexcept { return f_; }

  /// Internal start values; a start exactly on a bound is moved inside by a small amount (the
  /// transformation's derivative vanishes there).
  [[nodiscard]] std::vector<double> internal(std::span<const double> ext_values) const {
    std::vector<double> x(free_.size());
    for (std::size_t k = 0; k < free_.size(); ++k) {
      const auto& p = pars_[free_[k]];
      double e = ext_values[free_[k]];
      const double nudge = (std::min)(0.01 * p.step, p.has_lower() && p.has_upper() ? 1e-3 * (p.upper - p.lower) : 0.01 * p.step);
      if (p.has_lower() && e <= p.lower) e = p.lower + nudge;
      if (p.has_upper() && e >= p.upper) e = p.upper - nudge;
      x[k] = tr_[k].to_int(e);
    }
    return x;
  }

  /// External values of all parameters for internal point `xi` (fixed ones at their value).
  void to_external(std::span<const double> xi, std::vector<double>& out) const {
    out = ext_;
    for (std::size_t k = 0; k < free_.size(); ++k) out[free_[k]] = tr_[k].ext(xi[k]);
  }
  /// Internal step sizes (the parameter steps mapped through the transformation).
  [[nodiscard]] std::vector<double> internal_steps(std::span<const double> xi) const {
    std::vector<double> s(free_.size());
    for (std::size_t k = 0; k < free_.size(); ++k) {
      const double d = std::abs(tr_[k].d1(xi[k]));
      s[k] = pars_[free_[k]].step / (std::max)(d, 1e-3);
      if (tr_[k].kind == transform::both) s[k] = (std::min)(s[k], 0.5);
    }
    return s;
  }

  double value(std::span<const double> xi) {
    to_external(xi, work_);
    ++calls_;
    return static_cast<double>(f_.evaluate(std::span<const double>(work_)));
  }

  /// Value and internal gradient at `xi`.
  double value_gradient(std::span<const double> xi, std::span<double> gi) {
    to_external(xi, work_);
    const double v = external_gradient(work_, gext_);
    for (std::size_t k = 0; k < free_.size(); ++k) gi[k] = gext_[free_[k]] * tr_[k].d1(xi[k]);
    return v;
  }

  /// Value and gradient with respect to all parameters (fixed ones included) at external `xe`.
  double external_gradient(std::span<const double> xe, std::span<double> g) {
    ++calls_;
    ++gradients_;
    if constexpr (differentiable_objective<Obj>) {
      return static_cast<double>(f_.evaluate_with_gradient(xe, g));
    } else {
      // central differences (plain objectives only)
      std::vector<double> x(xe.begin(), xe.end());
      const double v = static_cast<double>(f_.evaluate(std::span<const double>(x)));
      for (std::size_t i = 0; i < x.size(); ++i) {
        const double h = 1e-6 * (std::max)(std::abs(x[i]), pars_[i].step);
        const double x0 = x[i];
        x[i] = x0 + h;
        const double fp = f_.evaluate(std::span<const double>(x));
        x[i] = x0 - h;
        const double fm = f_.evaluate(std::span<const double>(x));
        x[i] = x0;
        calls_ += 2;
        g[i] = (fp - fm) / (2 * h);
      }
      return v;
    }
  }

  /// Hessian with respect to all parameters at external `xe` (n_all x n_all, row-major span), with
  /// the gradient; exact if the objective provides it (and `exact`), otherwise central
  /// differences of gradients.
  double external_hessian(std::span<const double> xe, std::span<double> g, std::span<double> h, bool exact = true) {
    const std::size_t n = xe.size();
    if constexpr (twice_differentiable_objective<Obj>) {
      if (exact) {
        ++calls_;
        ++hessians_;
        return static_cast<double>(f_.evaluate_with_hessian(xe, g, h));
      }
    }
    const double v = external_gradient(xe, g);
    std::vector<double> x(xe.begin(), xe.end()), gp(n), gm(n);
    for (std::size_t j = 0; j < n; ++j) {
      const double hj = 1e-5 * (std::max)(std::abs(x[j]), pars_[j].step);
      const double x0 = x[j];
      x[j] = x0 + hj;
      external_gradient(x, gp);
      x[j] = x0 - hj;
      external_gradient(x, gm);
      x[j] = x0;
      for (std::size_t i = 0; i < n; ++i) h[i * n + j] = (gp[i] - gm[i]) / (2 * hj);
    }
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) h[i * n + j] = h[j * n + i] = 0.5 * (h[i * n + j] + h[j * n + i]);
    return v;
  }

  /// Internal Hessian of the free parameters at internal `xi` (and the internal gradient).
  double internal_hessian(std::span<const double> xi, std::span<double> gi, matrix<double>& hi, bool exact = true) {
    const std::size_t n = pars_.size(), m = free_.size();
    to_external(xi, work_);
    hall_.resize(n * n);
    const double v = external_hessian(work_, gext_, hall_, exact);
    hi.resize(static_cast<index_t>(m), static_cast<index_t>(m));
    for (std::size_t a = 0; a < m; ++a) {
      const double da = tr_[a].d1(xi[a]);
      gi[a] = gext_[free_[a]] * da;
      for (std::size_t b = 0; b < m; ++b) {
        double hab = hall_[free_[a] * n + free_[b]] * da * tr_[b].d1(xi[b]);
        if (a == b) hab += gext_[free_[a]] * tr_[a].d2(xi[a]);
        hi(static_cast<index_t>(a), static_cast<index_t>(b)) = hab;
      }
    }
    return v;
  }

  /// Diagonal internal second derivatives (cheap with an autodiff objective: one pass per
  /// parameter; otherwise from the full Hessian).
  void internal_diagonal(std::span<const double> xi, std::span<double> d) {
    const std::size_t m = free_.size();
    if constexpr (requires(std::span<const double> p, std::span<double> dd) { f_.diagonal_hessian(p, dd); }) {
      to_external(xi, work_);
      std::vector<double> dall(pars_.size());
      f_.diagonal_hessian(std::span<const double>(work_), std::span<double>(dall));
      calls_ += static_cast<std::int64_t>(m);
      // gradient for the transformation's second-derivative term (only needed for bounded ones)
      bool bounded = false;
      for (const auto& t : tr_) bounded |= t.kind != transform::none;
      if (bounded) external_gradient(work_, gext_);
      for (std::size_t a = 0; a < m; ++a) {
        const double da = tr_[a].d1(xi[a]);
        d[a] = dall[free_[a]] * da * da + (bounded ? gext_[free_[a]] * tr_[a].d2(xi[a]) : 0.0);
      }
    } else {
      matrix<double> h;
      std::vector<double> g(m);
      internal_hessian(xi, g, h);
      for (std::size_t a = 0; a < m; ++a) d[a] = h(static_cast<index_t>(a), static_cast<index_t>(a));
    }
  }

  [[nodiscard]] std::int64_t calls() const noexcept { return calls_; }
  [[nodiscard]] std::int64_t gradients() const noexcept { return gradients_; }
  [[nodiscard]] std::int64_t hessians() const noexcept { return hessians_; }

 private:
  const Obj& f_;
  std::vector<parameter> pars_;
  std::vector<std::size_t> free_;
  std::vector<transform> tr_;
  std::vector<kink> kinks_;
  std::vector<double> ext_, work_, gext_, hall_;
  std::int64_t calls_ = 0, gradients_ = 0, hessians_ = 0;
};

}  // namespace hepad::stats::detail

#endif  // HEPAD_STATS_DETAIL_EVALUATOR_HPP
