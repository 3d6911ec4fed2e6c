// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/npz.hpp
/// @brief NumPy `.npz` archives (component hepad::codecs, for zlib): `read_npz`, `npz_names`,
/// `write_npz` (stored like `np.savez` or deflated like `np.savez_compressed`, atomically).
///
/// The zip container is handled here (see docs/design/io.md for why not libzip/minizip): the end
/// of central directory record (with ZIP64), the central directory, local headers, methods 0
/// (stored) and 8 (deflate, via zlib), CRC-32 checked. Every member is an NPY file (io/npy.hpp).
/// Not here: encryption, multi-disk archives, other compression methods, writing members of
/// 4 GiB or more (write a `.npy` instead).
#ifndef HEPAD_IO_NPZ_HPP
#define HEPAD_IO_NPZ_HPP

#include <hepad/core/atomic_file.hpp>
#include <hepad/core/error.hpp>
#include <hepad/io/detail/file.hpp>
#include <hepad/io/ndarray.hpp>
#include <hepad/io/npy.hpp>

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace hepad::io {

namespace detail {

struct zip_entry {
  std::string name;
  std::uint16_t method = 0, flags = 0;
  std::uint32_t crc = 0;
  std::uint64_t csize = 0, usize = 0, local_offset = 0;
};

/// Reads the central directory of a zip archive.
[[nodiscard]] inline std::vector<zip_entry> zip_directory(const input_file& f) {
  const auto& p = f.path();
  const std::uint64_t size = f.size();
  if (size < 22) fail(p, "", 0, "not a zip (.npz) archive: shorter than an end-of-directory record");
  const std::size_t tail_n = static_cast<std::size_t>(std::min<std::uint64_t>(size, 22 + 65535));
  const auto tail = f.read(size - tail_n, tail_n, "end of central directory");
  std::size_t eocd = tail_n;
  for (std::size_t i = tail_n - 22 + 1; i-- > 0;)
    if (load_le<std::uint32_t>(tail.data() + i) == 0x06054b50u) {
      eocd = i;
      break;
    }
  if (eocd == tail_n) fail(p, "", static_cast<std::int64_t>(size), "not a zip (.npz) archive: no end-of-central-directory record (truncated?)");
  const std::uint64_t eocd_off = size - tail_n + eocd;
  const std::uint8_t* e = tail.data() + eocd;
  std::uint64_t entries = load_le<std::uint16_t>(e + 10);
  std::uint64_t cd_size = load_le<std::uint32_t>(e + 12);
  std::uint64_t cd_off = load_le<std::uint32_t>(e + 16);
  if (load_le<std::uint16_t>(e + 4) != 0 || load_le<std::uint16_t>(e + 6) != 0)
    hepad::detail::raise<not_supported>(concat("npz: file '", p, "': multi-disk zip archives are not supported"));
  if (entries == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu) {
    if (eocd_off < 20) fail(p, "", static_cast<std::int64_t>(eocd_off), "ZIP64 locator missing");
    const auto loc = f.read(eocd_off - 20, 20, "ZIP64 locator");
    if (load_le<std::uint32_t>(loc.data()) != 0x07064b50u) fail(p, "", static_cast<std::int64_t>(eocd_off - 20), "ZIP64 locator missing");
    const std::uint64_t z64 = load_le<std::uint64_t>(loc.data() + 8);
    const auto rec = f.read(z64, 56, "ZIP64 end of central directory");
    if (load_le<std::uint32_t>(rec.data()) != 0x06064b50u) fail(p, "", static_cast<std::int64_t>(z64), "bad ZIP64 end-of-directory record");
    entries = load_le<std::uint64_t>(rec.data() + 32);
    cd_size = load_le<std::uint64_t>(rec.data() + 40);
    cd_off = load_le<std::uint64_t>(rec.data() + 48);
  }
  if (cd_off > size || cd_size > size - cd_off)
    fail(p, "", static_cast<std::int64_t>(eocd_off), concat("central directory [", cd_off, ", +", cd_size, ") lies outside the file"));
  if (entries > cd_size / 46) fail(p, "", static_cast<std::int64_t>(eocd_off), concat("central directory too small for ", entries, " entries"));
  const auto cd = f.read(cd_off, static_cast<std::size_t>(cd_size), "central directory");
  std::vector<zip_entry> out;
  std::size_t q = 0;
  for (std::uint64_t k = 0; k < entries; ++k) {
    const auto at = static_cast<std::int64_t>(cd_off + q);
    if (cd.size() - q < 46 || load_le<std::uint32_t>(cd.data() + q) != 0x02014b50u) fail(p, "", at, "bad central directory entry");
    const std::uint8_t* c = cd.data() + q;
    zip_entry z;
    z.flags = load_le<std::uint16_t>(c + 8);
    z.method = load_le<std::uint16_t>(c + 10);
    z.crc = load_le<std::uint32_t>(c + 16);
    z.csize = load_le<std::uint32_t>(c + 20);
    z.usize = load_le<std::uint32_t>(c + 24);
    const std::size_t nlen = load_le<std::uint16_t>(c + 28), xlen = load_le<std::uint16_t>(c + 30), clen = load_le<std::uint16_t>(c + 32);
    z.local_offset = load_le<std::uint32_t>(c + 42);
    if (cd.size() - q - 46 < nlen + xlen + clen) fail(p, "", at, "central directory entry truncated");
    z.name.assign(reinterpret_cast<const char*>(c + 46), nlen);
    // ZIP64 extra field: the 0xFFFFFFFF sizes/offset follow in this order
    const std::uint8_t* x = c + 46 + nlen;
    for (std::size_t xi = 0; xi + 4 <= xlen;) {
      const std::uint16_t id = load_le<std::uint16_t>(x + xi), len = load_le<std::uint16_t>(x + xi + 2);
      if (xi + 4 + len > xlen) fail(p, z.name, at, "bad extra field");
      if (id == 0x0001) {
        std::size_t o = xi + 4;
        auto take = [&](std::uint64_t& v) {
          if (v == 0xFFFFFFFFu) {
            if (o + 8 > xi + 4 + len) fail(p, z.name, at, "bad ZIP64 extra field");
            v = load_le<std::uint64_t>(x + o);
            o += 8;
          }
        };
        take(z.usize);
        take(z.csize);
        take(z.local_offset);
      }
      xi += 4 + len;
    }
    out.push_back(std::move(z));
    q += 46 + nlen + xlen + clen;
  }
  return out;
}

/// The uncompressed bytes of one member (CRC-checked).
[[nodiscard]] inline std::vector<std::uint8_t> zip_extract(const input_file& f, const zip_entry& z) {
  const auto& p = f.path();
  if (z.flags & 1) hepad::detail::raise<not_supported>(concat("npz: file '", p, "', member '", z.name, "' is encrypted"));
  const auto lh = f.read(z.local_offset, 30, z.name);
  if (load_le<std::uint32_t>(lh.data()) != 0x04034b50u) fail(p, z.name, static_cast<std::int64_t>(z.local_offset), "bad local file header");
  const std::uint64_t data = z.local_offset + 30 + load_le<std::uint16_t>(lh.data() + 26) + load_le<std::uint16_t>(lh.data() + 28);
  if (z.usize > (std::uint64_t{1} << 40)) fail(p, z.name, static_cast<std::int64_t>(data), "member too large");
  const auto comp = f.read(data, static_cast<std::size_t>(z.csize), z.name);
  std::vector<std::uint8_t> out;
  if (z.method == 0) {
    if (z.csize != z.usize) fail(p, z.name, static_cast<std::int64_t>(data), "stored member with different sizes");
    out = comp;
  } else if (z.method == 8) {
    // bound the output by deflate's maximum ratio (1032:1) so a corrupt size cannot exhaust memory
    if (z.usize / 1032 > z.csize + 1) fail(p, z.name, static_cast<std::int64_t>(data), "declared size impossible for deflate data");
    out.resize(static_cast<std::size_t>(z.usize));
    z_stream zs{};
    if (inflateInit2(&zs, -15) != Z_OK) hepad::detail::raise<io_error>(p, "zlib initialisation failed");
    zs.next_in = const_cast<Bytef*>(comp.data());
    zs.avail_in = static_cast<uInt>(comp.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_FINISH);
    const std::size_t got = out.size() - zs.avail_out;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || got != out.size())
      fail(p, z.name, static_cast<std::int64_t>(data), concat("corrupt deflate data (zlib status ", rc, ", ", got, " of ", out.size(), " bytes)"));
  } else {
    hepad::detail::raise<not_supported>(concat("npz: file '", p, "', member '", z.name, "': compression method ", z.method,
                                               " (only stored and deflate)"));
  }
  const auto crc = static_cast<std::uint32_t>(::crc32(0L, out.data(), static_cast<uInt>(out.size())));
  if (crc != z.crc) fail(p, z.name, static_cast<std::int64_t>(data), "CRC-32 mismatch: the member is corrupt");
  return out;
}

[[nodiscard]] inline std::string npz_array_name(const std::string& member) {
  return member.size() > 4 && member.compare(member.size() - 4, 4, ".npy") == 0 ? member.substr(0, member.size() - 4) : member;
}

}  // namespace detail

