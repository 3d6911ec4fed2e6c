// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/npy.hpp
/// @brief NumPy `.npy` files: `read_npy`, `write_npy`, and `npy_reader` for bounded-memory reading
/// along the first axis.
///
/// Reads format versions 1.0, 2.0 and 3.0; plain arrays of bool, (u)int8..64, float32/64 and
/// fixed-size byte strings ('S'), either byte order, C or Fortran order; structured arrays whose
/// fields are such scalars (padding fields skipped). Writes version 1.0 (2.0 for huge headers),
/// little-endian, C order, 64-byte aligned data, atomically.
/// Not here: .npz containers (io/npz.hpp), object arrays (pickles are never loaded), 'U' strings,
/// complex numbers, sub-array fields.
#ifndef HEPAD_IO_NPY_HPP
#define HEPAD_IO_NPY_HPP

#include <hepad/core/atomic_file.hpp>
#include <hepad/core/error.hpp>
#include <hepad/io/chunking.hpp>
#include <hepad/io/detail/file.hpp>
#include <hepad/io/ndarray.hpp>
#include <hepad/io/record_batch.hpp>

#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hepad::io {

namespace detail {

/// A Python literal as it appears in an NPY header (dict, list, tuple, str, int, bool, None).
struct pyval {
  enum class kind : std::uint8_t { none, boolean, integer, str, tuple, list, dict } k = kind::none;
  bool b = false;
  std::int64_t i = 0;
  std::string s;
  std::vector<pyval> items;      // tuple / list elements, dict values
  std::vector<std::string> keys;  // dict keys (parallel to items)
  [[nodiscard]] const pyval* get(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == key) return &items[i];
    return nullptr;
  }
};

/// Parses the header literal; errors name the file and the header offset.
class pyparser {
 public:
  pyparser(std::string_view s, const std::string& path, std::int64_t base) : s_(s), path_(&path), base_(base) {}
  pyval parse() {
    pyval v = value(0);
    ws();
    return v;
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    fail(*path_, "header", base_ + static_cast<std::int64_t>(p_), concat("invalid NPY header: ", what));
  }
  void ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\n' || s_[p_] == '\t' || s_[p_] == '\r')) ++p_;
  }
  char peek() {
    ws();
    if (p_ >= s_.size()) bad("unexpected end");
    return s_[p_];
  }
  pyval value(int depth) {
    if (depth > 16) bad("nested too deeply");
    const char c = peek();
    pyval v;
    if (c == '{' || c == '[' || c == '(') {
      const char close = c == '{' ? '}' : c == '[' ? ']' : ')';
      v.k = c == '{' ? pyval::kind::dict : c == '[' ? pyval::kind::list : pyval::kind::tuple;
      ++p_;
      while (peek() != close) {
        if (v.k == pyval::kind::dict) {
          pyval key = value(depth + 1);
          if (key.k != pyval::kind::str) bad("dict key is not a string");
          if (peek() != ':') bad("':' expected");
          ++p_;
          v.keys.push_back(key.s);
          v.items.push_back(value(depth + 1));
        } else {
          v.items.push_back(value(depth + 1));
        }
        if (peek() == ',') ++p_;
        else if (peek() != close) bad(concat("',' or '", close, "' expected"));
      }
      ++p_;
      return v;
    }
    if (c == '\'' || c == '"') {
      ++p_;
      v.k = pyval::kind::str;
      while (p_ < s_.size() && s_[p_] != c) {
        if (s_[p_] == '\\' && p_ + 1 < s_.size()) ++p_;
        v.s += s_[p_++];
      }
      if (p_ >= s_.size()) bad("unterminated string");
      ++p_;
      return v;
    }
    auto word = [&](std::string_view w) {
      if (s_.substr(p_, w.size()) == w) {
        p_ += w.size();
        return true;
      }
      return false;
    };
    if (word("True")) { v.k = pyval::kind::boolean; v.b = true; return v; }
    if (word("False")) { v.k = pyval::kind::boolean; return v; }
    if (word("None")) return v;
    std::size_t e = p_;
    if (e < s_.size() && (s_[e] == '-' || s_[e] == '+')) ++e;
    while (e < s_.size() && s_[e] >= '0' && s_[e] <= '9') ++e;
    std::size_t start = p_ + (s_[p_] == '+' ? 1 : 0);
    if (e == start) bad(concat("unexpected character '", c, "'"));
    v.k = pyval::kind::integer;
    auto r = std::from_chars(s_.data() + start, s_.data() + e, v.i);
    if (r.ec != std::errc{}) bad("integer out of range");
    p_ = e;
    while (p_ < s_.size() && (s_[p_] == 'L' || s_[p_] == 'l')) ++p_;  // Python 2 longs
    return v;
  }
  std::string_view s_;
  std::size_t p_ = 0;
  const std::string* path_;
  std::int64_t base_;
};

