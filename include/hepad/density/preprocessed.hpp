// SPDX-License-Identifier: BSL-1.0
/// @file hepad/density/preprocessed.hpp
/// @brief `density::preprocessed<D, P, PC>`: a density estimator trained in a preprocessed space
/// y = T(x) but reported in the physical space: log p_x(x) = log p_y(T(x)) + log|det dT/dx|, and
/// samples mapped back with T^-1. Works for any density estimator (flows, KDE, GMM, histograms)
/// and any invertible preprocessor (hepad::invertible_preprocessor); context columns may have
/// their own preprocessor (no Jacobian is needed for them: p(x | c) is a density in x only).
#ifndef HEPAD_DENSITY_PREPROCESSED_HPP
#define HEPAD_DENSITY_PREPROCESSED_HPP

#include <hepad/core/concepts/density.hpp>
#include <hepad/core/concepts/fit.hpp>
#include <hepad/core/concepts/preprocessor.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/density/concepts.hpp>

#include <cstdint>
#include <utility>

namespace hepad::density {

/// The identity preprocessor (default for context columns).
template <class S>
struct identity_preprocessor {
  static constexpr bool stateless = true;
  void fit(matrix_cref<S>) {}
  void fit(matrix_cref<S>, vector_cref<S>) {}
  [[nodiscard]] matrix<S> transform(matrix_cref<S> x) const { return x; }
  [[nodiscard]] matrix<S> inverse_transform(matrix_cref<S> x) const { return x; }
  [[nodiscard]] vector<S> log_abs_det_jacobian(matrix_cref<S> x) const {
    return vector<S>::Zero(x.rows());
  }
};

/// Density `D` fitted on T(x) for an invertible preprocessor `P`, reported in the space of x.
///
/// `fit` first fits `P` on x (with the weights when P accepts them), then `D` on T(x). For a
/// conditional `D` the context is transformed by `PC` (fitted likewise). `log_prob` adds the
/// per-event log|det dT/dx|; `sample` returns T^-1 of the inner samples; `grad_log_prob` is not
/// offered (it would need the preprocessor's Jacobian).
/// @tparam D density estimator on the preprocessed space; @tparam P invertible preprocessor of x;
/// @tparam PC preprocessor of the context columns.
template <class D, class P, class PC = identity_preprocessor<density_scalar_t<D>>>
class preprocessed {
 public:
  using scalar_type = density_scalar_t<D>;
  using S = scalar_type;
  static_assert(invertible_preprocessor<P, S>,
                "density::preprocessed: P must model hepad::invertible_preprocessor (transform, "
                "inverse_transform, log_abs_det_jacobian); see docs/concepts/preprocessor.md");

  explicit preprocessed(D inner = {}, P pre = {}, PC context_pre = {})
      : inner_(std::move(inner)), pre_(std::move(pre)), cpre_(std::move(context_pre)) {}

  auto fit(matrix_cref<S> x, rng& r) {
    pre_.fit(x);
    const matrix<S> y = pre_.transform(x);
    return hepad::fit(inner_, r, matrix_cref<S>(y));
  }
  /// (x, weights) if `a` is a column vector, else (x, context).
  template <class A>
  auto fit(matrix_cref<S> x, const A& a, rng& r) {
    if constexpr (column_vector_expr<A>) {
      const vector_cref<S> w(a);
      fit_pre(pre_, x, &w);
      const matrix<S> y = pre_.transform(x);
      return hepad::fit(inner_, r, matrix_cref<S>(y), w);
    } else {
      const matrix_cref<S> c(a);
      pre_.fit(x);
      cpre_.fit(c);
      const matrix<S> y = pre_.transform(x), cy = cpre_.transform(c);
      return hepad::fit(inner_, r, matrix_cref<S>(y), matrix_cref<S>(cy));
    }
  }
  auto fit(matrix_cref<S> x, matrix_cref<S> c, vector_cref<S> w, rng& r) {
    fit_pre(pre_, x, &w);
    fit_pre(cpre_, c, &w);
    const matrix<S> y = pre_.transform(x), cy = cpre_.transform(c);
    return hepad::fit(inner_, r, matrix_cref<S>(y), matrix_cref<S>(cy), w);
  }

  [[nodiscard]] vector<S> log_prob(matrix_cref<S> x) const
    requires requires(const D& d, matrix_cref<S> y) { d.log_prob(y); }
  {
    const matrix<S> y = pre_.transform(x);
    return vector<S>(inner_.log_prob(y)) + vector<S>(pre_.log_abs_det_jacobian(x));
  }
  [[nodiscard]] vector<S> log_prob(matrix_cref<S> x, matrix_cref<S> c) const
    requires requires(const D& d, matrix_cref<S> y) { d.log_prob(y, y); }
  {
    const matrix<S> y = pre_.transform(x), cy = cpre_.transform(c);
    return vector<S>(inner_.log_prob(y, cy)) + vector<S>(pre_.log_abs_det_jacobian(x));
  }
  [[nodiscard]] matrix<S> sample(std::int64_t n, rng& r) const
    requires sampler<D, S>
  {
    const matrix<S> y = inner_.sample(n, r);
    return pre_.inverse_transform(y);
  }
  [[nodiscard]] matrix<S> sample(matrix_cref<S> c, rng& r) const
    requires requires(const D& d, matrix_cref<S> cc, rng& rr) { d.sample(cc, rr); }
  {
    const matrix<S> cy = cpre_.transform(c);
    const matrix<S> y = inner_.sample(matrix_cref<S>(cy), r);
    return pre_.inverse_transform(y);
  }

  [[nodiscard]] std::int64_t n_features() const { return inner_.n_features(); }
  [[nodiscard]] std::int64_t n_context() const
    requires requires(const D& d) { d.n_context(); }
  {
    return inner_.n_context();
  }
  [[nodiscard]] D& inner() noexcept { return inner_; }
  [[nodiscard]] const D& inner() const noexcept { return inner_; }
  [[nodiscard]] const P& preprocessor() const noexcept { return pre_; }
  [[nodiscard]] const PC& context_preprocessor() const noexcept { return cpre_; }

 private:
  template <class Q, class M>
  static void fit_pre(Q& q, const M& m, const vector_cref<S>* w) {
    if constexpr (weighted_preprocessor<Q, S>)
      q.fit(m, *w);
    else
      q.fit(m);
  }

  D inner_;
  P pre_;
  PC cpre_;
};

}  // namespace hepad::density

#endif  // HEPAD_DENSITY_PREPROCESSED_HPP
