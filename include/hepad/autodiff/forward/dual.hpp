// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/forward/dual.hpp
/// @brief Forward-mode automatic differentiation for small parameter counts: `dual<T, N>` carries a
/// value and `N` directional derivatives; nesting (`dual<dual<double, M>, N>`) gives second
/// derivatives. The math functions below are found by ADL, so generic code written as
/// `using std::log; log(x)` works for `double` and for duals alike.
///
/// Second derivatives with a symmetric (packed) Hessian are in autodiff/forward/dual2.hpp; the
/// runtime-sized `gradient` / `hessian` drivers in autodiff/forward/derivatives.hpp. Not here: the
/// reverse-mode tape for neural networks (autodiff/tape.hpp).
///
/// Comparisons compare values only, so branches (`if (x < 0)`, `std::max`) pick the same branch as
/// the double code and differentiate it; kinks are differentiated one-sidedly.
#ifndef HEPAD_AUTODIFF_FORWARD_DUAL_HPP
#define HEPAD_AUTODIFF_FORWARD_DUAL_HPP

#include <array>
#include <cmath>
#include <compare>
#include <cstddef>
#include <numbers>
#include <type_traits>

namespace hepad::autodiff::forward {

/// A value with `N` directional derivatives (tangents). `T` is `double`, `float` or another dual.
/// @tparam T scalar type of value and tangents
/// @tparam N number of directions (>= 1), fixed at compile time
template <class T, int N>
struct dual {
  static_assert(N >= 1, "hepad::autodiff::forward::dual needs at least one direction");
  using value_type = T;
  static constexpr int size = N;

  T v{};                ///< value
  std::array<T, N> d{}; ///< derivatives along the N seeded directions

  constexpr dual() = default;
  /// A constant (all derivatives zero). Implicit, so constants mix freely with duals.
  constexpr dual(const T& value) : v(value) {}  // NOLINT(google-explicit-constructor)
  /// A constant from an arithmetic value (for nested duals).
  template <class A>
    requires(std::is_arithmetic_v<A> && !std::is_same_v<A, T>)
  constexpr dual(A value) : v(static_cast<T>(value)) {}  // NOLINT(google-explicit-constructor)

  /// The variable `value` seeded along direction `i` (derivative 1 there, 0 elsewhere).
  static constexpr dual variable(const T& value, int i) {
    dual x(value);
    x.d[static_cast<std::size_t>(i)] = T(1);
    return x;
  }

