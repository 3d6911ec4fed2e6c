// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/table.hpp
/// @brief `hepad::data::table<S>`: the columnar event table every hepad algorithm consumes
/// (named float columns stored row-major, one weight and one integer label per event, a contiguous
/// block of *context* columns and one of *feature* columns, and named jagged per-object
/// collections), and `table_view<S>`, a zero-copy range of its rows; `concat`.
///
/// Zero-copy: the float columns are one row-major matrix (row = event), so `features()`,
/// `context()`, `columns(first, n)` and `values()` are `matrix_cref<S>` (an `Eigen::Ref` with an
/// outer stride) pointing into the table; a contiguous block of rows (`rows(first, n)`) is a view.
/// Views are valid while the table lives and is not resized. Row subsets (`select`, masks) copy.
///
/// Models `dataset`, `labeled_dataset`, `weighted_dataset`, `conditional_dataset` and
/// `sliceable_dataset` (core/concepts/dataset.hpp). See docs/data/table.md.
///
/// Not here: regions and masks (data/region.hpp, data/row_mask.hpp), file formats (hepad/io/).
#ifndef HEPAD_DATA_TABLE_HPP
#define HEPAD_DATA_TABLE_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/concepts/dataset.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/data/jagged.hpp>
#include <hepad/data/row_mask.hpp>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::data {

template <class S>
class table_view;

/// Events x named float columns, with weights, labels, roles and jagged collections.
///
/// Invariants: column names are unique and non-empty; `weights()` and `labels()` have `size()`
/// entries (defaults 1 and 0); the context block `[context_begin, +n_context)` and the feature
/// block `[feature_begin, +n_features)` lie inside the columns (they may overlap); every jagged
/// collection has `size()` events. A new table's features are all columns and its context empty.
///
/// @tparam S `float` or `double` (columns and weights).
template <class S = double>
class table {
  static_assert(std::is_floating_point_v<S>, "hepad::data::table<S>: S must be float or double");

 public:
  using scalar_type = S;

  // --- construction ------------------------------------------------------------------------

  /// An empty table (no columns, no events).
  table() = default;
  /// `n_rows` events of zeros in the named columns; weights 1, labels 0.
  /// @throws hepad::invalid_argument on duplicate or empty names or a negative `n_rows`.
  explicit table(std::vector<std::string> names, std::int64_t n_rows = 0)
      : table(std::move(names), matrix<S>::Zero(checked_rows(n_rows), 0)) {}
  /// From a (events x columns) matrix; weights 1, labels 0.
  table(std::vector<std::string> names, matrix<S> values) : names_(std::move(names)), values_(std::move(values)) {
    check_names();
    if (values_.cols() == 0 && !names_.empty()) values_ = matrix<S>::Zero(values_.rows(), std::ssize(names_));
    check_size("data::table", "values columns", static_cast<std::size_t>(values_.cols()), names_.size());
    weights_ = vector<S>::Ones(values_.rows());
    labels_ = label_vector::Zero(values_.rows());
    n_features_ = std::ssize(names_);
  }
  /// From values, weights and labels (one per event each).
  table(std::vector<std::string> names, matrix<S> values, vector<S> weights, label_vector labels)
      : table(std::move(names), std::move(values)) {
    set_weights(std::move(weights));
    set_labels(std::move(labels));
  }

  // --- shape and names ---------------------------------------------------------------------

  /// Number of events.
  [[nodiscard]] std::int64_t size() const noexcept { return values_.rows(); }
  /// True if there are no events.
  [[nodiscard]] bool empty() const noexcept { return size() == 0; }
  /// Number of float columns.
  [[nodiscard]] std::int64_t n_columns() const noexcept { return values_.cols(); }
  /// Column names, in storage order.
  [[nodiscard]] const std::vector<std::string>& column_names() const noexcept { return names_; }
  /// Whether a float column `name` exists.
  [[nodiscard]] bool has_column(std::string_view name) const noexcept { return find(name) >= 0; }
  /// Index of column `name`. @throws hepad::out_of_range listing the columns.
  [[nodiscard]] std::int64_t column_index(std::string_view name) const {
    const auto j = find(name);
    if (j < 0)
      hepad::detail::raise<out_of_range>(
          hepad::detail::concat("data::table: no column '", name, "' (columns: ", joined(names_), ")"));
    return j;
  }

