// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/chunked.hpp
/// @brief Bounded-memory iteration over large inputs: `chunk_size` (events or bytes), the
/// `table_source` concept (anything with `std::optional<table<S>> next()`), sources over an
/// in-memory table and over a generator, `map_chunks` (adapts any `next()` source, e.g. a file
/// reader returning its own batches, into a `table_source`), `chunks(src)` for range-for,
/// `for_each_chunk` and `collect`.
///
/// File readers live in hepad/io/; they plug in either by returning `data::table` from `next()`
/// directly or through `map_chunks(reader, convert)`.
#ifndef HEPAD_DATA_CHUNKED_HPP
#define HEPAD_DATA_CHUNKED_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/table.hpp>

#include <hepad/core/chunk_size.hpp>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::data {

/// How much one chunk holds (see core/chunk_size.hpp).
using chunk_size = hepad::chunk_size;

/// Bytes of one table row with `n_columns` float columns of type `S` (plus weight and label).
template <class S>
[[nodiscard]] constexpr std::size_t row_bytes(std::int64_t n_columns) noexcept {
  return static_cast<std::size_t>(n_columns) * sizeof(S) + sizeof(S) + sizeof(std::int32_t);
}

/// A source of table chunks: `next()` returns the next chunk, or `std::nullopt` at the end.
template <class Src>
concept table_source = requires(Src& s) {
  typename Src::scalar_type;
  { s.next() } -> std::same_as<std::optional<table<typename Src::scalar_type>>>;
};

/// Chunks of an in-memory table (each chunk a copy of consecutive rows). The table must outlive
/// the source.
template <class S>
class table_chunks {
 public:
  using scalar_type = S;
  table_chunks(const table<S>& t, chunk_size c) : t_(&t), c_(c) {}
  std::optional<table<S>> next() {
    if (pos_ >= t_->size()) return std::nullopt;
    const auto rest = static_cast<std::size_t>(t_->size() - pos_);
    const auto n = static_cast<std::int64_t>(c_.rows_for(t_->bytes_per_row(), rest));
    auto out = t_->rows(pos_, n).to_table();
    pos_ += n;
    return out;
  }

 private:
  const table<S>* t_;
  chunk_size c_;
  std::int64_t pos_ = 0;
};

/// Generates `n_total` events chunk by chunk with `gen(first_event, n, r)`, which must return a
/// `table<S>` of events first_event .. first_event + n - 1. hepad's synthetic generators give each
/// event its own stream (`r.split(event)`), so the concatenated chunks equal one `generate(n_total)`
/// call for any chunk size, and memory stays bounded by one chunk.
template <class S, class Gen>
class generated_source {
 public:
  using scalar_type = S;
  /// @param bytes_per_row needed when the chunk size is given in bytes
  ///        (e.g. `row_bytes<S>(n_columns)`). @throws hepad::invalid_argument if it is then 0.
  generated_source(Gen gen, std::int64_t n_total, chunk_size c, rng r, std::size_t bytes_per_row = 0)
      : gen_(std::move(gen)), n_(n_total), c_(c), r_(r), row_bytes_(bytes_per_row) {
    check_nonnegative("data::generated_source", "n_total", n_total);
    if (c.bytes > 0 && bytes_per_row == 0)
      throw_invalid_argument("data::generated_source",
                             "bytes_per_row must be given when the chunk size is in bytes");
  }
  std::optional<table<S>> next() {
    if (pos_ >= n_) return std::nullopt;
    const auto n = static_cast<std::int64_t>(c_.rows_for(row_bytes_, static_cast<std::size_t>(n_ - pos_)));
    table<S> out = gen_(pos_, n, r_);
    pos_ += n;
    return out;
  }

 private:
  Gen gen_;
  std::int64_t n_;
  chunk_size c_;
  rng r_;
  std::size_t row_bytes_;
  std::int64_t pos_ = 0;
};

/// Deduction helper: `make_generated_source<float>(gen, n_total, chunk, r)`.
template <class S, class Gen>
[[nodiscard]] inline generated_source<S, std::decay_t<Gen>> make_generated_source(Gen&& gen, std::int64_t n_total,
                                                                                  chunk_size c, rng r,
                                                                                  std::size_t bytes_per_row = 0) {
  return generated_source<S, std::decay_t<Gen>>(std::forward<Gen>(gen), n_total, c, r, bytes_per_row);
}

/// A `table_source` from any source `src` whose `next()` returns `std::optional<X>` and a
/// conversion `f(X&&) -> table<S>` (e.g. a file reader's batches, or a preprocessing step).
/// Holds `src` by reference; it must outlive the adapter.
template <class Src, class F>
class mapped_source {
  using in_type = typename std::remove_cvref_t<decltype(std::declval<Src&>().next())>::value_type;
  using out_type = std::remove_cvref_t<std::invoke_result_t<F&, in_type&&>>;

 public:
  using scalar_type = typename out_type::scalar_type;
  mapped_source(Src& src, F f) : src_(&src), f_(std::move(f)) {}
  std::optional<out_type> next() {
    auto in = src_->next();
    if (!in) return std::nullopt;
    return f_(std::move(*in));
  }

 private:
  Src* src_;
  F f_;
};

/// `map_chunks(reader, [](io::record_batch&& b) { return to_table(b); })`.
template <class Src, class F>
[[nodiscard]] inline mapped_source<Src, std::decay_t<F>> map_chunks(Src& src, F&& f) {
  return mapped_source<Src, std::decay_t<F>>(src, std::forward<F>(f));
}

/// Input range over the remaining chunks of `src` (which must outlive it):
/// `for (const data::table<float>& t : data::chunks(src)) ...`.
template <table_source Src>
class chunk_range {
 public:
  using value_type = table<typename Src::scalar_type>;
  explicit chunk_range(Src& s) : s_(&s) {}
  class iterator {
   public:
    using value_type = table<typename Src::scalar_type>;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(Src* s) : s_(s) { ++*this; }
    const value_type& operator*() const { return *cur_; }
    const value_type* operator->() const { return &*cur_; }
    iterator& operator++() {
      cur_ = s_->next();
      if (!cur_) s_ = nullptr;
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, std::default_sentinel_t) noexcept { return a.s_ == nullptr; }

   private:
    Src* s_ = nullptr;
    std::optional<value_type> cur_;
  };
  iterator begin() { return iterator(s_); }
  std::default_sentinel_t end() { return {}; }

 private:
  Src* s_;
};

/// `for (auto& chunk : chunks(src))`.
template <table_source Src>
[[nodiscard]] inline chunk_range<Src> chunks(Src& src) {
  return chunk_range<Src>(src);
}

/// Calls `fn(chunk, index)` (or `fn(chunk)`) for every remaining chunk; returns the number of chunks.
template <table_source Src, class F>
inline std::int64_t for_each_chunk(Src& src, F&& fn) {
  std::int64_t k = 0;
  while (auto c = src.next()) {
    if constexpr (std::is_invocable_v<F&, table<typename Src::scalar_type>&, std::int64_t>)
      fn(*c, k);
    else
      fn(*c);
    ++k;
  }
  return k;
}

/// Concatenates all remaining chunks into one table (an empty table if there are none).
template <table_source Src>
[[nodiscard]] inline table<typename Src::scalar_type> collect(Src& src) {
  std::vector<table<typename Src::scalar_type>> parts;
  while (auto c = src.next()) parts.push_back(std::move(*c));
  if (parts.empty()) return {};
  return concat(parts);
}

}  // namespace hepad::data

#endif  // HEPAD_DATA_CHUNKED_HPP
