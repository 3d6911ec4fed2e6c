// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/likelihood/parameter_set.hpp
/// @brief `stats::parameter_set`: the parameters shared by all terms of a likelihood (names, start
/// values, bounds) and their constraint terms (Gaussian, log-normal, Poisson) with global
/// observables, which toys randomise and Asimov data set to the generating values.
///
/// Constraint terms (-ln of the auxiliary measurement's density, up to constants):
/// - Gaussian: ((θ - g)/σ)² / 2, toys g ~ N(θ, σ);
/// - log-normal (g measures θ > 0 with a log-normal of median θ): (ln g - ln θ)² / (2σ²), toys
///   g = θ exp(σ N(0,1));
/// - Poisson (Barlow-Beeston-like γ with τ = 1/σ²): τγ - m ln(τγ), global observable m (nominal τ),
///   toys m ~ Poisson(τγ).
#ifndef HEPAD_STATS_LIKELIHOOD_PARAMETER_SET_HPP
#define HEPAD_STATS_LIKELIHOOD_PARAMETER_SET_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/concepts/likelihood.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>
#include <hepad/stats/parameter.hpp>

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hepad::stats {

/// One constraint term on a parameter.
struct constraint {
  enum class kind { gaussian, lognormal, poisson };
  kind type = kind::gaussian;
  std::size_t parameter = 0;  ///< index of the constrained parameter
  double center = 0;          ///< global observable g (Gaussian, log-normal) or m (Poisson)
  double width = 1;           ///< σ (Gaussian, log-normal) or σ = 1/sqrt(τ) (Poisson)
  double tau = 0;             ///< Poisson only: τ = 1/width²

  /// -ln of the term at parameter value `x`.
  template <class T>
  [[nodiscard]] T nll(const T& x) const {
    using std::log;
    switch (type) {
      case kind::gaussian: {
        const T u = (x - center) / width;
        return 0.5 * u * u;
      }
      case kind::lognormal: {
        const T u = (log(x) - std::log(center)) / width;
        return 0.5 * u * u;
      }
      case kind::poisson:
      default: {
        const T lam = tau * x;
        return lam - center * log(lam);
      }
    }
  }
};

/// Parameters and constraints of a likelihood.
class parameter_set {
 public:
  /// Adds a parameter. @throws invalid_argument if the name is taken or the parameter is invalid.
  std::size_t add(parameter p) {
    if (contains(p.name))
      throw_invalid_argument("stats::parameter_set::add", hepad::detail::concat("parameter '", p.name, "' already exists"));
    const parameter one[1] = {p};
    check_parameters("stats::parameter_set::add", one);
    params_.push_back(std::move(p));
    names_.push_back(params_.back().name);
    bounds_.push_back({params_.back().lower, params_.back().upper});
    return params_.size() - 1;
  }
  /// The index of `p.name`, adding `p` if it does not exist yet.
  std::size_t get_or_add(parameter p) {
    for (std::size_t i = 0; i < params_.size(); ++i)
      if (params_[i].name == p.name) return i;
    return add(std::move(p));
  }
  /// True if a parameter is called `name`.
  [[nodiscard]] bool contains(std::string_view name) const {
    for (const auto& p : params_)
      if (p.name == name) return true;
    return false;
  }
  /// Index of the parameter called `name`. @throws out_of_range.
  [[nodiscard]] std::size_t index(std::string_view name) const { return parameter_index(params_, name); }

  /// Changes start value, step, bounds or the fixed flag of parameter `i` (the name stays).
  void set(std::size_t i, const parameter& p) {
    check_index(i);
    const parameter one[1] = {p};
    check_parameters("stats::parameter_set::set", one);
    const std::string name = params_[i].name;
    params_[i] = p;
    params_[i].name = name;
    bounds_[i] = {p.lower, p.upper};
  }
  [[nodiscard]] const parameter& operator[](std::size_t i) const {
    check_index(i);
    return params_[i];
  }
  [[nodiscard]] std::size_t size() const noexcept { return params_.size(); }
  [[nodiscard]] std::span<const parameter> parameters() const noexcept { return params_; }
  [[nodiscard]] std::span<const std::string> names() const noexcept { return names_; }
  [[nodiscard]] std::span<const parameter_bounds> bounds() const noexcept { return bounds_; }
  /// Start values of all parameters.
  [[nodiscard]] std::vector<double> initial_values() const {
    std::vector<double> v(params_.size());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = params_[i].value;
    return v;
  }

  /// Constrains parameter `i` by a Gaussian measurement `center` ± `width`.
  void constrain_gaussian(std::size_t i, double center, double width) { add_constraint({constraint::kind::gaussian, i, center, width, 0}); }
  /// Constrains parameter `i` (> 0) by a log-normal measurement with median `center`, log-width `width`.
  void constrain_lognormal(std::size_t i, double center, double width) {
    check_positive("stats::parameter_set::constrain_lognormal", "center", center);
    add_constraint({constraint::kind::lognormal, i, center, width, 0});
  }
  /// Constrains parameter `i` (nominal 1) by a Poisson auxiliary count with τ = 1/`width`².
  void constrain_poisson(std::size_t i, double width) {
    check_positive("stats::parameter_set::constrain_poisson", "width", width);
    const double tau = 1.0 / (width * width);
    add_constraint({constraint::kind::poisson, i, tau, width, tau});
  }
  [[nodiscard]] std::span<const constraint> constraints() const noexcept { return constraints_; }
  /// Sets the global observables (one per constraint, in order). @throws invalid_argument.
  void set_global_observables(std::span<const double> g) {
    check_size("stats::parameter_set::set_global_observables", "global observables", g.size(), constraints_.size());
    for (std::size_t k = 0; k < g.size(); ++k) {
      check_finite("stats::parameter_set::set_global_observables", "global observable", g[k]);
      constraints_[k].center = g[k];
    }
  }
  [[nodiscard]] std::vector<double> global_observables() const {
    std::vector<double> g;
    for (const auto& c : constraints_) g.push_back(c.center);
    return g;
  }

  /// Sum of the constraint terms at θ.
  template <class T>
  [[nodiscard]] T constraint_nll(std::span<const T> theta) const {
    T s(0.0);
    for (const auto& c : constraints_) s += c.nll(theta[c.parameter]);
    return s;
  }
  /// Global observables drawn at θ (a toy's auxiliary measurements).
  void sample_global_observables(std::span<const double> theta, rng& r) {
    for (auto& c : constraints_) {
      const double x = theta[c.parameter];
      switch (c.type) {
        case constraint::kind::gaussian: c.center = r.normal(x, c.width); break;
        case constraint::kind::lognormal: c.center = x * std::exp(c.width * r.normal()); break;
        case constraint::kind::poisson: c.center = static_cast<double>(r.poisson((std::max)(0.0, c.tau * x))); break;
      }
    }
  }
  /// Global observables set to their expectation at θ (Asimov).
  void asimov_global_observables(std::span<const double> theta) {
    for (auto& c : constraints_) c.center = c.type == constraint::kind::poisson ? c.tau * theta[c.parameter] : theta[c.parameter];
  }

 private:
  void check_index(std::size_t i) const {
    if (i >= params_.size())
      hepad::detail::raise<out_of_range>(hepad::detail::concat("stats::parameter_set: index ", i, " out of range (", params_.size(), ")"));
  }
  void add_constraint(constraint c) {
    check_index(c.parameter);
    check_positive("stats::parameter_set::constrain", "width", c.width);
    check_finite("stats::parameter_set::constrain", "center", c.center);
    for (const auto& e : constraints_)
      if (e.parameter == c.parameter)
        throw_invalid_argument("stats::parameter_set::constrain",
                               hepad::detail::concat("parameter '", params_[c.parameter].name, "' is already constrained"));
    constraints_.push_back(c);
  }
  std::vector<parameter> params_;
  std::vector<std::string> names_;
  std::vector<parameter_bounds> bounds_;
  std::vector<constraint> constraints_;
};

}  // namespace hepad::stats

#endif  // HEPAD_STATS_LIKELIHOOD_PARAMETER_SET_HPP