/// One field (or the element) of an NPY dtype.
struct npy_field {
  std::string name;
  dtype type = dtype::float64;
  std::size_t size = 8;     ///< bytes
  std::size_t offset = 0;   ///< within the record
  bool swap = false;        ///< big-endian data
  bool padding = false;     ///< a void field to skip
};

struct npy_header {
  std::vector<npy_field> fields;  ///< one entry (unnamed) for plain arrays
  bool structured = false;
  bool fortran = false;
  std::vector<std::size_t> shape;
  std::size_t itemsize = 0;
  std::uint64_t data_offset = 0;
  [[nodiscard]] std::size_t rows() const noexcept { return shape.empty() ? 1 : shape[0]; }
  [[nodiscard]] std::size_t row_items() const noexcept {
    std::size_t n = 1;
    for (std::size_t i = 1; i < shape.size(); ++i) n *= shape[i];
    return n;
  }
};

inline npy_field parse_descr(const std::string& d, const std::string& path, std::int64_t off) {
  npy_field f;
  auto bad = [&](const std::string& why) { fail(path, "header", off, concat("dtype '", d, "': ", why)); };
  if (d.size() < 2) bad("too short");
  std::size_t p = 0;
  char order = '=';
  if (d[0] == '<' || d[0] == '>' || d[0] == '|' || d[0] == '=') order = d[p++];
  const char kind = d[p++];
  std::size_t size = 0;
  auto r = std::from_chars(d.data() + p, d.data() + d.size(), size);
  if (r.ec != std::errc{} || r.ptr != d.data() + d.size() || size == 0 || size > (1u << 20)) bad("bad item size");
  f.size = size;
  f.swap = order == '>' && size > 1;
  if constexpr (std::endian::native == std::endian::big) f.swap = order == '<' && size > 1;
  switch (kind) {
    case 'b': if (size != 1) bad("bool must be 1 byte"); f.type = dtype::boolean; break;
    case 'i': f.type = size == 1 ? dtype::int8 : size == 2 ? dtype::int16 : size == 4 ? dtype::int32 : size == 8 ? dtype::int64 : dtype::string;
      if (f.type == dtype::string) bad("unsupported integer size");
      break;
    case 'u': f.type = size == 1 ? dtype::uint8 : size == 2 ? dtype::uint16 : size == 4 ? dtype::uint32 : size == 8 ? dtype::uint64 : dtype::string;
      if (f.type == dtype::string) bad("unsupported integer size");
      break;
    case 'f':
      if (size == 4) f.type = dtype::float32;
      else if (size == 8) f.type = dtype::float64;
      else bad("only float32 and float64 are supported");
      break;
    case 'S': f.type = dtype::string; f.swap = false; break;
    case 'V': f.padding = true; f.swap = false; break;
    default:
      hepad::detail::raise<not_supported>(concat("npy: file '", path, "': dtype '", d,
                                                 "' is not supported (bool, integers, float32/64, 'S' strings)"));
  }
  return f;
}

