// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/ndarray.hpp
/// @brief `hepad::io::ndarray`: a typed N-dimensional array in C (row-major) order, or a 1-D
/// array of records with named fields (a NumPy structured array / HDF5 compound), as the NPY, NPZ
/// and HDF5 readers return it; conversion to and from `record_batch`.
///
/// Not here: the file formats (io/npy.hpp, io/npz.hpp, io/hdf5.hpp).
#ifndef HEPAD_IO_NDARRAY_HPP
#define HEPAD_IO_NDARRAY_HPP

#include <hepad/core/error.hpp>
#include <hepad/io/column.hpp>
#include <hepad/io/record_batch.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hepad::io {

/// A typed array. Either plain (`fields` empty: `data` holds the product of `shape` elements in C
/// order) or structured (`fields` non-empty, `shape` 1-D: one column per field, `data` unused).
struct ndarray {
  dtype type = dtype::float64;             ///< element type of a plain array
  std::vector<std::size_t> shape;          ///< dimensions (empty: a scalar)
  column_data data = std::vector<double>{};  ///< elements in C order (plain arrays)
  std::vector<column> fields;              ///< named fields (structured arrays)

  /// Number of elements of a plain array (rows of a structured one).
  [[nodiscard]] std::size_t size() const noexcept {
    if (!fields.empty()) return shape.empty() ? 0 : shape[0];
    std::size_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }
  [[nodiscard]] bool structured() const noexcept { return !fields.empty(); }
  /// The elements as a typed span (plain arrays; `std::uint8_t` for bool).
  template <class T>
  [[nodiscard]] std::span<const T> values() const {
    const auto* v = std::get_if<std::vector<T>>(&data);
    if (!v)
      throw_invalid_argument("io::ndarray", hepad::detail::concat("array holds ", dtype_name(type), ", not ",
                                                                  dtype_name(dtype_of<T>)));
    return {v->data(), v->size()};
  }
};

/// A plain array from a vector and a shape. @throws hepad::invalid_argument if the sizes differ.
template <class T>
[[nodiscard]] inline ndarray make_ndarray(std::vector<T> values, std::vector<std::size_t> shape) {
  ndarray a;
  a.type = dtype_of<T>;
  a.shape = std::move(shape);
  if constexpr (std::is_same_v<T, bool>) a.data = std::vector<std::uint8_t>(values.begin(), values.end());
  else a.data = std::move(values);
  if (a.size() != std::visit([](const auto& v) { return v.size(); }, a.data))
    throw_invalid_argument("io::make_ndarray", "shape does not match the number of values");
  return a;
}

/// Columns of an array: a structured array gives its fields; a 1-D array one column (`names[0]`
/// or "x"); a 2-D array of shape (N, k) k columns (`names`, or "x0", "x1", ...).
/// @throws hepad::invalid_argument for higher dimensions or a wrong number of names.
[[nodiscard]] inline record_batch to_record_batch(const ndarray& a, const std::vector<std::string>& names = {}) {
  record_batch b;
  if (a.structured()) {
    for (std::size_t j = 0; j < a.fields.size(); ++j) {
      column c = a.fields[j];
      if (!names.empty()) c.name = names.at(j);
      b.add(std::move(c));
    }
    return b;
  }
  if (a.shape.size() == 1 || a.shape.empty()) {
    column c;
    c.name = names.empty() ? "x" : names[0];
    c.type = a.type;
    c.data = a.data;
    b.add(std::move(c));
    return b;
  }
  if (a.shape.size() != 2)
    throw_invalid_argument("io::to_record_batch",
                           hepad::detail::concat("only 1-D, 2-D and structured arrays become columns, got ", a.shape.size(),
                                                 " dimensions"));
  const std::size_t n = a.shape[0], k = a.shape[1];
  if (k > (std::size_t{1} << 20))
    throw_invalid_argument("io::to_record_batch",
                           hepad::detail::concat("an array with ", k, " columns; at most 2^20 become separate columns"));
  if (!names.empty() && names.size() != k)
    throw_invalid_argument("io::to_record_batch",
                           hepad::detail::concat("names has ", names.size(), " entries for ", k, " columns"));
  std::vector<column> cols(k);
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        for (std::size_t j = 0; j < k; ++j) {
          V out(n);
          for (std::size_t i = 0; i < n; ++i) out[i] = v[i * k + j];
          cols[j].name = names.empty() ? hepad::detail::concat("x", j) : names[j];
          cols[j].type = a.type;
          cols[j].data = std::move(out);
        }
      },
      a.data);
  for (auto& c : cols) b.add(std::move(c));
  return b;
}

/// As above, moving the fields of a structured array instead of copying them.
[[nodiscard]] inline record_batch to_record_batch(ndarray&& a, const std::vector<std::string>& names = {}) {
  if (!a.structured()) return to_record_batch(static_cast<const ndarray&>(a), names);
  record_batch b;
  for (std::size_t j = 0; j < a.fields.size(); ++j) {
    if (!names.empty()) a.fields[j].name = names.at(j);
    b.add(std::move(a.fields[j]));
  }
  return b;
}

/// A structured array holding the flat, non-null columns of `b` (names and exact types kept).
/// @throws hepad::invalid_argument for list or nullable columns.
[[nodiscard]] inline ndarray to_structured(const record_batch& b) {
  ndarray a;
  a.shape = {b.n_rows()};
  for (const auto& c : b.columns()) {
    if (c.is_list() || c.nullable())
      throw_invalid_argument("io::to_structured",
                             hepad::detail::concat("column '", c.name, "' is a list or has nulls; arrays hold flat columns"));
    a.fields.push_back(c);
  }
  return a;
}

/// A 2-D (rows, columns) array of one type from flat numeric columns (values converted).
template <class T = double>
[[nodiscard]] inline ndarray to_matrix_array(const record_batch& b) {
  const std::size_t n = b.n_rows(), k = b.n_columns();
  std::vector<T> v(n * k);
  for (std::size_t j = 0; j < k; ++j) {
    const column& c = b[j];
    if (c.is_list() || c.type == dtype::string)
      throw_invalid_argument("io::to_matrix_array", hepad::detail::concat("column '", c.name, "' is not flat numeric"));
    for (std::size_t i = 0; i < n; ++i) v[i * k + j] = static_cast<T>(c.as_double(i));
  }
  return make_ndarray(std::move(v), {n, k});
}

}  // namespace hepad::io

#endif  // HEPAD_IO_NDARRAY_HPP
