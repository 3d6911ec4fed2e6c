// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/detail/file.hpp
/// @brief Internal: a read-only file with positional reads that raise `hepad::format_error`
/// (file, item, byte offset) on truncation, little-endian loads, and a byte cursor over memory.
#ifndef HEPAD_IO_DETAIL_FILE_HPP
#define HEPAD_IO_DETAIL_FILE_HPP

#include <hepad/core/error.hpp>

#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <compare>
#include <filesystem>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hepad::io::detail {

using hepad::detail::concat;
using hepad::detail::raise;

/// Raises `format_error(path, item, offset, what)`.
[[noreturn]] HEPAD_COLD inline void fail(const std::string& path, std::string_view item, std::int64_t offset,
                                         const std::string& what) {
  raise<format_error>(path, std::string(item), offset, what);
}

/// A file opened for reading (POSIX descriptor; movable, closes on destruction).
class input_file {
 public:
  input_file() = default;
  explicit input_file(const std::filesystem::path& p) : path_(p.string()) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) raise<io_error>(path_, concat("cannot open '", path_, "' for reading: ", std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      fd_ = -1;
      raise<io_error>(path_, concat("'", path_, "' is not a regular file"));
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
  }
  input_file(input_file&& o) noexcept : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)), size_(o.size_) {}
  input_file& operator=(input_file&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      path_ = std::move(o.path_);
      fd_ = std::exchange(o.fd_, -1);
      size_ = o.size_;
    }
    return *this;
  }
  input_file(const input_file&) = delete;
  input_file& operator=(const input_file&) = delete;
  ~input_file() {
    if (fd_ >= 0) ::close(fd_);
  }

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }

  /// Reads `n` bytes at `offset` into `out`. @throws format_error naming `item` if the file ends first.
  void read_at(std::uint64_t offset, std::size_t n, void* out, std::string_view item = {}) const {
    if (offset > size_ || n > size_ - offset)
      fail(path_, item, static_cast<std::int64_t>(offset),
           concat("file truncated: need ", n, " bytes at offset ", offset, " but the file has ", size_, " bytes"));
    auto* dst = static_cast<char*>(out);
    std::size_t done = 0;
    while (done < n) {
      const ::ssize_t r = ::pread(fd_, dst + done, n - done, static_cast<::off_t>(offset + done));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) raise<io_error>(path_, concat("read error in '", path_, "' at offset ", offset + done, ": ",
                                                r < 0 ? std::strerror(errno) : "unexpected end of file"));
      done += static_cast<std::size_t>(r);
    }
  }
  /// Reads `n` bytes at `offset` into a new vector.
  [[nodiscard]] std::vector<std::uint8_t> read(std::uint64_t offset, std::size_t n, std::string_view item = {}) const {
    if (offset > size_ || n > size_ - offset) read_at(offset, n, nullptr, item);  // raises
    std::vector<std::uint8_t> v(n);
    read_at(offset, n, v.data(), item);
    return v;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

/// Loads a little-endian value from unaligned memory.
template <class T>
[[nodiscard]] inline T load_le(const void* p) noexcept {
  static_assert(std::is_trivially_copyable_v<T>);
  T v;
  std::memcpy(&v, p, sizeof(T));
  if constexpr (std::endian::native == std::endian::big && sizeof(T) > 1) {
    auto* b = reinterpret_cast<unsigned char*>(&v);
    for (std::size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(b[i], b[sizeof(T) - 1 - i]);
  }
  return v;
}

/// Appends a little-endian value.
template <class T>
inline void store_le(std::vector<std::uint8_t>& out, T v) {
  static_assert(std::is_trivially_copyable_v<T>);
  unsigned char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  if constexpr (std::endian::native == std::endian::big && sizeof(T) > 1)
    for (std::size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(b[i], b[sizeof(T) - 1 - i]);
  out.insert(out.end(), b, b + sizeof(T));
}

/// Random-access iterator over values of type `Src` stored every `stride` bytes in a byte buffer
/// (unaligned), yielding them converted to `T`. With `LittleEndian` the bytes are file data in
/// little-endian order; otherwise they are in native order. Lets `vector::insert` append decoded
/// values without first zero-filling the destination.
template <class T, class Src, bool LittleEndian>
class byte_iterator {
 public:
  using iterator_category = std::random_access_iterator_tag;
  using value_type = T;
  using difference_type = std::ptrdiff_t;
  using pointer = const T*;
  using reference = T;
  byte_iterator() = default;
  byte_iterator(const std::uint8_t* p, std::ptrdiff_t stride) : p_(p), stride_(stride) {}
  T operator*() const noexcept {
    if constexpr (LittleEndian) return static_cast<T>(load_le<Src>(p_));
    Src s;
    std::memcpy(&s, p_, sizeof(Src));
    return static_cast<T>(s);
  }
  T operator[](difference_type i) const noexcept { return *(*this + i); }
  byte_iterator& operator++() noexcept { p_ += stride_; return *this; }
  byte_iterator operator++(int) noexcept { auto t = *this; p_ += stride_; return t; }
  byte_iterator& operator--() noexcept { p_ -= stride_; return *this; }
  byte_iterator operator--(int) noexcept { auto t = *this; p_ -= stride_; return t; }
  byte_iterator& operator+=(difference_type n) noexcept { p_ += n * stride_; return *this; }
  byte_iterator& operator-=(difference_type n) noexcept { p_ -= n * stride_; return *this; }
  friend byte_iterator operator+(byte_iterator a, difference_type n) noexcept { return a += n; }
  friend byte_iterator operator+(difference_type n, byte_iterator a) noexcept { return a += n; }
  friend byte_iterator operator-(byte_iterator a, difference_type n) noexcept { return a -= n; }
  friend difference_type operator-(const byte_iterator& a, const byte_iterator& b) noexcept {
    return (a.p_ - b.p_) / a.stride_;
  }
  friend bool operator==(const byte_iterator& a, const byte_iterator& b) noexcept { return a.p_ == b.p_; }
  friend auto operator<=>(const byte_iterator& a, const byte_iterator& b) noexcept { return a.p_ <=> b.p_; }

 private:
  const std::uint8_t* p_ = nullptr;
  std::ptrdiff_t stride_ = sizeof(Src);
};

/// Appends `n` values of type `Src` found every `stride` bytes from `p` to `out` (converted).
template <class Src, bool LittleEndian, class T>
inline void append_values(std::vector<T>& out, const std::uint8_t* p, std::size_t n, std::size_t stride = sizeof(Src)) {
  if (n == 0) return;
  using it = byte_iterator<T, Src, LittleEndian>;
  const auto s = static_cast<std::ptrdiff_t>(stride);
  out.insert(out.end(), it(p, s), it(p + static_cast<std::ptrdiff_t>(n) * s, s));
}

/// Reserves room for `n` elements; for large buffers (>= 2 MiB) also asks Linux for transparent
/// huge pages before the memory is first touched, which makes filling a fresh column several
/// times cheaper on machines where page faults are costly (a hint only; harmless elsewhere).
template <class T>
inline void reserve_large(std::vector<T>& v, std::size_t n) {
  v.reserve(n);
#if defined(MADV_HUGEPAGE)
  const std::size_t bytes = v.capacity() * sizeof(T);
  if (v.empty() && bytes >= (std::size_t{2} << 20)) {
    const auto b = reinterpret_cast<std::uintptr_t>(v.data());
    const std::uintptr_t page = 4096;
    const std::uintptr_t ab = (b + page - 1) & ~(page - 1);
    const std::uintptr_t ae = (b + bytes) & ~(page - 1);
    if (ae > ab) (void)::madvise(reinterpret_cast<void*>(ab), ae - ab, MADV_HUGEPAGE);
  }
#endif
}

/// Reads a whole small file into a string. @throws io_error.
[[nodiscard]] inline std::string read_text_file(const std::filesystem::path& p) {
  input_file f(p);
  std::string s(static_cast<std::size_t>(f.size()), '\0');
  if (!s.empty()) f.read_at(0, s.size(), s.data());
  return s;
}

}  // namespace hepad::io::detail

#endif  // HEPAD_IO_DETAIL_FILE_HPP
