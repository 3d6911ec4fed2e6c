// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/bijector.hpp
/// @brief The `bijector` concept family: invertible maps with log|det J|, the parts flows are made
/// of. This is the evaluation interface (matrices in, matrices out); the training interface on the
/// autodiff tape is added by hepad/flows. See docs/concepts/bijector.md.
#ifndef HEPAD_CORE_CONCEPTS_BIJECTOR_HPP
#define HEPAD_CORE_CONCEPTS_BIJECTOR_HPP

#include <hepad/core/eigen.hpp>

#include <concepts>

namespace hepad {

/// Output of a bijector: transformed events and log|det J| of the map that was applied, per event.
template <class S>
struct transform_result {
  matrix<S> value;
  vector<S> log_det;
};

/// `B` maps x -> y = f(x) (`forward`) and y -> x (`inverse`); each returns the value and the
/// log|det| of the Jacobian of the direction applied.
template <class B, class S>
concept bijector = requires(const B& b, matrix_cref<S> x) {
  { b.forward(x) } -> std::convertible_to<transform_result<S>>;
  { b.inverse(x) } -> std::convertible_to<transform_result<S>>;
};

/// A bijector conditioned on context rows c (one per event).
template <class B, class S>
concept conditional_bijector = requires(const B& b, matrix_cref<S> x, matrix_cref<S> c) {
  { b.forward(x, c) } -> std::convertible_to<transform_result<S>>;
  { b.inverse(x, c) } -> std::convertible_to<transform_result<S>>;
};

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_BIJECTOR_HPP
