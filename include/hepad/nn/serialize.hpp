// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/serialize.hpp
/// @brief `nn::save(module, path)` / `nn::load(module, path)`: a versioned binary file with a JSON
/// header naming the architecture and every parameter's name and shape, followed by the raw
/// little-endian values and a checksum. Loading into a module of a different architecture, scalar
/// type or parameter shapes is a `hepad::format_error` that names both architectures; a truncated
/// or corrupted file is a `format_error` with the byte offset.
///
/// Layout: "HEPADNN\0" | u32 format version | u32 scalar bytes | u64 header length | header JSON |
/// parameter values (row-major, in `parameters()` order) | buffer values | u64 FNV-1a checksum of
/// everything before it.
#ifndef HEPAD_NN_SERIALIZE_HPP
#define HEPAD_NN_SERIALIZE_HPP

#include <hepad/autodiff/parameter.hpp>
#include <hepad/core/atomic_file.hpp>
#include <hepad/core/concepts/module.hpp>
#include <hepad/core/error.hpp>
#include <hepad/nn/detail/bytes.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace hepad::nn {

/// Version of the module file format written by `save`.
inline constexpr std::uint32_t module_format_version = 1;

namespace detail {

inline std::string json_escape(std::string_view s) {
  std::string o;
  o.reserve(s.size() + 2);
  o += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      o += '\\';
      o += ch;
    } else if (c < 0x20) {
      constexpr char hex[] = "0123456789abcdef";
      o += "\\u00";
      o += hex[c >> 4];
      o += hex[c & 15];
    } else {
      o += ch;
    }
  }
  o += '"';
  return o;
}

/// Reads the JSON string value of `"key"` in `json` (our own header format); empty if absent.
inline std::string json_string_field(std::string_view json, std::string_view key) {
  const std::string pat = hepad::detail::concat("\"", key, "\":\"");
  const auto at = json.find(pat);
  if (at == std::string_view::npos) return {};
  std::string out;
  for (std::size_t i = at + pat.size(); i < json.size(); ++i) {
    const char c = json[i];
    if (c == '"') return out;
    if (c == '\\' && i + 1 < json.size()) {
      const char e = json[++i];
      if (e == 'u' && i + 4 < json.size()) {
        out += static_cast<char>(std::stoi(std::string(json.substr(i + 1, 4)), nullptr, 16));
        i += 4;
      } else {
        out += e;
      }
    } else {
      out += c;
    }
  }
  return out;
}

/// FNV-1a 64-bit hash.
inline std::uint64_t fnv1a(const std::uint8_t* p, std::size_t n, std::uint64_t h = 0xcbf29ce484222325ULL) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

template <class S>
inline constexpr std::string_view scalar_name = sizeof(S) == 4 ? "float32" : "float64";

/// The architecture string of a module: `architecture()` if it has one, else a description of
/// its parameters.
template <class M>
inline std::string architecture_of(M& m) {
  if constexpr (described_module<M>) {
    return m.architecture();
  } else {
    std::string s = "module(";
    bool first = true;
    for (auto* p : m.parameters()) {
      s += hepad::detail::concat(first ? "" : ", ", p->rows(), "x", p->cols());
      first = false;
    }
    return s + ")";
  }
}

/// The module's buffers (non-trainable state), or none.
template <class M>
inline std::vector<matrix<typename M::scalar_type>*> buffers_of(M& m) {
  if constexpr (module_with_buffers<M>) return m.buffers();
  else return {};
}

/// The JSON header of a module file.
template <class M>
inline std::string module_header(M& m) {
  using S = typename M::scalar_type;
  std::string h = hepad::detail::concat("{\"format\":\"hepad.nn.module\",\"version\":", module_format_version,
                                        ",\"scalar\":\"", scalar_name<S>,
                                        "\",\"architecture\":", json_escape(architecture_of(m)),
                                        ",\"parameters\":[");
  bool first = true;
  for (auto* p : m.parameters()) {
    h += hepad::detail::concat(first ? "" : ",", "{\"name\":", json_escape(p->name), ",\"shape\":[", p->rows(), ",",
                               p->cols(), "]}");
    first = false;
  }
  h += "],\"buffers\":[";
  first = true;
  for (auto* b : buffers_of(m)) {
    h += hepad::detail::concat(first ? "" : ",", "[", b->rows(), ",", b->cols(), "]");
    first = false;
  }
  return h + "]}";
}

/// Appends the module file image (header and values) to `w`.
template <class M>
inline void write_module(byte_writer& w, M& m) {
  using S = typename M::scalar_type;
  const std::string header = module_header(m);
  w.put_bytes("HEPADNN", 8);  // 7 characters and the terminating zero
  w.put(module_format_version);
  w.put(static_cast<std::uint32_t>(sizeof(S)));
  w.put(static_cast<std::uint64_t>(header.size()));
  w.put_bytes(header.data(), header.size());
  for (auto* p : m.parameters()) w.put_bytes(p->value.data(), static_cast<std::size_t>(p->size()) * sizeof(S));
  for (auto* b : buffers_of(m)) w.put_bytes(b->data(), static_cast<std::size_t>(b->size()) * sizeof(S));
}