  // --- roles ---------------------------------------------------------------------------------

  /// Number of feature columns (the `dataset` concept's `n_features()`).
  [[nodiscard]] std::int64_t n_features() const noexcept { return n_features_; }
  /// Number of context columns.
  [[nodiscard]] std::int64_t n_context() const noexcept { return n_context_; }
  /// First feature column.
  [[nodiscard]] std::int64_t feature_begin() const noexcept { return feature_begin_; }
  /// First context column.
  [[nodiscard]] std::int64_t context_begin() const noexcept { return context_begin_; }
  /// Names of the feature columns.
  [[nodiscard]] std::span<const std::string> feature_names() const noexcept {
    return std::span<const std::string>(names_).subspan(static_cast<std::size_t>(feature_begin_),
                                                        static_cast<std::size_t>(n_features_));
  }
  /// Names of the context columns.
  [[nodiscard]] std::span<const std::string> context_names() const noexcept {
    return std::span<const std::string>(names_).subspan(static_cast<std::size_t>(context_begin_),
                                                        static_cast<std::size_t>(n_context_));
  }
  /// Features = columns [first, first + n). @throws hepad::out_of_range if outside the columns.
  table& set_features(std::int64_t first, std::int64_t n) {
    check_block("data::table::set_features", first, n);
    feature_begin_ = first;
    n_features_ = n;
    return *this;
  }
  /// Context = columns [first, first + n). @throws hepad::out_of_range if outside the columns.
  table& set_context(std::int64_t first, std::int64_t n) {
    check_block("data::table::set_context", first, n);
    context_begin_ = first;
    n_context_ = n;
    return *this;
  }
  /// Sets the context and feature columns by name. If each list is a run of adjacent columns in
  /// that order, nothing moves (O(1) after the look-ups). Otherwise the columns are permuted once
  /// (O(size() * n_columns())) into the order [context..., features..., other columns in their
  /// previous order], so that both blocks are contiguous and zero-copy.
  /// @throws hepad::out_of_range for an unknown name; hepad::invalid_argument if a name repeats,
  /// or if a column is in both lists while the blocks cannot stay in place.
  table& set_roles(const std::vector<std::string>& context, const std::vector<std::string>& features) {
    const auto ci = indices_of(context, "data::table::set_roles");
    const auto fi = indices_of(features, "data::table::set_roles");
    if (is_run(ci) && is_run(fi)) {
      context_begin_ = ci.empty() ? 0 : ci.front();
      n_context_ = std::ssize(ci);
      feature_begin_ = fi.empty() ? 0 : fi.front();
      n_features_ = std::ssize(fi);
      return *this;
    }
    std::vector<std::int64_t> order;
    std::vector<std::uint8_t> used(names_.size(), 0);
    for (const auto* list : {&ci, &fi})
      for (const auto j : *list) {
        if (used[static_cast<std::size_t>(j)])
          throw_invalid_argument("data::table::set_roles",
                                 hepad::detail::concat("column '", names_[static_cast<std::size_t>(j)],
                                                       "' is both context and feature, so the blocks must "
                                                       "already be adjacent runs of columns"));
        used[static_cast<std::size_t>(j)] = 1;
        order.push_back(j);
      }
    for (std::int64_t j = 0; j < n_columns(); ++j)
      if (!used[static_cast<std::size_t>(j)]) order.push_back(j);
    permute_columns(order);
    context_begin_ = 0;
    n_context_ = std::ssize(ci);
    feature_begin_ = n_context_;
    n_features_ = std::ssize(fi);
    return *this;
  }

