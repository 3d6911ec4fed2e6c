// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/forward/derivatives.hpp
/// @brief Exact gradients and Hessians of a generic function of a runtime-sized parameter vector by
/// forward-mode passes: `gradient` (chunks of `C` directions with `dual<double, C>`) and `hessian`
/// (`dual2<C>`: one pass for n <= C, otherwise one pass per pair of blocks of C/2 parameters).
///
/// The function is any callable that accepts `std::span<const T>` and returns `T` for `T` =
/// `dual<double, C>` and `dual2<C>` (write it as a template or a generic lambda, using `using
/// std::log; log(x)` for math so that ADL finds the dual overloads).
/// Cost: gradient ceil(n/C) passes; Hessian 1 pass (n <= C) or b(b+1)/2 passes, b = ceil(2n/C).
#ifndef HEPAD_AUTODIFF_FORWARD_DERIVATIVES_HPP
#define HEPAD_AUTODIFF_FORWARD_DERIVATIVES_HPP

#include <hepad/autodiff/forward/dual.hpp>
#include <hepad/autodiff/forward/dual2.hpp>
#include <hepad/core/check.hpp>

#include <algorithm>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace hepad::autodiff::forward {

/// Value of `f` at `x`; writes the exact gradient to `g` (size n).
/// @throws invalid_argument if `g` has the wrong size.
template <int C = 8, class F>
inline double gradient(const F& f, std::span<const double> x, std::span<double> g) {
  static_assert(C >= 1, "chunk width must be positive");
  const std::size_t n = x.size();
  check_size("autodiff::forward::gradient", "gradient", g.size(), n);
  using D = dual<double, C>;
  std::vector<D> xd(n);
  double val = 0;
  if (n == 0) {
    const D y = f(std::span<const D>(xd));
    return y.v;
  }
  for (std::size_t start = 0; start < n; start += C) {
    for (std::size_t i = 0; i < n; ++i) xd[i] = D(x[i]);
    const std::size_t stop = (std::min)(n, start + C);
    for (std::size_t i = start; i < stop; ++i) xd[i].d[i - start] = 1.0;
    const D y = f(std::span<const D>(xd));
    val = y.v;
    for (std::size_t i = start; i < stop; ++i) g[i] = y.d[i - start];
  }
  return val;
}

/// Value of `f` at `x`; writes the exact gradient to `g` (size n) and the Hessian to `h` (n*n,
/// row-major, symmetric). @throws invalid_argument if an output has the wrong size.
template <int C = 8, class F>
inline double hessian(const F& f, std::span<const double> x, std::span<double> g, std::span<double> h) {
  static_assert(C >= 2 && C % 2 == 0, "chunk width must be even and >= 2");
  const std::size_t n = x.size();
  check_size("autodiff::forward::hessian", "gradient", g.size(), n);
  check_size("autodiff::forward::hessian", "hessian", h.size(), n * n);
  using D = dual2<C>;
  std::vector<D> xd(n);
  if (n <= static_cast<std::size_t>(C)) {
    for (std::size_t i = 0; i < n; ++i) xd[i] = D::variable(x[i], static_cast<int>(i));
    const D y = f(std::span<const D>(xd));
    for (std::size_t i = 0; i < n; ++i) {
      g[i] = y.g[i];
      for (std::size_t j = 0; j < n; ++j) h[i * n + j] = y.hessian(static_cast<int>(i), static_cast<int>(j));
    }
    return y.v;
  }
  constexpr std::size_t half = C / 2;
  const std::size_t nb = (n + half - 1) / half;
  double val = 0;
  for (std::size_t bi = 0; bi < nb; ++bi) {
    for (std::size_t bj = bi; bj < nb; ++bj) {
      for (std::size_t i = 0; i < n; ++i) xd[i] = D(x[i]);
      std::vector<std::pair<std::size_t, int>> seeded;  // (parameter, slot)
      for (std::size_t i = bi * half; i < (std::min)(n, (bi + 1) * half); ++i) seeded.push_back({i, static_cast<int>(i - bi * half)});
      if (bj != bi)
        for (std::size_t j = bj * half; j < (std::min)(n, (bj + 1) * half); ++j)
          seeded.push_back({j, static_cast<int>(half + j - bj * half)});
      for (auto [p, s] : seeded) xd[p].g[static_cast<std::size_t>(s)] = 1.0;
      const D y = f(std::span<const D>(xd));
      val = y.v;
      for (auto [p, s] : seeded) {
        if (bj == bi || p < (bi + 1) * half) g[p] = y.g[static_cast<std::size_t>(s)];
        for (auto [q, t] : seeded) {
          const double v = y.hessian(s, t);
          h[p * n + q] = v;
        }
      }
      if (bj != bi)
        for (std::size_t j = bj * half; j < (std::min)(n, (bj + 1) * half); ++j)
          g[j] = y.g[static_cast<std::size_t>(half + j - bj * half)];
    }
  }
  return val;
}

}  // namespace hepad::autodiff::forward

#endif  // HEPAD_AUTODIFF_FORWARD_DERIVATIVES_HPP
