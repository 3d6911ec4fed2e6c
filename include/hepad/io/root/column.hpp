// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/root/column.hpp
/// @brief `hepad::io::root::column`: the values of one branch over an entry range, in host order,
/// with element offsets for jagged (counter-indexed), fixed-length array and string branches; and
/// `leaf_type`, the value types of NanoAOD leaves. Not here: reading (tree.hpp).
#ifndef HEPAD_IO_ROOT_COLUMN_HPP
#define HEPAD_IO_ROOT_COLUMN_HPP

#include <hepad/core/error.hpp>

#include <algorithm>
#include <cstdint>
#include <new>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::io::root {

/// Value type of a leaf (TLeafO bool, TLeafB int8/uint8, TLeafS int16/uint16, TLeafI int32/uint32,
/// TLeafL int64/uint64, TLeafF float, TLeafD double, TLeafC string).
enum class leaf_type : std::uint8_t {
  boolean, int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, string
};

/// Bytes per element (1 for string characters).
inline constexpr std::size_t leaf_size(leaf_type t) noexcept {
  switch (t) {
    case leaf_type::int16:
    case leaf_type::uint16: return 2;
    case leaf_type::int32:
    case leaf_type::uint32:
    case leaf_type::float32: return 4;
    case leaf_type::int64:
    case leaf_type::uint64:
    case leaf_type::float64: return 8;
    default: return 1;
  }
}

/// Name of a leaf type ("bool", "int8", ..., "float", "double", "string").
inline constexpr std::string_view leaf_type_name(leaf_type t) noexcept {
  constexpr std::string_view names[] = {"bool",   "int8",  "uint8",  "int16", "uint16", "int32",
                                        "uint32", "int64", "uint64", "float", "double", "string"};
  return names[static_cast<int>(t)];
}

/// The leaf type of a C++ value type (`char` for string characters).
template <class T>
inline constexpr leaf_type leaf_type_of() {
  if constexpr (std::is_same_v<T, bool>) return leaf_type::boolean;
  else if constexpr (std::is_same_v<T, std::int8_t>) return leaf_type::int8;
  else if constexpr (std::is_same_v<T, std::uint8_t>) return leaf_type::uint8;
  else if constexpr (std::is_same_v<T, std::int16_t>) return leaf_type::int16;
  else if constexpr (std::is_same_v<T, std::uint16_t>) return leaf_type::uint16;
  else if constexpr (std::is_same_v<T, std::int32_t>) return leaf_type::int32;
  else if constexpr (std::is_same_v<T, std::uint32_t>) return leaf_type::uint32;
  else if constexpr (std::is_same_v<T, std::int64_t>) return leaf_type::int64;
  else if constexpr (std::is_same_v<T, std::uint64_t>) return leaf_type::uint64;
  else if constexpr (std::is_same_v<T, float>) return leaf_type::float32;
  else if constexpr (std::is_same_v<T, double>) return leaf_type::float64;
  else if constexpr (std::is_same_v<T, char>) return leaf_type::string;
  else static_assert(!sizeof(T), "hepad::io::root: unsupported column value type");
}

/// Calls `f(T{})` with the C++ type of `t` (`char` for strings).
template <class F>
inline decltype(auto) visit_leaf_type(leaf_type t, F&& f) {
  switch (t) {
    case leaf_type::boolean: return f(bool{});
    case leaf_type::int8: return f(std::int8_t{});
    case leaf_type::uint8: return f(std::uint8_t{});
    case leaf_type::int16: return f(std::int16_t{});
    case leaf_type::uint16: return f(std::uint16_t{});
    case leaf_type::int32: return f(std::int32_t{});
    case leaf_type::uint32: return f(std::uint32_t{});
    case leaf_type::int64: return f(std::int64_t{});
    case leaf_type::uint64: return f(std::uint64_t{});
    case leaf_type::float32: return f(float{});
    case leaf_type::float64: return f(double{});
    case leaf_type::string: return f(char{});
  }
  return f(char{});
}