  // --- zero-copy access ------------------------------------------------------------------------

  /// All float columns (size() x n_columns()).
  [[nodiscard]] matrix_cref<S> values() const { return values_; }
  /// Writable view of all float columns.
  [[nodiscard]] matrix_ref<S> mutable_values() { return values_; }
  /// Feature block (size() x n_features()), zero-copy.
  [[nodiscard]] matrix_cref<S> features() const { return values_.middleCols(feature_begin_, n_features_); }
  /// Writable feature block.
  [[nodiscard]] matrix_ref<S> mutable_features() { return values_.middleCols(feature_begin_, n_features_); }
  /// Context block (size() x n_context()), zero-copy.
  [[nodiscard]] matrix_cref<S> context() const { return values_.middleCols(context_begin_, n_context_); }
  /// Writable context block.
  [[nodiscard]] matrix_ref<S> mutable_context() { return values_.middleCols(context_begin_, n_context_); }
  /// Columns [first, first + n), zero-copy (e.g. context and features together when adjacent).
  [[nodiscard]] matrix_cref<S> columns(std::int64_t first, std::int64_t n) const {
    check_block("data::table::columns", first, n);
    return values_.middleCols(first, n);
  }
  /// Arbitrary columns by name, copied into a new (size() x names.size()) matrix.
  [[nodiscard]] matrix<S> gather_columns(const std::vector<std::string>& names) const {
    const auto idx = indices_of(names, "data::table::gather_columns");
    matrix<S> out(size(), std::ssize(idx));
    for (std::size_t k = 0; k < idx.size(); ++k) out.col(static_cast<Eigen::Index>(k)) = values_.col(idx[k]);
    return out;
  }
  /// One column (strided, zero-copy).
  [[nodiscard]] column_cref<S> column(std::string_view name) const { return values_.col(column_index(name)); }
  /// One column by index (strided, zero-copy).
  [[nodiscard]] column_cref<S> column(std::int64_t j) const {
    check_block("data::table::column", j, 1);
    return values_.col(j);
  }
  /// Writable column.
  [[nodiscard]] column_ref<S> mutable_column(std::string_view name) { return values_.col(column_index(name)); }
  /// Per-event weights (may be negative).
  [[nodiscard]] vector_cref<S> weights() const { return weights_; }
  /// Writable weights.
  [[nodiscard]] vector_ref<S> mutable_weights() { return weights_; }
  /// Per-event integer labels.
  [[nodiscard]] label_cref labels() const { return labels_; }
  /// Writable labels.
  [[nodiscard]] Eigen::Ref<label_vector> mutable_labels() { return labels_; }
  /// Sum of weights.
  [[nodiscard]] double sum_of_weights() const { return weights_.template cast<double>().sum(); }

  // --- modification ----------------------------------------------------------------------------

