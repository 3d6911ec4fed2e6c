// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/jagged.hpp
/// @brief `hepad::data::jagged<S>`: a per-object collection (jets, constituents, leptons) stored as
/// offsets + content, where every object has the same named float fields (e.g. pT, eta, phi).
///
/// Layout: `offsets()` has `size() + 1` entries, `offsets()[0] == 0`, non-decreasing; the objects of
/// event `i` are the content rows `[offsets[i], offsets[i+1])`. The content is one row-major block
/// (object = row, field = column), so the objects of one event, or all objects, are a zero-copy
/// `matrix_cref<S>`. Not here: the event table that holds jagged columns (data/table.hpp).
#ifndef HEPAD_DATA_JAGGED_HPP
#define HEPAD_DATA_JAGGED_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::data {

/// Read-only strided view of one field (or one table column): zero-copy.
template <class S>
using column_cref = Eigen::Ref<const vector<S>, 0, Eigen::InnerStride<>>;
/// Writable strided view of one field or column.
template <class S>
using column_ref = Eigen::Ref<vector<S>, 0, Eigen::InnerStride<>>;

/// Variable-length lists of objects per event, each object with the same `n_fields()` fields.
/// @tparam S floating-point type of the fields.
template <class S = double>
class jagged {
  static_assert(std::is_floating_point_v<S>, "hepad::data::jagged<S>: S must be float or double");

 public:
  using scalar_type = S;

  /// No events, no fields.
  jagged() = default;
  /// No events yet; objects have the given fields. @throws hepad::invalid_argument on duplicate
  /// or empty field names.
  explicit jagged(std::vector<std::string> fields) : fields_(std::move(fields)) { check_fields(); }
  /// From offsets and flat row-major content (`content.size() == offsets.back() * fields.size()`).
  /// @throws hepad::invalid_argument if the offsets are not a valid partition of the content.
  jagged(std::vector<std::string> fields, std::vector<std::int64_t> offsets, std::vector<S> content)
      : fields_(std::move(fields)), offsets_(std::move(offsets)), content_(std::move(content)) {
    check_fields();
    validate();
  }
  /// From offsets and a content matrix (objects x fields).
  jagged(std::vector<std::string> fields, std::vector<std::int64_t> offsets, const matrix<S>& content)
      : jagged(std::move(fields), std::move(offsets),
               std::vector<S>(content.data(), content.data() + content.size())) {
    check_size("data::jagged", "content columns", static_cast<std::size_t>(content.cols()),
               fields_.size());
  }

  /// Number of events.
  [[nodiscard]] std::int64_t size() const noexcept { return static_cast<std::int64_t>(offsets_.size()) - 1; }
  /// Number of fields per object.
  [[nodiscard]] std::int64_t n_fields() const noexcept { return static_cast<std::int64_t>(fields_.size()); }
  /// Total number of objects over all events.
  [[nodiscard]] std::int64_t n_objects() const noexcept { return offsets_.back(); }
  /// Field names.
  [[nodiscard]] const std::vector<std::string>& fields() const noexcept { return fields_; }
  /// Index of field `name`. @throws hepad::out_of_range listing the fields.
  [[nodiscard]] std::int64_t field_index(std::string_view name) const {
    for (std::size_t k = 0; k < fields_.size(); ++k)
      if (fields_[k] == name) return static_cast<std::int64_t>(k);
    std::string known;
    for (const auto& f : fields_) known += hepad::detail::concat(known.empty() ? "" : ", ", f);
    hepad::detail::raise<out_of_range>(
        hepad::detail::concat("data::jagged: no field '", name, "' (fields: ", known, ")"));
  }
  /// The `size() + 1` offsets.
  [[nodiscard]] std::span<const std::int64_t> offsets() const noexcept { return offsets_; }
  /// Number of objects of event `i` (unchecked).
  [[nodiscard]] std::int64_t count(std::int64_t i) const noexcept {
    return offsets_[static_cast<std::size_t>(i) + 1] - offsets_[static_cast<std::size_t>(i)];
  }
  /// Objects per event.
  [[nodiscard]] std::vector<std::int64_t> counts() const {
    std::vector<std::int64_t> c(static_cast<std::size_t>(size()));
    for (std::int64_t i = 0; i < size(); ++i) c[static_cast<std::size_t>(i)] = count(i);
    return c;
  }
  /// All objects as a zero-copy (n_objects x n_fields) matrix.
  [[nodiscard]] matrix_cref<S> content() const {
    return matrix_cmap<S>(content_.data(), n_objects(), n_fields());
  }
  /// Writable view of all objects (the offsets cannot be changed through it).
  [[nodiscard]] matrix_map<S> mutable_content() noexcept {
    return matrix_map<S>(content_.data(), n_objects(), n_fields());
  }
  /// The objects of event `i` as a zero-copy (count(i) x n_fields) matrix.
  /// @throws hepad::out_of_range if `i` is not an event.
  [[nodiscard]] matrix_cref<S> operator[](std::int64_t i) const {
    if (i < 0 || i >= size())
      hepad::detail::raise<out_of_range>(hepad::detail::concat("data::jagged: event ", i, " is outside [0, ", size(), ")"));
    return matrix_cmap<S>(content_.data() + offsets_[static_cast<std::size_t>(i)] * n_fields(), count(i),
                          n_fields());
  }
  /// One field of all objects (strided, zero-copy).
  [[nodiscard]] column_cref<S> field(std::string_view name) const {
    const auto k = field_index(name);
    return Eigen::Map<const vector<S>, 0, Eigen::InnerStride<>>(
        content_.data() + k, n_objects(), Eigen::InnerStride<>(n_fields()));
  }

