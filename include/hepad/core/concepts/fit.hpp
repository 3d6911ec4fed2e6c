// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/fit.hpp
/// @brief `hepad::fit(estimator, rng, args...)`: one call for every fittable policy.
///
/// Stochastic policies (flows, classifiers) take the generator explicitly: `fit(args..., rng&)`;
/// deterministic ones (scalers, KDE) take only the data: `fit(args...)`. Generic code calls
/// `hepad::fit(e, r, args...)`, which passes `r` only where it is accepted. Weighted fits pass the
/// weights as the last data argument; a policy that cannot use weights is rejected at compile time.
#ifndef HEPAD_CORE_CONCEPTS_FIT_HPP
#define HEPAD_CORE_CONCEPTS_FIT_HPP

#include <hepad/core/random.hpp>

#include <utility>

namespace hepad {

/// `E` can be fitted on `A...`, with or without a generator.
template <class E, class... A>
concept fittable = requires(E& e, rng& r, A&&... a) { e.fit(std::forward<A>(a)..., r); } ||
                   requires(E& e, A&&... a) { e.fit(std::forward<A>(a)...); };

/// Fits `e` on `a...`, passing `r` if `e.fit` accepts a generator.
template <class E, class... A>
  requires fittable<E, A...>
inline decltype(auto) fit(E& e, rng& r, A&&... a) {
  if constexpr (requires { e.fit(std::forward<A>(a)..., r); })
    return e.fit(std::forward<A>(a)..., r);
  else
    return e.fit(std::forward<A>(a)...);
}

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_FIT_HPP
