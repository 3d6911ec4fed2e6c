// SPDX-License-Identifier: BSL-1.0
/// @file hepad/hep/jagged.hpp
/// @brief `hepad::hep::jagged_view<T>` (read-only rows of a jagged column: values + offsets, no
/// copy) and `hepad::hep::index_lists` (per-event lists of selected object indices, the result of
/// an object selection). Not here: owning jagged storage (io/root/column.hpp, io/column.hpp).
#ifndef HEPAD_HEP_JAGGED_HPP
#define HEPAD_HEP_JAGGED_HPP

#include <hepad/core/error.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace hepad::hep {

/// Rows of a jagged column: row i = values[offsets[i] - offsets[0], offsets[i+1] - offsets[0]).
template <class T>
class jagged_view {
 public:
  jagged_view() = default;
  /// @throws hepad::invalid_argument if the offsets do not fit the values.
  jagged_view(std::span<const std::int64_t> offsets, std::span<const T> values) : off_(offsets), val_(values) {
    if (off_.empty() || off_.back() - off_.front() != static_cast<std::int64_t>(val_.size()))
      throw_invalid_argument("hep::jagged_view", "offsets must have rows + 1 entries spanning the values");
  }
  /// Number of rows (events).
  [[nodiscard]] std::size_t size() const noexcept { return off_.empty() ? 0 : off_.size() - 1; }
  /// Elements of row i.
  [[nodiscard]] std::span<const T> operator[](std::size_t i) const noexcept {
    return val_.subspan(static_cast<std::size_t>(off_[i] - off_[0]), static_cast<std::size_t>(off_[i + 1] - off_[i]));
  }
  [[nodiscard]] std::size_t count(std::size_t i) const noexcept { return static_cast<std::size_t>(off_[i + 1] - off_[i]); }
  /// All elements, flat.
  [[nodiscard]] std::span<const T> flat() const noexcept { return val_; }
  [[nodiscard]] std::span<const std::int64_t> offsets() const noexcept { return off_; }

 private:
  std::span<const std::int64_t> off_;
  std::span<const T> val_;
};

/// Per-event lists of object indices (indices within the event's collection), in object order.
class index_lists {
 public:
  index_lists() = default;
  /// Every object of every event (row i = 0 .. counts[i]-1).
  template <class Offsets>
  static index_lists all(const Offsets& offsets) {
    index_lists r;
    for (std::size_t i = 0; i + 1 < offsets.size(); ++i) {
      for (std::int64_t k = 0; k < offsets[i + 1] - offsets[i]; ++k) r.idx_.push_back(static_cast<std::int32_t>(k));
      r.off_.push_back(static_cast<std::int64_t>(r.idx_.size()));
    }
    return r;
  }
  /// Appends an event's list.
  void push_row(std::span<const std::int32_t> row) {
    idx_.insert(idx_.end(), row.begin(), row.end());
    off_.push_back(static_cast<std::int64_t>(idx_.size()));
  }
  [[nodiscard]] std::size_t size() const noexcept { return off_.size() - 1; }
  [[nodiscard]] std::span<const std::int32_t> operator[](std::size_t i) const noexcept {
    return std::span<const std::int32_t>(idx_).subspan(static_cast<std::size_t>(off_[i]),
                                                       static_cast<std::size_t>(off_[i + 1] - off_[i]));
  }
  [[nodiscard]] std::size_t count(std::size_t i) const noexcept { return static_cast<std::size_t>(off_[i + 1] - off_[i]); }
  /// Total number of selected objects.
  [[nodiscard]] std::size_t n_objects() const noexcept { return idx_.size(); }
  [[nodiscard]] std::span<const std::int64_t> offsets() const noexcept { return off_; }

 private:
  std::vector<std::int64_t> off_{0};
  std::vector<std::int32_t> idx_;
};

}  // namespace hepad::hep

#endif  // HEPAD_HEP_JAGGED_HPP
