// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: parquet
/// @file hepad/io/parquet/detail/thrift.hpp
/// @brief Internal: the Thrift compact protocol (apache/thrift doc/specs/thrift-compact-protocol.md),
/// a bounds-checked decoder that skips unknown fields and an encoder. Only what Parquet metadata
/// uses: bool, byte, i16, i32, i64, double, binary, list and struct (no maps, no sets).
#ifndef HEPAD_IO_PARQUET_DETAIL_THRIFT_HPP
#define HEPAD_IO_PARQUET_DETAIL_THRIFT_HPP

#include <hepad/io/detail/file.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace hepad::io::parquet::detail {

using hepad::io::detail::concat;

/// Compact-protocol type codes.
enum ttype : std::uint8_t {
  t_stop = 0,
  t_true = 1,
  t_false = 2,
  t_byte = 3,
  t_i16 = 4,
  t_i32 = 5,
  t_i64 = 6,
  t_double = 7,
  t_binary = 8,
  t_list = 9,
  t_set = 10,
  t_map = 11,
  t_struct = 12
};

/// Decodes compact-protocol data from `[p, end)`; every read is bounds-checked and a failure
/// raises `format_error(path, item, base + position, ...)`.
class thrift_reader {
 public:
  thrift_reader(const std::uint8_t* p, const std::uint8_t* end, const std::string& path, std::string_view item,
                std::int64_t base)
      : begin_(p), p_(p), end_(end), path_(&path), item_(item), base_(base) {}

  struct field {
    std::uint8_t type = t_stop;
    std::int16_t id = 0;
    bool bool_value = false;  ///< for t_true / t_false fields
  };

  /// Reads the next field header of the current struct; false at the stop byte.
  bool next_field(field& f) {
    const std::uint8_t b = byte();
    if (b == 0) return false;
    f.type = b & 0x0F;
    const int delta = b >> 4;
    if (delta != 0) f.id = static_cast<std::int16_t>(last_id_ + delta);
    else f.id = static_cast<std::int16_t>(zigzag());
    last_id_ = f.id;
    if (f.type == t_true || f.type == t_false) f.bool_value = f.type == t_true;
    if (f.type > t_struct) fail(concat("invalid Thrift field type ", int(f.type)));
    return true;
  }
  /// Starts reading a nested struct (saves the field-id context); pair with `end_struct`.
  std::int16_t begin_struct() {
    if (++depth_ > 64) fail("Thrift structures nested too deeply");
    return std::exchange(last_id_, std::int16_t{0});
  }
  void end_struct(std::int16_t saved) {
    --depth_;
    last_id_ = saved;
  }

  std::uint8_t byte() {
    need(1);
    return *p_++;
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const std::uint8_t b = byte();
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("Thrift varint longer than 10 bytes");
  }
  std::int64_t zigzag() {
    const std::uint64_t v = varint();
    return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }
  std::int32_t i32() {
    const std::int64_t v = zigzag();
    if (v < INT32_MIN || v > INT32_MAX) fail("Thrift i32 out of range");
    return static_cast<std::int32_t>(v);
  }
  std::int64_t i64() { return zigzag(); }
  double dbl() {
    need(8);
    double d = hepad::io::detail::load_le<double>(p_);
    p_ += 8;
    return d;
  }
  std::string binary() {
    const std::uint64_t n = varint();
    if (n > static_cast<std::uint64_t>(end_ - p_)) fail(concat("Thrift string of ", n, " bytes runs past the end"));
    std::string s(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(n));
    p_ += n;
    return s;
  }
  /// List header: element type and size.
  std::pair<std::uint8_t, std::uint64_t> list_header() {
    const std::uint8_t b = byte();
    std::uint64_t n = b >> 4;
    if (n == 15) n = varint();
    // every element takes at least one byte (bools too), so a larger count is corrupt
    if (n > static_cast<std::uint64_t>(end_ - p_)) fail(concat("Thrift list of ", n, " elements runs past the end"));
    return {static_cast<std::uint8_t>(b & 0x0F), n};
  }
  /// Skips a value of type `t` (field payload or list element).
  void skip(std::uint8_t t, bool in_list = false) {
    switch (t) {
      case t_true:
      case t_false:
        if (in_list) byte();
        return;
      case t_byte: byte(); return;
      case t_i16:
      case t_i32:
      case t_i64: varint(); return;
      case t_double: need(8); p_ += 8; return;
      case t_binary: {
        const std::uint64_t n = varint();
        if (n > static_cast<std::uint64_t>(end_ - p_)) fail("Thrift string runs past the end");
        p_ += n;
        return;
      }
      case t_list:
      case t_set: {
        auto [et, n] = list_header();
        if (++depth_ > 64) fail("Thrift structures nested too deeply");
        for (std::uint64_t i = 0; i < n; ++i) skip(et, true);
        --depth_;
        return;
      }
      case t_map: {
        const std::uint64_t n = varint();
        if (n == 0) return;
        const std::uint8_t kv = byte();
        if (n > static_cast<std::uint64_t>(end_ - p_)) fail("Thrift map runs past the end");
        if (++depth_ > 64) fail("Thrift structures nested too deeply");
        for (std::uint64_t i = 0; i < n; ++i) {
          skip(kv >> 4, true);
          skip(kv & 0x0F, true);
        }
        --depth_;
        return;
      }
      case t_struct: {
        auto saved = begin_struct();
        field f;
        while (next_field(f)) skip(f.type);
        end_struct(saved);
        return;
      }
      default: fail(concat("invalid Thrift type ", int(t)));
    }
  }
  /// Reads an integer field of any integer type.
  std::int64_t integer(const field& f) {
    switch (f.type) {
      case t_byte: return static_cast<std::int8_t>(byte());
      case t_i16:
      case t_i32:
      case t_i64: return zigzag();
      default: fail(concat("Thrift field ", f.id, " should be an integer, has type ", int(f.type)));
    }
  }
  void expect(const field& f, std::uint8_t t) {
    if (f.type != t) fail(concat("Thrift field ", f.id, " has type ", int(f.type), ", expected ", int(t)));
  }

