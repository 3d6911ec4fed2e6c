// SPDX-License-Identifier: BSL-1.0
/// @file hepad/flows/detail/kernel.hpp
/// @brief Internal: the small dense product kernels behind the masked MADE layers.
///
/// `gemm(m, n, k, A, rsa, csa, B, ldb, C, ldc, epilogue)` computes
/// C (m x n, row-major, leading dimension ldc) = [C +] gate(bias + A B), then ReLU, as the
/// epilogue says; the gate zeroes the new term where a gate matrix is <= 0 (the ReLU derivative). Element (r, q) of A is
/// A[r * rsa + q * csa] (A or A^T of a row-major matrix, no copy); B is row-major (leading
/// dimension ldb). Register tiles of MR rows x NV vectors of C (GNU vector extensions: 64-byte
/// vectors, then 32- and 16-byte ones for narrower remainders); A entries are broadcast, B rows
/// stream through; the last few columns use a scalar loop. `gemm_dot` serves very narrow outputs
/// by dot products along k. The shapes are those of MADE blocks (n = a degree group of 16-64
/// units, k up to a few hundred), where a general-purpose GEMM spends most of its time packing.
#ifndef HEPAD_FLOWS_DETAIL_KERNEL_HPP
#define HEPAD_FLOWS_DETAIL_KERNEL_HPP

#include <hepad/config.hpp>
#include <hepad/core/eigen.hpp>

#include <algorithm>
#include <cstring>

// The kernels pass SIMD vectors between inline functions; GCC warns that such signatures would
// have a different ABI without AVX(-512) (-Wpsabi). Nothing here crosses a translation unit.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace hepad::flows::detail {

template <class S, int Bytes>
struct vec_of {
  typedef S type __attribute__((vector_size(Bytes)));
};
/// A SIMD vector of `Bytes` bytes of S.
template <class S, int Bytes = 64>
using vec = typename vec_of<S, Bytes>::type;
/// Lanes of S in a 64-byte vector.
template <class S>
inline constexpr index_t lanes = static_cast<index_t>(64 / sizeof(S));

