// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/column.hpp
/// @brief `hepad::io::column`: one named, typed column as the file readers produce it and the file
/// writers consume it (exact integer types, optional nulls, list columns for jagged data).
///
/// Here: `dtype`, `column_data`, `column` and its factories (`make_column`, `make_list_column`).
/// Not here: the set of columns of equal length (io/record_batch.hpp) or the event table used by the
/// algorithms (data/table.hpp); see docs/design/io.md for how they relate.
#ifndef HEPAD_IO_COLUMN_HPP
#define HEPAD_IO_COLUMN_HPP

#include <hepad/core/error.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace hepad::io {

/// Element type of a column. `boolean` is stored as `std::uint8_t` holding 0 or 1.
enum class dtype : std::uint8_t {
  boolean,
  int8,
  uint8,
  int16,
  uint16,
  int32,
  uint32,
  int64,
  uint64,
  float32,
  float64,
  string
};

/// Storage of a column's elements; the alternative index follows `dtype` from `int8` on
/// (a `boolean` column uses the `std::uint8_t` alternative).
using column_data =
    std::variant<std::vector<std::int8_t>, std::vector<std::uint8_t>, std::vector<std::int16_t>,
                 std::vector<std::uint16_t>, std::vector<std::int32_t>, std::vector<std::uint32_t>,
                 std::vector<std::int64_t>, std::vector<std::uint64_t>, std::vector<float>,
                 std::vector<double>, std::vector<std::string>>;

/// The lower-case name of a dtype ("float32", "uint64", ...).
[[nodiscard]] inline std::string_view dtype_name(dtype t) noexcept {
  constexpr std::string_view names[] = {"bool",   "int8",  "uint8",  "int16",   "uint16",  "int32",
                                        "uint32", "int64", "uint64", "float32", "float64", "string"};
  return names[static_cast<int>(t)];
}

/// Bytes per element (0 for strings).
[[nodiscard]] inline std::size_t dtype_size(dtype t) noexcept {
  constexpr std::size_t sizes[] = {1, 1, 1, 2, 2, 4, 4, 8, 8, 4, 8, 0};
  return sizes[static_cast<int>(t)];
}

/// True for int8 ... uint64 (not bool).
[[nodiscard]] inline bool is_integer(dtype t) noexcept {
  return t >= dtype::int8 && t <= dtype::uint64;
}

/// The dtype of a C++ element type (`bool` → boolean, `float` → float32, ...).
template <class T>
inline constexpr dtype dtype_of = [] {
  if constexpr (std::is_same_v<T, bool>) return dtype::boolean;
  else if constexpr (std::is_same_v<T, std::int8_t>) return dtype::int8;
  else if constexpr (std::is_same_v<T, std::uint8_t>) return dtype::uint8;
  else if constexpr (std::is_same_v<T, std::int16_t>) return dtype::int16;
  else if constexpr (std::is_same_v<T, std::uint16_t>) return dtype::uint16;
  else if constexpr (std::is_same_v<T, std::int32_t>) return dtype::int32;
  else if constexpr (std::is_same_v<T, std::uint32_t>) return dtype::uint32;
  else if constexpr (std::is_same_v<T, std::int64_t>) return dtype::int64;
  else if constexpr (std::is_same_v<T, std::uint64_t>) return dtype::uint64;
  else if constexpr (std::is_same_v<T, float>) return dtype::float32;
  else if constexpr (std::is_same_v<T, double>) return dtype::float64;
  else if constexpr (std::is_same_v<T, std::string>) return dtype::string;
  else static_assert(!sizeof(T), "hepad::io::dtype_of: unsupported element type");
}();

