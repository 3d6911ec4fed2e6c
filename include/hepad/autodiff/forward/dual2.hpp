// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/forward/dual2.hpp
/// @brief `dual2<N>`: forward-mode second order. A value, its gradient along `N` seeded directions
/// and the symmetric `N x N` Hessian, stored packed (upper triangle, N(N+1)/2 numbers). About half
/// the work of a nested `dual<dual<double, N>, N>`, and exact (no finite differences).
///
/// The drivers that seed directions and assemble runtime-sized Hessians are in
/// autodiff/forward/derivatives.hpp. Same conventions as dual.hpp: ADL math functions,
/// comparisons on values.
#ifndef HEPAD_AUTODIFF_FORWARD_DUAL2_HPP
#define HEPAD_AUTODIFF_FORWARD_DUAL2_HPP

#include <array>
#include <cmath>
#include <compare>
#include <cstddef>
#include <numbers>
#include <type_traits>

namespace hepad::autodiff::forward {

/// Value, gradient and packed Hessian along `N` directions, in `double`.
template <int N>
struct dual2 {
  static_assert(N >= 1, "hepad::autodiff::forward::dual2 needs at least one direction");
  static constexpr int size = N;
  static constexpr int n_hessian = N * (N + 1) / 2;

  double v = 0;                      ///< value
  std::array<double, N> g{};         ///< gradient
  std::array<double, n_hessian> h{}; ///< Hessian, packed upper triangle row by row

  /// Index of element (i, j), i <= j, in `h`.
  static constexpr int index(int i, int j) noexcept { return i * N - i * (i - 1) / 2 + (j - i); }

  constexpr dual2() = default;
  /// A constant.
  template <class A>
    requires std::is_arithmetic_v<A>
  constexpr dual2(A value) : v(static_cast<double>(value)) {}  // NOLINT(google-explicit-constructor)

  /// The variable `value` seeded along direction `i`.
  static constexpr dual2 variable(double value, int i) {
    dual2 x(value);
    x.g[static_cast<std::size_t>(i)] = 1.0;
    return x;
  }
  /// Hessian element (i, j) for any order of i, j.
  [[nodiscard]] constexpr double hessian(int i, int j) const noexcept {
    return i <= j ? h[static_cast<std::size_t>(index(i, j))] : h[static_cast<std::size_t>(index(j, i))];
  }

  constexpr dual2& operator+=(const dual2& b) {
    v += b.v;
    for (int i = 0; i < N; ++i) g[i] += b.g[i];
    for (int k = 0; k < n_hessian; ++k) h[k] += b.h[k];
    return *this;
  }
  constexpr dual2& operator-=(const dual2& b) {
    v -= b.v;
    for (int i = 0; i < N; ++i) g[i] -= b.g[i];
    for (int k = 0; k < n_hessian; ++k) h[k] -= b.h[k];
    return *this;
  }
  constexpr dual2& operator+=(double b) {
    v += b;
    return *this;
  }
  constexpr dual2& operator-=(double b) {
    v -= b;
    return *this;
  }
  constexpr dual2& operator*=(double b) {
    v *= b;
    for (int i = 0; i < N; ++i) g[i] *= b;
    for (int k = 0; k < n_hessian; ++k) h[k] *= b;
    return *this;
  }
  constexpr dual2& operator/=(double b) { return *this *= 1.0 / b; }
  constexpr dual2& operator*=(const dual2& b) { return *this = *this * b; }
  constexpr dual2& operator/=(const dual2& b) { return *this = *this / b; }

