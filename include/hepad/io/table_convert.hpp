// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/table_convert.hpp
/// @brief Conversion between the file readers' `io::record_batch` (typed columns) and the
/// algorithms' `data::table<S>` (float columns, weights, labels, roles, jagged collections):
/// `to_table<S>(batch, options)`, `from_table(table)`, and `table_source<S>(reader, options)`,
/// which turns any chunked io reader into a `data::table_source` for bounded-memory pipelines.
///
/// Integer columns become floating point in a `data::table`; keep exact identifiers (uint64
/// event numbers) in the `record_batch` when they matter.
#ifndef HEPAD_IO_TABLE_CONVERT_HPP
#define HEPAD_IO_TABLE_CONVERT_HPP

#include <hepad/core/error.hpp>
#include <hepad/data/chunked.hpp>
#include <hepad/data/jagged.hpp>
#include <hepad/data/table.hpp>
#include <hepad/io/chunking.hpp>
#include <hepad/io/record_batch.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hepad::io {

/// Which columns of a batch become what in a `data::table`.
struct table_options {
  std::vector<std::string> features = {};  ///< feature columns (default: every flat numeric column not used below)
  std::vector<std::string> context = {};   ///< context (conditioning) columns
  std::string weight = {};                 ///< column of per-event weights (default: all 1)
  std::string label = {};                  ///< column of integer labels (default: all 0)
  /// jagged collections: name -> list columns sharing one offsets array, e.g.
  /// {"Muon", {"Muon_pt", "Muon_eta", "Muon_phi"}} (field names lose the "Muon_" prefix)
  std::vector<std::pair<std::string, std::vector<std::string>>> jagged = {};
  static constexpr std::string_view name = "table_options";
};

/// Builds a `data::table<S>` from a batch.
/// @throws hepad::out_of_range for unknown columns, hepad::invalid_argument for string or
/// nullable columns, or list columns of one collection with different offsets.
template <class S = double>
[[nodiscard]] inline data::table<S> to_table(const record_batch& b, const table_options& o = {}) {
  auto flat_numeric = [&](const column& c) {
    if (c.is_list() || c.type == dtype::string || c.nullable())
      throw_invalid_argument("io::to_table",
                             hepad::detail::concat("column '", c.name, "' must be a flat, non-null numeric column"));
  };
  std::vector<std::string> cols = o.context;
  std::vector<std::string> feats = o.features;
  if (feats.empty()) {
    for (const auto& c : b.columns()) {
      if (c.is_list() || c.type == dtype::string || c.name == o.weight || c.name == o.label) continue;
      bool ctx = false;
      for (const auto& n : o.context) ctx = ctx || n == c.name;
      if (!ctx) feats.push_back(c.name);
    }
  }
  for (const auto& f : feats) {
    bool dup = false;
    for (const auto& n : cols) dup = dup || n == f;
    if (!dup) cols.push_back(f);
  }
  const auto n = static_cast<Eigen::Index>(b.n_rows());
  matrix<S> values(n, static_cast<Eigen::Index>(cols.size()));
  for (std::size_t j = 0; j < cols.size(); ++j) {
    const column& c = b[std::string_view(cols[j])];
    flat_numeric(c);
    for (Eigen::Index i = 0; i < n; ++i) values(i, static_cast<Eigen::Index>(j)) = static_cast<S>(c.as_double(static_cast<std::size_t>(i)));
  }
  data::table<S> t(cols, std::move(values));
  if (!o.context.empty() || !feats.empty()) t.set_roles(o.context, feats);
  if (!o.weight.empty()) {
    const column& c = b[std::string_view(o.weight)];
    flat_numeric(c);
    vector<S> w(n);
    for (Eigen::Index i = 0; i < n; ++i) w(i) = static_cast<S>(c.as_double(static_cast<std::size_t>(i)));
    t.set_weights(std::move(w));
  }
  if (!o.label.empty()) {
    const column& c = b[std::string_view(o.label)];
    flat_numeric(c);
    label_vector y(n);
    for (Eigen::Index i = 0; i < n; ++i) y(i) = static_cast<std::int32_t>(c.as_double(static_cast<std::size_t>(i)));
    t.set_labels(std::move(y));
  }
  for (const auto& [name, members] : o.jagged) {
    if (members.empty()) throw_invalid_argument("io::to_table", hepad::detail::concat("collection '", name, "' has no columns"));
    const column& first = b[std::string_view(members[0])];
    std::vector<std::string> fields;
    for (const auto& m : members) {
      const column& c = b[std::string_view(m)];
      if (!c.is_list() || c.offsets != first.offsets || c.type == dtype::string)
        throw_invalid_argument("io::to_table", hepad::detail::concat("column '", m, "' of collection '", name,
                                                                     "' must be a numeric list column with the same offsets as '",
                                                                     members[0], "'"));
      const std::string prefix = name + "_";
      fields.push_back(m.compare(0, prefix.size(), prefix) == 0 ? m.substr(prefix.size()) : m);
    }
    const std::size_t n_obj = first.n_elements(), k = members.size();
    std::vector<S> content(n_obj * k);
    for (std::size_t f = 0; f < k; ++f) {
      const column& c = b[std::string_view(members[f])];
      for (std::size_t e = 0; e < n_obj; ++e) content[e * k + f] = static_cast<S>(c.as_double(e));
    }
    t.set_jagged(name, data::jagged<S>(fields, first.offsets, std::move(content)));
  }
  return t;
}