  /// Replaces the weights. @throws hepad::invalid_argument on a size mismatch.
  table& set_weights(vector<S> w) {
    check_size("data::table::set_weights", "weights", static_cast<std::size_t>(w.size()),
               static_cast<std::size_t>(size()));
    weights_ = std::move(w);
    return *this;
  }
  /// Sets every weight to `w`.
  table& set_weights(S w) {
    weights_.setConstant(w);
    return *this;
  }
  /// Replaces the labels. @throws hepad::invalid_argument on a size mismatch.
  table& set_labels(label_vector y) {
    check_size("data::table::set_labels", "labels", static_cast<std::size_t>(y.size()),
               static_cast<std::size_t>(size()));
    labels_ = std::move(y);
    return *this;
  }
  /// Sets every label to `y`.
  table& set_labels(std::int32_t y) {
    labels_.setConstant(y);
    return *this;
  }
  /// Appends a float column at the end (roles unchanged). O(size() * n_columns()).
  /// @throws hepad::invalid_argument on a duplicate name or a size mismatch.
  template <class Derived>
  table& add_column(std::string name, const Eigen::MatrixBase<Derived>& v) {
    check_size("data::table::add_column", "values", static_cast<std::size_t>(v.size()),
               static_cast<std::size_t>(size()));
    if (name.empty() || has_column(name))
      throw_invalid_argument("data::table::add_column",
                             hepad::detail::concat("column name '", name, "' is empty or already taken"));
    matrix<S> m(size(), n_columns() + 1);
    m.leftCols(n_columns()) = values_;
    for (Eigen::Index i = 0; i < size(); ++i) m(i, n_columns()) = static_cast<S>(v(i));
    values_ = std::move(m);
    names_.push_back(std::move(name));
    return *this;
  }
  /// Renames a column. @throws hepad::out_of_range / invalid_argument.
  table& rename_column(std::string_view from, std::string to) {
    const auto j = column_index(from);
    if (to.empty() || (has_column(to) && to != from))
      throw_invalid_argument("data::table::rename_column",
                             hepad::detail::concat("column name '", to, "' is empty or already taken"));
    names_[static_cast<std::size_t>(j)] = std::move(to);
    return *this;
  }

  // --- jagged collections ----------------------------------------------------------------------

  /// Adds (or replaces) the collection `name`. @throws hepad::invalid_argument if it does not
  /// have size() events or the name is empty.
  table& set_jagged(std::string name, jagged<S> j) {
    if (name.empty()) throw_invalid_argument("data::table::set_jagged", "name must not be empty");
    check_size("data::table::set_jagged", "events of the collection", static_cast<std::size_t>(j.size()),
               static_cast<std::size_t>(size()));
    for (std::size_t k = 0; k < jagged_names_.size(); ++k)
      if (jagged_names_[k] == name) {
        jagged_[k] = std::move(j);
        return *this;
      }
    jagged_names_.push_back(std::move(name));
    jagged_.push_back(std::move(j));
    return *this;
  }
  /// Names of the jagged collections.
  [[nodiscard]] const std::vector<std::string>& jagged_names() const noexcept { return jagged_names_; }
  /// Whether collection `name` exists.
  [[nodiscard]] bool has_jagged(std::string_view name) const noexcept {
    return std::find(jagged_names_.begin(), jagged_names_.end(), name) != jagged_names_.end();
  }
  /// The collection `name`. @throws hepad::out_of_range listing the collections.
  [[nodiscard]] const jagged<S>& jagged_column(std::string_view name) const {
    for (std::size_t k = 0; k < jagged_names_.size(); ++k)
      if (jagged_names_[k] == name) return jagged_[k];
    hepad::detail::raise<out_of_range>(hepad::detail::concat(
        "data::table: no jagged collection '", name, "' (collections: ", joined(jagged_names_), ")"));
  }
  /// Writable collection `name`.
  [[nodiscard]] jagged<S>& mutable_jagged(std::string_view name) {
    return const_cast<jagged<S>&>(std::as_const(*this).jagged_column(name));
  }

  // --- rows ------------------------------------------------------------------------------------

