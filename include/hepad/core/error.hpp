// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/error.hpp
/// @brief The `hepad::error` hierarchy and the single cold throw path.
///
/// Bad input throws a `hepad::error` subclass whose message names the function and argument, or the
/// file, item (branch, column, dataset) and byte offset. Numerical non-convergence is *not* an
/// error: it is reported in a `hepad::status` (see core/result.hpp).
#ifndef HEPAD_CORE_ERROR_HPP
#define HEPAD_CORE_ERROR_HPP

#include <hepad/config.hpp>
#include <hepad/core/detail/str.hpp>

#include <cstdint>
#include <hepad/core/source_location.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace hepad {

/// Machine-readable category of an error.
enum class errc : int {
  invalid_argument = 1,  ///< a parameter or input value violates a documented precondition
  out_of_range,          ///< an index, column or name does not exist
  io,                    ///< a file cannot be opened, read or written
  format,                ///< a file's content is corrupt, truncated or unsupported
  numerical,             ///< a computation produced NaN/inf where that is fatal (e.g. a training loss)
  config,                ///< a configuration entry is missing or invalid
  not_supported,         ///< a valid request hepad does not implement (named in the message)
  internal               ///< a broken invariant inside hepad (a bug: please report)
};

/// Base of every exception hepad throws.
class error : public std::runtime_error {
 public:
  error(errc code, const std::string& what, hepad::source_location where = hepad::source_location::current())
      : std::runtime_error(what), code_(code), where_(where) {}
  /// The error category.
  [[nodiscard]] errc code() const noexcept { return code_; }
  /// Where in hepad the error was raised.
  [[nodiscard]] const hepad::source_location& where() const noexcept { return where_; }

 private:
  errc code_;
  hepad::source_location where_;
};

/// A parameter or input violates a precondition: "fn: arg must be ..., got ...".
class invalid_argument : public error {
 public:
  explicit invalid_argument(const std::string& what,
                            hepad::source_location where = hepad::source_location::current())
      : error(errc::invalid_argument, what, where) {}
};

/// An index, column, branch or registry name that does not exist.
class out_of_range : public error {
 public:
  explicit out_of_range(const std::string& what,
                        hepad::source_location where = hepad::source_location::current())
      : error(errc::out_of_range, what, where) {}
};

/// A file cannot be opened, read or written. Carries the path; the message names it too (it is
/// prefixed as "'path': " unless the message already contains it).
class io_error : public error {
 public:
  io_error(std::string path, const std::string& what,
           hepad::source_location where = hepad::source_location::current())
      : io_error(errc::io, std::move(path), what, where) {}
  /// The file concerned.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 protected:
  io_error(errc code, std::string path, const std::string& what, hepad::source_location where)
      : error(code, with_path(path, what), where), path_(std::move(path)) {}

 private:
  static std::string with_path(const std::string& path, const std::string& what) {
    if (path.empty() || what.find(path) != std::string::npos) return what;
    return "'" + path + "': " + what;
  }
  std::string path_;
};

/// A file's content is corrupt, truncated or unsupported. Carries the path, the item (branch,
/// column, dataset; may be empty) and the byte offset (or -1 when not meaningful).
class format_error : public io_error {
 public:
  format_error(std::string path, std::string item, std::int64_t offset, const std::string& what,
               hepad::source_location where = hepad::source_location::current())
      : io_error(errc::format, path, describe(path, item, offset, what), where),
        item_(std::move(item)),
        offset_(offset) {}
  /// The branch, column or dataset concerned (empty if the file as a whole).
  [[nodiscard]] const std::string& item() const noexcept { return item_; }
  /// Byte offset in the file where the problem was found, or -1.
  [[nodiscard]] std::int64_t offset() const noexcept { return offset_; }

 private:
  static std::string describe(const std::string& path, const std::string& item, std::int64_t offset,
                              const std::string& what) {
    std::string s = detail::concat("file '", path, "'");
    if (!item.empty()) s += detail::concat(", '", item, "'");
    if (offset >= 0) s += detail::concat(", byte offset ", offset);
    s += ": ";
    s += what;
    return s;
  }
  std::string item_;
  std::int64_t offset_;
};

/// A fatal numerical problem, e.g. a non-finite training loss (names epoch and batch).
class numerical_error : public error {
 public:
  explicit numerical_error(const std::string& what,
                           hepad::source_location where = hepad::source_location::current())
      : error(errc::numerical, what, where) {}
};

/// A configuration entry is missing or invalid; the message starts with its path
/// (e.g. "flows.rq_spline.n_bins must be >= 2, got 1").
class config_error : public error {
 public:
  explicit config_error(const std::string& what,
                        hepad::source_location where = hepad::source_location::current())
      : error(errc::config, what, where) {}
};

/// A valid request that hepad does not implement (the message says what and suggests an alternative).
class not_supported : public error {
 public:
  explicit not_supported(const std::string& what,
                         hepad::source_location where = hepad::source_location::current())
      : error(errc::not_supported, what, where) {}
};

namespace detail {
/// The one cold throw path: constructs `E` from `args...` and raises it via `HEPAD_THROW`.
template <class E, class... A>
[[noreturn]] HEPAD_COLD inline void raise(A&&... args) {
  HEPAD_THROW(E(std::forward<A>(args)...));
}
}  // namespace detail

/// Throws `invalid_argument("fn: what")`.
[[noreturn]] HEPAD_COLD inline void throw_invalid_argument(
    std::string_view fn, const std::string& what,
    hepad::source_location where = hepad::source_location::current()) {
  detail::raise<invalid_argument>(detail::concat(fn, ": ", what), where);
}

}  // namespace hepad

#endif  // HEPAD_CORE_ERROR_HPP