/// Parses the magic, version and header dictionary from the first bytes of an NPY file.
/// `get(n)` returns a pointer to the first n bytes (it raises if the file is shorter).
template <class Get>
inline npy_header parse_npy_header(Get&& get, std::uint64_t file_size, const std::string& path) {
  const std::uint8_t* m = get(10);
  if (std::memcmp(m, "\x93NUMPY", 6) != 0) fail(path, "", 0, "not an NPY file: bad magic (expected \\x93NUMPY)");
  const int major = m[6];
  std::uint64_t hlen = 0, hstart = 0;
  if (major == 1) {
    hlen = load_le<std::uint16_t>(m + 8);
    hstart = 10;
  } else if (major == 2 || major == 3) {
    m = get(12);
    hlen = load_le<std::uint32_t>(m + 8);
    hstart = 12;
  } else {
    fail(path, "", 6, concat("unsupported NPY format version ", major));
  }
  if (hstart + hlen > file_size) fail(path, "header", static_cast<std::int64_t>(hstart), "file truncated inside the header");
  m = get(static_cast<std::size_t>(hstart + hlen));
  const std::string_view text(reinterpret_cast<const char*>(m + hstart), static_cast<std::size_t>(hlen));
  const pyval d = pyparser(text, path, static_cast<std::int64_t>(hstart)).parse();
  const auto off = static_cast<std::int64_t>(hstart);
  if (d.k != pyval::kind::dict) fail(path, "header", off, "header is not a dict");
  const pyval* descr = d.get("descr");
  const pyval* fo = d.get("fortran_order");
  const pyval* shape = d.get("shape");
  if (!descr || !fo || !shape) fail(path, "header", off, "header lacks descr, fortran_order or shape");
  npy_header h;
  h.data_offset = hstart + hlen;
  if (fo->k != pyval::kind::boolean) fail(path, "header", off, "fortran_order is not a bool");
  h.fortran = fo->b;
  if (shape->k != pyval::kind::tuple) fail(path, "header", off, "shape is not a tuple");
  for (const auto& s : shape->items) {
    if (s.k != pyval::kind::integer || s.i < 0) fail(path, "header", off, "shape entries must be non-negative integers");
    h.shape.push_back(static_cast<std::size_t>(s.i));
  }
  if (descr->k == pyval::kind::str) {
    h.fields.push_back(parse_descr(descr->s, path, off));
    if (h.fields[0].padding) fail(path, "header", off, "void arrays are not supported");
    h.itemsize = h.fields[0].size;
  } else if (descr->k == pyval::kind::list) {
    h.structured = true;
    std::size_t offset = 0;
    for (const auto& e : descr->items) {
      if (e.k != pyval::kind::tuple || e.items.size() < 2 || e.items[0].k != pyval::kind::str || e.items[1].k != pyval::kind::str)
        fail(path, "header", off, "structured descr entries must be ('name', 'type') tuples");
      if (e.items.size() > 2)
        hepad::detail::raise<not_supported>(concat("npy: file '", path, "': sub-array field '", e.items[0].s, "' is not supported"));
      npy_field f = parse_descr(e.items[1].s, path, off);
      f.name = e.items[0].s;
      f.offset = offset;
      offset += f.size;
      if (!f.padding && f.name.empty()) f.padding = true;
      h.fields.push_back(std::move(f));
    }
    h.itemsize = offset;
    if (h.shape.size() != 1) hepad::detail::raise<not_supported>(concat("npy: file '", path, "': structured arrays must be 1-D"));
  } else {
    fail(path, "header", off, "descr is neither a string nor a list");
  }
  // overflow-safe size check
  std::uint64_t total = h.itemsize;
  for (auto s : h.shape) {
    if (s != 0 && total > (std::uint64_t{1} << 62) / s) fail(path, "header", off, "array size overflows");
    total *= s;
  }
  if (h.data_offset + total > file_size)
    fail(path, "data", static_cast<std::int64_t>(h.data_offset),
         concat("file truncated: the array needs ", total, " bytes of data, the file has ", file_size - h.data_offset));
  return h;
}

/// Decodes one field from `n` records of `stride` bytes starting at `src` into elements
/// [at, at + n) of `out` (already holding the field's type and at least at + n elements).
inline void decode_field_at(const npy_field& f, const std::uint8_t* src, std::size_t n, std::size_t stride,
                            column_data& out, std::size_t at) {
  std::visit(
      [&](auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        if constexpr (std::is_same_v<T, std::string>) {
          for (std::size_t i = 0; i < n; ++i) {
            const char* s = reinterpret_cast<const char*>(src + i * stride + f.offset);
            std::size_t len = f.size;
            while (len > 0 && s[len - 1] == '\0') --len;
            v[at + i].assign(s, len);
          }
        } else {
          T* dst = v.data() + at;
          if (!f.swap && stride == sizeof(T) && f.offset == 0) {
            if (n) std::memcpy(dst, src, n * sizeof(T));
          } else if (!f.swap) {
            for (std::size_t i = 0; i < n; ++i) std::memcpy(dst + i, src + i * stride + f.offset, sizeof(T));
          } else {
            for (std::size_t i = 0; i < n; ++i) {
              unsigned char b[sizeof(T)];
              std::memcpy(b, src + i * stride + f.offset, sizeof(T));
              for (std::size_t k = 0; k < sizeof(T) / 2; ++k) std::swap(b[k], b[sizeof(T) - 1 - k]);
              std::memcpy(dst + i, b, sizeof(T));
            }
          }
          if constexpr (std::is_same_v<T, std::uint8_t>)
            if (f.type == dtype::boolean)
              for (std::size_t i = 0; i < n; ++i) dst[i] = dst[i] != 0;
        }
      },
      out);
}

