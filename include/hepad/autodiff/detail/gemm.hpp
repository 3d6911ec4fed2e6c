// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/detail/gemm.hpp
/// @brief Internal: the dense matrix-product kernels behind `matmul` and the fused `linear` node.
///
/// `gemm(m, n, k, A, rsa, csa, B, ldb, C, ldc, accumulate, epilogue, bias)` computes
/// C (m x n, row-major, leading dimension ldc) = [C +] A B [+ bias] [then ReLU], where element
/// (i, p) of A is `A[i * rsa + p * csa]` (so A or A^T of a row-major matrix, without copying) and B
/// is row-major with contiguous rows (leading dimension ldb).
///
/// Design: register-blocked micro-kernels written with GNU vector extensions (one 64-byte vector =
/// one AVX-512 register; the compiler splits it on narrower machines), MR rows x NV vectors of C
/// held in registers while B rows stream through; K is blocked so that a B panel stays in cache.
/// Every element of C is computed by the same sequence of fused multiply-adds in ascending p,
/// whatever the tile it falls in, so results do not depend on how a matrix is split between tiles
/// or threads (bitwise reproducibility). Not here: products with B transposed (the callers
/// transpose B into scratch memory first, see ops/matmul.hpp).
#ifndef HEPAD_AUTODIFF_DETAIL_GEMM_HPP
#define HEPAD_AUTODIFF_DETAIL_GEMM_HPP

#include <hepad/config.hpp>
#include <hepad/core/eigen.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

// The kernels pass 64-byte SIMD vectors between inline functions; without AVX-512 enabled GCC
// warns that such signatures would have another ABI (-Wpsabi). Nothing here crosses a
// translation unit, so users compiling without -march flags must not see the warning.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace hepad::autodiff::detail {

/// Elements of `S` in one 64-byte SIMD vector.
template <class S>
inline constexpr int simd_lanes = static_cast<int>(64 / sizeof(S));

template <class S>
struct simd_type;
template <>
struct simd_type<float> {
  typedef float type __attribute__((vector_size(64)));
};
template <>
struct simd_type<double> {
  typedef double type __attribute__((vector_size(64)));
};
/// A 64-byte SIMD vector of `S` (GNU vector extension, supported by GCC and Clang).
template <class S>
using simd = typename simd_type<S>::type;

