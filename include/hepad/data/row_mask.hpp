// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/row_mask.hpp
/// @brief `hepad::data::row_mask`: one boolean per event, with set algebra (`&`, `|`, `^`, `~`),
/// counting and conversion to row indices. Regions (data/region.hpp) produce masks; tables
/// (data/table.hpp) select rows with them. Not here: the selection itself.
#ifndef HEPAD_DATA_ROW_MASK_HPP
#define HEPAD_DATA_ROW_MASK_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/error.hpp>

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace hepad::data {

/// One flag per event. Operations between masks require equal sizes (checked).
class row_mask {
 public:
  row_mask() = default;
  /// `n` events, all set to `value`.
  explicit row_mask(std::int64_t n, bool value = false) {
    check_nonnegative("data::row_mask", "n", n);
    bits_.assign(static_cast<std::size_t>(n), value ? 1 : 0);
  }
  /// From one byte per event (non-zero = selected).
  explicit row_mask(std::vector<std::uint8_t> bytes) : bits_(std::move(bytes)) {
    for (auto& b : bits_) b = b ? 1 : 0;
  }
  /// A mask of `n` events with exactly the rows `rows` set.
  /// @throws hepad::out_of_range for a row outside [0, n).
  static row_mask from_indices(std::int64_t n, std::span<const std::int64_t> rows) {
    row_mask m(n);
    for (const auto r : rows) {
      if (r < 0 || r >= n)
        hepad::detail::raise<out_of_range>(hepad::detail::concat("data::row_mask::from_indices: row ", r,
                                                   " is outside [0, ", n, ")"));
      m.bits_[static_cast<std::size_t>(r)] = 1;
    }
    return m;
  }

  /// Number of events.
  [[nodiscard]] std::int64_t size() const noexcept { return static_cast<std::int64_t>(bits_.size()); }
  /// Whether event `i` is selected (unchecked).
  [[nodiscard]] bool operator[](std::int64_t i) const noexcept {
    return bits_[static_cast<std::size_t>(i)] != 0;
  }
  /// Sets event `i` (unchecked).
  void set(std::int64_t i, bool value = true) noexcept { bits_[static_cast<std::size_t>(i)] = value ? 1 : 0; }
  /// Number of selected events. O(n).
  [[nodiscard]] std::int64_t count() const noexcept {
    std::int64_t c = 0;
    for (const auto b : bits_) c += b;
    return c;
  }
  /// Selected rows in increasing order. O(n).
  [[nodiscard]] std::vector<std::int64_t> indices() const {
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(count()));
    for (std::size_t i = 0; i < bits_.size(); ++i)
      if (bits_[i]) out.push_back(static_cast<std::int64_t>(i));
    return out;
  }
  /// One byte (0 or 1) per event.
  [[nodiscard]] const std::vector<std::uint8_t>& bytes() const noexcept { return bits_; }

  [[nodiscard]] row_mask operator~() const {
    row_mask m = *this;
    for (auto& b : m.bits_) b ^= 1;
    return m;
  }
  row_mask& operator&=(const row_mask& o) { return combine(o, "&", [](auto a, auto b) { return a & b; }); }
  row_mask& operator|=(const row_mask& o) { return combine(o, "|", [](auto a, auto b) { return a | b; }); }
  row_mask& operator^=(const row_mask& o) { return combine(o, "^", [](auto a, auto b) { return a ^ b; }); }
  friend row_mask operator&(row_mask a, const row_mask& b) { return a &= b; }
  friend row_mask operator|(row_mask a, const row_mask& b) { return a |= b; }
  friend row_mask operator^(row_mask a, const row_mask& b) { return a ^= b; }
  friend bool operator==(const row_mask&, const row_mask&) = default;

 private:
  template <class F>
  row_mask& combine(const row_mask& o, const char* op, F f) {
    if (o.size() != size())
      throw_invalid_argument(hepad::detail::concat("data::row_mask::operator", op),
                             hepad::detail::concat("masks must have equal sizes, got ", size(), " and ", o.size()));
    for (std::size_t i = 0; i < bits_.size(); ++i)
      bits_[i] = static_cast<std::uint8_t>(f(bits_[i], o.bits_[i]));
    return *this;
  }
  std::vector<std::uint8_t> bits_;
};

}  // namespace hepad::data

#endif  // HEPAD_DATA_ROW_MASK_HPP
