// SPDX-License-Identifier: BSL-1.0
/// @file hepad/density/concepts.hpp
/// @brief Concepts of the density family beyond the core ones (hepad/core/concepts/density.hpp):
/// densities that also give the gradient of log p with respect to x (needed by a flow trained on
/// top of them), and the argument classification the generic adapters use to tell per-event
/// weights (a column vector) from context columns (a matrix). See docs/concepts/density_estimator.md.
#ifndef HEPAD_DENSITY_CONCEPTS_HPP
#define HEPAD_DENSITY_CONCEPTS_HPP

#include <hepad/core/concepts/density.hpp>
#include <hepad/core/eigen.hpp>

#include <concepts>
#include <type_traits>
#include <utility>

namespace hepad::density {

/// An unconditional density that also returns d log p / dx per event.
template <class D, class S>
concept differentiable_density = density_estimator<D, S> && requires(const D& d, matrix_cref<S> x) {
  { d.grad_log_prob(x) } -> std::convertible_to<matrix<S>>;
};

/// A conditional density that also returns d log p(x | c) / dx per event.
template <class D, class S>
concept differentiable_conditional_density =
    conditional_density<D, S> && requires(const D& d, matrix_cref<S> x, matrix_cref<S> c) {
      { d.grad_log_prob(x, c) } -> std::convertible_to<matrix<S>>;
    };

/// An Eigen expression with one column fixed at compile time: passed as the second argument of
/// `fit`, it is read as per-event weights; anything else (a matrix) as context columns.
template <class A>
concept column_vector_expr = requires { std::remove_cvref_t<A>::ColsAtCompileTime; } &&
                             (std::remove_cvref_t<A>::ColsAtCompileTime == 1);

namespace detail {
template <class D>
struct scalar_of_density {
  using type = void;
};
template <class D>
  requires requires { typename D::scalar_type; }
struct scalar_of_density<D> {
  using type = typename D::scalar_type;
};
// Otherwise: the scalar of the vector log_prob returns (unconditional, then conditional form).
template <class D>
  requires(!requires { typename D::scalar_type; } &&
           requires(const D& d, matrix_cref<double> x) { d.log_prob(x); })
struct scalar_of_density<D> {
  using type = typename std::remove_cvref_t<decltype(std::declval<const D&>().log_prob(
      std::declval<matrix_cref<double>>()))>::Scalar;
};
template <class D>
  requires(!requires { typename D::scalar_type; } &&
           !requires(const D& d, matrix_cref<double> x) { d.log_prob(x); } &&
           requires(const D& d, matrix_cref<double> x) { d.log_prob(x, x); })
struct scalar_of_density<D> {
  using type = typename std::remove_cvref_t<decltype(std::declval<const D&>().log_prob(
      std::declval<matrix_cref<double>>(), std::declval<matrix_cref<double>>()))>::Scalar;
};
}  // namespace detail

/// The scalar type of a density estimator: its `scalar_type` if it declares one, otherwise the
/// scalar its `log_prob` accepts (double or float); the concepts do not require `scalar_type`.
template <class D>
using density_scalar_t = typename detail::scalar_of_density<D>::type;

}  // namespace hepad::density

#endif  // HEPAD_DENSITY_CONCEPTS_HPP