  /// Events [first, first + n) as a zero-copy view. @throws hepad::out_of_range.
  [[nodiscard]] table_view<S> rows(std::int64_t first, std::int64_t n) const;
  /// The events `rows` (in that order; repeats allowed), copied with their weights, labels, roles
  /// and jagged collections. O(rows.size() * n_columns()). @throws hepad::out_of_range.
  [[nodiscard]] table select(std::span<const std::int64_t> rows) const {
    for (const auto r : rows)
      if (r < 0 || r >= size())
        hepad::detail::raise<out_of_range>(
            hepad::detail::concat("data::table::select: row ", r, " is outside [0, ", size(), ")"));
    table out = empty_like(std::ssize(rows));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto r = rows[i];
      const auto o = static_cast<Eigen::Index>(i);
      out.values_.row(o) = values_.row(r);
      out.weights_[o] = weights_[r];
      out.labels_[o] = labels_[r];
    }
    for (std::size_t k = 0; k < jagged_.size(); ++k) out.jagged_[k] = jagged_[k].select(rows);
    return out;
  }
  /// Overload for brace lists: `t.select({0, 5, 7})`.
  [[nodiscard]] table select(std::initializer_list<std::int64_t> rows) const {
    return select(std::span<const std::int64_t>(rows.begin(), rows.size()));
  }
  /// The events whose mask flag is set, in order. @throws hepad::invalid_argument on a size mismatch.
  [[nodiscard]] table select(const row_mask& mask) const {
    check_size("data::table::select", "mask", static_cast<std::size_t>(mask.size()),
               static_cast<std::size_t>(size()));
    const auto idx = mask.indices();
    return select(std::span<const std::int64_t>(idx));
  }
  /// A table with the named columns only (copied, in the given order). Roles are kept if their
  /// columns are all kept and still adjacent; otherwise features = all kept columns, no context.
  [[nodiscard]] table select_columns(const std::vector<std::string>& names) const {
    const auto idx = indices_of(names, "data::table::select_columns");
    table out(names, gather_columns(names), weights_, labels_);
    out.jagged_names_ = jagged_names_;
    out.jagged_ = jagged_;
    auto remap = [&](std::int64_t first, std::int64_t n, std::int64_t& b, std::int64_t& c) {
      std::vector<std::int64_t> pos;
      for (std::int64_t j = first; j < first + n; ++j) {
        const auto it = std::find(idx.begin(), idx.end(), j);
        if (it == idx.end()) return false;
        pos.push_back(it - idx.begin());
      }
      if (!is_run(pos)) return false;
      b = pos.empty() ? 0 : pos.front();
      c = n;
      return true;
    };
    std::int64_t fb = 0, fc = std::ssize(idx), cb = 0, cc = 0;
    if (!remap(feature_begin_, n_features_, fb, fc)) {
      fb = 0;
      fc = std::ssize(idx);
    }
    if (!remap(context_begin_, n_context_, cb, cc)) cc = 0;
    out.feature_begin_ = fb;
    out.n_features_ = fc;
    out.context_begin_ = cb;
    out.n_context_ = cc;
    return out;
  }
  /// Appends the events of `other`. Its float columns must have the same names (in any order; they
  /// are matched by name) and its jagged collections the same names and fields. This table's roles
  /// are kept. @throws hepad::invalid_argument on a schema mismatch.
  table& append(const table& other) {
    if (other.n_columns() != n_columns())
      throw_invalid_argument("data::table::append",
                             hepad::detail::concat("column count differs: ", n_columns(), " vs ", other.n_columns()));
    std::vector<std::int64_t> src(names_.size());
    for (std::size_t j = 0; j < names_.size(); ++j) {
      src[j] = other.find(names_[j]);
      if (src[j] < 0)
        throw_invalid_argument("data::table::append",
                               hepad::detail::concat("the other table has no column '", names_[j], "'"));
    }
    if (other.jagged_names_.size() != jagged_names_.size())
      throw_invalid_argument("data::table::append", "the tables have different jagged collections");
    const auto n0 = size(), n1 = other.size();
    matrix<S> v(n0 + n1, n_columns());
    v.topRows(n0) = values_;
    for (std::size_t j = 0; j < names_.size(); ++j)
      v.col(static_cast<Eigen::Index>(j)).tail(n1) = other.values_.col(src[j]);
    vector<S> w(n0 + n1);
    w << weights_, other.weights_;
    label_vector y(n0 + n1);
    y << labels_, other.labels_;
    for (std::size_t k = 0; k < jagged_.size(); ++k) jagged_[k].append(other.jagged_column(jagged_names_[k]));
    values_ = std::move(v);
    weights_ = std::move(w);
    labels_ = std::move(y);
    return *this;
  }
  /// Reserves nothing; provided so generic code can call `reserve` on tables and vectors alike.
  void reserve(std::int64_t) noexcept {}

  /// Converts the columns and weights to another scalar type.
  template <class T>
  [[nodiscard]] table<T> cast() const {
    table<T> out(names_, values_.template cast<T>(), weights_.template cast<T>(), labels_);
    out.set_context(context_begin_, n_context_).set_features(feature_begin_, n_features_);
    for (std::size_t k = 0; k < jagged_.size(); ++k) out.set_jagged(jagged_names_[k], jagged_[k].template cast<T>());
    return out;
  }
  /// Approximate bytes per event (float columns, weight, label and the average jagged size); what
  /// `chunk_size::bytes` is compared with.
  [[nodiscard]] std::size_t bytes_per_row() const noexcept {
    std::size_t b = static_cast<std::size_t>(n_columns()) * sizeof(S) + sizeof(S) + sizeof(std::int32_t);
    if (size() > 0)
      for (const auto& j : jagged_) b += j.bytes() / static_cast<std::size_t>(size());
    return b;
  }
  /// Tables are equal if names, values, weights, labels, roles and jagged collections are.
  friend bool operator==(const table& a, const table& b) {
    return a.names_ == b.names_ && a.values_.rows() == b.values_.rows() && a.values_ == b.values_ &&
           a.weights_ == b.weights_ && a.labels_ == b.labels_ && a.feature_begin_ == b.feature_begin_ &&
           a.n_features_ == b.n_features_ && a.context_begin_ == b.context_begin_ &&
           a.n_context_ == b.n_context_ && a.jagged_names_ == b.jagged_names_ && a.jagged_ == b.jagged_;
  }

  /// A table with the same columns, roles and (empty) collections and `n` events of zeros.
  [[nodiscard]] table empty_like(std::int64_t n) const {
    table out(names_, matrix<S>::Zero(checked_rows(n), n_columns()));
    out.feature_begin_ = feature_begin_;
    out.n_features_ = n_features_;
    out.context_begin_ = context_begin_;
    out.n_context_ = n_context_;
    out.jagged_names_ = jagged_names_;
    for (const auto& j : jagged_) {
      out.jagged_.emplace_back(j.fields());
      for (std::int64_t i = 0; i < n; ++i) out.jagged_.back().push_back_empty();
    }
    return out;
  }

 private:
  static Eigen::Index checked_rows(std::int64_t n) {
    check_nonnegative("data::table", "n_rows", n);
    return static_cast<Eigen::Index>(n);
  }
  static std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += hepad::detail::concat(s.empty() ? "" : ", ", x);
    return s;
  }
  static bool is_run(const std::vector<std::int64_t>& v) noexcept {
    for (std::size_t k = 1; k < v.size(); ++k)
      if (v[k] != v[k - 1] + 1) return false;
    return true;
  }
  [[nodiscard]] std::int64_t find(std::string_view name) const noexcept {
    for (std::size_t j = 0; j < names_.size(); ++j)
      if (names_[j] == name) return static_cast<std::int64_t>(j);
    return -1;
  }
  [[nodiscard]] std::vector<std::int64_t> indices_of(const std::vector<std::string>& names,
                                                     std::string_view fn) const {
    std::vector<std::int64_t> idx;
    idx.reserve(names.size());
    for (const auto& n : names) {
      const auto j = find(n);
      if (j < 0)
        hepad::detail::raise<out_of_range>(
            hepad::detail::concat(fn, ": no column '", n, "' (columns: ", joined(names_), ")"));
      if (std::find(idx.begin(), idx.end(), j) != idx.end())
        throw_invalid_argument(fn, hepad::detail::concat("column '", n, "' is listed twice"));
      idx.push_back(j);
    }
    return idx;
  }
  void check_names() const {
    for (std::size_t k = 0; k < names_.size(); ++k) {
      if (names_[k].empty()) throw_invalid_argument("data::table", "column names must not be empty");
      for (std::size_t l = 0; l < k; ++l)
        if (names_[l] == names_[k])
          throw_invalid_argument("data::table", hepad::detail::concat("duplicate column name '", names_[k], "'"));
    }
  }
  void check_block(std::string_view fn, std::int64_t first, std::int64_t n) const {
    if (first < 0 || n < 0 || first + n > n_columns())
      hepad::detail::raise<out_of_range>(hepad::detail::concat(fn, ": columns [", first, ", ", first + n,
                                                               ") are not inside [0, ", n_columns(), ")"));
  }
  void permute_columns(const std::vector<std::int64_t>& order) {
    matrix<S> v(size(), n_columns());
    std::vector<std::string> names(names_.size());
    for (std::size_t k = 0; k < order.size(); ++k) {
      v.col(static_cast<Eigen::Index>(k)) = values_.col(order[k]);
      names[k] = names_[static_cast<std::size_t>(order[k])];
    }
    values_ = std::move(v);
    names_ = std::move(names);
  }

  template <class T>
  friend class table;
  friend class table_view<S>;
  template <class T>
  friend table<T> concat(std::span<const table<T>> parts);

  std::vector<std::string> names_;
  matrix<S> values_;
  vector<S> weights_;
  label_vector labels_;
  std::int64_t feature_begin_ = 0, n_features_ = 0, context_begin_ = 0, n_context_ = 0;
  std::vector<std::string> jagged_names_;
  std::vector<jagged<S>> jagged_;
};