  constexpr dual& operator+=(const dual& b) {
    v += b.v;
    for (int i = 0; i < N; ++i) d[i] += b.d[i];
    return *this;
  }
  constexpr dual& operator-=(const dual& b) {
    v -= b.v;
    for (int i = 0; i < N; ++i) d[i] -= b.d[i];
    return *this;
  }
  constexpr dual& operator*=(const dual& b) {
    for (int i = 0; i < N; ++i) d[i] = d[i] * b.v + v * b.d[i];
    v *= b.v;
    return *this;
  }
  constexpr dual& operator/=(const dual& b) {
    const T inv = T(1) / b.v;
    const T q = v * inv;
    for (int i = 0; i < N; ++i) d[i] = (d[i] - q * b.d[i]) * inv;
    v = q;
    return *this;
  }
  template <class U>
    requires(std::is_arithmetic_v<U> || std::is_same_v<U, T>)
  constexpr dual& operator+=(const U& b) {
    v += b;
    return *this;
  }
  template <class U>
    requires(std::is_arithmetic_v<U> || std::is_same_v<U, T>)
  constexpr dual& operator-=(const U& b) {
    v -= b;
    return *this;
  }
  template <class U>
    requires(std::is_arithmetic_v<U> || std::is_same_v<U, T>)
  constexpr dual& operator*=(const U& b) {
    v *= b;
    for (int i = 0; i < N; ++i) d[i] *= b;
    return *this;
  }
  template <class U>
    requires(std::is_arithmetic_v<U> || std::is_same_v<U, T>)
  constexpr dual& operator/=(const U& b) {
    const T inv = T(1) / T(b);
    v *= inv;
    for (int i = 0; i < N; ++i) d[i] *= inv;
    return *this;
  }
};

/// True for `dual<T, N>`.
template <class X>
struct is_dual : std::false_type {};
template <class T, int N>
struct is_dual<dual<T, N>> : std::true_type {};
template <class X>
inline constexpr bool is_dual_v = is_dual<std::remove_cvref_t<X>>::value;

/// The innermost value (a `double` for any nesting depth); identity for arithmetic types.
template <class X>
constexpr auto value(const X& x) {
  if constexpr (is_dual_v<X>) return value(x.v);
  else return x;
}

namespace detail {
/// A scalar that may be mixed with `dual<T, N>`: an arithmetic type or `T` itself.
template <class U, class T>
concept mixable = std::is_arithmetic_v<U> || std::is_same_v<U, T>;

/// Chain rule for a unary function with value `f` and derivative `df` at `a.v`.
template <class T, int N>
constexpr dual<T, N> chain(const dual<T, N>& a, const T& f, const T& df) {
  dual<T, N> r(f);
  for (int i = 0; i < N; ++i) r.d[i] = df * a.d[i];
  return r;
}
}  // namespace detail

// --- arithmetic ---------------------------------------------------------------------------------

template <class T, int N>
constexpr dual<T, N> operator+(const dual<T, N>& a) { return a; }
template <class T, int N>
constexpr dual<T, N> operator-(const dual<T, N>& a) {
  dual<T, N> r(-a.v);
  for (int i = 0; i < N; ++i) r.d[i] = -a.d[i];
  return r;
}
template <class T, int N>
constexpr dual<T, N> operator+(dual<T, N> a, const dual<T, N>& b) { return a += b; }
template <class T, int N>
constexpr dual<T, N> operator-(dual<T, N> a, const dual<T, N>& b) { return a -= b; }
template <class T, int N>
constexpr dual<T, N> operator*(const dual<T, N>& a, const dual<T, N>& b) {
  dual<T, N> r(a.v * b.v);
  for (int i = 0; i < N; ++i) r.d[i] = a.d[i] * b.v + a.v * b.d[i];
  return r;
}
template <class T, int N>
constexpr dual<T, N> operator/(dual<T, N> a, const dual<T, N>& b) { return a /= b; }

template <class T, int N, detail::mixable<T> U>
constexpr dual<T, N> operator+(dual<T, N> a, const U& b) { return a += b; }
template <class T, int N, detail::mixable<T> U>
constexpr dual<T, N> operator+(const U& b, dual<T, N> a) { return a += b; }
template <class T, int N, detail::mixable<T> U>
constexpr dual<T, N> operator-(dual<T, N> a, const U& b) { return a -= b; }
template <class T, int N, detail::mixable<T> U>
constexpr dual<T, N> operator-(const U& b, const dual<T, N>& a) {
  dual<T, N> r = -a;
  r.v += b;
  return r;
}
template <class T, int N, detail::mixable<T> U>
constexpr dual<T, N> operator*(dual<T, N> a, const U& b) { return a *= b; }
template <class T, int N, detail::mixable<T> U>
constexpr dual<T, N> operator*(const U& b, dual<T, N> a) { return a *= b; }
template <class T, int N, detail::mixable<T> U>
constexpr dual<T, N> operator/(dual<T, N> a, const U& b) { return a /= b; }
template <class T, int N, detail::mixable<T> U>
constexpr dual<T, N> operator/(const U& b, const dual<T, N>& a) {
  const T inv = T(1) / a.v;
  const T f = T(b) * inv;
  return detail::chain(a, f, -f * inv);
}

// --- comparisons (on values) ---------------------------------------------------------------------

template <class T, int N>
constexpr bool operator==(const dual<T, N>& a, const dual<T, N>& b) { return a.v == b.v; }
template <class T, int N>
constexpr auto operator<=>(const dual<T, N>& a, const dual<T, N>& b) { return a.v <=> b.v; }
template <class T, int N, detail::mixable<T> U>
constexpr bool operator==(const dual<T, N>& a, const U& b) { return a.v == b; }
template <class T, int N, detail::mixable<T> U>
constexpr auto operator<=>(const dual<T, N>& a, const U& b) { return a.v <=> T(b); }

// --- elementary functions ------------------------------------------------------------------------

template <class T, int N>
inline dual<T, N> exp(const dual<T, N>& a) {
  using std::exp;
  const T e = exp(a.v);
  return detail::chain(a, e, e);
}
template <class T, int N>
inline dual<T, N> expm1(const dual<T, N>& a) {
  using std::exp;
  using std::expm1;
  return detail::chain(a, expm1(a.v), exp(a.v));
}
template <class T, int N>
inline dual<T, N> log(const dual<T, N>& a) {
  using std::log;
  return detail::chain(a, log(a.v), T(1) / a.v);
}
template <class T, int N>
inline dual<T, N> log1p(const dual<T, N>& a) {
  using std::log1p;
  return detail::chain(a, log1p(a.v), T(1) / (T(1) + a.v));
}
template <class T, int N>
inline dual<T, N> log10(const dual<T, N>& a) {
  using std::log10;
  return detail::chain(a, log10(a.v), T(1) / (a.v * std::numbers::ln10));
}
template <class T, int N>
inline dual<T, N> sqrt(const dual<T, N>& a) {
  using std::sqrt;
  const T s = sqrt(a.v);
  return detail::chain(a, s, T(0.5) / s);
}
template <class T, int N>
inline dual<T, N> cbrt(const dual<T, N>& a) {
  using std::cbrt;
  const T s = cbrt(a.v);
  return detail::chain(a, s, T(1) / (T(3) * s * s));
}
/// a^p for a constant exponent.
template <class T, int N, class U>
  requires std::is_arithmetic_v<U>
inline dual<T, N> pow(const dual<T, N>& a, U p) {
  using std::pow;
  if (p == U(0)) return dual<T, N>(T(1));
  if (p == U(2)) return a * a;
  const T f = pow(a.v, static_cast<double>(p) - 1.0);
  return detail::chain(a, f * a.v, T(static_cast<double>(p)) * f);
}
/// b^a for a constant base.
template <class T, int N, class U>
  requires std::is_arithmetic_v<U>
inline dual<T, N> pow(U b, const dual<T, N>& a) {
  using std::log;
  using std::pow;
  const T f = pow(T(static_cast<double>(b)), a.v);
  return detail::chain(a, f, f * log(T(static_cast<double>(b))));
}
/// a^b, both variable (a > 0).
template <class T, int N>
inline dual<T, N> pow(const dual<T, N>& a, const dual<T, N>& b) {
  return exp(b * log(a));
}
template <class T, int N>
inline dual<T, N> sin(const dual<T, N>& a) {
  using std::cos;
  using std::sin;
  return detail::chain(a, sin(a.v), cos(a.v));
}
template <class T, int N>
inline dual<T, N> cos(const dual<T, N>& a) {
  using std::cos;
  using std::sin;
  return detail::chain(a, cos(a.v), -sin(a.v));
}
template <class T, int N>
inline dual<T, N> tan(const dual<T, N>& a) {
  using std::tan;
  const T t = tan(a.v);
  return detail::chain(a, t, T(1) + t * t);
}
template <class T, int N>
inline dual<T, N> asin(const dual<T, N>& a) {
  using std::asin;
  using std::sqrt;
  return detail::chain(a, asin(a.v), T(1) / sqrt(T(1) - a.v * a.v));
}
template <class T, int N>
inline dual<T, N> acos(const dual<T, N>& a) {
  using std::acos;
  using std::sqrt;
  return detail::chain(a, acos(a.v), T(-1) / sqrt(T(1) - a.v * a.v));
}
template <class T, int N>
inline dual<T, N> atan(const dual<T, N>& a) {
  using std::atan;
  return detail::chain(a, atan(a.v), T(1) / (T(1) + a.v * a.v));
}
template <class T, int N>
inline dual<T, N> sinh(const dual<T, N>& a) {
  using std::cosh;
  using std::sinh;
  return detail::chain(a, sinh(a.v), cosh(a.v));
}
template <class T, int N>
inline dual<T, N> cosh(const dual<T, N>& a) {
  using std::cosh;
  using std::sinh;
  return detail::chain(a, cosh(a.v), sinh(a.v));
}
template <class T, int N>
inline dual<T, N> tanh(const dual<T, N>& a) {
  using std::tanh;
  const T t = tanh(a.v);
  return detail::chain(a, t, T(1) - t * t);
}
template <class T, int N>
inline dual<T, N> abs(const dual<T, N>& a) { return a.v < T(0) ? -a : a; }
template <class T, int N>
inline dual<T, N> fabs(const dual<T, N>& a) { return abs(a); }
template <class T, int N>
inline dual<T, N> erf(const dual<T, N>& a) {
  using std::erf;
  using std::exp;
  return detail::chain(a, erf(a.v), T(2.0 * std::numbers::inv_sqrtpi) * exp(-a.v * a.v));
}
template <class T, int N>
inline dual<T, N> erfc(const dual<T, N>& a) {
  using std::erfc;
  using std::exp;
  return detail::chain(a, erfc(a.v), T(-2.0 * std::numbers::inv_sqrtpi) * exp(-a.v * a.v));
}
/// max/min of two duals: the larger/smaller by value (its derivatives).
template <class T, int N>
inline dual<T, N> fmax(const dual<T, N>& a, const dual<T, N>& b) { return a.v < b.v ? b : a; }
template <class T, int N>
inline dual<T, N> fmin(const dual<T, N>& a, const dual<T, N>& b) { return b.v < a.v ? b : a; }
template <class T, int N, detail::mixable<T> U>
inline dual<T, N> fmax(const dual<T, N>& a, const U& b) { return a.v < b ? dual<T, N>(T(b)) : a; }
template <class T, int N, detail::mixable<T> U>
inline dual<T, N> fmin(const dual<T, N>& a, const U& b) { return b < a.v ? dual<T, N>(T(b)) : a; }
template <class T, int N>
inline bool isfinite(const dual<T, N>& a) {
  using std::isfinite;
  if (!isfinite(a.v)) return false;
  for (int i = 0; i < N; ++i)
    if (!isfinite(a.d[i])) return false;
  return true;
}
template <class T, int N>
inline bool isnan(const dual<T, N>& a) {
  using std::isnan;
  return isnan(a.v);
}

}  // namespace hepad::autodiff::forward

#endif  // HEPAD_AUTODIFF_FORWARD_DUAL_HPP
