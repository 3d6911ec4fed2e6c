// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/chunking.hpp
/// @brief Bounded-memory iteration: `chunk_size` (in events or in bytes) and `batches(reader)`,
/// an input range over the `record_batch`es of any reader that has `next()`.
///
/// Every chunked reader in hepad::io (CSV, NPY, HDF5, Parquet) offers
/// `std::optional<record_batch> next()`; it holds at most one chunk (plus, for Parquet, one column
/// chunk per selected column) in memory. Not here: the readers themselves.
#ifndef HEPAD_IO_CHUNKING_HPP
#define HEPAD_IO_CHUNKING_HPP

#include <hepad/io/record_batch.hpp>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>

namespace hepad::io {

/// How much a chunked reader returns per `next()`: `events` rows, or as many rows as fit in
/// `bytes` of decoded column data (at least one row). With both zero, everything at once; with
/// both set, the smaller.
struct chunk_size {
  std::size_t events = 0;  ///< rows per chunk (0: not limited by count)
  std::size_t bytes = 0;   ///< decoded bytes per chunk (0: not limited by size)
  static constexpr std::string_view name = "chunk_size";

  /// Rows per chunk for rows of `row_bytes` decoded bytes, capped at `total`.
  [[nodiscard]] std::size_t rows_for(std::size_t row_bytes, std::size_t total) const noexcept {
    std::size_t n = total;
    if (events > 0) n = (std::min)(n, events);
    if (bytes > 0) n = (std::min)(n, std::max<std::size_t>(1, bytes / std::max<std::size_t>(1, row_bytes)));
    return std::max<std::size_t>(n, total == 0 ? 0 : 1);
  }
};

/// A reader with `std::optional<record_batch> next()`.
template <class R>
concept batch_reader = requires(R& r) {
  { r.next() } -> std::same_as<std::optional<record_batch>>;
};

/// Input range over the remaining batches of `reader` (which must outlive the range):
/// `for (const record_batch& b : io::batches(reader)) ...`.
template <batch_reader R>
class batch_range {
 public:
  explicit batch_range(R& r) : r_(&r) {}
  class iterator {
   public:
    using value_type = record_batch;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(R* r) : r_(r) { ++*this; }
    const record_batch& operator*() const { return *cur_; }
    const record_batch* operator->() const { return &*cur_; }
    iterator& operator++() {
      cur_ = r_->next();
      if (!cur_) r_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, std::default_sentinel_t) { return a.r_ == nullptr; }

   private:
    R* r_ = nullptr;
    std::optional<record_batch> cur_;
  };
  iterator begin() { return iterator(r_); }
  std::default_sentinel_t end() { return {}; }

 private:
  R* r_;
};

/// `for (auto& b : batches(reader))`.
template <batch_reader R>
[[nodiscard]] inline batch_range<R> batches(R& reader) {
  return batch_range<R>(reader);
}

}  // namespace hepad::io

#endif  // HEPAD_IO_CHUNKING_HPP