/// Decodes one field from `n` records into a new `out`.
inline void decode_field(const npy_field& f, const std::uint8_t* src, std::size_t n, std::size_t stride, column_data& out) {
  out = make_storage(f.type);
  std::visit([&](auto& v) { v.resize(n); }, out);
  decode_field_at(f, src, n, stride, out, 0);
}

/// Builds the array for rows [r0, r0 + n) from their raw bytes (`raw` points at row r0; for
/// Fortran order `raw` is the whole data block and r0 selects).
inline ndarray decode_rows(const npy_header& h, const std::uint8_t* raw, std::size_t r0, std::size_t n) {
  ndarray a;
  if (h.structured) {
    a.shape = {n};
    for (const auto& f : h.fields) {
      if (f.padding) continue;
      column c;
      c.name = f.name;
      c.type = f.type;
      decode_field(f, raw, n, h.itemsize, c.data);
      a.fields.push_back(std::move(c));
    }
    return a;
  }
  a.type = h.fields[0].type;
  a.shape = h.shape;
  if (!a.shape.empty()) a.shape[0] = n;
  const std::size_t per = h.row_items();
  if (!h.fortran || h.shape.size() <= 1) {
    decode_field(h.fields[0], raw, n * per, h.itemsize, a.data);
    return a;
  }
  // Fortran order: element (i0, i1, ...) at i0 + N0 * (i1 + N1 * (...)); gather into C order
  const std::size_t N0 = h.shape[0];
  column_data all;
  std::vector<std::size_t> src_index(n * per);
  std::vector<std::size_t> idx(h.shape.size(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < per; ++k) {
      // k enumerates the trailing dims in C order
      std::size_t rem = k, lin = 0, mul = N0;
      std::size_t trailing_lin = 0;
      for (std::size_t d = h.shape.size() - 1; d >= 1; --d) {
        idx[d] = rem % h.shape[d];
        rem /= h.shape[d];
      }
      for (std::size_t d = 1; d < h.shape.size(); ++d) {
        trailing_lin += idx[d] * mul;
        mul *= h.shape[d];
      }
      lin = (r0 + i) + trailing_lin;
      src_index[i * per + k] = lin;
    }
  }
  decode_field(h.fields[0], raw, N0 * per, h.itemsize, all);
  a.data = std::visit(
      [&](const auto& v) -> column_data {
        std::decay_t<decltype(v)> out(n * per);
        for (std::size_t t = 0; t < out.size(); ++t) out[t] = v[src_index[t]];
        return out;
      },
      all);
  return a;
}

/// The NPY descr string of a dtype ('<f8', '|b1', ...).
[[nodiscard]] inline std::string npy_descr(dtype t) {
  switch (t) {
    case dtype::boolean: return "|b1";
    case dtype::int8: return "|i1";
    case dtype::uint8: return "|u1";
    case dtype::int16: return "<i2";
    case dtype::uint16: return "<u2";
    case dtype::int32: return "<i4";
    case dtype::uint32: return "<u4";
    case dtype::int64: return "<i8";
    case dtype::uint64: return "<u8";
    case dtype::float32: return "<f4";
    case dtype::float64: return "<f8";
    case dtype::string: break;
  }
  hepad::detail::raise<not_supported>("npy: string columns cannot be written (NumPy has no variable-length strings without pickles)");
}

