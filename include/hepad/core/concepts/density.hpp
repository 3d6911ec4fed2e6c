// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/density.hpp
/// @brief The density-estimator and sampler concept families: anything that is fitted to events
/// and returns per-event log densities (flows, KDE, GMM, histograms), optionally samples, and
/// optionally conditions on context columns. See docs/concepts/density_estimator.md and sampler.md.
#ifndef HEPAD_CORE_CONCEPTS_DENSITY_HPP
#define HEPAD_CORE_CONCEPTS_DENSITY_HPP

#include <hepad/core/concepts/fit.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>

#include <concepts>
#include <cstdint>

namespace hepad {

/// `D` draws `n` events of dimension `n_features()` as a row-major matrix.
template <class D, class S>
concept sampler = requires(const D& cd, std::int64_t n, rng& r) {
  { cd.sample(n, r) } -> std::convertible_to<matrix<S>>;
};

/// `D` is fitted on events and evaluates log p(x) per event (natural log, in the units of x).
template <class D, class S>
concept density_estimator = fittable<D, matrix_cref<S>> && requires(const D& cd, matrix_cref<S> x) {
  { cd.log_prob(x) } -> std::convertible_to<vector<S>>;
  { cd.n_features() } -> std::convertible_to<std::int64_t>;
};

/// A density estimator whose fit takes per-event weights (possibly negative).
template <class D, class S>
concept weighted_density = density_estimator<D, S> && fittable<D, matrix_cref<S>, vector_cref<S>>;

/// A density estimator that can also sample.
template <class D, class S>
concept sampleable_density = density_estimator<D, S> && sampler<D, S>;

/// A conditional density p(x | c): fitted on (x, c), evaluated and sampled at given contexts (one
/// sample per context row).
template <class D, class S>
concept conditional_density = fittable<D, matrix_cref<S>, matrix_cref<S>> &&
    requires(const D& cd, matrix_cref<S> x, matrix_cref<S> c, rng& r) {
  { cd.log_prob(x, c) } -> std::convertible_to<vector<S>>;
  { cd.sample(c, r) } -> std::convertible_to<matrix<S>>;
  { cd.n_features() } -> std::convertible_to<std::int64_t>;
  { cd.n_context() } -> std::convertible_to<std::int64_t>;
};

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_DENSITY_HPP