  /// Appends one event with the objects in the rows of `objects` (n x n_fields).
  /// Amortised O(n * n_fields).
  template <class Derived>
  void push_back(const Eigen::MatrixBase<Derived>& objects) {
    if (objects.rows() > 0 && objects.cols() != n_fields())
      throw_invalid_argument("data::jagged::push_back",
                             hepad::detail::concat("objects must have ", n_fields(), " columns, got ", objects.cols()));
    for (Eigen::Index r = 0; r < objects.rows(); ++r)
      for (Eigen::Index c = 0; c < objects.cols(); ++c)
        content_.push_back(static_cast<S>(objects(r, c)));
    offsets_.push_back(offsets_.back() + static_cast<std::int64_t>(objects.rows()));
  }
  /// Appends an event with no objects.
  void push_back_empty() { offsets_.push_back(offsets_.back()); }
  /// Appends one object (one value per field) to the *last* event (push_back_empty() first).
  void push_object(std::span<const S> values) {
    check_size("data::jagged::push_object", "values", values.size(), fields_.size());
    if (size() == 0) throw_invalid_argument("data::jagged::push_object", "no event to add to");
    content_.insert(content_.end(), values.begin(), values.end());
    ++offsets_.back();
  }
  /// Reserves room for `events` events and `objects` objects.
  void reserve(std::int64_t events, std::int64_t objects) {
    offsets_.reserve(static_cast<std::size_t>(events + 1));
    content_.reserve(static_cast<std::size_t>(objects * n_fields()));
  }

