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
#include <filesystem>
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

/// Reserves room for `n` elements; for large buffers (>= 8 MiB) also asks Linux for transparent
/// huge pages before the memory is first touched, which makes filling a fresh column several
/// times cheaper on machines where page faults are costly (a hint only; harmless elsewhere).
template <class T>
inline void reserve_large(std::vector<T>& v, std::size_t n) {
  v.reserve(n);
#if defined(MADV_HUGEPAGE)
  const std::size_t bytes = v.capacity() * sizeof(T);
  if (v.empty() && bytes >= (std::size_t{8} << 20)) {
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