/// A zero-copy view of the events [first, first + n) of a table: the same accessors as `table`
/// (features, context, columns, weights, labels) as `Eigen::Ref`s into the table's storage. Valid
/// while the table lives and keeps its size. Models `dataset`, `labeled_dataset`,
/// `weighted_dataset` and `conditional_dataset`.
template <class S = double>
class table_view {
 public:
  using scalar_type = S;

  table_view(const table<S>& t, std::int64_t first, std::int64_t n) : t_(&t), first_(first), n_(n) {
    if (first < 0 || n < 0 || first + n > t.size())
      hepad::detail::raise<out_of_range>(hepad::detail::concat("data::table::rows: [", first, ", ", first + n,
                                                               ") is not inside [0, ", t.size(), ")"));
  }
  /// The viewed table.
  [[nodiscard]] const table<S>& parent() const noexcept { return *t_; }
  /// First viewed event of the parent.
  [[nodiscard]] std::int64_t first() const noexcept { return first_; }
  [[nodiscard]] std::int64_t size() const noexcept { return n_; }
  [[nodiscard]] bool empty() const noexcept { return n_ == 0; }
  [[nodiscard]] std::int64_t n_features() const noexcept { return t_->n_features(); }
  [[nodiscard]] std::int64_t n_context() const noexcept { return t_->n_context(); }
  [[nodiscard]] std::int64_t n_columns() const noexcept { return t_->n_columns(); }
  [[nodiscard]] const std::vector<std::string>& column_names() const noexcept { return t_->column_names(); }
  [[nodiscard]] matrix_cref<S> values() const { return t_->values_.middleRows(first_, n_); }
  [[nodiscard]] matrix_cref<S> features() const {
    return t_->values_.block(first_, t_->feature_begin_, n_, t_->n_features_);
  }
  [[nodiscard]] matrix_cref<S> context() const {
    return t_->values_.block(first_, t_->context_begin_, n_, t_->n_context_);
  }
  [[nodiscard]] matrix_cref<S> columns(std::int64_t first, std::int64_t n) const {
    t_->check_block("data::table_view::columns", first, n);
    return t_->values_.block(first_, first, n_, n);
  }
  [[nodiscard]] column_cref<S> column(std::string_view name) const {
    return t_->values_.col(t_->column_index(name)).segment(first_, n_);
  }
  [[nodiscard]] vector_cref<S> weights() const { return t_->weights_.segment(first_, n_); }
  [[nodiscard]] label_cref labels() const { return t_->labels_.segment(first_, n_); }
  /// A copy of the viewed events as a table (with jagged collections).
  [[nodiscard]] table<S> to_table() const {
    std::vector<std::int64_t> idx(static_cast<std::size_t>(n_));
    for (std::int64_t i = 0; i < n_; ++i) idx[static_cast<std::size_t>(i)] = first_ + i;
    return t_->select(std::span<const std::int64_t>(idx));
  }
  /// The viewed events `rows` (relative to the view), copied.
  [[nodiscard]] table<S> select(std::span<const std::int64_t> rows) const {
    std::vector<std::int64_t> idx(rows.begin(), rows.end());
    for (auto& r : idx) {
      if (r < 0 || r >= n_)
        hepad::detail::raise<out_of_range>(
            hepad::detail::concat("data::table_view::select: row ", r, " is outside [0, ", n_, ")"));
      r += first_;
    }
    return t_->select(std::span<const std::int64_t>(idx));
  }

