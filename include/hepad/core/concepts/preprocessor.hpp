// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/preprocessor.hpp
/// @brief The `preprocessor` concept family: fitted, column-wise or joint transforms of a feature
/// matrix; invertible ones also give the per-event log|det J| that carries densities between the
/// physical and the preprocessed space. See docs/concepts/preprocessor.md.
#ifndef HEPAD_CORE_CONCEPTS_PREPROCESSOR_HPP
#define HEPAD_CORE_CONCEPTS_PREPROCESSOR_HPP

#include <hepad/core/concepts/fit.hpp>
#include <hepad/core/eigen.hpp>

#include <concepts>

namespace hepad {

/// `P` learns its parameters from data and transforms feature matrices of scalar `S`.
template <class P, class S>
concept preprocessor = requires(P& p, const P& cp, matrix_cref<S> x) {
  p.fit(x);
  { cp.transform(x) } -> std::convertible_to<matrix<S>>;
};

/// A preprocessor whose fit accepts per-event weights (possibly negative).
template <class P, class S>
concept weighted_preprocessor = preprocessor<P, S> && requires(P& p, matrix_cref<S> x, vector_cref<S> w) {
  p.fit(x, w);
};

/// An invertible preprocessor: y = T(x), x = T^-1(y), and log|det dT/dx| per event (evaluated at x).
template <class P, class S>
concept invertible_preprocessor = preprocessor<P, S> && requires(const P& cp, matrix_cref<S> x) {
  { cp.inverse_transform(x) } -> std::convertible_to<matrix<S>>;
  { cp.log_abs_det_jacobian(x) } -> std::convertible_to<vector<S>>;
};

/// A preprocessor with no learned state (its `fit` does nothing): `static constexpr bool stateless = true`.
template <class P>
concept stateless_preprocessor = requires { requires P::stateless; };

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_PREPROCESSOR_HPP