/// The decoded values of one branch over `size()` entries. Flat scalar branches have one value per
/// entry and no offsets; jagged, fixed-length-array and string branches have `size() + 1` element
/// offsets (entry i = values [offsets[i], offsets[i+1])). Values are stored in host order in an
/// untyped buffer of the leaf's type; `values<T>()` checks the type.
class column {
 public:
  column() = default;
  /// An empty column; `expected_entries` reserves room for that many entries' offsets.
  column(std::string name, leaf_type type, bool has_offsets, std::size_t expected_entries = 0)
      : name_(std::move(name)), type_(type), has_offsets_(has_offsets) {
    if (has_offsets_) {
      offsets_.reserve(expected_entries + 1);
      offsets_.push_back(0);
    }
  }
  column(const column& o)
      : name_(o.name_), type_(o.type_), has_offsets_(o.has_offsets_), offsets_(o.offsets_) {
    if (o.n_values_) std::memcpy(grow(o.n_values_), o.data(), o.n_values_ * leaf_size(type_));
    n_values_ = o.n_values_;
  }
  column& operator=(const column& o) {
    if (this != &o) {
      column c(o);
      *this = std::move(c);
    }
    return *this;
  }
  column(column&&) noexcept = default;
  column& operator=(column&&) noexcept = default;
  ~column() = default;

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] leaf_type type() const noexcept { return type_; }
  /// True for jagged, fixed-length array and string columns (one list per entry).
  [[nodiscard]] bool has_offsets() const noexcept { return has_offsets_; }
  /// Number of entries.
  [[nodiscard]] std::size_t size() const noexcept {
    return has_offsets_ ? offsets_.size() - 1 : n_values_;
  }
  /// Number of values (elements) over all entries.
  [[nodiscard]] std::size_t n_values() const noexcept { return n_values_; }
  /// Element offsets (size()+1 of them) or empty for scalar columns.
  [[nodiscard]] std::span<const std::int64_t> offsets() const noexcept { return offsets_; }
  /// Bytes held (values and offsets).
  [[nodiscard]] std::size_t memory_bytes() const noexcept {
    return n_values_ * leaf_size(type_) + offsets_.size() * sizeof(std::int64_t);
  }

  /// All values as `T`, which must be the column's type.
  /// @throws hepad::invalid_argument naming the branch on a type mismatch.
  template <class T>
  [[nodiscard]] std::span<const T> values() const {
    check_type<T>();
    return {reinterpret_cast<const T*>(data()), n_values_};
  }
  /// The values of entry `i` of a column with offsets.
  template <class T>
  [[nodiscard]] std::span<const T> at(std::size_t i) const {
    check_type<T>();
    if (!has_offsets_ || i >= size())
      hepad::detail::raise<out_of_range>(hepad::detail::concat("column '", name_, "': entry ", i,
                                                               " out of range or not a list column"));
    const auto* p = reinterpret_cast<const T*>(data());
    return {p + offsets_[i], static_cast<std::size_t>(offsets_[i + 1] - offsets_[i])};
  }
  /// Entry `i` of a string column.
  [[nodiscard]] std::string_view string_at(std::size_t i) const {
    auto s = at<char>(i);
    return {s.data(), s.size()};
  }
  /// Value `k` converted to double (any numeric type).
  [[nodiscard]] double as_double(std::size_t k) const {
    return visit_leaf_type(type_, [&](auto t) -> double {
      using T = decltype(t);
      if constexpr (std::is_same_v<T, char>) return static_cast<double>(static_cast<unsigned char>(data()[k]));
      else return static_cast<double>(reinterpret_cast<const T*>(data())[k]);
    });
  }

  // --- building (used by the reader) ---------------------------------------------------------
  /// Empties the column for reuse as (name, type, has_offsets), keeping its storage: a reader that
  /// fills the same columns chunk after chunk allocates only when a chunk needs more room.
  void reset(std::string_view name, leaf_type type, bool has_offsets, std::size_t expected_entries = 0) {
    if (name_ != name) name_.assign(name);
    type_ = type;
    has_offsets_ = has_offsets;
    n_values_ = 0;  // capacity_ counts bytes: valid for any type
    offsets_.clear();
    if (has_offsets_) {
      offsets_.reserve(expected_entries + 1);
      offsets_.push_back(0);
    }
  }
  /// Reserves room for `n` more values and returns a pointer to them (call `commit(n)` after).
  unsigned char* grow(std::size_t n) {
    const std::size_t es = leaf_size(type_);
    const std::size_t need = (n_values_ + n) * es;
    if (need > capacity_) {
      std::size_t cap = (std::max)(need, capacity_ * 2);
      cap = (cap + 63) & ~std::size_t{63};
      // 64-byte aligned inside a plain allocation (aligned operator new costs ~3x a plain one
      // in glibc, which shows with thousands of small branches)
      std::unique_ptr<unsigned char[]> d(new unsigned char[cap + 63]);
      if (n_values_) std::memcpy(align64(d.get()), data(), n_values_ * es);
      base_ = std::move(d);
      capacity_ = cap;
    }
    return align64(base_.get()) + n_values_ * es;
  }
  void commit(std::size_t n) noexcept { n_values_ += n; }
  /// Appends one entry of `n` elements (columns with offsets).
  void push_entry(std::int64_t n) { offsets_.push_back(offsets_.back() + n); }
  std::vector<std::int64_t>& offsets_mut() noexcept { return offsets_; }
  void reserve_entries(std::size_t n) {
    if (has_offsets_) offsets_.reserve(offsets_.size() + n);
  }

 private:
  static unsigned char* align64(unsigned char* p) noexcept {
    return p + ((64 - (reinterpret_cast<std::uintptr_t>(p) & 63)) & 63);
  }
  [[nodiscard]] const unsigned char* data() const noexcept {
    return base_ ? align64(base_.get()) : nullptr;
  }
  template <class T>
  void check_type() const {
    if (leaf_type_of<T>() != type_)
      hepad::detail::raise<invalid_argument>(hepad::detail::concat(
          "column '", name_, "': holds ", leaf_type_name(type_), " values, requested as ",
          leaf_type_name(leaf_type_of<T>())));
  }

  std::string name_;
  leaf_type type_ = leaf_type::float32;
  bool has_offsets_ = false;
  std::vector<std::int64_t> offsets_;
  std::unique_ptr<unsigned char[]> base_;  // values start at the first 64-byte boundary (data())
  std::size_t n_values_ = 0, capacity_ = 0;
};

}  // namespace hepad::io::root

#endif  // HEPAD_IO_ROOT_COLUMN_HPP