/// Serialises an array to NPY bytes (header + little-endian data).
[[nodiscard]] inline std::vector<std::uint8_t> encode_npy(const ndarray& a) {
  std::string dict = "{'descr': ";
  if (a.structured()) {
    dict += "[";
    for (const auto& f : a.fields) {
      if (f.is_list() || f.nullable()) throw_invalid_argument("io::write_npy", concat("field '", f.name, "' is a list or has nulls"));
      if (f.size() != a.size()) throw_invalid_argument("io::write_npy", concat("field '", f.name, "' has the wrong length"));
      std::string esc;
      for (char ch : f.name) {
        if (ch == '\'' || ch == '\\') esc += '\\';
        esc += ch;
      }
      dict += concat("('", esc, "', '", npy_descr(f.type), "'), ");
    }
    dict += "]";
  } else {
    dict += concat("'", npy_descr(a.type), "'");
    if (a.size() != std::visit([](const auto& v) { return v.size(); }, a.data))
      throw_invalid_argument("io::write_npy", "shape does not match the number of values");
  }
  dict += ", 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < a.shape.size(); ++i) dict += concat(a.shape[i], a.shape.size() == 1 ? "," : (i + 1 < a.shape.size() ? ", " : ""));
  dict += "), }";
  bool v2 = false;
  std::size_t total = 10 + dict.size() + 1;
  if (total + 63 >= 65536 + 10) {
    v2 = true;
    total += 2;
  }
  const std::size_t pad = (64 - total % 64) % 64;
  dict.append(pad, ' ');
  dict += '\n';
  std::vector<std::uint8_t> out;
  const char magic[] = "\x93NUMPY";
  out.insert(out.end(), magic, magic + 6);
  out.push_back(v2 ? 2 : 1);
  out.push_back(0);
  if (v2) store_le(out, static_cast<std::uint32_t>(dict.size()));
  else store_le(out, static_cast<std::uint16_t>(dict.size()));
  out.insert(out.end(), dict.begin(), dict.end());
  auto put = [&](const column_data& d, std::size_t i) {
    std::visit(
        [&](const auto& v) {
          using T = typename std::decay_t<decltype(v)>::value_type;
          if constexpr (!std::is_same_v<T, std::string>) store_le(out, v[i]);
        },
        d);
  };
  if (a.structured()) {
    for (std::size_t i = 0; i < a.size(); ++i)
      for (const auto& f : a.fields) put(f.data, i);
  } else {
    std::visit(
        [&](const auto& v) {
          using T = typename std::decay_t<decltype(v)>::value_type;
          if constexpr (!std::is_same_v<T, std::string>) {
            if constexpr (std::endian::native == std::endian::little) {
              const auto* b = reinterpret_cast<const std::uint8_t*>(v.data());
              out.insert(out.end(), b, b + v.size() * sizeof(T));
            } else {
              for (const auto& x : v) store_le(out, x);
            }
          } else {
            (void)npy_descr(dtype::string);
          }
        },
        a.data);
  }
  return out;
}

}  // namespace detail

/// Reads a whole `.npy` file. @throws hepad::format_error naming the file and offset if it is
/// corrupt or truncated, hepad::not_supported for dtypes hepad does not read.
[[nodiscard]] inline ndarray read_npy(const std::filesystem::path& path) {
  detail::input_file f(path);
  std::vector<std::uint8_t> head;
  auto get = [&](std::size_t n) -> const std::uint8_t* {
    if (head.size() < n) head = f.read(0, n, "header");
    return head.data();
  };
  const auto h = detail::parse_npy_header(get, f.size(), f.path());
  std::uint64_t bytes = h.itemsize;
  for (auto s : h.shape) bytes *= s;
  if (h.fortran && h.shape.size() > 1) {
    const auto raw = f.read(h.data_offset, static_cast<std::size_t>(bytes), "data");
    return detail::decode_rows(h, raw.data(), 0, h.rows());
  }
  // C order: decode blocks of rows from a small reused buffer straight into the result
  ndarray a = detail::decode_rows(h, nullptr, 0, 0);
  const std::size_t rows = h.rows(), per = h.row_items();
  if (!a.shape.empty()) a.shape[0] = rows;
  auto size_to = [](column_data& d, std::size_t n) {
    std::visit(
        [&](auto& v) {
          detail::reserve_large(v, n);
          v.resize(n);
        },
        d);
  };
  if (a.structured()) {
    for (auto& c : a.fields) size_to(c.data, rows);
  } else {
    size_to(a.data, rows * per);
  }
  const std::size_t row_bytes = std::max<std::size_t>(1, h.itemsize * per);
  const std::size_t block = std::max<std::size_t>(1, (std::size_t{1} << 22) / row_bytes);
  std::vector<std::uint8_t> buf;
  for (std::size_t r0 = 0; r0 < rows; r0 += block) {
    const std::size_t n = (std::min)(block, rows - r0);
    buf.resize(n * row_bytes);
    f.read_at(h.data_offset + std::uint64_t{r0} * row_bytes, buf.size(), buf.data(), "data");
    if (a.structured()) {
      std::size_t q = 0;
      for (const auto& fld : h.fields) {
        if (fld.padding) continue;
        detail::decode_field_at(fld, buf.data(), n, h.itemsize, a.fields[q++].data, r0);
      }
    } else {
      detail::decode_field_at(h.fields[0], buf.data(), n * per, h.itemsize, a.data, r0 * per);
    }
  }
  return a;
}