template <class S>
inline simd<S> simd_load(const S* p) noexcept {
  simd<S> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class S>
inline void simd_store(S* p, simd<S> v) noexcept {
  std::memcpy(p, &v, sizeof v);
}
/// A vector with every lane equal to x.
inline simd_type<float>::type simd_splat(float x) noexcept {
#if defined(__AVX512F__)
  return (simd_type<float>::type)_mm512_set1_ps(x);
#else
  simd_type<float>::type v;
  for (int l = 0; l < 16; ++l) v[l] = x;
  return v;
#endif
}
inline simd_type<double>::type simd_splat(double x) noexcept {
#if defined(__AVX512F__)
  return (simd_type<double>::type)_mm512_set1_pd(x);
#else
  simd_type<double>::type v;
  for (int l = 0; l < 8; ++l) v[l] = x;
  return v;
#endif
}
using simd_f32 = simd_type<float>::type;
using simd_f64 = simd_type<double>::type;

/// a * b + c, as one fused multiply-add per lane (also when the compiler does not contract).
inline simd_f32 simd_fma(simd_f32 a, simd_f32 b, simd_f32 c) noexcept {
#if defined(__AVX512F__)
  return (simd_f32)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
#else
  return a * b + c;
#endif
}
inline simd_f64 simd_fma(simd_f64 a, simd_f64 b, simd_f64 c) noexcept {
#if defined(__AVX512F__)
  return (simd_f64)_mm512_fmadd_pd((__m512d)a, (__m512d)b, (__m512d)c);
#else
  return a * b + c;
#endif
}
/// max(a, 0) per lane.
inline simd_f32 simd_max0(simd_f32 a) noexcept {
#if defined(__AVX512F__)
  return (simd_f32)_mm512_max_ps((__m512)a, _mm512_setzero_ps());
#else
  return a > simd_f32{} ? a : simd_f32{};
#endif
}
inline simd_f64 simd_max0(simd_f64 a) noexcept {
#if defined(__AVX512F__)
  return (simd_f64)_mm512_max_pd((__m512d)a, _mm512_setzero_pd());
#else
  return a > simd_f64{} ? a : simd_f64{};
#endif
}

/// Sum of the lanes (a fixed pairwise order).
inline float simd_sum(simd_f32 v) noexcept {
#if defined(__AVX512F__)
  return _mm512_reduce_add_ps((__m512)v);
#else
  float t[16];
  std::memcpy(t, &v, sizeof t);
  for (int h = 8; h > 0; h /= 2)
    for (int l = 0; l < h; ++l) t[l] += t[l + h];
  return t[0];
#endif
}
inline double simd_sum(simd_f64 v) noexcept {
#if defined(__AVX512F__)
  return _mm512_reduce_add_pd((__m512d)v);
#else
  double t[8];
  std::memcpy(t, &v, sizeof t);
  for (int h = 4; h > 0; h /= 2)
    for (int l = 0; l < h; ++l) t[l] += t[l + h];
  return t[0];
#endif
}

#if defined(__AVX512F__)
/// 16 x 16 float block transpose in registers (AVX-512).
inline void transpose16x16(const float* src, index_t lds, float* dst, index_t ldd) noexcept {
  __m512 r[16], t[16];
  for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(src + i * lds);
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = _mm512_shuffle_ps(t[i], t[i + 2], 0x44);
    r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], 0xEE);
    r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0x44);
    r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
  }
  for (int i = 0; i < 4; ++i) {
    t[i] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0x88);
    t[i + 4] = _mm512_shuffle_f32x4(r[i], r[i + 4], 0xDD);
    t[i + 8] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0x88);
    t[i + 12] = _mm512_shuffle_f32x4(r[i + 8], r[i + 12], 0xDD);
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
    r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
    r[i + 4] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0x88);
    r[i + 12] = _mm512_shuffle_f32x4(t[i + 4], t[i + 12], 0xDD);
  }
  for (int j = 0; j < 16; ++j) _mm512_storeu_ps(dst + j * ldd, r[j]);  // r[j] = column j
}
#endif

/// dst (cols x rows, leading dimension ldd) = src^T, src (rows x cols, leading dimension lds).
template <class S>
inline void transpose(index_t rows, index_t cols, const S* src, index_t lds, S* dst, index_t ldd) {
  constexpr index_t B = 16;
  index_t i0 = 0;
#if defined(__AVX512F__)
  if constexpr (sizeof(S) == 4) {
    for (; i0 + B <= rows; i0 += B) {
      index_t j0 = 0;
      for (; j0 + B <= cols; j0 += B) transpose16x16(src + i0 * lds + j0, lds, dst + j0 * ldd + i0, ldd);
      for (index_t i = i0; i < i0 + B; ++i)
        for (index_t j = j0; j < cols; ++j) dst[j * ldd + i] = src[i * lds + j];
    }
  }
#endif
  for (; i0 < rows; i0 += B)
    for (index_t j0 = 0; j0 < cols; j0 += B) {
      const index_t i1 = (std::min)(rows, i0 + B), j1 = (std::min)(cols, j0 + B);
      for (index_t i = i0; i < i1; ++i)
        for (index_t j = j0; j < j1; ++j) dst[j * ldd + i] = src[i * lds + j];
    }
}

/// What the kernel applies to C after the product (only in the last K block).
enum class epilogue : int {
  none,      ///< C = [C +] A B
  bias,      ///< C = A B + bias (bias: one value per column)
  bias_relu  ///< C = max(0, A B + bias)
};

/// Rows of C per register tile, for NV vectors per row.
template <int NV>
inline constexpr int gemm_mr = NV == 4 ? 6 : NV == 3 ? 8 : NV == 2 ? 12 : 16;

