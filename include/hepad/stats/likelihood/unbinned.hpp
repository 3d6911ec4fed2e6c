// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/likelihood/unbinned.hpp
/// @brief Extended unbinned likelihood terms, -ln L = ν(θ) - Σ_i w_i ℓ_i(θ), with ν the expected
/// number of events and ℓ_i = ln λ(x_i | θ) the log intensity of event i (up to θ-independent
/// constants, so ratios to a reference model, as in S4's q = 2[σ(θ) - σ(0)] - 2 Σ ln R_i(θ),
/// are the same term in -ln L units).
///
/// - `unbinned_term<Yield, Events>`: both are generic callables evaluated with `double` and the
///   forward-mode types (exact gradients and Hessians): `T yield(std::span<const T>)` and
///   `T events(std::span<const T> θ, std::size_t i)`, the latter with `size()`.
/// - `unbinned_gradient_term<Yield, Events>`: values and gradients from any model, e.g. a neural
///   density ratio evaluated by hepad's reverse-mode engine:
///   `double yield(std::span<const double> θ, std::span<double> dν)` and
///   `void events(std::span<const double> θ, std::span<double> ℓ, std::span<double> dℓ)` with `dℓ`
///   the n_events x n_parameters per-event gradients (row-major). Hessians of a likelihood with
///   such a term come from central differences of these exact gradients.
#ifndef HEPAD_STATS_LIKELIHOOD_UNBINNED_HPP
#define HEPAD_STATS_LIKELIHOOD_UNBINNED_HPP

#include <hepad/core/check.hpp>

#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace hepad::stats {

/// Extended unbinned term with per-event log intensities written as generic functions.
template <class Yield, class Events>
class unbinned_term {
 public:
  /// @param weights per-event weights (empty: all 1; may be negative).
  /// @throws invalid_argument if the weights do not match the events.
  unbinned_term(Yield yield, Events events, std::vector<double> weights = {})
      : yield_(std::move(yield)), events_(std::move(events)), weights_(std::move(weights)) {
    if (!weights_.empty()) check_size("stats::unbinned_term", "weights", weights_.size(), static_cast<std::size_t>(events_.size()));
    for (double w : weights_) check_finite("stats::unbinned_term", "weights", w);
  }
  template <class T>
  [[nodiscard]] T nll(std::span<const T> theta) const {
    T s = yield_(theta);
    const std::size_t n = static_cast<std::size_t>(events_.size());
    if (weights_.empty())
      for (std::size_t i = 0; i < n; ++i) s -= events_(theta, i);
    else
      for (std::size_t i = 0; i < n; ++i) s -= weights_[i] * events_(theta, i);
    return s;
  }
  [[nodiscard]] const Events& events() const noexcept { return events_; }
  [[nodiscard]] std::span<const double> weights() const noexcept { return weights_; }

 private:
  Yield yield_;
  Events events_;
  std::vector<double> weights_;
};

/// Extended unbinned term whose per-event values and gradients come from a model.
template <class Yield, class Events>
class unbinned_gradient_term {
 public:
  /// @param n_events number of events the model evaluates
  /// @param weights per-event weights (empty: all 1)
  unbinned_gradient_term(Yield yield, Events events, std::size_t n_events, std::vector<double> weights = {})
      : yield_(std::move(yield)), events_(std::move(events)), n_(n_events), weights_(std::move(weights)) {
    if (!weights_.empty()) check_size("stats::unbinned_gradient_term", "weights", weights_.size(), n_);
    for (double w : weights_) check_finite("stats::unbinned_gradient_term", "weights", w);
  }
  [[nodiscard]] double nll(std::span<const double> theta) const {
    std::vector<double> g(theta.size());
    return nll_gradient(theta, g);
  }
  /// Value and gradient: ∇ν - Σ w_i ∇ℓ_i.
  double nll_gradient(std::span<const double> theta, std::span<double> g) const {
    const std::size_t p = theta.size();
    check_size("stats::unbinned_gradient_term::nll_gradient", "gradient", g.size(), p);
    std::vector<double> l(n_), dl(n_ * p);
    const double nu = yield_(theta, g);
    events_(theta, std::span<double>(l), std::span<double>(dl));
    double s = nu;
    for (std::size_t i = 0; i < n_; ++i) {
      const double w = weights_.empty() ? 1.0 : weights_[i];
      s -= w * l[i];
      for (std::size_t k = 0; k < p; ++k) g[k] -= w * dl[i * p + k];
    }
    return s;
  }
  [[nodiscard]] std::size_t size() const noexcept { return n_; }

 private:
  Yield yield_;
  Events events_;
  std::size_t n_;
  std::vector<double> weights_;
};

}  // namespace hepad::stats

#endif  // HEPAD_STATS_LIKELIHOOD_UNBINNED_HPP