/// Names of the arrays in an `.npz` (member names without ".npy").
[[nodiscard]] inline std::vector<std::string> npz_names(const std::filesystem::path& path) {
  detail::input_file f(path);
  std::vector<std::string> n;
  for (const auto& z : detail::zip_directory(f)) n.push_back(detail::npz_array_name(z.name));
  return n;
}

/// One array of an `.npz`. @throws hepad::out_of_range if absent, hepad::format_error if corrupt.
[[nodiscard]] inline ndarray read_npz(const std::filesystem::path& path, const std::string& name) {
  detail::input_file f(path);
  for (const auto& z : detail::zip_directory(f))
    if (detail::npz_array_name(z.name) == name) {
      const auto bytes = detail::zip_extract(f, z);
      return parse_npy(bytes.data(), bytes.size(), hepad::detail::concat(f.path(), ":", z.name));
    }
  hepad::detail::raise<out_of_range>(hepad::detail::concat("npz: file '", f.path(), "' has no array '", name, "'"));
}

/// Every array of an `.npz`, in archive order.
[[nodiscard]] inline std::vector<std::pair<std::string, ndarray>> read_npz(const std::filesystem::path& path) {
  detail::input_file f(path);
  std::vector<std::pair<std::string, ndarray>> out;
  for (const auto& z : detail::zip_directory(f)) {
    const auto bytes = detail::zip_extract(f, z);
    out.emplace_back(detail::npz_array_name(z.name), parse_npy(bytes.data(), bytes.size(), hepad::detail::concat(f.path(), ":", z.name)));
  }
  return out;
}

