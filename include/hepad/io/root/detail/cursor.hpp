// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/root/detail/cursor.hpp
/// @brief Internal: a bounds-checked big-endian cursor over a byte range of a ROOT file, whose
/// every failure is a `hepad::format_error` naming the file, the item (branch, key) and the byte
/// offset. Not here: anything that knows a ROOT class layout (see tree.hpp, file.hpp).
#ifndef HEPAD_IO_ROOT_DETAIL_CURSOR_HPP
#define HEPAD_IO_ROOT_DETAIL_CURSOR_HPP

#include <hepad/core/error.hpp>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace hepad::io::root::detail {

/// Where bytes came from, for error messages: the file, the item and the file offset of byte 0
/// (or, for bytes of a decompressed record, the file offset of its key and a note saying so).
struct origin {
  std::string_view path;
  std::string_view item;
  std::int64_t file_offset = 0;  ///< file offset of byte 0 of the range, or of the record's key
  bool decompressed = false;     ///< bytes are the uncompressed payload of the record at file_offset
};

/// Throws the format_error for `what` at position `pos` of a byte range with origin `o`.
[[noreturn]] HEPAD_COLD inline void fail_at(const origin& o, std::size_t pos, std::string_view what) {
  if (o.decompressed)
    hepad::detail::raise<format_error>(
        std::string(o.path), std::string(o.item), o.file_offset,
        hepad::detail::concat(what, " (at byte ", pos, " of the uncompressed record of the key at this offset)"));
  hepad::detail::raise<format_error>(std::string(o.path), std::string(o.item),
                                     o.file_offset + static_cast<std::int64_t>(pos), std::string(what));
}

/// Big-endian reader over `bytes`; `origin_shift` is added to positions that ROOT stores relative
/// to a key start (object back-references count from the key start, i.e. include KeyLen).
class cursor {
 public:
  cursor(std::span<const unsigned char> bytes, const origin& o, std::size_t origin_shift = 0) noexcept
      : b_(bytes), o_(o), shift_(origin_shift) {}

  [[nodiscard]] std::size_t pos() const noexcept { return pos_; }
  [[nodiscard]] std::size_t size() const noexcept { return b_.size(); }
  [[nodiscard]] std::size_t remaining() const noexcept { return b_.size() - pos_; }
  /// Position counted the way ROOT counts back-references (from the key start).
  [[nodiscard]] std::size_t displacement() const noexcept { return pos_ + shift_; }
  [[nodiscard]] const origin& where() const noexcept { return o_; }
  [[nodiscard]] std::span<const unsigned char> bytes() const noexcept { return b_; }

  [[noreturn]] HEPAD_COLD void fail(std::string_view what) const { fail_at(o_, pos_, what); }
  [[noreturn]] HEPAD_COLD [[gnu::noinline]] void fail_truncated(std::size_t n) const {
    fail(hepad::detail::concat("truncated: ", n, " bytes needed, ", remaining(), " left"));
  }

  /// Throws unless `n` more bytes are available.
  void need(std::size_t n) const {
    if (HEPAD_UNLIKELY(n > remaining())) fail_truncated(n);  // out of line: need() stays inlinable
  }
  /// Moves to absolute position `p` (must be within the range).
  void seek(std::size_t p) {
    if (HEPAD_UNLIKELY(p > b_.size()))
      fail(hepad::detail::concat("position ", p, " is out of range (size ", b_.size(), ")"));
    pos_ = p;
  }
  void skip(std::size_t n) {
    need(n);
    pos_ += n;
  }
  std::span<const unsigned char> take(std::size_t n) {
    need(n);
    auto s = b_.subspan(pos_, n);
    pos_ += n;
    return s;
  }

  std::uint8_t u8() {
    need(1);
    return b_[pos_++];
  }
  std::uint16_t u16() {
    need(2);
    const auto* p = b_.data() + pos_;
    pos_ += 2;
    return static_cast<std::uint16_t>((unsigned{p[0]} << 8) | unsigned{p[1]});
  }
  std::uint32_t u32() {
    need(4);
    const auto v = load_be32(b_.data() + pos_);
    pos_ += 4;
    return v;
  }
  std::uint64_t u64() {
    need(8);
    const auto hi = std::uint64_t{load_be32(b_.data() + pos_)};
    const auto lo = std::uint64_t{load_be32(b_.data() + pos_ + 4)};
    pos_ += 8;
    return (hi << 32) | lo;
  }
  std::int16_t i16() { return static_cast<std::int16_t>(u16()); }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  double f64() {
    const std::uint64_t u = u64();
    double d;
    std::memcpy(&d, &u, 8);
    return d;
  }
  /// A TString: one length byte, or 255 then an int32 length; then the characters.
  std::string tstring() {
    std::size_t n = u8();
    if (n == 255) {
      const std::int32_t m = i32();
      if (m < 0) fail(hepad::detail::concat("negative string length ", m));
      n = static_cast<std::size_t>(m);
    }
    auto s = take(n);
    return std::string(reinterpret_cast<const char*>(s.data()), s.size());
  }
  /// A NUL-terminated C string (class names after a new-class tag), at most `max_len` bytes.
  std::string cstring(std::size_t max_len = 1024) {
    std::string out;
    for (;;) {
      const std::uint8_t c = u8();
      if (c == 0) return out;
      if (out.size() >= max_len) fail("unterminated class name");
      out += static_cast<char>(c);
    }
  }

  static std::uint32_t load_be32(const unsigned char* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
  }

 private:
  std::span<const unsigned char> b_;
  origin o_;
  std::size_t pos_ = 0;
  std::size_t shift_ = 0;
};

}  // namespace hepad::io::root::detail

#endif  // HEPAD_IO_ROOT_DETAIL_CURSOR_HPP