/// Parses NPY bytes held in memory (`name` is used in error messages).
[[nodiscard]] inline ndarray parse_npy(const std::uint8_t* data, std::size_t size, const std::string& name) {
  auto get = [&](std::size_t n) -> const std::uint8_t* {
    if (n > size)
      detail::fail(name, "", static_cast<std::int64_t>(size),
                   hepad::detail::concat("file truncated: need ", n, " bytes, have ", size));
    return data;
  };
  const auto h = detail::parse_npy_header(get, size, name);
  return detail::decode_rows(h, data + h.data_offset, 0, h.rows());
}

/// Writes an array (plain or structured) as `.npy`, atomically.
inline void write_npy(const std::filesystem::path& path, const ndarray& a) {
  const auto bytes = detail::encode_npy(a);
  atomic_file f(path);
  f.write(bytes.data(), bytes.size());
  f.commit();
}

/// Writes the flat columns of `b` as a structured `.npy` (names and exact types kept).
inline void write_npy(const std::filesystem::path& path, const record_batch& b) { write_npy(path, to_structured(b)); }

/// Reads a `.npy` along its first axis in chunks (rows of a 1-D/2-D/structured array become
/// events; see `to_record_batch` for the column names).
class npy_reader {
 public:
  /// @param names column names for plain 2-D arrays (default x0, x1, ...).
  explicit npy_reader(const std::filesystem::path& path, chunk_size chunk = {.events = 65536},
                      std::vector<std::string> names = {})
      : file_(path), chunk_(chunk), names_(std::move(names)) {
    std::vector<std::uint8_t> head;
    auto get = [&](std::size_t n) -> const std::uint8_t* {
      if (head.size() < n) head = file_.read(0, n, "header");
      return head.data();
    };
    h_ = detail::parse_npy_header(get, file_.size(), file_.path());
    if (h_.fortran && h_.shape.size() == 2 && h_.shape[1] > 1)
      hepad::detail::raise<not_supported>("npy_reader: chunked reading of Fortran-ordered arrays; use read_npy");
    if (h_.shape.size() > 2) hepad::detail::raise<not_supported>("npy_reader: arrays with more than 2 dimensions; use read_npy");
  }
  /// Rows (first-axis length).
  [[nodiscard]] std::size_t n_rows() const noexcept { return h_.rows(); }
  /// The next chunk of rows as columns, or nullopt at the end.
  [[nodiscard]] std::optional<record_batch> next() {
    const std::size_t total = h_.rows();
    if (row_ >= total) return std::nullopt;
    const std::size_t row_bytes = h_.itemsize * h_.row_items();
    const std::size_t n = (std::min)(total - row_, chunk_.rows_for(row_bytes, total));
    const auto raw = file_.read(h_.data_offset + std::uint64_t{row_} * row_bytes, n * row_bytes, "data");
    auto a = detail::decode_rows(h_, raw.data(), row_, n);
    row_ += n;
    return to_record_batch(a, names_);
  }

 private:
  detail::input_file file_;
  chunk_size chunk_;
  std::vector<std::string> names_;
  detail::npy_header h_;
  std::size_t row_ = 0;
};

}  // namespace hepad::io

#endif  // HEPAD_IO_NPY_HPP