  friend constexpr dual2 operator*(const dual2& a, const dual2& b) {
    dual2 r(a.v * b.v);
    for (int i = 0; i < N; ++i) r.g[i] = a.g[i] * b.v + a.v * b.g[i];
    int k = 0;
    for (int i = 0; i < N; ++i)
      for (int j = i; j < N; ++j, ++k)
        r.h[k] = a.v * b.h[k] + b.v * a.h[k] + a.g[i] * b.g[j] + a.g[j] * b.g[i];
    return r;
  }
  /// f(a) from f(a.v), f'(a.v), f''(a.v).
  friend constexpr dual2 chain2(const dual2& a, double f, double d1, double d2) {
    dual2 r(f);
    for (int i = 0; i < N; ++i) r.g[i] = d1 * a.g[i];
    int k = 0;
    for (int i = 0; i < N; ++i)
      for (int j = i; j < N; ++j, ++k) r.h[k] = d1 * a.h[k] + d2 * a.g[i] * a.g[j];
    return r;
  }
  friend constexpr dual2 operator/(const dual2& a, const dual2& b) {
    const double inv = 1.0 / b.v;
    return a * chain2(b, inv, -inv * inv, 2.0 * inv * inv * inv);
  }
};

template <int N>
constexpr dual2<N> operator+(const dual2<N>& a) { return a; }
template <int N>
constexpr dual2<N> operator-(dual2<N> a) { return a *= -1.0; }
template <int N>
constexpr dual2<N> operator+(dual2<N> a, const dual2<N>& b) { return a += b; }
template <int N>
constexpr dual2<N> operator-(dual2<N> a, const dual2<N>& b) { return a -= b; }
template <int N, class U> requires std::is_arithmetic_v<U>
constexpr dual2<N> operator+(dual2<N> a, U b) { return a += static_cast<double>(b); }
template <int N, class U> requires std::is_arithmetic_v<U>
constexpr dual2<N> operator+(U b, dual2<N> a) { return a += static_cast<double>(b); }
template <int N, class U> requires std::is_arithmetic_v<U>
constexpr dual2<N> operator-(dual2<N> a, U b) { return a -= static_cast<double>(b); }
template <int N, class U> requires std::is_arithmetic_v<U>
constexpr dual2<N> operator-(U b, dual2<N> a) {
  a *= -1.0;
  return a += static_cast<double>(b);
}
template <int N, class U> requires std::is_arithmetic_v<U>
constexpr dual2<N> operator*(dual2<N> a, U b) { return a *= static_cast<double>(b); }
template <int N, class U> requires std::is_arithmetic_v<U>
constexpr dual2<N> operator*(U b, dual2<N> a) { return a *= static_cast<double>(b); }
template <int N, class U> requires std::is_arithmetic_v<U>
constexpr dual2<N> operator/(dual2<N> a, U b) { return a /= static_cast<double>(b); }
template <int N, class U> requires std::is_arithmetic_v<U>
constexpr dual2<N> operator/(U b, const dual2<N>& a) {
  const double inv = 1.0 / a.v;
  const double c = static_cast<double>(b);
  return chain2(a, c * inv, -c * inv * inv, 2.0 * c * inv * inv * inv);
}

template <int N>
constexpr bool operator==(const dual2<N>& a, const dual2<N>& b) { return a.v == b.v; }
template <int N>
constexpr auto operator<=>(const dual2<N>& a, const dual2<N>& b) { return a.v <=> b.v; }
template <int N, class U> requires std::is_arithmetic_v<U>
constexpr bool operator==(const dual2<N>& a, U b) { return a.v == static_cast<double>(b); }
template <int N, class U> requires std::is_arithmetic_v<U>
constexpr auto operator<=>(const dual2<N>& a, U b) { return a.v <=> static_cast<double>(b); }

template <int N>
inline dual2<N> exp(const dual2<N>& a) {
  const double e = std::exp(a.v);
  return chain2(a, e, e, e);
}
template <int N>
inline dual2<N> expm1(const dual2<N>& a) {
  const double e = std::exp(a.v);
  return chain2(a, std::expm1(a.v), e, e);
}
template <int N>
inline dual2<N> log(const dual2<N>& a) {
  const double inv = 1.0 / a.v;
  return chain2(a, std::log(a.v), inv, -inv * inv);
}
template <int N>
inline dual2<N> log1p(const dual2<N>& a) {
  const double inv = 1.0 / (1.0 + a.v);
  return chain2(a, std::log1p(a.v), inv, -inv * inv);
}
template <int N>
inline dual2<N> log10(const dual2<N>& a) {
  const double inv = 1.0 / (a.v * std::numbers::ln10);
  return chain2(a, std::log10(a.v), inv, -inv / a.v);
}
template <int N>
inline dual2<N> sqrt(const dual2<N>& a) {
  const double s = std::sqrt(a.v);
  return chain2(a, s, 0.5 / s, -0.25 / (s * a.v));
}
template <int N, class U> requires std::is_arithmetic_v<U>
inline dual2<N> pow(const dual2<N>& a, U p) {
  const double q = static_cast<double>(p);
  if (q == 0.0) return dual2<N>(1.0);
  if (q == 2.0) return a * a;
  const double f2 = std::pow(a.v, q - 2.0);
  return chain2(a, f2 * a.v * a.v, q * f2 * a.v, q * (q - 1.0) * f2);
}
template <int N, class U> requires std::is_arithmetic_v<U>
inline dual2<N> pow(U b, const dual2<N>& a) {
  const double lb = std::log(static_cast<double>(b));
  const double f = std::pow(static_cast<double>(b), a.v);
  return chain2(a, f, f * lb, f * lb * lb);
}
template <int N>
inline dual2<N> pow(const dual2<N>& a, const dual2<N>& b) { return exp(b * log(a)); }
template <int N>
inline dual2<N> sin(const dual2<N>& a) {
  const double s = std::sin(a.v);
  return chain2(a, s, std::cos(a.v), -s);
}
template <int N>
inline dual2<N> cos(const dual2<N>& a) {
  const double c = std::cos(a.v);
  return chain2(a, c, -std::sin(a.v), -c);
}
template <int N>
inline dual2<N> tanh(const dual2<N>& a) {
  const double t = std::tanh(a.v);
  const double d1 = 1.0 - t * t;
  return chain2(a, t, d1, -2.0 * t * d1);
}
template <int N>
inline dual2<N> atan(const dual2<N>& a) {
  const double d1 = 1.0 / (1.0 + a.v * a.v);
  return chain2(a, std::atan(a.v), d1, -2.0 * a.v * d1 * d1);
}
template <int N>
inline dual2<N> asin(const dual2<N>& a) {
  const double r = 1.0 / std::sqrt(1.0 - a.v * a.v);
  return chain2(a, std::asin(a.v), r, a.v * r * r * r);
}
template <int N>
inline dual2<N> erf(const dual2<N>& a) {
  const double d1 = 2.0 * std::numbers::inv_sqrtpi * std::exp(-a.v * a.v);
  return chain2(a, std::erf(a.v), d1, -2.0 * a.v * d1);
}
template <int N>
inline dual2<N> erfc(const dual2<N>& a) {
  const double d1 = -2.0 * std::numbers::inv_sqrtpi * std::exp(-a.v * a.v);
  return chain2(a, std::erfc(a.v), d1, -2.0 * a.v * d1);
}
template <int N>
inline dual2<N> abs(const dual2<N>& a) { return a.v < 0 ? -a : a; }
template <int N>
inline dual2<N> fabs(const dual2<N>& a) { return abs(a); }
template <int N>
inline dual2<N> fmax(const dual2<N>& a, const dual2<N>& b) { return a.v < b.v ? b : a; }
template <int N>
inline dual2<N> fmin(const dual2<N>& a, const dual2<N>& b) { return b.v < a.v ? b : a; }
template <int N, class U> requires std::is_arithmetic_v<U>
inline dual2<N> fmax(const dual2<N>& a, U b) { return a.v < b ? dual2<N>(b) : a; }
template <int N, class U> requires std::is_arithmetic_v<U>
inline dual2<N> fmin(const dual2<N>& a, U b) { return b < a.v ? dual2<N>(b) : a; }
template <int N>
inline bool isfinite(const dual2<N>& a) {
  if (!std::isfinite(a.v)) return false;
  for (double x : a.g)
    if (!std::isfinite(x)) return false;
  for (double x : a.h)
    if (!std::isfinite(x)) return false;
  return true;
}
template <int N>
inline bool isnan(const dual2<N>& a) { return std::isnan(a.v); }

/// The value of a `dual2` (overload of `forward::value`).
template <int N>
constexpr double value(const dual2<N>& x) { return x.v; }

}  // namespace hepad::autodiff::forward

#endif  // HEPAD_AUTODIFF_FORWARD_DUAL2_HPP