/// Micro-kernel: C tile (MR x NV*L) [+]= A (MR x k) B (k x NV*L), then the epilogue.
template <class S, int MR, int NV>
inline void gemm_micro(index_t k, const S* HEPAD_RESTRICT a, index_t rsa, index_t csa,
                       const S* HEPAD_RESTRICT b, index_t ldb, S* HEPAD_RESTRICT c, index_t ldc,
                       bool acc, epilogue epi, const S* HEPAD_RESTRICT bias) noexcept {
  using V = simd<S>;
  constexpr int L = simd_lanes<S>;
  V r[MR][NV];
  if (acc) {
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) r[i][j] = simd_load(c + i * ldc + j * L);
  } else {
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) r[i][j] = V{};
  }
  for (index_t p = 0; p < k; ++p) {
    const S* bp = b + p * ldb;
    V bv[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) bv[j] = simd_load(bp + j * L);
    const S* ap = a + p * csa;
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const V av = simd_splat(ap[i * rsa]);
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) r[i][j] = simd_fma(av, bv[j], r[i][j]);
    }
  }
  if (epi != epilogue::none) {
    V bb[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) bb[j] = simd_load(bias + j * L);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
      for (int j = 0; j < NV; ++j) r[i][j] += bb[j];
    if (epi == epilogue::bias_relu) {
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) r[i][j] = simd_max0(r[i][j]);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) simd_store(c + i * ldc + j * L, r[i][j]);
}

/// Per-thread scratch (slot 0: packed panels of one product; slot 1: operands of a transposed
/// product), sized on first use, then reused.
template <class S, int Slot = 0>
inline S* gemm_scratch(std::size_t n) {
  thread_local std::vector<simd<S>> buf;
  const std::size_t vecs = (n + simd_lanes<S> - 1) / simd_lanes<S>;
  if (buf.size() < vecs) buf.resize(vecs);
  return reinterpret_cast<S*>(buf.data());
}

/// One column block of C (width NV*L, of which `w` columns are real) over one K block.
template <class S, int NV>
inline void gemm_column_block(index_t m, index_t w, index_t kb, const S* a, index_t rsa,
                              index_t csa, const S* b, index_t ldb, S* c, index_t ldc, bool acc,
                              epilogue epi, const S* bias, S* panel, S* tile) {
  constexpr int L = simd_lanes<S>;
  constexpr int W = NV * L;
  constexpr int MR = gemm_mr<NV>;
  if (w == W) {
    index_t i = 0;
    for (; i + MR <= m; i += MR)
      gemm_micro<S, MR, NV>(kb, a + i * rsa, rsa, csa, b, ldb, c + i * ldc, ldc, acc, epi, bias);
    // Leftover rows: tiles of 4 (still enough independent accumulators to pipeline), then
    // single rows. Same multiply-add sequence per element whatever the tile.
    if constexpr (MR > 4)
      for (; i + 4 <= m; i += 4)
        gemm_micro<S, 4, NV>(kb, a + i * rsa, rsa, csa, b, ldb, c + i * ldc, ldc, acc, epi, bias);
    for (; i < m; ++i)
      gemm_micro<S, 1, NV>(kb, a + i * rsa, rsa, csa, b, ldb, c + i * ldc, ldc, acc, epi, bias);
    return;
  }
  // Partial block: pack B's w columns into a zero-padded panel; compute into a padded tile.
  for (index_t p = 0; p < kb; ++p) {
    S* dst = panel + p * W;
    const S* src = b + p * ldb;
    for (index_t j = 0; j < w; ++j) dst[j] = src[j];
    for (index_t j = w; j < W; ++j) dst[j] = S(0);
  }
  alignas(64) S pbias[W] = {};
  if (epi != epilogue::none)
    for (index_t j = 0; j < w; ++j) pbias[j] = bias[j];
  for (index_t i = 0; i < m; i += MR) {
    const index_t rows = (std::min)(static_cast<index_t>(MR), m - i);
    if (acc)
      for (index_t r = 0; r < rows; ++r)
        for (index_t j = 0; j < w; ++j) tile[r * W + j] = c[(i + r) * ldc + j];
    if (rows == MR) {
      gemm_micro<S, MR, NV>(kb, a + i * rsa, rsa, csa, panel, W, tile, W, acc, epi, pbias);
    } else {
      index_t r = 0;
      if constexpr (MR > 4)
        for (; r + 4 <= rows; r += 4)
          gemm_micro<S, 4, NV>(kb, a + (i + r) * rsa, rsa, csa, panel, W, tile + r * W, W, acc, epi,
                               pbias);
      for (; r < rows; ++r)
        gemm_micro<S, 1, NV>(kb, a + (i + r) * rsa, rsa, csa, panel, W, tile + r * W, W, acc, epi,
                             pbias);
    }
    for (index_t r = 0; r < rows; ++r)
      for (index_t j = 0; j < w; ++j) c[(i + r) * ldc + j] = tile[r * W + j];
  }
}

