// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/chunk_size.hpp
/// @brief `hepad::chunk_size`: how much a chunked source (event tables, file readers) returns per
/// step, in events or in bytes. Shared by `hepad::data` and `hepad::io` (both alias it).
#ifndef HEPAD_CORE_CHUNK_SIZE_HPP
#define HEPAD_CORE_CHUNK_SIZE_HPP

#include <algorithm>
#include <cstddef>
#include <string_view>

namespace hepad {

/// `events` rows per chunk, or as many rows as fit in `bytes` (at least one row). Both zero:
/// everything at once; both set: the smaller.
struct chunk_size {
  std::size_t events = 0;  ///< rows per chunk (0: not limited by count)
  std::size_t bytes = 0;   ///< bytes per chunk (0: not limited by size)
  static constexpr std::string_view name = "chunk_size";

  /// Rows per chunk for rows of `row_bytes` bytes, capped at `total` (at least 1 if total > 0).
  [[nodiscard]] std::size_t rows_for(std::size_t row_bytes, std::size_t total) const noexcept {
    std::size_t n = total;
    if (events > 0) n = (std::min)(n, events);
    if (bytes > 0)
      n = (std::min)(n, (std::max)(std::size_t{1}, bytes / (std::max)(std::size_t{1}, row_bytes)));
    return (std::max)(n, std::size_t{total == 0 ? 0U : 1U});
  }
};

}  // namespace hepad

#endif  // HEPAD_CORE_CHUNK_SIZE_HPP
