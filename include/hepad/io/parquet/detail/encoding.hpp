// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: parquet
/// @file hepad/io/parquet/detail/encoding.hpp
/// @brief Internal: the RLE / bit-packing hybrid of apache/parquet-format Encodings.md (levels,
/// dictionary indices, RLE booleans): a bounds-checked decoder and an encoder.
#ifndef HEPAD_IO_PARQUET_DETAIL_ENCODING_HPP
#define HEPAD_IO_PARQUET_DETAIL_ENCODING_HPP

#include <hepad/io/detail/file.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <string>
#include <vector>

namespace hepad::io::parquet::detail {

using hepad::io::detail::concat;

/// Where decoding errors are reported.
struct error_site {
  const std::string* path;
  std::string_view item;
  std::int64_t offset;
  [[noreturn]] void fail(const std::string& what) const { hepad::io::detail::fail(*path, item, offset, what); }
};

/// Decodes `count` values of `bit_width` bits from the hybrid run sequence in `[p, end)` into `out`.
template <class U>
inline void decode_hybrid(const std::uint8_t* p, const std::uint8_t* end, int bit_width, std::size_t count,
                          U* out, const error_site& site) {
  static_assert(std::is_unsigned_v<U>);
  if (bit_width < 0 || bit_width > 32) site.fail(concat("invalid bit width ", bit_width));
  if (bit_width == 0) {
    std::fill(out, out + count, U{0});
    return;
  }
  const std::size_t value_bytes = static_cast<std::size_t>((bit_width + 7) / 8);
  const std::uint64_t mask = (std::uint64_t{1} << bit_width) - 1;
  std::size_t done = 0;
  while (done < count) {
    std::uint64_t h = 0;
    for (int shift = 0;; shift += 7) {
      if (p >= end) site.fail(concat("RLE/bit-packed data truncated after ", done, " of ", count, " values"));
      if (shift > 35) site.fail("RLE run header too long");
      const std::uint8_t b = *p++;
      h |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) break;
    }
    if (h & 1) {  // bit-packed groups of 8
      const std::uint64_t groups = h >> 1;
      if (groups == 0) site.fail("empty bit-packed run");
      const std::uint64_t nbytes = groups * static_cast<std::uint64_t>(bit_width);
      if (nbytes > static_cast<std::uint64_t>(end - p)) {
        // the last run may be shorter than its header says when padding is not stored
        if (groups * 8 < count - done) site.fail("bit-packed run truncated");
      }
      const std::size_t avail = static_cast<std::size_t>(std::min<std::uint64_t>(nbytes, static_cast<std::uint64_t>(end - p)));
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(groups * 8, count - done));
      if (static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(bit_width) > avail * 8ull)
        site.fail("bit-packed run truncated");
      if (bit_width == 1) {
        for (std::size_t i = 0; i < n; ++i) out[done + i] = static_cast<U>((p[i >> 3] >> (i & 7)) & 1u);
      } else {
        std::uint64_t buf = 0;
        int have = 0;
        std::size_t byte = 0;
        for (std::size_t i = 0; i < n; ++i) {
          while (have < bit_width) {
            buf |= static_cast<std::uint64_t>(p[byte++]) << have;
            have += 8;
          }
          out[done + i] = static_cast<U>(buf & mask);
          buf >>= bit_width;
          have -= bit_width;
        }
      }
      p += avail;
      done += n;
    } else {  // repeated value
      const std::uint64_t n = h >> 1;
      if (value_bytes > static_cast<std::size_t>(end - p)) site.fail("RLE run truncated");
      std::uint32_t v = 0;
      for (std::size_t i = 0; i < value_bytes; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
      p += value_bytes;
      if (v > mask) site.fail(concat("RLE value ", v, " exceeds bit width ", bit_width));
      if (sizeof(U) < 4 && v > static_cast<std::uint32_t>((std::numeric_limits<U>::max)()))
        site.fail(concat("level ", v, " too large"));
      const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, count - done));
      std::fill(out + done, out + done + take, static_cast<U>(v));
      done += take;
    }
  }
}

/// Bits needed for values up to `max_value`.
[[nodiscard]] inline int bit_width_of(std::uint64_t max_value) noexcept {
  int w = 0;
  while (max_value) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

/// Appends the hybrid encoding of `v` (values < 2^bit_width) to `out`: runs of >= 8 equal values
/// become RLE runs, the rest bit-packed groups of 8 (the final group zero-padded).
inline void encode_hybrid(const std::uint32_t* v, std::size_t n, int bit_width, std::vector<std::uint8_t>& out) {
  auto varint = [&](std::uint64_t x) {
    while (x >= 0x80) {
      out.push_back(static_cast<std::uint8_t>(x | 0x80));
      x >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(x));
  };
  auto run_at = [&](std::size_t i) {
    std::size_t j = i + 1;
    while (j < n && v[j] == v[i]) ++j;
    return j - i;
  };
  const std::size_t value_bytes = static_cast<std::size_t>((bit_width + 7) / 8);
  std::size_t i = 0;
  while (i < n) {
    const std::size_t run = run_at(i);
    if (run >= 8) {
      varint(static_cast<std::uint64_t>(run) << 1);
      for (std::size_t b = 0; b < value_bytes; ++b) out.push_back(static_cast<std::uint8_t>(v[i] >> (8 * b)));
      i += run;
      continue;
    }
    // bit-pack groups of 8 until a long run starts at a group boundary
    std::size_t j = i;
    do {
      j += 8;
    } while (j < n && run_at(j) < 16);
    const std::size_t groups = (j - i) / 8;
    varint((static_cast<std::uint64_t>(groups) << 1) | 1);
    std::uint64_t buf = 0;
    int have = 0;
    for (std::size_t k = i; k < j; ++k) {
      const std::uint64_t x = k < n ? v[k] : 0;
      buf |= x << have;
      have += bit_width;
      while (have >= 8) {
        out.push_back(static_cast<std::uint8_t>(buf));
        buf >>= 8;
        have -= 8;
      }
    }
    i = j;
  }
}

}  // namespace hepad::io::parquet::detail

#endif  // HEPAD_IO_PARQUET_DETAIL_ENCODING_HPP
