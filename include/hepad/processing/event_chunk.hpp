// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: root_io
/// @file hepad/processing/event_chunk.hpp
/// @brief `hepad::processing::event_chunk`: the columns of one chunk of one file (a work item),
/// with typed scalar and jagged access, the dataset's metadata, and the missing-branch policy
/// for optional flag branches (triggers, MET filters): `missing_branch_policy::error` throws,
/// `as_false` / `warn_false` substitute an all-false column (the latter records a warning).
/// `load_chunk` reads it with hepad::io::root. Not here: defined columns and filters (frame.hpp).
///
/// Component `hepad::root_io`.
#ifndef HEPAD_PROCESSING_EVENT_CHUNK_HPP
#define HEPAD_PROCESSING_EVENT_CHUNK_HPP

#include <hepad/core/error.hpp>
#include <hepad/hep/jagged.hpp>
#include <hepad/io/root/tree_reader.hpp>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hepad::processing {

/// What to do when an optional flag branch is missing from a file.
enum class missing_branch_policy : std::uint8_t {
  error,       ///< throw hepad::config_error naming the file and the branch
  warn_false,  ///< treat as false for every event and record a warning in the output
  as_false     ///< treat as false silently
};

/// Parses "error", "warn" / "warn_false", "false" / "as_false".
inline missing_branch_policy parse_missing_branch_policy(std::string_view s) {
  if (s == "error") return missing_branch_policy::error;
  if (s == "warn" || s == "warn_false") return missing_branch_policy::warn_false;
  if (s == "false" || s == "as_false") return missing_branch_policy::as_false;
  hepad::detail::raise<config_error>(hepad::detail::concat("missing-branch policy must be error, warn or false, got '", s, "'"));
}

/// One unit of work: entries `range` of tree `tree` in file `path`, belonging to dataset `dataset`.
struct work_item {
  std::size_t dataset = 0;  ///< index of the dataset
  std::size_t file = 0;     ///< index of the file within the dataset
  std::string path, tree = "Events";
  io::root::entry_range range;
};

/// Metadata of a dataset (from its JSON configuration).
struct dataset_info {
  std::string name;
  bool is_mc = true;
  double xs = 0;  ///< cross-section (pb) from the configuration
};

/// The columns of one work item.
class event_chunk {
 public:
  event_chunk() = default;
  event_chunk(work_item item, dataset_info ds, std::size_t n_events)
      : item_(std::move(item)), ds_(std::move(ds)), n_(n_events) {}

  [[nodiscard]] std::size_t size() const noexcept { return n_; }
  [[nodiscard]] const work_item& item() const noexcept { return item_; }
  [[nodiscard]] const dataset_info& dataset() const noexcept { return ds_; }
  [[nodiscard]] bool is_mc() const noexcept { return ds_.is_mc; }
  /// Warnings recorded while loading (missing optional branches).
  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

  [[nodiscard]] bool has(std::string_view name) const { return cols_.find(std::string(name)) != cols_.end(); }
  [[nodiscard]] const io::root::column& column(std::string_view name) const {
    auto it = cols_.find(std::string(name));
    if (it == cols_.end())
      hepad::detail::raise<out_of_range>(hepad::detail::concat("event_chunk: column '", name, "' was not loaded (file '",
                                                               item_.path, "')"));
    return it->second;
  }
  /// One value per event.
  template <class T>
  [[nodiscard]] std::span<const T> scalar(std::string_view name) const {
    const auto& c = column(name);
    if (c.has_offsets())
      throw_invalid_argument("event_chunk::scalar", hepad::detail::concat("column '", name, "' is jagged"));
    return c.values<T>();
  }
  /// Rows of a jagged column.
  template <class T>
  [[nodiscard]] hep::jagged_view<T> jagged(std::string_view name) const {
    const auto& c = column(name);
    if (!c.has_offsets())
      throw_invalid_argument("event_chunk::jagged", hepad::detail::concat("column '", name, "' is not jagged"));
    return hep::jagged_view<T>(c.offsets(), c.values<T>());
  }

  void add(io::root::column c) { cols_.insert_or_assign(c.name(), std::move(c)); }
  void warn(std::string w) { warnings_.push_back(std::move(w)); }

 private:
  work_item item_;
  dataset_info ds_;
  std::size_t n_ = 0;
  std::map<std::string, io::root::column, std::less<>> cols_;
  std::vector<std::string> warnings_;
};

/// What a processor reads: required branches (missing = error) and optional flag branches
/// (bool; missing handled by `policy`).
struct branch_request {
  std::vector<std::string> required;
  std::vector<std::string> flags;
  missing_branch_policy policy = missing_branch_policy::warn_false;
};

/// Reads the columns of `item` (required + flags) into an event_chunk.
/// @throws hepad::config_error for a missing required branch or a missing flag under policy error,
/// and the reader's errors for corrupt input.
inline event_chunk load_chunk(const work_item& item, const dataset_info& ds, const branch_request& req) {
  const io::root::file f(item.path);
  const io::root::tree t(f, item.tree);
  std::vector<std::string> names;
  event_chunk ch(item, ds, static_cast<std::size_t>(item.range.size()));
  for (const auto& n : req.required) {
    if (!t.contains(n))
      hepad::detail::raise<config_error>(hepad::detail::concat("file '", item.path, "', tree '", item.tree,
                                                               "': required branch '", n, "' is missing"));
    names.push_back(n);
  }
  std::vector<std::string> missing;
  for (const auto& n : req.flags) {
    if (t.contains(n)) {
      names.push_back(n);
      continue;
    }
    if (req.policy == missing_branch_policy::error)
      hepad::detail::raise<config_error>(hepad::detail::concat("file '", item.path, "', tree '", item.tree, "': branch '", n,
                                                               "' is missing (missing-branch policy: error)"));
    missing.push_back(n);
  }
  io::root::tree_reader r(t, names);
  auto cols = r.read(item.range);
  for (auto& c : cols) ch.add(std::move(c));
  for (const auto& n : missing) {
    io::root::column c(n, io::root::leaf_type::boolean, false);
    const std::size_t m = ch.size();
    auto* p = c.grow(m);
    for (std::size_t i = 0; i < m; ++i) p[i] = 0;
    c.commit(m);
    ch.add(std::move(c));
    if (req.policy == missing_branch_policy::warn_false)
      ch.warn(hepad::detail::concat("file '", item.path, "': branch '", n, "' is missing, treated as false"));
  }
  return ch;
}

}  // namespace hepad::processing

#endif  // HEPAD_PROCESSING_EVENT_CHUNK_HPP