namespace detail {
/// Index of the `column_data` alternative used by a dtype.
[[nodiscard]] inline std::size_t storage_index(dtype t) noexcept {
  return t == dtype::boolean ? 1 : static_cast<std::size_t>(t) - 1;
}
/// Storage type of element type T (bool is stored as uint8).
template <class T>
using storage_t = std::conditional_t<std::is_same_v<T, bool>, std::uint8_t, T>;
/// An empty `column_data` holding the alternative for `t`.
[[nodiscard]] inline column_data make_storage(dtype t) {
  switch (t) {
    case dtype::boolean:
    case dtype::uint8: return std::vector<std::uint8_t>{};
    case dtype::int8: return std::vector<std::int8_t>{};
    case dtype::int16: return std::vector<std::int16_t>{};
    case dtype::uint16: return std::vector<std::uint16_t>{};
    case dtype::int32: return std::vector<std::int32_t>{};
    case dtype::uint32: return std::vector<std::uint32_t>{};
    case dtype::int64: return std::vector<std::int64_t>{};
    case dtype::uint64: return std::vector<std::uint64_t>{};
    case dtype::float32: return std::vector<float>{};
    case dtype::float64: return std::vector<double>{};
    case dtype::string: return std::vector<std::string>{};
  }
  return std::vector<double>{};
}
}  // namespace detail

/// One named column of typed values.
///
/// - A *flat* column has one element per row (`offsets` empty).
/// - A *list* (jagged) column has `offsets` of size rows + 1, starting at 0 and non-decreasing;
///   row `i` holds elements `[offsets[i], offsets[i+1])` of `data`.
/// - A *nullable* column has `validity` of size rows (1 = present, 0 = null). A null row of a flat
///   column still occupies one element of `data` (zero); a null list row is empty.
///
/// Readers always return columns satisfying `check()`; writers call it before writing.
struct column {
  std::string name;                    ///< column name (for nested Parquet files: the top field)
  dtype type = dtype::float64;         ///< element type
  column_data data = std::vector<double>{};  ///< elements (all rows' elements for a list column)
  std::vector<std::int64_t> offsets;   ///< list columns: rows + 1 offsets into `data`; else empty
  std::vector<std::uint8_t> validity;  ///< nullable columns: 1 per valid row; empty = no nulls

  /// Number of rows.
  [[nodiscard]] std::size_t size() const noexcept {
    return offsets.empty() ? n_elements() : offsets.size() - 1;
  }
  /// Number of stored elements (equals `size()` for flat columns).
  [[nodiscard]] std::size_t n_elements() const noexcept {
    return std::visit([](const auto& v) { return v.size(); }, data);
  }
  [[nodiscard]] bool is_list() const noexcept { return !offsets.empty(); }
  [[nodiscard]] bool nullable() const noexcept { return !validity.empty(); }
  [[nodiscard]] bool is_valid(std::size_t row) const noexcept {
    return validity.empty() || validity[row] != 0;
  }

  /// The elements as a typed span; `T` must match the storage (`std::uint8_t` for bool).
  /// @throws hepad::invalid_argument naming the column and both types on a mismatch.
  template <class T>
  [[nodiscard]] std::span<const T> values() const {
    const auto* v = std::get_if<std::vector<T>>(&data);
    if (!v || (std::is_same_v<T, std::uint8_t> && type != dtype::uint8 && type != dtype::boolean))
      type_mismatch(dtype_name(dtype_of<T>));
    return {v->data(), v->size()};
  }
  /// Mutable access to the element vector (same rules as `values`).
  template <class T>
  [[nodiscard]] std::vector<T>& values_mut() {
    auto* v = std::get_if<std::vector<T>>(&data);
    if (!v) type_mismatch(dtype_name(dtype_of<T>));
    return *v;
  }
  /// Elements of one row of a list column.
  template <class T>
  [[nodiscard]] std::span<const T> row(std::size_t i) const {
    auto all = values<T>();
    if (offsets.empty()) return all.subspan(i, 1);
    return all.subspan(static_cast<std::size_t>(offsets[i]),
                       static_cast<std::size_t>(offsets[i + 1] - offsets[i]));
  }
  /// Element `i` converted to double (strings throw).
  [[nodiscard]] double as_double(std::size_t i) const {
    return std::visit(
        [&](const auto& v) -> double {
          using E = typename std::decay_t<decltype(v)>::value_type;
          if constexpr (std::is_same_v<E, std::string>) {
            type_mismatch("a number");
          } else {
            return static_cast<double>(v[i]);
          }
        },
        data);
  }

