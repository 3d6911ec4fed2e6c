// SPDX-License-Identifier: BSL-1.0
/// @file hepad/stats/objective.hpp
/// @brief Objectives for the minimizer: `autodiff_objective` turns a generic function
/// `T f(std::span<const T>)` into a `twice_differentiable_objective` with exact forward-mode
/// gradients and Hessians; `likelihood_objective` presents a `likelihood_model` that is not itself
/// an objective (only `nll`, optionally `nll_gradient` / `nll_hessian`) to the minimizer;
/// `as_objective` accepts all three forms.
///
/// Not here: the minimizer (stats/minimize.hpp) and likelihood models (stats/likelihood/).
#ifndef HEPAD_STATS_OBJECTIVE_HPP
#define HEPAD_STATS_OBJECTIVE_HPP

#include <hepad/autodiff/forward/derivatives.hpp>
#include <hepad/autodiff/forward/dual.hpp>
#include <hepad/autodiff/forward/dual2.hpp>
#include <hepad/core/concepts/likelihood.hpp>
#include <hepad/core/concepts/objective.hpp>

#include <concepts>
#include <span>
#include <type_traits>
#include <utility>

namespace hepad::stats {

/// Chunk width of the forward-mode passes (gradient directions per pass; Hessian blocks of half).
inline constexpr int autodiff_width = 8;

/// `F` is a generic function of the parameters that can be evaluated with `double` and with the
/// forward-mode types (`f(std::span<const T>)` returning `T`), e.g. a generic lambda.
template <class F>
concept autodiff_function = requires(const F& f, std::span<const double> p,
                                     std::span<const autodiff::forward::dual<double, autodiff_width>> d,
                                     std::span<const autodiff::forward::dual2<autodiff_width>> d2) {
  { f(p) } -> std::convertible_to<double>;
  { f(d) } -> std::convertible_to<autodiff::forward::dual<double, autodiff_width>>;
  { f(d2) } -> std::convertible_to<autodiff::forward::dual2<autodiff_width>>;
};

/// A generic function made into a `twice_differentiable_objective` with exact derivatives.
/// It also offers `diagonal_hessian` (n cheap one-direction second-order passes).
template <class F>
class autodiff_objective {
 public:
  explicit autodiff_objective(F f) : f_(std::move(f)) {}
  [[nodiscard]] double evaluate(std::span<const double> p) const { return static_cast<double>(f_(p)); }
  double evaluate_with_gradient(std::span<const double> p, std::span<double> g) const {
    return autodiff::forward::gradient<autodiff_width>(f_, p, g);
  }
  double evaluate_with_hessian(std::span<const double> p, std::span<double> g, std::span<double> h) const {
    return autodiff::forward::hessian<autodiff_width>(f_, p, g, h);
  }
  /// Diagonal of the Hessian (one `dual2<1>` pass per parameter).
  void diagonal_hessian(std::span<const double> p, std::span<double> d) const {
    using D = autodiff::forward::dual2<1>;
    std::vector<D> x(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
      for (std::size_t j = 0; j < p.size(); ++j) x[j] = D(p[j]);
      x[i].g[0] = 1.0;
      d[i] = f_(std::span<const D>(x)).h[0];
    }
  }
  /// The wrapped function.
  [[nodiscard]] const F& function() const noexcept { return f_; }

 private:
  F f_;
};

/// A `likelihood_model` seen as an objective: `evaluate` is `nll`, and the gradient (Hessian) is
/// there exactly when the likelihood is differentiable (twice differentiable); `kinks()` is
/// forwarded when the likelihood has it. Holds a pointer: `l` must outlive it. This is what lets
/// `fit_likelihood`, `conditional_fit` and the test statistics work on any `likelihood_model`,
/// using only what that concept promises.
template <likelihood_model L>
class likelihood_objective {
 public:
  explicit likelihood_objective(const L& l) noexcept : l_(&l) {}
  [[nodiscard]] double evaluate(std::span<const double> p) const { return static_cast<double>(l_->nll(p)); }
  double evaluate_with_gradient(std::span<const double> p, std::span<double> g) const
    requires differentiable_likelihood<L>
  {
    return static_cast<double>(l_->nll_gradient(p, g));
  }
  double evaluate_with_hessian(std::span<const double> p, std::span<double> g, std::span<double> h) const
    requires twice_differentiable_likelihood<L>
  {
    return static_cast<double>(l_->nll_hessian(p, g, h));
  }
  decltype(auto) kinks() const
    requires requires(const L& x) { x.kinks(); }
  {
    return l_->kinks();
  }
  /// The wrapped likelihood.
  [[nodiscard]] const L& likelihood() const noexcept { return *l_; }

 private:
  const L* l_;
};

/// `f` itself if it models `objective`, otherwise `likelihood_objective{f}` for a
/// `likelihood_model`, otherwise `autodiff_objective{f}` for an `autodiff_function`.
template <class F>
decltype(auto) as_objective(const F& f) {
  if constexpr (objective<F>) {
    return (f);
  } else if constexpr (likelihood_model<F>) {
    return likelihood_objective<F>(f);
  } else {
    static_assert(autodiff_function<F>,
                  "hepad::stats: the function to minimize must model hepad::objective (evaluate(p)) or "
                  "hepad::likelihood_model (nll(p), ...) or be a generic callable T f(std::span<const T>) for "
                  "double and the forward-mode dual types (see docs/concepts/objective.md)");
    return autodiff_objective<F>(f);
  }
}

}  // namespace hepad::stats

#endif  // HEPAD_STATS_OBJECTIVE_HPP