/// A batch with one float column per table column, plus "weight" and "label" columns (unless
/// those names are taken) and, for each jagged collection `X`, list columns `X_<field>`.
template <class S>
[[nodiscard]] inline record_batch from_table(const data::table<S>& t, bool weights_and_labels = true) {
  record_batch b;
  const auto n = static_cast<std::size_t>(t.size());
  const auto& names = t.column_names();
  for (std::size_t j = 0; j < names.size(); ++j) {
    std::vector<S> v(n);
    const auto col = t.column(names[j]);
    for (std::size_t i = 0; i < n; ++i) v[i] = col(static_cast<Eigen::Index>(i));
    b.add(make_column(names[j], std::move(v)));
  }
  if (weights_and_labels) {
    if (!b.find("weight")) {
      std::vector<S> w(n);
      for (std::size_t i = 0; i < n; ++i) w[i] = t.weights()(static_cast<Eigen::Index>(i));
      b.add(make_column("weight", std::move(w)));
    }
    if (!b.find("label")) {
      std::vector<std::int32_t> y(n);
      for (std::size_t i = 0; i < n; ++i) y[i] = t.labels()(static_cast<Eigen::Index>(i));
      b.add(make_column("label", std::move(y)));
    }
  }
  for (const auto& jn : t.jagged_names()) {
    const auto& j = t.jagged_column(jn);
    const auto off = j.offsets();
    const auto content = j.content();
    for (Eigen::Index f = 0; f < j.n_fields(); ++f) {
      std::vector<S> v(static_cast<std::size_t>(content.rows()));
      for (Eigen::Index e = 0; e < content.rows(); ++e) v[static_cast<std::size_t>(e)] = content(e, f);
      b.add(make_list_column(jn + "_" + j.fields()[static_cast<std::size_t>(f)], std::move(v),
                             std::vector<std::int64_t>(off.begin(), off.end())));
    }
  }
  return b;
}

/// Adapts a chunked io reader (`next()` returning `record_batch`) into a `data::table_source`.
/// The reader must outlive the source.
template <class S, batch_reader R>
class table_source {
 public:
  using scalar_type = S;
  table_source(R& reader, table_options opts = {}) : r_(&reader), o_(std::move(opts)) {}
  [[nodiscard]] std::optional<data::table<S>> next() {
    auto b = r_->next();
    if (!b) return std::nullopt;
    return to_table<S>(*b, o_);
  }

 private:
  R* r_;
  table_options o_;
};

}  // namespace hepad::io

#endif  // HEPAD_IO_TABLE_CONVERT_HPP