  /// Checks the invariants above. @throws hepad::invalid_argument naming the column.
  void check() const {
    if (data.index() != detail::storage_index(type))
      throw_invalid_argument("io::column", hepad::detail::concat("column '", name, "': storage does not match dtype ",
                                                          dtype_name(type)));
    const std::size_t ne = n_elements();
    if (!offsets.empty()) {
      if (offsets.front() != 0)
        throw_invalid_argument("io::column", hepad::detail::concat("column '", name, "': offsets must start at 0"));
      for (std::size_t i = 1; i < offsets.size(); ++i)
        if (offsets[i] < offsets[i - 1])
          throw_invalid_argument("io::column", hepad::detail::concat("column '", name,
                                                              "': offsets must be non-decreasing, at row ", i - 1));
      if (static_cast<std::size_t>(offsets.back()) != ne)
        throw_invalid_argument("io::column",
                               hepad::detail::concat("column '", name, "': last offset ", offsets.back(),
                                              " must equal the number of elements ", ne));
    }
    if (!validity.empty() && validity.size() != size())
      throw_invalid_argument("io::column", hepad::detail::concat("column '", name, "': validity has ", validity.size(),
                                                          " entries for ", size(), " rows"));
  }

 private:
  [[noreturn]] void type_mismatch(std::string_view asked) const {
    throw_invalid_argument("io::column", hepad::detail::concat("column '", name, "' holds ", dtype_name(type),
                                                        ", not ", asked));
  }
};

/// A flat column from a vector (`std::vector<bool>` becomes a boolean column).
template <class T>
[[nodiscard]] inline column make_column(std::string name, std::vector<T> values) {
  column c;
  c.name = std::move(name);
  c.type = dtype_of<T>;
  if constexpr (std::is_same_v<T, bool>) {
    c.data = std::vector<std::uint8_t>(values.begin(), values.end());
  } else {
    c.data = std::move(values);
  }
  return c;
}

/// A flat column from a span (copied).
template <class T>
[[nodiscard]] inline column make_column(std::string name, std::span<const T> values) {
  return make_column(std::move(name), std::vector<T>(values.begin(), values.end()));
}

/// A nullable flat column: `validity[i] == 0` marks row `i` null (its value is ignored by writers).
template <class T>
[[nodiscard]] inline column make_nullable_column(std::string name, std::vector<T> values,
                                                 std::vector<std::uint8_t> validity) {
  column c = make_column(std::move(name), std::move(values));
  c.validity = std::move(validity);
  c.check();
  return c;
}

/// A list (jagged) column: row `i` holds `values[offsets[i] .. offsets[i+1])`.
/// @throws hepad::invalid_argument if the offsets are not valid for `values`.
template <class T>
[[nodiscard]] inline column make_list_column(std::string name, std::vector<T> values,
                                             std::vector<std::int64_t> offsets) {
  column c = make_column(std::move(name), std::move(values));
  c.offsets = std::move(offsets);
  if (c.offsets.empty()) c.offsets.push_back(0);
  c.check();
  return c;
}

/// A list column from one vector per row.
template <class T>
[[nodiscard]] inline column make_list_column(std::string name, const std::vector<std::vector<T>>& rows) {
  std::vector<detail::storage_t<T>> values;
  std::vector<std::int64_t> offsets{0};
  for (const auto& r : rows) {
    values.insert(values.end(), r.begin(), r.end());
    offsets.push_back(static_cast<std::int64_t>(values.size()));
  }
  column c = make_list_column(std::move(name), std::move(values), std::move(offsets));
  c.type = dtype_of<T>;
  return c;
}

/// An empty column of the given type (and list-ness), ready to be appended to.
[[nodiscard]] inline column make_empty_column(std::string name, dtype t, bool list = false) {
  column c;
  c.name = std::move(name);
  c.type = t;
  c.data = detail::make_storage(t);
  if (list) c.offsets.push_back(0);
  return c;
}

}  // namespace hepad::io

#endif  // HEPAD_IO_COLUMN_HPP