/// Writes arrays into a new `.npz` (atomically); `compress` deflates members like
/// `np.savez_compressed`. @throws hepad::not_supported for a member of 4 GiB or more.
inline void write_npz(const std::filesystem::path& path, const std::vector<std::pair<std::string, ndarray>>& arrays,
                      bool compress = false) {
  using detail::store_le;
  atomic_file f(path);
  std::vector<std::uint8_t> cd;
  std::uint64_t offset = 0;
  for (const auto& [name, a] : arrays) {
    const std::string member = name + ".npy";
    if (member.size() > 0xFFFF) throw_invalid_argument("io::write_npz", "array name too long");
    const auto raw = detail::encode_npy(a);
    const auto crc = static_cast<std::uint32_t>(::crc32(0L, raw.data(), static_cast<uInt>(raw.size())));
    std::vector<std::uint8_t> comp;
    if (compress) {
      z_stream zs{};
      if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        hepad::detail::raise<io_error>(path.string(), "zlib initialisation failed");
      comp.resize(deflateBound(&zs, static_cast<uLong>(raw.size())) + 16);
      zs.next_in = const_cast<Bytef*>(raw.data());
      zs.avail_in = static_cast<uInt>(raw.size());
      zs.next_out = comp.data();
      zs.avail_out = static_cast<uInt>(comp.size());
      const int rc = deflate(&zs, Z_FINISH);
      comp.resize(comp.size() - zs.avail_out);
      deflateEnd(&zs);
      if (rc != Z_STREAM_END) hepad::detail::raise<io_error>(path.string(), "deflate failed");
    }
    const auto& data = compress ? comp : raw;
    if (raw.size() >= 0xFFFFFFFFull || offset >= 0xFFFFFFFFull)
      hepad::detail::raise<not_supported>("io::write_npz: members or archives of 4 GiB or more; write .npy files instead");
    std::vector<std::uint8_t> lh;
    store_le(lh, std::uint32_t{0x04034b50});
    store_le(lh, std::uint16_t{20});
    store_le(lh, std::uint16_t{0});
    store_le(lh, static_cast<std::uint16_t>(compress ? 8 : 0));
    store_le(lh, std::uint16_t{0});       // time
    store_le(lh, std::uint16_t{0x0021});  // date 1980-01-01
    store_le(lh, crc);
    store_le(lh, static_cast<std::uint32_t>(data.size()));
    store_le(lh, static_cast<std::uint32_t>(raw.size()));
    store_le(lh, static_cast<std::uint16_t>(member.size()));
    store_le(lh, std::uint16_t{0});
    lh.insert(lh.end(), member.begin(), member.end());
    f.write(lh.data(), lh.size());
    f.write(data.data(), data.size());
    store_le(cd, std::uint32_t{0x02014b50});
    store_le(cd, std::uint16_t{20});
    store_le(cd, std::uint16_t{20});
    store_le(cd, std::uint16_t{0});
    store_le(cd, static_cast<std::uint16_t>(compress ? 8 : 0));
    store_le(cd, std::uint16_t{0});
    store_le(cd, std::uint16_t{0x0021});
    store_le(cd, crc);
    store_le(cd, static_cast<std::uint32_t>(data.size()));
    store_le(cd, static_cast<std::uint32_t>(raw.size()));
    store_le(cd, static_cast<std::uint16_t>(member.size()));
    store_le(cd, std::uint16_t{0});
    store_le(cd, std::uint16_t{0});
    store_le(cd, std::uint16_t{0});
    store_le(cd, std::uint16_t{0});
    store_le(cd, std::uint32_t{0});
    store_le(cd, static_cast<std::uint32_t>(offset));
    cd.insert(cd.end(), member.begin(), member.end());
    offset += lh.size() + data.size();
  }
  if (arrays.size() >= 0xFFFF || offset >= 0xFFFFFFFFull)
    hepad::detail::raise<not_supported>("io::write_npz: archives of 4 GiB or 65535 members or more");
  std::vector<std::uint8_t> end;
  store_le(end, std::uint32_t{0x06054b50});
  store_le(end, std::uint16_t{0});
  store_le(end, std::uint16_t{0});
  store_le(end, static_cast<std::uint16_t>(arrays.size()));
  store_le(end, static_cast<std::uint16_t>(arrays.size()));
  store_le(end, static_cast<std::uint32_t>(cd.size()));
  store_le(end, static_cast<std::uint32_t>(offset));
  store_le(end, std::uint16_t{0});
  f.write(cd.data(), cd.size());
  f.write(end.data(), end.size());
  f.commit();
}

}  // namespace hepad::io

#endif  // HEPAD_IO_NPZ_HPP
