// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/root/decompress.hpp
/// @brief ROOT's compressed-record framing ("R__unzip"): a sequence of blocks, each a 9-byte header
/// (2-byte algorithm magic, method byte, 3-byte little-endian compressed and uncompressed sizes)
/// followed by the payload. Decodes "ZL" (zlib), "XZ" (LZMA/xz container), "L4" (raw LZ4 block
/// after an XXH64 checksum, verified) and "ZS" (zstd frame) through the Debian libraries.
/// Not here: ROOT's old private "CS" deflate variant (rejected with a clear error).
///
/// Component `hepad::root_io` (zlib, liblzma, liblz4, libzstd, libxxhash).
#ifndef HEPAD_IO_ROOT_DECOMPRESS_HPP
#define HEPAD_IO_ROOT_DECOMPRESS_HPP

#include <hepad/io/root/detail/cursor.hpp>

#include <lz4.h>
#include <lzma.h>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace hepad::io::root {

/// Compression algorithm of a ROOT block (`fCompress / 100` of a file, or a block's magic).
enum class codec : int { none = 0, zlib = 1, lzma = 2, old = 3, lz4 = 4, zstd = 5 };

/// Name of a codec ("zlib", "lzma", "lz4", "zstd", "none").
inline std::string_view codec_name(codec c) noexcept {
  switch (c) {
    case codec::none: return "none";
    case codec::zlib: return "zlib";
    case codec::lzma: return "lzma";
    case codec::old: return "old-root";
    case codec::lz4: return "lz4";
    case codec::zstd: return "zstd";
  }
  return "unknown";
}

/// Options of decompression.
struct decompress_options {
  bool verify_lz4_checksum = true;            ///< check the XXH64 of every "L4" block
  std::uint64_t lzma_memory_limit = 1ull << 28;  ///< liblzma decoder memory limit (bytes)
  std::int64_t max_object_bytes = 1ll << 30;     ///< larger uncompressed records are rejected
};

namespace detail {
/// One zstd decompression context per thread (creating one per basket costs more than small baskets).
inline ZSTD_DCtx* zstd_context() {
  struct deleter {
    void operator()(ZSTD_DCtx* c) const noexcept { ZSTD_freeDCtx(c); }
  };
  thread_local std::unique_ptr<ZSTD_DCtx, deleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}
/// One zlib inflate state per thread, reset for every block (inflateInit per block costs two
/// allocations, comparable to inflating a small basket).
struct zlib_inflater {
  z_stream zs{};
  bool ok = false;
  zlib_inflater() { ok = inflateInit(&zs) == Z_OK; }
  zlib_inflater(const zlib_inflater&) = delete;
  zlib_inflater& operator=(const zlib_inflater&) = delete;
  ~zlib_inflater() {
    if (ok) inflateEnd(&zs);
  }
};
inline z_stream* zlib_stream() {
  thread_local zlib_inflater z;
  if (!z.ok || inflateReset(&z.zs) != Z_OK) return nullptr;
  return &z.zs;
}

/// Two hex digits of a byte (for messages).
inline std::string hex2(unsigned char c) {
  const char* d = "0123456789abcdef";
  return std::string{d[c >> 4], d[c & 15]};
}
}  // namespace detail

