// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/rq_spline.hpp
/// @brief The monotone rational-quadratic spline of neural spline flows (Durkan et al. 2019) as
/// pure scalar functions: forward, inverse, log|dy/dx|, and the reverse-mode adjoint of the
/// forward with respect to the input and the unnormalised bin parameters. K bins on [-B, B] with
/// LINEAR (identity) TAILS outside, boundary derivatives 1, so the map is C^1 on all of R and no
/// finite input or finite parameter yields NaN or inf. Conventions follow nflows'
/// `unconstrained_rational_quadratic_spline(tails="linear")`. Not here: the transforms that
/// produce the parameters (rq_autoregressive.hpp, rq_coupling.hpp).
#ifndef HEPAD_FLOWS_RQ_SPLINE_HPP
#define HEPAD_FLOWS_RQ_SPLINE_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <tuple>

namespace hepad::flows {

/// Shape of a rational-quadratic spline.
struct rq_spline_config {
  /// Number of bins K (each transformed feature takes 3K - 1 unnormalised parameters: K widths,
  /// K heights, K - 1 interior derivatives).
  std::int64_t n_bins = 8;
  /// The spline acts on [-tail_bound, tail_bound]; identity outside.
  double tail_bound = 3.0;
  double min_bin_width = 1e-3;
  double min_bin_height = 1e-3;
  double min_derivative = 1e-3;
  static constexpr std::string_view name = "rq_spline";
  static constexpr auto fields() {
    return std::tuple{config::field{"n_bins", &rq_spline_config::n_bins},
                      config::field{"tail_bound", &rq_spline_config::tail_bound},
                      config::field{"min_bin_width", &rq_spline_config::min_bin_width},
                      config::field{"min_bin_height", &rq_spline_config::min_bin_height},
                      config::field{"min_derivative", &rq_spline_config::min_derivative}};
  }
  /// Unnormalised parameters per transformed feature.
  [[nodiscard]] constexpr std::int64_t n_params() const noexcept { return 3 * n_bins - 1; }
  /// @throws invalid_argument naming `fn` and the field.
  void validate(std::string_view fn) const {
    check_in_range(fn, "rq_spline.n_bins", n_bins, std::int64_t{2}, std::int64_t{128});
    check_positive(fn, "rq_spline.tail_bound", tail_bound);
    check_finite(fn, "rq_spline.tail_bound", tail_bound);
    check_positive(fn, "rq_spline.min_bin_width", min_bin_width);
    check_positive(fn, "rq_spline.min_bin_height", min_bin_height);
    check_positive(fn, "rq_spline.min_derivative", min_derivative);
    if (!(min_bin_width * static_cast<double>(n_bins) < 1.0) ||
        !(min_bin_height * static_cast<double>(n_bins) < 1.0))
      throw_invalid_argument(fn, "rq_spline.min_bin_width and min_bin_height must be < 1 / n_bins");
    if (!(min_derivative < 1.0)) throw_invalid_argument(fn, "rq_spline.min_derivative must be < 1");
  }
};

namespace detail {

/// Knots of one spline built from the unnormalised parameters (stack storage, K <= max_bins).
template <class S>
struct rq_knots {
  static constexpr int max_bins = 128;
  int K = 0;
  S cw[max_bins + 1], ch[max_bins + 1], d[max_bins + 1];  // cumulative widths/heights, derivatives
  S sw[max_bins], sh[max_bins];                           // softmax of the raw widths/heights
};

template <class S>
inline S softplus(S v) noexcept {
  return v > S(20) ? v : std::log1p(std::exp(v));
}
template <class S>
inline S sigmoid(S v) noexcept {
  return v >= S(0) ? S(1) / (S(1) + std::exp(-v)) : std::exp(v) / (S(1) + std::exp(v));
}

template <class S>
inline void rq_softmax(const S* raw, int K, S* out) noexcept {
  S m = raw[0];
  for (int i = 1; i < K; ++i) m = (std::max)(m, raw[i]);
  S s = 0;
  for (int i = 0; i < K; ++i) s += (out[i] = std::exp(raw[i] - m));
  for (int i = 0; i < K; ++i) out[i] /= s;
}

/// Builds knots: widths = minw + (1 - minw K) softmax(uw), scaled to [-B, B] with the end knots
/// pinned; likewise heights; derivatives = mind + softplus(ud) inside and 1 at both ends.
template <class S>
inline void rq_build(const S* uw, const S* uh, const S* ud, const rq_spline_config& c, rq_knots<S>& k) noexcept {
  const int K = static_cast<int>(c.n_bins);
  k.K = K;
  const S B = static_cast<S>(c.tail_bound), minw = static_cast<S>(c.min_bin_width),
          minh = static_cast<S>(c.min_bin_height), mind = static_cast<S>(c.min_derivative);
  rq_softmax(uw, K, k.sw);
  rq_softmax(uh, K, k.sh);
  S aw = 0, ah = 0;
  k.cw[0] = -B;
  k.ch[0] = -B;
  for (int i = 0; i < K; ++i) {
    aw += minw + (S(1) - minw * static_cast<S>(K)) * k.sw[i];
    ah += minh + (S(1) - minh * static_cast<S>(K)) * k.sh[i];
    k.cw[i + 1] = S(2) * B * aw - B;
    k.ch[i + 1] = S(2) * B * ah - B;
  }
  k.cw[K] = B;
  k.ch[K] = B;
  k.d[0] = S(1);
  k.d[K] = S(1);
  for (int i = 1; i < K; ++i) k.d[i] = mind + softplus(ud[i - 1]);
}

/// Index of the bin [v[b], v[b+1]) holding x (x == v[K] goes to the last bin).
template <class S>
inline int rq_bin(const S* v, int K, S x) noexcept {
  const S* it = std::upper_bound(v + 1, v + K, x);
  return static_cast<int>(it - v) - 1;
}

}  // namespace detail

/// y = f(x) for one element; `*logdet` receives log|dy/dx| (0 in the tails).
/// @param uw, uh K unnormalised widths and heights; @param ud K - 1 unnormalised interior derivatives.
/// NaN in gives NaN out (callers check their inputs); any finite input gives a finite result.
template <class S>
inline S rq_spline_forward(S x, const S* uw, const S* uh, const S* ud, const rq_spline_config& c,
                           S* logdet) noexcept {
  const S B = static_cast<S>(c.tail_bound);
  if (!(x >= -B && x <= B)) {
    *logdet = S(0);
    return x;
  }
  detail::rq_knots<S> k;
  detail::rq_build(uw, uh, ud, c, k);
  const int b = detail::rq_bin(k.cw, k.K, x);
  const S wk = k.cw[b + 1] - k.cw[b], hk = k.ch[b + 1] - k.ch[b], s = hk / wk;
  const S dk = k.d[b], dk1 = k.d[b + 1];
  const S th = std::clamp((x - k.cw[b]) / wk, S(0), S(1)), T = th * (S(1) - th);
  const S den = s + (dk + dk1 - S(2) * s) * T;
  const S num = hk * (s * th * th + dk * T);
  const S P = dk1 * th * th + S(2) * s * T + dk * (S(1) - th) * (S(1) - th);
  *logdet = S(2) * std::log(s) + std::log(P) - S(2) * std::log(den);
  return k.ch[b] + num / den;
}

/// x = f^-1(y) for one element; `*logdet` receives log|dx/dy| = -log|dy/dx| at x.
template <class S>
inline S rq_spline_inverse(S y, const S* uw, const S* uh, const S* ud, const rq_spline_config& c,
                           S* logdet) noexcept {
  const S B = static_cast<S>(c.tail_bound);
  if (!(y >= -B && y <= B)) {
    *logdet = S(0);
    return y;
  }
  detail::rq_knots<S> k;
  detail::rq_build(uw, uh, ud, c, k);
  const int b = detail::rq_bin(k.ch, k.K, y);
  const S wk = k.cw[b + 1] - k.cw[b], hk = k.ch[b + 1] - k.ch[b], s = hk / wk;
  const S dk = k.d[b], dk1 = k.d[b + 1], A = dk + dk1 - S(2) * s;
  const S dy = y - k.ch[b];
  const S qa = dy * A + hk * (s - dk);
  const S qb = hk * dk - dy * A;
  const S qc = -s * dy;
  const S disc = (std::max)(qb * qb - S(4) * qa * qc, S(0));
  const S denom = -qb - std::sqrt(disc);
  const S th = denom != S(0) ? std::clamp(S(2) * qc / denom, S(0), S(1)) : S(0);
  const S T = th * (S(1) - th);
  const S den = s + A * T;
  const S P = dk1 * th * th + S(2) * s * T + dk * (S(1) - th) * (S(1) - th);
  *logdet = -(S(2) * std::log(s) + std::log(P) - S(2) * std::log(den));
  return k.cw[b] + th * wk;
}

/// Reverse-mode adjoint of `rq_spline_forward`: given gy = dL/dy and gl = dL/d(logdet), adds
/// dL/d(uw), dL/d(uh), dL/d(ud) into `g_uw`, `g_uh`, `g_ud` and returns dL/dx. In the tails
/// the parameters get no gradient and dL/dx = gy. Exact (no finite differences); O(K).
template <class S>
inline S rq_spline_backward(S x, const S* uw, const S* uh, const S* ud, const rq_spline_config& c,
                            S gy, S gl, S* g_uw, S* g_uh, S* g_ud) noexcept {
  const S B = static_cast<S>(c.tail_bound);
  if (!(x >= -B && x <= B)) return gy;
  detail::rq_knots<S> k;
  detail::rq_build(uw, uh, ud, c, k);
  const int K = k.K;
  const int b = detail::rq_bin(k.cw, K, x);
  const S wk = k.cw[b + 1] - k.cw[b], hk = k.ch[b + 1] - k.ch[b], s = hk / wk;
  const S dk = k.d[b], dk1 = k.d[b + 1], A = dk + dk1 - S(2) * s;
  const S th = std::clamp((x - k.cw[b]) / wk, S(0), S(1)), T = th * (S(1) - th), Tp = S(1) - S(2) * th;
  const S den = s + A * T, den2 = den * den;
  const S num = hk * (s * th * th + dk * T);
  const S P = dk1 * th * th + S(2) * s * T + dk * (S(1) - th) * (S(1) - th);
  // Partials of y and L = log|dy/dx| in the local variables (theta, s, hk, dk, dk1, yk).
  const S y_th = (hk * (S(2) * s * th + dk * Tp) * den - num * A * Tp) / den2;
  const S y_s = (hk * th * th * den - num * (S(1) - S(2) * T)) / den2;
  const S y_hk = (s * th * th + dk * T) / den;
  const S y_dk = (hk * T * den - num * T) / den2;
  const S y_dk1 = -num * T / den2;
  const S L_th = (S(2) * dk1 * th + S(2) * s * Tp - S(2) * dk * (S(1) - th)) / P - S(2) * A * Tp / den;
  const S L_s = S(2) / s + S(2) * T / P - S(2) * (S(1) - S(2) * T) / den;
  const S L_dk = (S(1) - th) * (S(1) - th) / P - S(2) * T / den;
  const S L_dk1 = th * th / P - S(2) * T / den;
  const S G_th = gy * y_th + gl * L_th, G_s = gy * y_s + gl * L_s;
  const S G_dk = gy * y_dk + gl * L_dk, G_dk1 = gy * y_dk1 + gl * L_dk1;
  // theta = (x - xk) / wk, s = hk / wk.
  const S gx = G_th / wk;
  const S G_xk = -G_th / wk;
  const S G_wk = -G_th * th / wk - G_s * s / wk;
  const S G_hk = gy * y_hk + G_s / wk;
  const S G_yk = gy;
  // Knot adjoints (the end knots are constants: their adjoints are dropped).
  S gcw[detail::rq_knots<S>::max_bins + 1] = {}, gch[detail::rq_knots<S>::max_bins + 1] = {};
  gcw[b] += G_xk - G_wk;
  gcw[b + 1] += G_wk;
  gch[b] += G_yk - G_hk;
  gch[b + 1] += G_hk;
  // cw[j] = 2B sum_{i<j} wn_i - B for j = 1..K-1, wn = minw + (1 - minw K) softmax(uw).
  const S scale_w = S(2) * B * (S(1) - static_cast<S>(c.min_bin_width) * static_cast<S>(K));
  const S scale_h = S(2) * B * (S(1) - static_cast<S>(c.min_bin_height) * static_cast<S>(K));
  S gsw[detail::rq_knots<S>::max_bins], gsh[detail::rq_knots<S>::max_bins];
  S accw = 0, acch = 0;
  for (int i = K - 1; i >= 0; --i) {  // g wn_i = sum_{j = i+1}^{K-1} g cw_j
    gsw[i] = accw * scale_w;
    gsh[i] = acch * scale_h;
    if (i >= 1) {
      accw += gcw[i];
      acch += gch[i];
    }
  }
  S dotw = 0, doth = 0;
  for (int i = 0; i < K; ++i) {
    dotw += k.sw[i] * gsw[i];
    doth += k.sh[i] * gsh[i];
  }
  for (int i = 0; i < K; ++i) {
    g_uw[i] += k.sw[i] * (gsw[i] - dotw);
    g_uh[i] += k.sh[i] * (gsh[i] - doth);
  }
  // d_j = mind + softplus(ud_{j-1}) for j = 1..K-1.
  if (b >= 1) g_ud[b - 1] += G_dk * detail::sigmoid(ud[b - 1]);
  if (b + 1 <= K - 1) g_ud[b] += G_dk1 * detail::sigmoid(ud[b]);
  return gx;
}

}  // namespace hepad::flows

#endif  // HEPAD_FLOWS_RQ_SPLINE_HPP