/// Reads a module image written by `write_module` into `m`; errors name `path`.
template <class M>
inline void read_module(byte_reader& r, M& m, const std::string& path) {
  using S = typename M::scalar_type;
  const auto fail = [&](std::string_view item, const std::string& what) {
    hepad::detail::raise<format_error>(path, std::string(item), static_cast<std::int64_t>(r.offset()), what);
  };
  char magic[8];
  try {
    r.get_bytes(magic, 8);
  } catch (const invalid_argument&) {
    fail("", "not a hepad module file (too short)");
  }
  if (std::string_view(magic, 7) != "HEPADNN" || magic[7] != '\0') fail("", "not a hepad module file (bad magic)");
  std::uint32_t version = 0, scalar = 0;
  std::uint64_t hlen = 0;
  std::string header;
  try {
    version = r.get<std::uint32_t>();
    scalar = r.get<std::uint32_t>();
    hlen = r.get<std::uint64_t>();
    if (hlen > r.remaining()) fail("header", "header length exceeds the file size");
    header.resize(static_cast<std::size_t>(hlen));
    r.get_bytes(header.data(), header.size());
  } catch (const invalid_argument& e) {
    fail("header", e.what());
  }
  if (version != module_format_version)
    fail("version", hepad::detail::concat("unsupported format version ", version, " (this build reads ",
                                          module_format_version, ")"));
  const std::string expected = module_header(m);
  if (scalar != sizeof(S))
    fail("scalar", hepad::detail::concat("file holds ", scalar == 4 ? "float32" : "float64", " values but the model is ",
                                         scalar_name<S>));
  const std::string file_arch = json_string_field(header, "architecture");
  const std::string model_arch = architecture_of(m);
  if (file_arch != model_arch)
    fail("architecture", hepad::detail::concat("architecture mismatch: the file holds '", file_arch,
                                               "' but the model is '", model_arch, "'"));
  if (header != expected)
    fail("parameters", hepad::detail::concat("parameter names or shapes differ from the model's: file header ",
                                             header, " vs model ", expected));
  try {
    for (auto* p : m.parameters()) r.get_bytes(p->value.data(), static_cast<std::size_t>(p->size()) * sizeof(S));
    for (auto* b : buffers_of(m)) r.get_bytes(b->data(), static_cast<std::size_t>(b->size()) * sizeof(S));
  } catch (const invalid_argument& e) {
    fail("values", e.what());
  }
}

inline std::vector<std::uint8_t> read_whole_file(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) hepad::detail::raise<io_error>(path.string(), "cannot open file for reading");
  std::vector<std::uint8_t> bytes;
  std::uint8_t buf[1 << 16];
  for (std::size_t got; (got = std::fread(buf, 1, sizeof buf, f)) > 0;) bytes.insert(bytes.end(), buf, buf + got);
  const bool err = std::ferror(f) != 0;
  std::fclose(f);
  if (err) hepad::detail::raise<io_error>(path.string(), "read error");
  return bytes;
}

/// Writes `bytes` plus their checksum atomically.
inline void write_checksummed(const std::filesystem::path& path, std::vector<std::uint8_t>& bytes) {
  const std::uint64_t h = fnv1a(bytes.data(), bytes.size());
  atomic_file f(path);
  f.write(bytes.data(), bytes.size());
  f.write(&h, sizeof h);
  f.commit();
}

/// Reads a file and verifies its trailing checksum; returns the payload size (without checksum).
inline std::size_t verify_checksum(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  if (bytes.size() < 8) hepad::detail::raise<format_error>(path, "", 0, "file too short");
  const std::size_t n = bytes.size() - 8;
  std::uint64_t stored;
  std::memcpy(&stored, bytes.data() + n, 8);
  if (stored != fnv1a(bytes.data(), n))
    hepad::detail::raise<format_error>(path, "checksum", static_cast<std::int64_t>(n),
                                       "checksum mismatch: the file is truncated or corrupted");
  return n;
}

}  // namespace detail

/// Saves the parameters (and buffers) of `m` to `path`, atomically.
/// @throws io_error if the file cannot be written.
template <module M>
inline void save(M& m, const std::filesystem::path& path) {
  detail::byte_writer w;
  detail::write_module(w, m);
  detail::write_checksummed(path, w.bytes());
}

/// Loads into `m` what `save` wrote; `m` must have the same architecture (construct it with the
/// same configuration first).
/// @throws io_error if the file cannot be read; format_error on a mismatched architecture, scalar
/// type or shapes, or a truncated/corrupted file.
template <module M>
inline void load(M& m, const std::filesystem::path& path) {
  const auto bytes = detail::read_whole_file(path);
  const std::size_t n = detail::verify_checksum(path.string(), bytes);
  detail::byte_reader r(bytes.data(), n, "nn::load");
  detail::read_module(r, m, path.string());
}

}  // namespace hepad::nn

#endif  // HEPAD_NN_SERIALIZE_HPP
