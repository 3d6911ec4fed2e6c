// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/concepts/likelihood.hpp
/// @brief The `likelihood_model` concept family: negative log-likelihoods of a parameter vector
/// with named, bounded parameters; refinements for exact derivatives, a parameter of interest,
/// constraint terms (pulls), toy generation and Asimov data. See docs/concepts/likelihood.md.
///
/// The convention is -ln L up to a constant (errordef 0.5); a model in -2 ln L units says so with
/// `errordef()` returning 1.
#ifndef HEPAD_CORE_CONCEPTS_LIKELIHOOD_HPP
#define HEPAD_CORE_CONCEPTS_LIKELIHOOD_HPP

#include <hepad/core/random.hpp>

#include <concepts>
#include <cstddef>
#include <span>
#include <string>

namespace hepad {

/// Lower and upper bound of a parameter (infinite = none).
struct parameter_bounds {
  double lower;
  double upper;
};

/// `L` gives -ln L(θ) for a vector θ of `n_parameters()` named, bounded parameters.
template <class L>
concept likelihood_model = requires(const L& l, std::span<const double> theta) {
  { l.nll(theta) } -> std::convertible_to<double>;
  { l.n_parameters() } -> std::convertible_to<std::size_t>;
  { l.parameter_names() } -> std::convertible_to<std::span<const std::string>>;
  { l.bounds() } -> std::convertible_to<std::span<const parameter_bounds>>;
};

/// A likelihood with its exact gradient (written to `g`).
template <class L>
concept differentiable_likelihood = likelihood_model<L> && requires(const L& l, std::span<const double> t, std::span<double> g) {
  { l.nll_gradient(t, g) } -> std::convertible_to<double>;
};

/// A likelihood with its Hessian (`h`: n*n row-major; exact or from differences of exact gradients).
template <class L>
concept twice_differentiable_likelihood =
    differentiable_likelihood<L> && requires(const L& l, std::span<const double> t, std::span<double> g, std::span<double> h) {
      { l.nll_hessian(t, g, h) } -> std::convertible_to<double>;
    };

/// A likelihood with a parameter of interest (index into θ).
template <class L>
concept has_poi = likelihood_model<L> && requires(const L& l) {
  { l.poi() } -> std::convertible_to<std::size_t>;
};

/// A likelihood with start values for its parameters.
template <class L>
concept has_initial_values = likelihood_model<L> && requires(const L& l) {
  { l.initial_values() } -> std::convertible_to<std::span<const double>>;
};

/// A likelihood with constraint terms: each element names its `parameter`, the auxiliary
/// measurement's `center` (global observable) and the pre-fit `width`.
template <class L>
concept constrained_likelihood = likelihood_model<L> && requires(const L& l) {
  { l.constraints().size() } -> std::convertible_to<std::size_t>;
  { l.constraints()[0].parameter } -> std::convertible_to<std::size_t>;
  { l.constraints()[0].center } -> std::convertible_to<double>;
  { l.constraints()[0].width } -> std::convertible_to<double>;
};

/// A likelihood that can generate a pseudo-experiment at θ: a copy with data (and global
/// observables) drawn from the model.
template <class L>
concept sampleable_likelihood = likelihood_model<L> && requires(const L& l, std::span<const double> t, rng& r) {
  { l.sample(t, r) } -> std::convertible_to<L>;
};

/// A likelihood that can replace its data by the Asimov data set at θ (expected values).
template <class L>
concept asimov_likelihood = likelihood_model<L> && requires(const L& l, std::span<const double> t) {
  { l.asimov(t) } -> std::convertible_to<L>;
};

/// The errordef of a likelihood: `l.errordef()` if it has one, else 0.5 (-ln L).
template <class L>
inline double errordef_of(const L& l) {
  if constexpr (requires { { l.errordef() } -> std::convertible_to<double>; }) return l.errordef();
  else return 0.5;
}

}  // namespace hepad

#endif  // HEPAD_CORE_CONCEPTS_LIKELIHOOD_HPP