  [[nodiscard]] std::size_t consumed() const noexcept { return static_cast<std::size_t>(p_ - begin_); }
  [[nodiscard]] std::int64_t position() const noexcept { return base_ + static_cast<std::int64_t>(p_ - begin_); }
  [[noreturn]] void fail(const std::string& what) const {
    hepad::io::detail::fail(*path_, item_, position(), concat("corrupt metadata: ", what));
  }
  /// True if the last failure was caused by running out of bytes (for retrying with more).
  [[nodiscard]] bool hit_end() const noexcept { return hit_end_; }

 private:
  void need(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n) {
      hit_end_ = true;
      fail("Thrift data truncated");
    }
  }
  const std::uint8_t* begin_;
  const std::uint8_t* p_;
  const std::uint8_t* end_;
  const std::string* path_;
  std::string_view item_;
  std::int64_t base_;
  std::int16_t last_id_ = 0;
  int depth_ = 0;
  bool hit_end_ = false;
};

/// Encodes compact-protocol data.
class thrift_writer {
 public:
  std::vector<std::uint8_t> out;

  void field(std::int16_t id, std::uint8_t type) {
    const int delta = id - last_id_;
    if (delta > 0 && delta <= 15) {
      out.push_back(static_cast<std::uint8_t>((delta << 4) | type));
    } else {
      out.push_back(type);
      zigzag(id);
    }
    last_id_ = id;
  }
  void varint(std::uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<std::uint8_t>(v));
  }
  void zigzag(std::int64_t v) {
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void i32(std::int16_t id, std::int32_t v) {
    field(id, t_i32);
    zigzag(v);
  }
  void i64(std::int16_t id, std::int64_t v) {
    field(id, t_i64);
    zigzag(v);
  }
  void i8(std::int16_t id, std::int8_t v) {
    field(id, t_byte);
    out.push_back(static_cast<std::uint8_t>(v));
  }
  void boolean(std::int16_t id, bool v) { field(id, v ? t_true : t_false); }
  void binary(std::int16_t id, std::string_view s) {
    field(id, t_binary);
    binary_value(s);
  }
  void binary_value(std::string_view s) {
    varint(s.size());
    out.insert(out.end(), s.begin(), s.end());
  }
  void list(std::int16_t id, std::uint8_t elem, std::size_t n) {
    field(id, t_list);
    list_header(elem, n);
  }
  void list_header(std::uint8_t elem, std::size_t n) {
    if (n < 15) {
      out.push_back(static_cast<std::uint8_t>((n << 4) | elem));
    } else {
      out.push_back(static_cast<std::uint8_t>(0xF0 | elem));
      varint(n);
    }
  }
  /// Starts a struct: as a field (`id > 0`) or as a list element / top level (`id == 0`).
  void begin_struct(std::int16_t id = 0) {
    if (id > 0) field(id, t_struct);
    stack_.push_back(last_id_);
    last_id_ = 0;
  }
  void end_struct() {
    out.push_back(t_stop);
    last_id_ = stack_.back();
    stack_.pop_back();
  }

 private:
  std::int16_t last_id_ = 0;
  std::vector<std::int16_t> stack_;
};

}  // namespace hepad::io::parquet::detail

#endif  // HEPAD_IO_PARQUET_DETAIL_THRIFT_HPP
