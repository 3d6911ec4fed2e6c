// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/root/to_record_batch.hpp
/// @brief Conversion of ROOT columns (`io::root::column`) to hepad's generic table columns
/// (`io::column`, `io::record_batch`), e.g. to write branches to Parquet with
/// io/parquet/writer.hpp: scalar branches become flat columns, jagged and array branches list
/// columns, TLeafC branches string columns; value types are kept (bool, unsigned widths).
/// Not here: reading (tree_reader.hpp).
#ifndef HEPAD_IO_ROOT_TO_RECORD_BATCH_HPP
#define HEPAD_IO_ROOT_TO_RECORD_BATCH_HPP

#include <hepad/io/column.hpp>
#include <hepad/io/record_batch.hpp>
#include <hepad/io/root/column.hpp>

#include <string>
#include <type_traits>
#include <vector>

namespace hepad::io::root {

/// Copies a ROOT column into an `io::column` of the same name and element type.
[[nodiscard]] inline io::column to_io_column(const column& c) {
  io::column out;
  out.name = c.name();
  if (c.type() == leaf_type::string) {
    std::vector<std::string> v;
    v.reserve(c.size());
    for (std::size_t i = 0; i < c.size(); ++i) v.emplace_back(c.string_at(i));
    out.type = io::dtype::string;
    out.data = std::move(v);
    return out;
  }
  visit_leaf_type(c.type(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, char>) {
      const auto vals = c.values<T>();
      out.type = io::dtype_of<T>;
      out.data = std::vector<io::detail::storage_t<T>>(vals.begin(), vals.end());
    }
  });
  if (c.has_offsets()) out.offsets.assign(c.offsets().begin(), c.offsets().end());
  out.check();
  return out;
}

/// A record batch of several ROOT columns (equal entry counts, unique names).
[[nodiscard]] inline io::record_batch to_record_batch(const std::vector<column>& cols) {
  io::record_batch b;
  for (const auto& c : cols) b.add(to_io_column(c));
  return b;
}

}  // namespace hepad::io::root

#endif  // HEPAD_IO_ROOT_TO_RECORD_BATCH_HPP
