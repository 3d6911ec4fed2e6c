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

#include <hepad/core/chunk_size.hpp>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>

namespace hepad::io {

/// How much one chunk holds (see core/chunk_size.hpp).
using chunk_size = hepad::chunk_size;

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