 private:
  const table<S>* t_;
  std::int64_t first_, n_;
};

template <class S>
inline table_view<S> table<S>::rows(std::int64_t first, std::int64_t n) const {
  return table_view<S>(*this, first, n);
}

/// Concatenates tables (events of `parts[0]`, then `parts[1]`, ...); columns are matched by name,
/// roles come from the first. O(total size). @throws hepad::invalid_argument on a schema mismatch
/// or an empty list.
template <class S>
[[nodiscard]] inline table<S> concat(std::span<const table<S>> parts) {
  if (parts.empty()) throw_invalid_argument("data::concat", "parts must not be empty");
  const table<S>& first = parts.front();
  std::int64_t total = 0;
  for (const auto& p : parts) total += p.size();
  table<S> out = first.empty_like(0);
  out.values_.resize(total, first.n_columns());
  out.weights_.resize(total);
  out.labels_.resize(total);
  out.jagged_ = first.jagged_;
  std::int64_t at = 0;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const table<S>& p = parts[k];
    if (p.n_columns() != first.n_columns())
      throw_invalid_argument("data::concat", hepad::detail::concat("part ", k, " has ", p.n_columns(),
                                                                   " columns, part 0 has ", first.n_columns()));
    if (p.names_ == first.names_) {
      out.values_.middleRows(at, p.size()) = p.values_;
    } else {
      for (std::size_t j = 0; j < first.names_.size(); ++j) {
        const auto src = p.find(first.names_[j]);
        if (src < 0)
          throw_invalid_argument("data::concat",
                                 hepad::detail::concat("part ", k, " has no column '", first.names_[j], "'"));
        out.values_.col(static_cast<Eigen::Index>(j)).segment(at, p.size()) = p.values_.col(src);
      }
    }
    out.weights_.segment(at, p.size()) = p.weights_;
    out.labels_.segment(at, p.size()) = p.labels_;
    if (k > 0) {
      if (p.jagged_names_.size() != first.jagged_names_.size())
        throw_invalid_argument("data::concat", "the parts have different jagged collections");
      for (std::size_t c = 0; c < out.jagged_.size(); ++c)
        out.jagged_[c].append(p.jagged_column(first.jagged_names_[c]));
    }
    at += p.size();
  }
  return out;
}
/// `concat({a, b, ...})`.
template <class S>
[[nodiscard]] inline table<S> concat(const std::vector<table<S>>& parts) {
  return concat(std::span<const table<S>>(parts));
}
/// Two tables: the events of `a`, then those of `b`.
template <class S>
[[nodiscard]] inline table<S> concat(const table<S>& a, const table<S>& b) {
  table<S> out = a;
  out.append(b);
  return out;
}

}  // namespace hepad::data

#endif  // HEPAD_DATA_TABLE_HPP