/// C (m x 1) [+]= A (m x k, rows contiguous) b (k x 1): one dot product per row.
template <class S>
inline void gemv_rows(index_t m, index_t k, const S* a, index_t rsa, const S* b, index_t ldb,
                      S* c, index_t ldc, bool acc, epilogue epi, const S* bias) {
  using V = simd<S>;
  constexpr int L = simd_lanes<S>;
  const index_t kv = k / L * L;
  S* bc = gemm_scratch<S>(static_cast<std::size_t>(k));
  for (index_t p = 0; p < k; ++p) bc[p] = b[p * ldb];
  for (index_t i = 0; i < m; ++i) {
    const S* ai = a + i * rsa;
    V s{};
    for (index_t p = 0; p < kv; p += L) s = simd_fma(simd_load(ai + p), simd_load(bc + p), s);
    S t = simd_sum(s);
    for (index_t p = kv; p < k; ++p) t += ai[p] * bc[p];
    S& out = c[i * ldc];
    if (acc) t += out;
    if (epi != epilogue::none) t += bias[0];
    if (epi == epilogue::bias_relu) t = t > S(0) ? t : S(0);
    out = t;
  }
}

/// C (m x n) = [C +] A B [+ bias] [ReLU]. See the file comment for the operand layout.
/// Complexity: m n k fused multiply-adds; no heap allocation after the first call per thread.
template <class S>
inline void gemm(index_t m, index_t n, index_t k, const S* a, index_t rsa, index_t csa,
                 const S* b, index_t ldb, S* c, index_t ldc, bool acc,
                 epilogue epi = epilogue::none, const S* bias = nullptr) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (index_t i = 0; i < m; ++i)
      for (index_t j = 0; j < n; ++j) {
        S v = acc ? c[i * ldc + j] : S(0);
        if (epi != epilogue::none) v += bias[j];
        if (epi == epilogue::bias_relu) v = v > S(0) ? v : S(0);
        c[i * ldc + j] = v;
      }
    return;
  }
  if (n == 1 && csa == 1) {
    gemv_rows(m, k, a, rsa, b, ldb, c, ldc, acc, epi, bias);
    return;
  }
  if (n == 1 && rsa == 1 && ldc == 1 && m > 1 && epi == epilogue::none) {
    // C (m x 1) = A b with A = X^T (X row-major, k x m): compute C^T = b^T X, vectorised over m.
    gemm(1, m, k, b, 0, ldb, a, csa, c, m, acc);
    return;
  }
  if (2 * n <= simd_lanes<S> && m >= simd_lanes<S> && rsa == 1) {
    // Narrow C (n <= half a vector) with A = X^T (X row-major, e.g. a weight gradient): compute
    // C^T = B^T X, vectorised over the m rows instead of the n columns, and transpose back.
    S* ct = gemm_scratch<S, 1>(static_cast<std::size_t>(2 * n * m));  // C^T (n x m), then C (m x n)
    S* cc = ct + n * m;
    gemm(n, m, k, b, 1, ldb, a, csa, ct, m, false);
    transpose<S>(n, m, ct, m, cc, n);
    for (index_t i = 0; i < m; ++i) {
      S* ci = c + i * ldc;
      const S* t = cc + i * n;
      for (index_t j = 0; j < n; ++j) {
        S v = acc ? ci[j] + t[j] : t[j];
        if (epi != epilogue::none) v += bias[j];
        if (epi == epilogue::bias_relu) v = v > S(0) ? v : S(0);
        ci[j] = v;
      }
    }
    return;
  }
  constexpr int L = simd_lanes<S>;
  constexpr index_t KC = 256;
  const index_t nkb = (k + KC - 1) / KC;
  const index_t kcb = (k + nkb - 1) / nkb;
  S* panel = gemm_scratch<S>(static_cast<std::size_t>(kcb * 4 * L + 16 * 4 * L));
  S* tile = panel + kcb * 4 * L;
  for (index_t j0 = 0; j0 < n; j0 += 4 * L) {
    const index_t w = (std::min)(static_cast<index_t>(4 * L), n - j0);
    const int nv = static_cast<int>((w + L - 1) / L);
    for (index_t p0 = 0; p0 < k; p0 += kcb) {
      const index_t kb = (std::min)(kcb, k - p0);
      const bool last = p0 + kb == k;
      const bool a_acc = acc || p0 > 0;
      const epilogue e = last ? epi : epilogue::none;
      const S* ap = a + p0 * csa;
      const S* bp = b + p0 * ldb + j0;
      S* cp = c + j0;
      const S* bi = bias ? bias + j0 : nullptr;
      switch (nv) {
        case 4: gemm_column_block<S, 4>(m, w, kb, ap, rsa, csa, bp, ldb, cp, ldc, a_acc, e, bi, panel, tile); break;
        case 3: gemm_column_block<S, 3>(m, w, kb, ap, rsa, csa, bp, ldb, cp, ldc, a_acc, e, bi, panel, tile); break;
        case 2: gemm_column_block<S, 2>(m, w, kb, ap, rsa, csa, bp, ldb, cp, ldc, a_acc, e, bi, panel, tile); break;
        default: gemm_column_block<S, 1>(m, w, kb, ap, rsa, csa, bp, ldb, cp, ldc, a_acc, e, bi, panel, tile); break;
      }
    }
  }
}

