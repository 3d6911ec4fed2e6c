// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/parquet/detail/codec.hpp
/// @brief Internal: Parquet page compression through the system libraries (component
/// hepad::parquet): SNAPPY (raw block, libsnappy), GZIP (zlib, gzip wrapper), ZSTD (libzstd) and,
/// for reading only, LZ4_RAW (liblz4 block).
#ifndef HEPAD_IO_PARQUET_DETAIL_CODEC_HPP
#define HEPAD_IO_PARQUET_DETAIL_CODEC_HPP

#include <hepad/io/detail/file.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

namespace hepad::io::parquet::detail {

using hepad::io::detail::concat;

/// Parquet CompressionCodec values.
inline constexpr std::int32_t codec_uncompressed = 0, codec_snappy = 1, codec_gzip = 2, codec_lzo = 3,
                              codec_brotli = 4, codec_lz4 = 5, codec_zstd = 6, codec_lz4_raw = 7;

[[nodiscard]] inline std::string_view codec_name(std::int32_t c) noexcept {
  switch (c) {
    case 0: return "UNCOMPRESSED";
    case 1: return "SNAPPY";
    case 2: return "GZIP";
    case 3: return "LZO";
    case 4: return "BROTLI";
    case 5: return "LZ4";
    case 6: return "ZSTD";
    case 7: return "LZ4_RAW";
    default: return "unknown";
  }
}

/// True if `n` compressed bytes can decompress to `size` bytes with `codec` (checked before the
/// output is allocated, so a corrupt header cannot make the reader allocate gigabytes).
[[nodiscard]] inline bool plausible_size(std::int32_t codec, const std::uint8_t* src, std::size_t n,
                                         std::size_t size) noexcept {
  switch (codec) {
    case codec_uncompressed: return n == size;
    case codec_snappy: {
      std::size_t len = 0;
      return snappy_uncompressed_length(reinterpret_cast<const char*>(src), n, &len) == SNAPPY_OK && len == size;
    }
    case codec_gzip: return size <= 1032 * n + 1024;  // deflate's maximum ratio
    case codec_zstd: {
      const unsigned long long c = ZSTD_getFrameContentSize(src, n);
      if (c == ZSTD_CONTENTSIZE_ERROR) return false;
      if (c != ZSTD_CONTENTSIZE_UNKNOWN && c != size) return false;
      return size <= 32768 * n + (std::size_t{1} << 17);  // RLE blocks: 4 bytes per 128 KiB
    }
    case codec_lz4_raw: return size <= 255 * n + 16;
    default: return true;  // unsupported codecs are reported by decompress()
  }
}

/// Decompresses `src` into exactly `out_size` bytes at `out`. Raises format_error(path, item,
/// offset) if the codec is unsupported or the data do not decompress to that size.
inline void decompress(std::int32_t codec, const std::uint8_t* src, std::size_t n, std::uint8_t* out,
                       std::size_t out_size, const std::string& path, std::string_view item, std::int64_t offset) {
  auto bad = [&](const std::string& what) { hepad::io::detail::fail(path, item, offset, what); };
  switch (codec) {
    case codec_uncompressed:
      if (n != out_size) bad(concat("uncompressed page has ", n, " bytes, header says ", out_size));
      if (n) std::memcpy(out, src, n);
      return;
    case codec_snappy: {
      std::size_t len = 0;
      if (snappy_uncompressed_length(reinterpret_cast<const char*>(src), n, &len) != SNAPPY_OK || len != out_size)
        bad(concat("corrupt SNAPPY page (declared length ", len, ", header says ", out_size, ")"));
      std::size_t got = out_size;
      if (snappy_uncompress(reinterpret_cast<const char*>(src), n, reinterpret_cast<char*>(out), &got) != SNAPPY_OK ||
          got != out_size)
        bad("corrupt SNAPPY page");
      return;
    }
    case codec_gzip: {
      z_stream zs{};
      if (inflateInit2(&zs, 15 + 32) != Z_OK) bad("zlib initialisation failed");
      zs.next_in = const_cast<Bytef*>(src);
      zs.avail_in = static_cast<uInt>(n);
      zs.next_out = out;
      zs.avail_out = static_cast<uInt>(out_size);
      int rc = Z_OK;
      std::size_t produced = 0;
      // a GZIP page may hold several concatenated gzip members
      while (true) {
        rc = inflate(&zs, Z_FINISH);
        produced = out_size - zs.avail_out;
        if (rc == Z_STREAM_END && zs.avail_in > 0 && produced < out_size) {
          inflateReset(&zs);
          continue;
        }
        break;
      }
      inflateEnd(&zs);
      if (rc != Z_STREAM_END || produced != out_size)
        bad(concat("corrupt GZIP page (zlib status ", rc, ", ", produced, " of ", out_size, " bytes)"));
      return;
    }
    case codec_zstd: {
      const std::size_t r = ZSTD_decompress(out, out_size, src, n);
      if (ZSTD_isError(r) || r != out_size)
        bad(concat("corrupt ZSTD page: ", ZSTD_isError(r) ? ZSTD_getErrorName(r) : "wrong decompressed size"));
      return;
    }
    case codec_lz4_raw: {
      if (n > INT32_MAX || out_size > INT32_MAX) bad("LZ4_RAW page too large");
      const int r = LZ4_decompress_safe(reinterpret_cast<const char*>(src), reinterpret_cast<char*>(out),
                                        static_cast<int>(n), static_cast<int>(out_size));
      if (r < 0 || static_cast<std::size_t>(r) != out_size) bad("corrupt LZ4_RAW page");
      return;
    }
    default:
      hepad::detail::raise<format_error>(path, std::string(item), offset,
                                         concat("compression codec ", codec_name(codec), " (", codec,
                                                ") is not supported (hepad reads UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW)"));
  }
}

/// Compresses `src` with `codec` (level 0 = the library's default); returns the compressed bytes.
inline std::vector<std::uint8_t> compress(std::int32_t codec, const std::uint8_t* src, std::size_t n, int level,
                                          const std::string& path) {
  std::vector<std::uint8_t> out;
  switch (codec) {
    case codec_uncompressed: out.assign(src, src + n); return out;
    case codec_snappy: {
      std::size_t cap = snappy_max_compressed_length(n);
      out.resize(cap);
      if (snappy_compress(reinterpret_cast<const char*>(src), n, reinterpret_cast<char*>(out.data()), &cap) !=
          SNAPPY_OK)
        hepad::detail::raise<io_error>(path, "snappy compression failed");
      out.resize(cap);
      return out;
    }
    case codec_gzip: {
      z_stream zs{};
      if (deflateInit2(&zs, level > 0 ? level : Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
          Z_OK)
        hepad::detail::raise<io_error>(path, "zlib initialisation failed");
      out.resize(deflateBound(&zs, static_cast<uLong>(n)) + 32);
      zs.next_in = const_cast<Bytef*>(src);
      zs.avail_in = static_cast<uInt>(n);
      zs.next_out = out.data();
      zs.avail_out = static_cast<uInt>(out.size());
      const int rc = deflate(&zs, Z_FINISH);
      out.resize(out.size() - zs.avail_out);
      deflateEnd(&zs);
      if (rc != Z_STREAM_END) hepad::detail::raise<io_error>(path, "gzip compression failed");
      return out;
    }
    case codec_zstd: {
      out.resize(ZSTD_compressBound(n));
      const std::size_t r = ZSTD_compress(out.data(), out.size(), src, n, level > 0 ? level : 3);
      if (ZSTD_isError(r)) hepad::detail::raise<io_error>(path, concat("zstd compression failed: ", ZSTD_getErrorName(r)));
      out.resize(r);
      return out;
    }
    default:
      hepad::detail::raise<not_supported>(
          concat("parquet writer: codec ", codec_name(codec), " is not supported; use uncompressed, snappy, gzip or zstd"));
  }
}

}  // namespace hepad::io::parquet::detail

#endif  // HEPAD_IO_PARQUET_DETAIL_CODEC_HPP
