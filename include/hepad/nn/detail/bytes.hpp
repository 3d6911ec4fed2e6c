// SPDX-License-Identifier: BSL-1.0
/// @file hepad/nn/detail/bytes.hpp
/// @brief Internal: little-endian byte writer/reader for checkpoints and saved modules.
#ifndef HEPAD_NN_DETAIL_BYTES_HPP
#define HEPAD_NN_DETAIL_BYTES_HPP

#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace hepad::nn::detail {

static_assert(std::endian::native == std::endian::little,
              "hepad::nn serialization assumes a little-endian machine");

/// Appends trivially copyable values and matrices to a byte vector.
class byte_writer {
 public:
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  void put_bytes(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    bytes_.insert(bytes_.end(), b, b + n);
  }
  void put_string(std::string_view s) {
    put(static_cast<std::uint64_t>(s.size()));
    put_bytes(s.data(), s.size());
  }
  template <class S>
  void put_matrix(const matrix<S>& m) {
    put(static_cast<std::int64_t>(m.rows()));
    put(static_cast<std::int64_t>(m.cols()));
    put_bytes(m.data(), static_cast<std::size_t>(m.size()) * sizeof(S));
  }
  void put_blob(const std::vector<std::uint8_t>& b) {
    put(static_cast<std::uint64_t>(b.size()));
    put_bytes(b.data(), b.size());
  }
  [[nodiscard]] std::vector<std::uint8_t>& bytes() noexcept { return bytes_; }
  [[nodiscard]] std::vector<std::uint8_t> take() noexcept { return std::move(bytes_); }

 private:
  std::vector<std::uint8_t> bytes_;
};

/// Reads what `byte_writer` wrote. Every read is bounds-checked; a short or inconsistent buffer
/// throws `invalid_argument` naming `what` and the byte offset (callers turn it into a
/// `format_error` with the file name).
class byte_reader {
 public:
  byte_reader(const std::uint8_t* data, std::size_t size, std::string_view what) noexcept
      : p_(data), n_(size), what_(what) {}
  explicit byte_reader(const std::vector<std::uint8_t>& b, std::string_view what = "buffer") noexcept
      : byte_reader(b.data(), b.size(), what) {}

  template <class T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    need(sizeof(T));
    T v;
    std::memcpy(&v, p_ + off_, sizeof(T));
    off_ += sizeof(T);
    return v;
  }
  void get_bytes(void* dst, std::size_t n) {
    need(n);
    std::memcpy(dst, p_ + off_, n);
    off_ += n;
  }
  std::string get_string() {
    const auto n = get<std::uint64_t>();
    need(n);
    std::string s(reinterpret_cast<const char*>(p_ + off_), static_cast<std::size_t>(n));
    off_ += static_cast<std::size_t>(n);
    return s;
  }
  /// Reads a matrix written by `put_matrix` into `m`, which must already have the stored shape.
  template <class S>
  void get_matrix_into(matrix<S>& m, std::string_view name) {
    const auto r = get<std::int64_t>(), c = get<std::int64_t>();
    if (r != m.rows() || c != m.cols())
      fail(hepad::detail::concat(name, " has shape ", r, " x ", c, ", expected ", m.rows(), " x ", m.cols()));
    get_bytes(m.data(), static_cast<std::size_t>(m.size()) * sizeof(S));
  }
  template <class S>
  matrix<S> get_matrix() {
    const auto r = get<std::int64_t>(), c = get<std::int64_t>();
    if (r < 0 || c < 0 || (c > 0 && static_cast<std::uint64_t>(r) > (n_ - off_) / sizeof(S) / static_cast<std::uint64_t>(c)))
      fail(hepad::detail::concat("matrix of shape ", r, " x ", c, " does not fit in the remaining bytes"));
    matrix<S> m(r, c);
    get_bytes(m.data(), static_cast<std::size_t>(m.size()) * sizeof(S));
    return m;
  }
  std::vector<std::uint8_t> get_blob() {
    const auto n = get<std::uint64_t>();
    need(n);
    std::vector<std::uint8_t> b(p_ + off_, p_ + off_ + n);
    off_ += static_cast<std::size_t>(n);
    return b;
  }
  [[nodiscard]] std::size_t offset() const noexcept { return off_; }
  [[nodiscard]] std::size_t remaining() const noexcept { return n_ - off_; }
  [[noreturn]] void fail(const std::string& msg) const {
    throw_invalid_argument(what_, hepad::detail::concat(msg, " (at byte offset ", off_, ")"));
  }

 private:
  void need(std::uint64_t n) const {
    if (n > n_ - off_)
      fail(hepad::detail::concat("truncated: needs ", n, " more bytes, ", n_ - off_, " left"));
  }
  const std::uint8_t* p_;
  std::size_t n_;
  std::size_t off_ = 0;
  std::string what_;
};

}  // namespace hepad::nn::detail

#endif  // HEPAD_NN_DETAIL_BYTES_HPP
