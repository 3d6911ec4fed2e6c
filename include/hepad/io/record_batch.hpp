// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/record_batch.hpp
/// @brief `hepad::io::record_batch`: named typed columns of equal length (what every reader
/// returns and every writer takes), with conversion to a dense feature matrix.
///
/// Not here: the columns themselves (io/column.hpp), chunked iteration (io/chunking.hpp).
#ifndef HEPAD_IO_RECORD_BATCH_HPP
#define HEPAD_IO_RECORD_BATCH_HPP

#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/io/column.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hepad::io {

/// Columns of equal row count, in order. Column names are unique.
class record_batch {
 public:
  record_batch() = default;
  /// From columns; @throws hepad::invalid_argument on unequal lengths or duplicate names.
  explicit record_batch(std::vector<column> cols) {
    for (auto& c : cols) add(std::move(c));
  }

  /// Appends a column. @throws hepad::invalid_argument if its row count differs from the others',
  /// its name is taken, or it breaks the column invariants.
  record_batch& add(column c) {
    c.check();
    if (!columns_.empty() && c.size() != n_rows_)
      throw_invalid_argument("io::record_batch::add",
                             hepad::detail::concat("column '", c.name, "' has ", c.size(), " rows, expected ", n_rows_));
    if (find(c.name))
      throw_invalid_argument("io::record_batch::add", hepad::detail::concat("duplicate column name '", c.name, "'"));
    if (columns_.empty()) n_rows_ = c.size();
    columns_.push_back(std::move(c));
    return *this;
  }

  [[nodiscard]] std::size_t n_rows() const noexcept { return n_rows_; }
  [[nodiscard]] std::size_t n_columns() const noexcept { return columns_.size(); }
  [[nodiscard]] bool empty() const noexcept { return columns_.empty(); }
  [[nodiscard]] const std::vector<column>& columns() const noexcept { return columns_; }
  [[nodiscard]] std::vector<column>& columns() noexcept { return columns_; }
  [[nodiscard]] const column& operator[](std::size_t i) const { return columns_.at(i); }

  /// The column called `name`, or nullptr.
  [[nodiscard]] const column* find(std::string_view name) const noexcept {
    for (const auto& c : columns_)
      if (c.name == name) return &c;
    return nullptr;
  }
  /// The column called `name`. @throws hepad::out_of_range listing the available names.
  [[nodiscard]] const column& operator[](std::string_view name) const {
    if (const auto* c = find(name)) return *c;
    std::string have;
    for (std::size_t i = 0; i < columns_.size() && i < 20; ++i) have += hepad::detail::concat(i ? ", " : "", columns_[i].name);
    if (columns_.size() > 20) have += ", ...";
    hepad::detail::raise<out_of_range>(hepad::detail::concat("io::record_batch: no column '", name, "' (have: ", have, ")"));
  }
  /// Column names in order.
  [[nodiscard]] std::vector<std::string> names() const {
    std::vector<std::string> n;
    n.reserve(columns_.size());
    for (const auto& c : columns_) n.push_back(c.name);
    return n;
  }

  /// The listed flat numeric columns (all flat numeric columns if `names` is empty) as a row-major
  /// matrix, one row per event. @throws hepad::invalid_argument for list, string or nullable columns.
  template <class S = double>
  [[nodiscard]] matrix<S> to_matrix(const std::vector<std::string>& names = {}) const {
    std::vector<const column*> cols;
    if (names.empty()) {
      for (const auto& c : columns_)
        if (!c.is_list() && c.type != dtype::string) cols.push_back(&c);
    } else {
      for (const auto& n : names) cols.push_back(&(*this)[std::string_view(n)]);
    }
    matrix<S> m(static_cast<Eigen::Index>(n_rows_), static_cast<Eigen::Index>(cols.size()));
    for (std::size_t j = 0; j < cols.size(); ++j) {
      const column& c = *cols[j];
      if (c.is_list() || c.type == dtype::string || c.nullable())
        throw_invalid_argument("io::record_batch::to_matrix",
                               hepad::detail::concat("column '", c.name, "' is not a flat non-null numeric column"));
      std::visit(
          [&](const auto& v) {
            using E = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (!std::is_same_v<E, std::string>)
              for (std::size_t i = 0; i < n_rows_; ++i)
                m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = static_cast<S>(v[i]);
          },
          c.data);
    }
    return m;
  }

  /// Rows `[first, first + n)` of every column (a copy).
  [[nodiscard]] record_batch slice(std::size_t first, std::size_t n) const {
    if (first > n_rows_) first = n_rows_;
    if (n > n_rows_ - first) n = n_rows_ - first;
    record_batch out;
    for (const auto& c : columns_) {
      column s;
      s.name = c.name;
      s.type = c.type;
      std::size_t e0 = first, e1 = first + n;
      if (c.is_list()) {
        e0 = static_cast<std::size_t>(c.offsets[first]);
        e1 = static_cast<std::size_t>(c.offsets[first + n]);
        s.offsets.reserve(n + 1);
        for (std::size_t i = first; i <= first + n; ++i) s.offsets.push_back(c.offsets[i] - c.offsets[first]);
      }
      s.data = std::visit(
          [&](const auto& v) -> column_data {
            using V = std::decay_t<decltype(v)>;
            return V(v.begin() + static_cast<std::ptrdiff_t>(e0), v.begin() + static_cast<std::ptrdiff_t>(e1));
          },
          c.data);
      if (c.nullable())
        s.validity.assign(c.validity.begin() + static_cast<std::ptrdiff_t>(first),
                          c.validity.begin() + static_cast<std::ptrdiff_t>(first + n));
      out.add(std::move(s));
    }
    return out;
  }

  /// Appends the rows of `other`, which must have the same column names, types and kinds.
  void append(const record_batch& other) {
    if (columns_.empty()) {
      *this = other;
      return;
    }
    if (other.n_columns() != n_columns())
      throw_invalid_argument("io::record_batch::append", "batches have different columns");
    for (std::size_t j = 0; j < columns_.size(); ++j) {
      column& a = columns_[j];
      const column& b = other.columns_[j];
      if (a.name != b.name || a.type != b.type || a.is_list() != b.is_list())
        throw_invalid_argument("io::record_batch::append",
                               hepad::detail::concat("column ", j, " ('", a.name, "') differs in name, type or kind"));
      const std::size_t rows_a = a.size();
      if (a.is_list()) {
        const std::int64_t base = a.offsets.back();
        for (std::size_t i = 1; i < b.offsets.size(); ++i) a.offsets.push_back(base + b.offsets[i]);
      }
      if (a.nullable() || b.nullable()) {
        a.validity.resize(rows_a, 1);
        if (b.nullable()) a.validity.insert(a.validity.end(), b.validity.begin(), b.validity.end());
        else a.validity.resize(rows_a + b.size(), 1);
      }
      std::visit(
          [&](auto& va) {
            using V = std::decay_t<decltype(va)>;
            const auto& vb = std::get<V>(b.data);
            va.insert(va.end(), vb.begin(), vb.end());
          },
          a.data);
    }
    n_rows_ += other.n_rows_;
  }

 private:
  std::vector<column> columns_;
  std::size_t n_rows_ = 0;
};

}  // namespace hepad::io

#endif  // HEPAD_IO_RECORD_BATCH_HPP
