// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/objective.hpp
/// @brief The `objective` concept family: scalar functions of a parameter vector that a minimizer
/// can evaluate, optionally with exact gradients and Hessians. See docs/concepts/objective.md.
///
/// Parameters are a `std::span<const double>`; gradients are written to a `std::span<double>` of the
/// same size; Hessians to a `std::span<double>` of size n*n, row-major. Evaluation is `const`, so one
/// objective may be shared by threads (each toy fit of hepad::stats uses its own objective anyway).
#ifndef HEPAD_CORE_CONCEPTS_OBJECTIVE_HPP
#define HEPAD_CORE_CONCEPTS_OBJECTIVE_HPP

#include <concepts>
#include <cstddef>
#include <span>

namespace hepad {

/// `F` evaluates a scalar at a parameter vector.
template <class F>
concept objective = requires(const F& f, std::span<const double> p) {
  { f.evaluate(p) } -> std::convertible_to<double>;
};

/// An objective that also returns its exact gradient (written to `g`, one entry per parameter).
template <class F>
concept differentiable_objective = objective<F> && requires(const F& f, std::span<const double> p, std::span<double> g) {
  { f.evaluate_with_gradient(p, g) } -> std::convertible_to<double>;
};

/// A differentiable objective that also gives its exact Hessian (`h`: n*n, row-major).
template <class F>
concept twice_differentiable_objective =
    differentiable_objective<F> && requires(const F& f, std::span<const double> p, std::span<double> g, std::span<double> h) {
      { f.evaluate_with_hessian(p, g, h) } -> std::convertible_to<double>;
    };

/// An objective that is a sum of `n_functions()` terms, each evaluable alone (`evaluate(p, i)`),
/// for stochastic or per-channel use.
template <class F>
concept separable_objective = objective<F> && requires(const F& f, std::span<const double> p, std::size_t i) {
  { f.n_functions() } -> std::convertible_to<std::size_t>;
  { f.evaluate(p, i) } -> std::convertible_to<double>;
};

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_OBJECTIVE_HPP
