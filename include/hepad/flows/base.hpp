// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/base.hpp
/// @brief Base distributions of flows: `standard_normal<S>`; `frozen<F>`, any trained flow used as
/// the base of another (its parameters are constants, gradients flow through it to the events:
/// the "Morph" / flows-for-flows construction); `density_base<D>`, any differentiable density
/// estimator (GMM, KDE, ensembles) as a base. Not here: the flow itself (flow.hpp).
#ifndef HEPAD_FLOWS_BASE_HPP
#define HEPAD_FLOWS_BASE_HPP

#include <hepad/autodiff/tape.hpp>
#include <hepad/core/concepts/density.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>
#include <hepad/density/concepts.hpp>
#include <hepad/flows/concepts.hpp>
#include <hepad/flows/detail/tape_support.hpp>

#include <cmath>
#include <cstdint>
#include <utility>

namespace hepad::flows {

/// The standard normal N(0, I_D) (unconditional; the context is ignored).
template <class S>
struct standard_normal {
  using scalar_type = S;
  static constexpr double log_2pi = 1.8378770664093454835606594728112;

  /// log N(u; 0, I) per row.
  [[nodiscard]] vector<S> log_prob(matrix_cref<S> u, matrix_cref<S> = matrix<S>()) const {
    const S k = static_cast<S>(-0.5 * log_2pi * static_cast<double>(u.cols()));
    return (S(-0.5) * u.rowwise().squaredNorm()).array() + k;
  }
  /// One event per context row (D = `n_features`, set by the flow).
  [[nodiscard]] matrix<S> sample(matrix_cref<S> c, rng& r) const { return sample(c.rows(), r); }
  [[nodiscard]] matrix<S> sample(std::int64_t n, rng& r) const {
    matrix<S> z(n, n_features_);
    S* p = z.data();
    for (index_t k = 0; k < z.size(); ++k) p[k] = r.normal<S>();
    return z;
  }
  [[nodiscard]] std::int64_t n_features() const noexcept { return n_features_; }
  void set_n_features(std::int64_t d) noexcept { n_features_ = d; }

  /// Tape version: log N(u; 0, I) (n x 1) with d/du = -u.
  autodiff::node<S> log_prob(autodiff::tape<S>& t, autodiff::node<S> u, autodiff::node<S>) {
    const index_t n = u.rows(), D = u.cols();
    autodiff::node<S> lp = t.make(n, 1, u.requires_grad());
    const S k = static_cast<S>(-0.5 * log_2pi * static_cast<double>(D));
    const S* uv = u.value().data();
    S* out = lp.mutable_value().data();
    for (index_t i = 0; i < n; ++i) {
      S s = 0;
      for (index_t j = 0; j < D; ++j) s += uv[i * D + j] * uv[i * D + j];
      out[i] = S(-0.5) * s + k;
    }
    t.on_backward(lp, [u, lp, n, D] {
      const S* g = autodiff::out_grad(lp).data();
      const S* uv_ = u.value().data();
      S* gu = detail::param_leaves<S>::writable(u);
      for (index_t i = 0; i < n; ++i)
        for (index_t j = 0; j < D; ++j) gu[i * D + j] -= g[i] * uv_[i * D + j];
    });
    return lp;
  }

  std::int64_t n_features_ = 0;
};

/// A trained flow (or any type with the flow's tape interface) used, frozen, as a base
/// distribution: log_prob and sampling are the flow's; on the tape its parameters are constants
/// while gradients flow to the events (so a flow on top of it trains by maximum likelihood).
/// @tparam F a flow type (flows::flow or a policy holding one).
template <class F>
class frozen {
 public:
  using scalar_type = typename F::scalar_type;
  using S = scalar_type;

  frozen() = default;
  explicit frozen(F f) : f_(std::move(f)) {}

  [[nodiscard]] vector<S> log_prob(matrix_cref<S> u, matrix_cref<S> c) const { return f_.log_prob(u, c); }
  [[nodiscard]] matrix<S> sample(matrix_cref<S> c, rng& r) const { return f_.sample(c, r); }
  [[nodiscard]] std::int64_t n_features() const { return f_.n_features(); }
  void set_n_features(std::int64_t) noexcept {}
  autodiff::node<S> log_prob(autodiff::tape<S>& t, autodiff::node<S> u, autodiff::node<S> c) {
    return f_.log_prob(t, u, c, false);
  }
  [[nodiscard]] const F& flow() const noexcept { return f_; }
  [[nodiscard]] F& flow() noexcept { return f_; }

 private:
  F f_{};
};

/// Any density estimator with `grad_log_prob` as a base distribution (unconditional densities
/// ignore the context; conditional ones receive it). Its parameters are never trained.
/// @tparam D a (conditional) differentiable density, e.g. density::gaussian_mixture.
template <class D>
class density_base {
 public:
  using scalar_type = typename D::scalar_type;
  using S = scalar_type;

  density_base() = default;
  explicit density_base(D d) : d_(std::move(d)) {}

  [[nodiscard]] vector<S> log_prob(matrix_cref<S> u, matrix_cref<S> c) const {
    if constexpr (requires { d_.log_prob(u, c); })
      return d_.log_prob(u, c);
    else
      return d_.log_prob(u);
  }
  [[nodiscard]] matrix<S> sample(matrix_cref<S> c, rng& r) const {
    if constexpr (requires { d_.sample(c, r); })
      return d_.sample(c, r);
    else
      return d_.sample(c.rows(), r);
  }
  [[nodiscard]] std::int64_t n_features() const { return d_.n_features(); }
  void set_n_features(std::int64_t) noexcept {}

  /// Tape version: the density's log p with its gradient (evaluated once, in the forward pass).
  autodiff::node<S> log_prob(autodiff::tape<S>& t, autodiff::node<S> u, autodiff::node<S> c) {
    const index_t n = u.rows(), Dn = u.cols();
    const Eigen::Map<const matrix<S>> uv(u.value().data(), n, Dn), cv(c.value().data(), c.rows(), c.cols());
    autodiff::node<S> lp = t.make(n, 1, u.requires_grad());
    lp.mutable_value() = log_prob(uv, cv);
    if (!u.requires_grad()) return lp;
    matrix<S> g;
    if constexpr (requires { d_.grad_log_prob(uv, cv); })
      g = d_.grad_log_prob(uv, cv);
    else
      g = d_.grad_log_prob(uv);
    S* gs = t.template allocate<S>(static_cast<std::size_t>(n * Dn));
    std::copy(g.data(), g.data() + n * Dn, gs);
    t.on_backward(lp, [u, lp, n, Dn, gs] {
      const S* gl = autodiff::out_grad(lp).data();
      S* gu = detail::param_leaves<S>::writable(u);
      for (index_t i = 0; i < n; ++i)
        for (index_t j = 0; j < Dn; ++j) gu[i * Dn + j] += gl[i] * gs[i * Dn + j];
    });
    return lp;
  }
  [[nodiscard]] const D& density() const noexcept { return d_; }

 private:
  D d_{};
};

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_BASE_HPP
