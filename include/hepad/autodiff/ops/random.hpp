// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/ops/random.hpp
/// @brief Random constant nodes drawn from the tape's generator (`tape::random()`): `normal(t, r,
/// c)` (standard normal, e.g. the noise of a VAE's reparameterisation) and `uniform(t, r, c)`.
/// Normals use a vectorised Box-Muller transform on 24-bit (float) or 53-bit (double) uniforms,
/// about ten times faster than drawing them one by one; the numbers depend only on the generator's
/// state, never on threads.
#ifndef HEPAD_AUTODIFF_OPS_RANDOM_HPP
#define HEPAD_AUTODIFF_OPS_RANDOM_HPP

#include <hepad/autodiff/tape.hpp>
#include <hepad/core/random.hpp>

#include <cstdint>
#include <numbers>

namespace hepad::autodiff {

namespace detail {
/// Fills out[0..n) with independent standard normals from `r` (Box-Muller, vectorised in blocks).
template <class S>
inline void fill_standard_normal(rng& r, S* out, index_t n) {
  constexpr index_t block = 256;  // pairs per block
  alignas(64) S u1[block], u2[block];
  for (index_t done = 0; done < n;) {
    const index_t pairs = (std::min)(block, (n - done + 1) / 2);
    for (index_t k = 0; k < pairs; ++k) {
      if constexpr (sizeof(S) == 4) {
        const std::uint64_t w = r();
        // Two 24-bit uniforms in (0, 1): (integer + 0.5) / 2^24, never 0 (log) or 1.
        u1[k] = (static_cast<float>(w >> 40) + 0.5f) * 0x1.0p-24f;
        u2[k] = (static_cast<float>((w >> 8) & 0xffffff) + 0.5f) * 0x1.0p-24f;
      } else {
        u1[k] = (static_cast<double>(r() >> 11) + 0.5) * 0x1.0p-53;
        u2[k] = (static_cast<double>(r() >> 11) + 0.5) * 0x1.0p-53;
      }
    }
    using A = Eigen::Array<S, Eigen::Dynamic, 1>;
    Eigen::Map<A> a1(u1, pairs), a2(u2, pairs);
    a1 = (S(-2) * a1.log()).sqrt();                     // radius
    a2 *= static_cast<S>(2 * std::numbers::pi);          // angle
    const index_t first = (std::min)(pairs, n - done);   // cos part
    Eigen::Map<A>(out + done, first) = a1.head(first) * a2.head(first).cos();
    done += first;
    const index_t second = (std::min)(pairs, n - done);  // sin part
    if (second > 0) Eigen::Map<A>(out + done, second) = a1.head(second) * a2.head(second).sin();
    done += second;
  }
}
}  // namespace detail

/// A `rows x cols` constant of independent N(0, 1) draws from `t.random()`.
template <class S>
inline node<S> normal(tape<S>& t, index_t rows, index_t cols) {
  node<S> out = t.make(rows, cols, false);
  detail::fill_standard_normal(t.random(), out.data()->value, rows * cols);
  return out;
}

/// A `rows x cols` constant of independent U[0, 1) draws from `t.random()`.
template <class S>
inline node<S> uniform(tape<S>& t, index_t rows, index_t cols) {
  node<S> out = t.make(rows, cols, false);
  rng& r = t.random();
  for (index_t i = 0; i < rows * cols; ++i) out.data()->value[i] = r.uniform<S>();
  return out;
}

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_OPS_RANDOM_HPP