/// Reverse pass of a fused ReLU: d = (y > 0 ? g : 0) for m x n row-major blocks, and, if `db` is
/// not null, db[j] += sum_i d(i, j) (summed in row order).
template <class S>
inline void relu_backward(index_t m, index_t n, const S* HEPAD_RESTRICT g, const S* HEPAD_RESTRICT y,
                          S* HEPAD_RESTRICT d, S* HEPAD_RESTRICT db) noexcept {
  using V = simd<S>;
  constexpr int L = simd_lanes<S>;
  index_t j0 = 0;
  for (; j0 + 4 * L <= n; j0 += 4 * L) {
    V acc[4] = {};
    for (index_t i = 0; i < m; ++i) {
      const index_t o = i * n + j0;
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) {
        const V gv = simd_load(g + o + v * L), yv = simd_load(y + o + v * L);
        const V dv = yv > V{} ? gv : V{};
        simd_store(d + o + v * L, dv);
        acc[v] += dv;
      }
    }
    if (db)
      for (int v = 0; v < 4; ++v)
        for (int l = 0; l < L; ++l) db[j0 + v * L + l] += acc[v][l];
  }
  for (; j0 + L <= n; j0 += L) {
    V acc{};
    for (index_t i = 0; i < m; ++i) {
      const index_t o = i * n + j0;
      const V gv = simd_load(g + o), yv = simd_load(y + o);
      const V dv = yv > V{} ? gv : V{};
      simd_store(d + o, dv);
      acc += dv;
    }
    if (db)
      for (int l = 0; l < L; ++l) db[j0 + l] += acc[l];
  }
  if (j0 < n) {
    for (index_t i = 0; i < m; ++i)
      for (index_t j = j0; j < n; ++j) {
        const S v = y[i * n + j] > S(0) ? g[i * n + j] : S(0);
        d[i * n + j] = v;
        if (db) db[j] += v;
      }
  }
}

/// db[j] += sum_i d(i, j) for an m x n row-major block (summed in row order).
template <class S>
inline void add_column_sums(index_t m, index_t n, const S* HEPAD_RESTRICT d, S* HEPAD_RESTRICT db) noexcept {
  using V = simd<S>;
  constexpr int L = simd_lanes<S>;
  index_t j0 = 0;
  for (; j0 + L <= n; j0 += L) {
    V acc{};
    for (index_t i = 0; i < m; ++i) acc += simd_load(d + i * n + j0);
    for (int l = 0; l < L; ++l) db[j0 + l] += acc[l];
  }
  for (index_t i = 0; i < m; ++i)
    for (index_t j = j0; j < n; ++j) db[j] += d[i * n + j];
}

}  // namespace hepad::autodiff::detail

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#endif  // HEPAD_AUTODIFF_DETAIL_GEMM_HPP
