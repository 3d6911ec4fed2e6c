// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/transformers.hpp
/// @brief Elementwise monotone maps ("transformers") u = tau(x; p) that autoregressive and
/// coupling layers apply to one feature given the parameters p produced by their conditioner:
/// affine in two parameterisations and the rational-quadratic spline. Each gives forward
/// (density direction), inverse, log|du/dx|, and the reverse-mode adjoint. Not here: the layers
/// (autoregressive.hpp, coupling.hpp).
#ifndef HEPAD_FLOWS_TRANSFORMERS_HPP
#define HEPAD_FLOWS_TRANSFORMERS_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/flows/rq_spline.hpp>

#include <cmath>
#include <cstdint>
#include <string_view>
#include <tuple>

namespace hepad::flows {

/// Parameterisation of an affine transformer.
enum class affine_kind : int {
  /// p = (m, a): u = (x - m) exp(-a), log|du/dx| = -a (Papamakarios et al.; the peer benchmark).
  /// No clamping of a.
  exp_scale = 0,
  /// p = (a, t): u = s x + t with s = softplus(a) + min_scale, log|du/dx| = log s (nflows'
  /// MaskedAffineAutoregressiveTransform / AffineCouplingTransform with softplus scale).
  softplus_scale = 1
};

/// Configuration of the affine transformer.
struct affine_config {
  affine_kind kind = affine_kind::exp_scale;
  /// softplus_scale: the constant added to softplus(a) (nflows: 1e-3).
  double min_scale = 1e-3;
  static constexpr std::string_view name = "affine";
  static constexpr auto fields() {
    return std::tuple{config::field{"kind", &affine_config::kind},
                      config::field{"min_scale", &affine_config::min_scale}};
  }
};

namespace detail {
template <class S>
inline S softplus_(S v) noexcept {
  return v > S(20) ? v : std::log1p(std::exp(v));
}
template <class S>
inline S sigmoid_(S v) noexcept {
  return v >= S(0) ? S(1) / (S(1) + std::exp(-v)) : std::exp(v) / (S(1) + std::exp(v));
}
}  // namespace detail

/// Affine transformer (2 parameters per feature).
template <class S>
struct affine_transformer {
  affine_config cfg{};

  static constexpr std::string_view name = "affine";
  [[nodiscard]] static constexpr index_t n_params() noexcept { return 2; }

  /// u = tau(x; p); `ld` receives log|du/dx|.
  S forward(S x, const S* p, S& ld) const noexcept {
    if (cfg.kind == affine_kind::exp_scale) {
      ld = -p[1];
      return (x - p[0]) * std::exp(-p[1]);
    }
    const S s = detail::softplus_(p[0]) + static_cast<S>(cfg.min_scale);
    ld = std::log(s);
    return s * x + p[1];
  }
  /// x = tau^-1(u; p); `ld` receives log|dx/du|.
  S inverse(S u, const S* p, S& ld) const noexcept {
    if (cfg.kind == affine_kind::exp_scale) {
      ld = p[1];
      return u * std::exp(p[1]) + p[0];
    }
    const S s = detail::softplus_(p[0]) + static_cast<S>(cfg.min_scale);
    ld = -std::log(s);
    return (u - p[1]) / s;
  }
  /// Adjoint: writes dL/dp into gp (assigned) and returns the direct dL/dx, given gu = dL/du and
  /// gl = dL/d(log|du/dx|).
  S backward(S x, const S* p, S gu, S gl, S* gp) const noexcept {
    if (cfg.kind == affine_kind::exp_scale) {
      const S e = std::exp(-p[1]);
      const S u = (x - p[0]) * e;
      gp[0] = -gu * e;
      gp[1] = -gu * u - gl;
      return gu * e;
    }
    const S s = detail::softplus_(p[0]) + static_cast<S>(cfg.min_scale);
    gp[0] = (gu * x + gl / s) * detail::sigmoid_(p[0]);
    gp[1] = gu;
    return gu * s;
  }
};

/// Rational-quadratic spline transformer (3K - 1 parameters per feature: K widths, K heights,
/// K - 1 interior derivatives, in that order). `param_scale` multiplies the raw widths and heights
/// (nflows divides them by sqrt(hidden width) of the conditioner).
template <class S>
struct spline_transformer {
  rq_spline_config cfg{};
  double param_scale = 1.0;

  static constexpr std::string_view name = "rq_spline";
  [[nodiscard]] index_t n_params() const noexcept { return 3 * cfg.n_bins - 1; }

  S forward(S x, const S* p, S& ld) const noexcept {
    S buf[2 * detail::rq_knots<S>::max_bins];
    const S* w = scaled(p, buf);
    return rq_spline_forward(x, w, w + cfg.n_bins, p + 2 * cfg.n_bins, cfg, &ld);
  }
  S inverse(S u, const S* p, S& ld) const noexcept {
    S buf[2 * detail::rq_knots<S>::max_bins];
    const S* w = scaled(p, buf);
    return rq_spline_inverse(u, w, w + cfg.n_bins, p + 2 * cfg.n_bins, cfg, &ld);
  }
  S backward(S x, const S* p, S gu, S gl, S* gp) const noexcept {
    const index_t K = cfg.n_bins, m = 3 * K - 1;
    for (index_t j = 0; j < m; ++j) gp[j] = S(0);
    S buf[2 * detail::rq_knots<S>::max_bins];
    const S* w = scaled(p, buf);
    const S gx = rq_spline_backward(x, w, w + K, p + 2 * K, cfg, gu, gl, gp, gp + K, gp + 2 * K);
    if (param_scale != 1.0)
      for (index_t j = 0; j < 2 * K; ++j) gp[j] *= static_cast<S>(param_scale);
    return gx;
  }

 private:
  const S* scaled(const S* p, S* buf) const noexcept {
    if (param_scale == 1.0) return p;
    const auto sc = static_cast<S>(param_scale);
    for (index_t j = 0; j < 2 * cfg.n_bins; ++j) buf[j] = p[j] * sc;
    return buf;
  }
};

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_TRANSFORMERS_HPP
