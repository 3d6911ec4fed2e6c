// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/batching.hpp
/// @brief Mini-batches: `batch_plan` (an order of the rows cut into batches; shuffled from a
/// generator or sequential) and `gather_rows` (copy the rows of one batch into a reusable buffer).
/// Reshuffle every epoch by drawing a new plan from `r.split(epoch)`.
#ifndef HEPAD_DATA_BATCHING_HPP
#define HEPAD_DATA_BATCHING_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

namespace hepad::data {

/// Rows 0..n-1 in some order, cut into consecutive batches of `batch_size` (the last one shorter
/// unless `drop_last`). Iterable: `for (std::span<const std::int64_t> rows : plan)`.
class batch_plan {
 public:
  batch_plan() = default;
  /// @throws hepad::invalid_argument unless batch_size > 0.
  batch_plan(std::vector<std::int64_t> order, std::int64_t batch_size, bool drop_last = false)
      : order_(std::move(order)), batch_size_(batch_size) {
    check_positive("data::batch_plan", "batch_size", batch_size);
    const auto n = static_cast<std::int64_t>(order_.size());
    n_batches_ = drop_last ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
  }
  /// Number of batches.
  [[nodiscard]] std::int64_t size() const noexcept { return n_batches_; }
  /// Rows of batch `b` (unchecked).
  [[nodiscard]] std::span<const std::int64_t> operator[](std::int64_t b) const noexcept {
    const auto first = b * batch_size_;
    const auto n = (std::min)(batch_size_, static_cast<std::int64_t>(order_.size()) - first);
    return std::span<const std::int64_t>(order_).subspan(static_cast<std::size_t>(first), static_cast<std::size_t>(n));
  }
  /// The full row order.
  [[nodiscard]] const std::vector<std::int64_t>& order() const noexcept { return order_; }

  class iterator {
   public:
    using value_type = std::span<const std::int64_t>;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(const batch_plan* p, std::int64_t b) : p_(p), b_(b) {}
    value_type operator*() const noexcept { return (*p_)[b_]; }
    iterator& operator++() noexcept {
      ++b_;
      return *this;
    }
    iterator operator++(int) noexcept {
      auto t = *this;
      ++b_;
      return t;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.b_ == b.b_; }

   private:
    const batch_plan* p_ = nullptr;
    std::int64_t b_ = 0;
  };
  [[nodiscard]] iterator begin() const noexcept { return iterator(this, 0); }
  [[nodiscard]] iterator end() const noexcept { return iterator(this, n_batches_); }

 private:
  std::vector<std::int64_t> order_;
  std::int64_t batch_size_ = 1;
  std::int64_t n_batches_ = 0;
};

/// Batches of a uniformly random permutation of 0..n-1 (drawn from `r`).
[[nodiscard]] inline batch_plan shuffled_batches(std::int64_t n, std::int64_t batch_size, rng& r,
                                                 bool drop_last = false) {
  return batch_plan(r.permutation(n), batch_size, drop_last);
}
/// Batches of 0..n-1 in order.
[[nodiscard]] inline batch_plan sequential_batches(std::int64_t n, std::int64_t batch_size, bool drop_last = false) {
  check_nonnegative("data::sequential_batches", "n", n);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  return batch_plan(std::move(order), batch_size, drop_last);
}

/// Copies the rows `rows` of `x` into `out` (resized to rows.size() x x.cols(); reuses its memory
/// when the size does not change). Rows are not bounds-checked (they come from a plan).
template <class S>
inline void gather_rows(matrix_cref<S> x, std::span<const std::int64_t> rows, matrix<S>& out) {
  out.resize(static_cast<Eigen::Index>(rows.size()), x.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) out.row(static_cast<Eigen::Index>(i)) = x.row(rows[i]);
}
/// Copies the entries `rows` of `v` into `out`.
template <class S>
inline void gather_rows(vector_cref<S> v, std::span<const std::int64_t> rows, vector<S>& out) {
  out.resize(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) out[static_cast<Eigen::Index>(i)] = v[rows[i]];
}

}  // namespace hepad::data

#endif  // HEPAD_DATA_BATCHING_HPP