template <class V, class S>
inline V vload(const S* p) noexcept {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class V, class S>
inline void vstore(S* p, V v) noexcept {
  std::memcpy(p, &v, sizeof v);
}

/// What happens to C after the product.
template <class S>
struct epilogue {
  bool accumulate = false;  ///< add to the existing C
  const S* bias = nullptr;  ///< added to every row (column offset as C)
  const S* row_bias = nullptr;  ///< row_bias[r] added to every entry of row r (row offset as C)
  bool relu = false;        ///< max(0, .)
  const S* gate = nullptr;  ///< zero the entries where gate <= 0 (same layout as C, leading dimension ldg)
  index_t ldg = 0;
  [[nodiscard]] epilogue shifted(index_t col) const noexcept {
    epilogue e = *this;
    if (bias) e.bias = bias + col;
    if (gate) e.gate = gate + col;
    return e;
  }
  [[nodiscard]] epilogue rows_from(index_t row) const noexcept {
    epilogue e = *this;
    if (gate) e.gate = gate + row * ldg;
    if (row_bias) e.row_bias = row_bias + row;
    return e;
  }
};

/// MR rows x NV vectors of `Bytes` bytes.
template <class S, int MR, int NV, int Bytes>
inline void gemm_tile(index_t k, const S* HEPAD_RESTRICT a, index_t rsa, index_t csa, const S* HEPAD_RESTRICT b,
                      index_t ldb, S* HEPAD_RESTRICT c, index_t ldc, const epilogue<S>& e) noexcept {
  using V = vec<S, Bytes>;
  constexpr index_t L = static_cast<index_t>(Bytes / sizeof(S));
  V acc[MR][NV];
  for (int v = 0; v < NV; ++v) {
    const V b0 = e.bias ? vload<V>(e.bias + v * L) : V{};
    for (int r = 0; r < MR; ++r) {
      const V br = e.row_bias ? b0 + e.row_bias[r] : b0;
      acc[r][v] = e.accumulate && !e.gate ? vload<V>(c + r * ldc + v * L) + br : br;
    }
  }
  for (index_t q = 0; q < k; ++q) {
    V bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = vload<V>(b + q * ldb + v * L);
    const S* aq = a + q * csa;
    for (int r = 0; r < MR; ++r) {
      const S ar = aq[r * rsa];
      for (int v = 0; v < NV; ++v) acc[r][v] += ar * bv[v];
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) {
      V x = acc[r][v];
      if (e.gate) {  // gates the new term only
        x = vload<V>(e.gate + r * e.ldg + v * L) > S(0) ? x : V{};
        if (e.accumulate) x += vload<V>(c + r * ldc + v * L);
      }
      if (e.relu) x = x > S(0) ? x : V{};
      vstore(c + r * ldc + v * L, x);
    }
}

/// Rows [0, m) for a column block of NV vectors of `Bytes` bytes.
template <class S, int NV, int Bytes>
inline void gemm_columns(index_t m, index_t k, const S* a, index_t rsa, index_t csa, const S* b, index_t ldb, S* c,
                         index_t ldc, const epilogue<S>& e) noexcept {
  constexpr int MR = NV >= 4 ? 6 : NV == 3 ? 8 : NV == 2 ? 12 : 16;
  index_t i = 0;
  for (; i + MR <= m; i += MR)
    gemm_tile<S, MR, NV, Bytes>(k, a + i * rsa, rsa, csa, b, ldb, c + i * ldc, ldc, e.rows_from(i));
  for (; i + 4 <= m; i += 4)
    gemm_tile<S, 4, NV, Bytes>(k, a + i * rsa, rsa, csa, b, ldb, c + i * ldc, ldc, e.rows_from(i));
  for (; i < m; ++i) gemm_tile<S, 1, NV, Bytes>(k, a + i * rsa, rsa, csa, b, ldb, c + i * ldc, ldc, e.rows_from(i));
}

/// C = epilogue(A B) (see the file comment).
template <class S>
inline void gemm(index_t m, index_t n, index_t k, const S* a, index_t rsa, index_t csa, const S* b, index_t ldb,
                 S* c, index_t ldc, const epilogue<S>& e) noexcept {
  if (m <= 0 || n <= 0) return;
  constexpr index_t L = lanes<S>;
  index_t j = 0;
  for (; j + 4 * L <= n; j += 4 * L) gemm_columns<S, 4, 64>(m, k, a, rsa, csa, b + j, ldb, c + j, ldc, e.shifted(j));
  switch ((n - j) / L) {
    case 3: gemm_columns<S, 3, 64>(m, k, a, rsa, csa, b + j, ldb, c + j, ldc, e.shifted(j)); break;
    case 2: gemm_columns<S, 2, 64>(m, k, a, rsa, csa, b + j, ldb, c + j, ldc, e.shifted(j)); break;
    case 1: gemm_columns<S, 1, 64>(m, k, a, rsa, csa, b + j, ldb, c + j, ldc, e.shifted(j)); break;
    default: break;
  }
  j += (n - j) / L * L;
  if (n - j >= L / 2) {
    gemm_columns<S, 1, 32>(m, k, a, rsa, csa, b + j, ldb, c + j, ldc, e.shifted(j));
    j += L / 2;
  }
  if (n - j >= L / 4) {
    gemm_columns<S, 1, 16>(m, k, a, rsa, csa, b + j, ldb, c + j, ldc, e.shifted(j));
    j += L / 4;
  }
  if (j == n) return;
  for (index_t i = 0; i < m; ++i) {  // scalar tail columns [j, n)
    S* ci = c + i * ldc;
    const S* ai = a + i * rsa;
    for (index_t col = j; col < n; ++col) {
      S s = (e.bias ? e.bias[col] : S(0)) + (e.row_bias ? e.row_bias[i] : S(0));
      for (index_t q = 0; q < k; ++q) s += ai[q * csa] * b[q * ldb + col];
      if (e.gate && !(e.gate[i * e.ldg + col] > S(0))) s = S(0);
      if (e.accumulate) s += ci[col];
      if (e.relu && !(s > S(0))) s = S(0);
      ci[col] = s;
    }
  }
}

/// Convenience: C = [C +] bias + A B, then ReLU if `relu`.
template <class S>
inline void gemm(index_t m, index_t n, index_t k, const S* a, index_t rsa, index_t csa, const S* b, index_t ldb,
                 S* c, index_t ldc, bool accumulate, const S* bias, bool relu) noexcept {
  epilogue<S> e;
  e.accumulate = accumulate;
  e.bias = bias;
  e.relu = relu;
  gemm(m, n, k, a, rsa, csa, b, ldb, c, ldc, e);
}

/// Sum of the lanes of a 64-byte vector (halving tree).
template <class S>
inline S hsum(vec<S> v) noexcept {
  using V32 = vec<S, 32>;
  using V16 = vec<S, 16>;
  V32 a, b;
  std::memcpy(&a, &v, 32);
  std::memcpy(&b, reinterpret_cast<const char*>(&v) + 32, 32);
  a += b;
  V16 c, d;
  std::memcpy(&c, &a, 16);
  std::memcpy(&d, reinterpret_cast<const char*>(&a) + 16, 16);
  c += d;
  S s = 0;
  for (int l = 0; l < static_cast<int>(16 / sizeof(S)); ++l) s += c[l];
  return s;
}

/// Narrow outputs (fewer columns than a vector): C[i, o] = [C +] bias[o] + sum_q A[i, q] W[o, q]
/// with A rows (leading dimension lda) and W rows (leading dimension ldw) both contiguous in q:
/// dot products vectorised over q.
template <class S>
inline void gemm_dot(index_t m, index_t n, index_t k, const S* a, index_t lda, const S* w, index_t ldw, S* c,
                     index_t ldc, bool accumulate, const S* bias) noexcept {
  using V = vec<S>;
  constexpr index_t L = lanes<S>;
  const index_t kv = k - k % L;
  for (index_t i = 0; i < m; ++i) {
    const S* ai = a + i * lda;
    for (index_t o = 0; o < n; ++o) {
      const S* wo = w + o * ldw;
      V acc{};
      for (index_t q = 0; q < kv; q += L) acc += vload<V>(ai + q) * vload<V>(wo + q);
      S s = hsum<S>(acc);
      for (index_t q = kv; q < k; ++q) s += ai[q] * wo[q];
      S& out = c[i * ldc + o];
      out = (accumulate ? out : S(0)) + (bias ? bias[o] : S(0)) + s;
    }
  }
}

}  // namespace hepad::flows::detail

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#endif  // HEPAD_FLOWS_DETAIL_KERNEL_HPP