/// Decompresses the ROOT record `src` (one or more blocks) into `dst`, which must receive exactly
/// `dst.size()` bytes (the key's ObjLen). `where` describes `src` for errors (its file offset is
/// that of `src[0]`).
/// @returns the codec of the first block.
/// @throws hepad::format_error naming file, item and the block's byte offset on an unknown magic,
/// sizes that disagree, a checksum mismatch or a decoder error.
inline codec decompress(std::span<const unsigned char> src, std::span<unsigned char> dst,
                        const detail::origin& where, const decompress_options& opt = {}) {
  std::size_t in = 0, out = 0;
  codec first = codec::none;
  auto fail = [&](std::size_t pos, std::string_view what) { detail::fail_at(where, pos, what); };
  while (out < dst.size()) {
    if (src.size() - in < 9)
      fail(in, hepad::detail::concat("truncated compression header: ", dst.size() - out,
                                     " uncompressed bytes still expected, ", src.size() - in,
                                     " bytes left"));
    const unsigned char* h = src.data() + in;
    const std::size_t csize = std::size_t{h[3]} | (std::size_t{h[4]} << 8) | (std::size_t{h[5]} << 16);
    const std::size_t usize = std::size_t{h[6]} | (std::size_t{h[7]} << 8) | (std::size_t{h[8]} << 16);
    if (csize > src.size() - in - 9)
      fail(in, hepad::detail::concat("compressed block size ", csize, " exceeds the ",
                                     src.size() - in - 9, " bytes left in the record"));
    if (usize > dst.size() - out || usize == 0)
      fail(in, hepad::detail::concat("block uncompressed size ", usize, " does not fit the ",
                                     dst.size() - out, " bytes left of the object"));
    const unsigned char* p = h + 9;
    unsigned char* o = dst.data() + out;
    codec c;
    if (h[0] == 'Z' && h[1] == 'L') {
      c = codec::zlib;
      if (h[2] != Z_DEFLATED) fail(in, hepad::detail::concat("zlib block with method ", int{h[2]}, ", expected 8"));
      z_stream* zs = detail::zlib_stream();
      if (!zs) fail(in, "zlib: cannot initialise the inflater");
      zs->next_in = const_cast<Bytef*>(p);
      zs->avail_in = static_cast<uInt>(csize);
      zs->next_out = o;
      zs->avail_out = static_cast<uInt>(usize);
      const int r = inflate(zs, Z_FINISH);
      const auto produced = zs->total_out;
      if (r != Z_STREAM_END || produced != usize)
        fail(in, hepad::detail::concat("zlib: corrupt block (inflate returned ", r, ", produced ",
                                       produced, " of ", usize, " bytes)"));
    } else if (h[0] == 'X' && h[1] == 'Z') {
      c = codec::lzma;
      std::uint64_t memlimit = opt.lzma_memory_limit;
      std::size_t in_pos = 0, out_pos = 0;
      const lzma_ret r = lzma_stream_buffer_decode(&memlimit, 0, nullptr, p, &in_pos, csize, o,
                                                   &out_pos, usize);
      if (r != LZMA_OK || out_pos != usize)
        fail(in, hepad::detail::concat("lzma: corrupt block (liblzma error ", static_cast<int>(r),
                                       ", produced ", out_pos, " of ", usize, " bytes)"));
    } else if (h[0] == 'L' && h[1] == '4') {
      c = codec::lz4;
      if (csize < 8) fail(in, "lz4 block shorter than its 8-byte checksum");
      if (opt.verify_lz4_checksum) {
        const std::uint64_t expect = (std::uint64_t{detail::cursor::load_be32(p)} << 32) |
                                     detail::cursor::load_be32(p + 4);
        const std::uint64_t got = XXH64(p + 8, csize - 8, 0);
        if (got != expect) fail(in, "lz4 block checksum (XXH64) mismatch");
      }
      const int r = LZ4_decompress_safe(reinterpret_cast<const char*>(p + 8), reinterpret_cast<char*>(o),
                                        static_cast<int>(csize - 8), static_cast<int>(usize));
      if (r < 0 || static_cast<std::size_t>(r) != usize)
        fail(in, hepad::detail::concat("lz4: corrupt block (produced ", r, " of ", usize, " bytes)"));
    } else if (h[0] == 'Z' && h[1] == 'S') {
      c = codec::zstd;
      const std::size_t r = ZSTD_decompressDCtx(detail::zstd_context(), o, usize, p, csize);
      if (ZSTD_isError(r) || r != usize)
        fail(in, hepad::detail::concat("zstd: corrupt block (",
                                       ZSTD_isError(r) ? ZSTD_getErrorName(r) : "short output",
                                       ")"));
    } else if (h[0] == 'C' && h[1] == 'S') {
      fail(in, "ROOT's old \"CS\" compression is not supported");
    } else {
      fail(in, hepad::detail::concat("unknown compression magic 0x", detail::hex2(h[0]), detail::hex2(h[1])));
    }
    if (in == 0) first = c;
    in += 9 + csize;
    out += usize;
  }
  return first;
}

}  // namespace hepad::io::root

#endif  // HEPAD_IO_ROOT_DECOMPRESS_HPP
