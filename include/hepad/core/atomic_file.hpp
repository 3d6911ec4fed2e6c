// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/atomic_file.hpp
/// @brief `hepad::atomic_file`: every file hepad writes is written to a temporary file in the same
/// directory and renamed over the target on `commit()`, so readers never see a partial file and a
/// failed run leaves any previous output intact.
#ifndef HEPAD_CORE_ATOMIC_FILE_HPP
#define HEPAD_CORE_ATOMIC_FILE_HPP

#include <hepad/core/error.hpp>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include <unistd.h>

namespace hepad {

/// A file being written atomically. Destroying it without `commit()` removes the temporary file.
class atomic_file {
 public:
  /// Opens a temporary file next to `path` for binary writing.
  /// @throws hepad::io_error if the directory is not writable.
  explicit atomic_file(std::filesystem::path path) : path_(std::move(path)) {
    static_assert(sizeof(long) >= 4);
    tmp_ = path_;
    tmp_ += detail::concat(".tmp.", static_cast<long>(::getpid()), ".", counter().fetch_add(1));
    file_ = std::fopen(tmp_.c_str(), "wb");
    if (!file_)
      detail::raise<io_error>(path_.string(),
                              detail::concat("cannot create temporary file '", tmp_.string(),
                                             "' for writing: ", std::strerror(errno)));
  }
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;
  ~atomic_file() {
    if (file_) {
      std::fclose(file_);
      std::error_code ec;
      std::filesystem::remove(tmp_, ec);
    }
  }

  /// Appends bytes. @throws hepad::io_error on a short write (disk full).
  void write(const void* data, std::size_t n) {
    if (n != 0 && std::fwrite(data, 1, n, file_) != n)
      detail::raise<io_error>(path_.string(), detail::concat("write failed: ", std::strerror(errno)));
  }
  void write(std::string_view s) { write(s.data(), s.size()); }

  /// Flushes, syncs and renames the temporary file over the target.
  void commit() {
    if (!file_) return;
    const bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    const int err = errno;
    std::fclose(file_);
    file_ = nullptr;
    std::error_code ec;
    if (!ok) {
      std::filesystem::remove(tmp_, ec);
      detail::raise<io_error>(path_.string(), detail::concat("flush failed: ", std::strerror(err)));
    }
    std::filesystem::rename(tmp_, path_, ec);
    if (ec) {
      std::filesystem::remove(tmp_, ec);
      detail::raise<io_error>(path_.string(), detail::concat("rename of temporary file failed: ",
                                                             ec.message()));
    }
  }

  /// The underlying stdio handle (valid until `commit`).
  [[nodiscard]] std::FILE* handle() const noexcept { return file_; }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  static std::atomic<unsigned long>& counter() noexcept {
    static std::atomic<unsigned long> c{0};
    return c;
  }
  std::filesystem::path path_, tmp_;
  std::FILE* file_ = nullptr;
};

/// Writes `content` to `path` atomically.
inline void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  atomic_file f(path);
  f.write(content);
  f.commit();
}

}  // namespace hepad

#endif  // HEPAD_CORE_ATOMIC_FILE_HPP