  /// The events `rows` (in that order; repeats allowed) as a new collection.
  /// @throws hepad::out_of_range for a row outside [0, size()).
  [[nodiscard]] jagged select(std::span<const std::int64_t> rows) const {
    jagged out(fields_);
    std::int64_t total = 0;
    for (const auto r : rows) {
      if (r < 0 || r >= size())
        hepad::detail::raise<out_of_range>(hepad::detail::concat("data::jagged::select: row ", r, " is outside [0, ", size(), ")"));
      total += count(r);
    }
    out.reserve(static_cast<std::int64_t>(rows.size()), total);
    for (const auto r : rows) {
      const auto b = content_.begin() + offsets_[static_cast<std::size_t>(r)] * n_fields();
      out.content_.insert(out.content_.end(), b, b + count(r) * n_fields());
      out.offsets_.push_back(out.offsets_.back() + count(r));
    }
    return out;
  }
  /// The events [first, first + n) as a new collection.
  [[nodiscard]] jagged slice(std::int64_t first, std::int64_t n) const {
    if (first < 0 || n < 0 || first + n > size())
      hepad::detail::raise<out_of_range>(hepad::detail::concat("data::jagged::slice: [", first, ", ", first + n,
                                                 ") is not inside [0, ", size(), ")"));
    jagged out(fields_);
    const auto o0 = offsets_[static_cast<std::size_t>(first)];
    const auto o1 = offsets_[static_cast<std::size_t>(first + n)];
    out.offsets_.resize(static_cast<std::size_t>(n + 1));
    for (std::int64_t i = 0; i <= n; ++i)
      out.offsets_[static_cast<std::size_t>(i)] = offsets_[static_cast<std::size_t>(first + i)] - o0;
    out.content_.assign(content_.begin() + o0 * n_fields(), content_.begin() + o1 * n_fields());
    return out;
  }
  /// Appends the events of `other` (same fields in the same order).
  void append(const jagged& other) {
    if (other.fields_ != fields_)
      throw_invalid_argument("data::jagged::append", "the collections have different fields");
    const auto base = offsets_.back();
    offsets_.reserve(offsets_.size() + static_cast<std::size_t>(other.size()));
    for (std::int64_t i = 1; i <= other.size(); ++i)
      offsets_.push_back(base + other.offsets_[static_cast<std::size_t>(i)]);
    content_.insert(content_.end(), other.content_.begin(), other.content_.end());
  }

  /// Dense (size() x max_objects * n_fields) matrix: row i holds the first `max_objects` objects of
  /// event i one after the other (object-major: o0.f0, o0.f1, ..., o1.f0, ...), padded with `fill`.
  /// This is the usual fixed-size input of set/transformer models (e.g. JetCLR's 100 x 3).
  [[nodiscard]] matrix<S> padded(std::int64_t max_objects, S fill = S(0)) const {
    check_nonnegative("data::jagged::padded", "max_objects", max_objects);
    matrix<S> out = matrix<S>::Constant(size(), max_objects * n_fields(), fill);
    for (std::int64_t i = 0; i < size(); ++i) {
      const auto n = (std::min)(count(i), max_objects);
      const S* src = content_.data() + offsets_[static_cast<std::size_t>(i)] * n_fields();
      std::copy(src, src + n * n_fields(), out.row(i).data());
    }
    return out;
  }

  /// Bytes held (offsets and content).
  [[nodiscard]] std::size_t bytes() const noexcept {
    return offsets_.size() * sizeof(std::int64_t) + content_.size() * sizeof(S);
  }
  /// Converts to another scalar type.
  template <class T>
  [[nodiscard]] jagged<T> cast() const {
    return jagged<T>(fields_, offsets_, std::vector<T>(content_.begin(), content_.end()));
  }
  friend bool operator==(const jagged&, const jagged&) = default;

 private:
  void check_fields() const {
    for (std::size_t k = 0; k < fields_.size(); ++k) {
      if (fields_[k].empty()) throw_invalid_argument("data::jagged", "field names must not be empty");
      for (std::size_t l = 0; l < k; ++l)
        if (fields_[l] == fields_[k])
          throw_invalid_argument("data::jagged", hepad::detail::concat("duplicate field name '", fields_[k], "'"));
    }
  }
  void validate() const {
    if (offsets_.empty() || offsets_.front() != 0)
      throw_invalid_argument("data::jagged", "offsets must start with 0");
    for (std::size_t i = 1; i < offsets_.size(); ++i)
      if (offsets_[i] < offsets_[i - 1])
        throw_invalid_argument("data::jagged", hepad::detail::concat("offsets must be non-decreasing, offsets[", i,
                                                             "] = ", offsets_[i], " < offsets[", i - 1,
                                                             "] = ", offsets_[i - 1]));
    if (static_cast<std::size_t>(offsets_.back()) * fields_.size() != content_.size())
      throw_invalid_argument("data::jagged", hepad::detail::concat("content has ", content_.size(),
                                                           " values, expected offsets.back() * n_fields = ",
                                                           offsets_.back() * n_fields()));
  }

  std::vector<std::string> fields_;
  std::vector<std::int64_t> offsets_{0};
  std::vector<S> content_;
};

}  // namespace hepad::data

#endif  // HEPAD_DATA_JAGGED_HPP
