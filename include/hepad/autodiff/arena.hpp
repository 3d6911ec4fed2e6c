// SPDX-License-Identifier: BSL-1.0
/// @file hepad/autodiff/arena.hpp
/// @brief `hepad::autodiff::arena`: a monotonic, 64-byte-aligned memory arena for tape nodes, their
/// values and adjoints, and reverse-pass closures. Everything placed in it is trivially
/// destructible and is released at once by `reset()`/`rewind()`; the memory itself is kept, so a
/// training loop that builds the same graph every step performs no heap allocation after the first
/// step. Not here: the tape itself (tape.hpp).
#ifndef HEPAD_AUTODIFF_ARENA_HPP
#define HEPAD_AUTODIFF_ARENA_HPP

#include <hepad/core/error.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::autodiff {

/// Monotonic arena made of a few large blocks. Allocation is a pointer bump; `reset()` forgets all
/// allocations and, if several blocks were in use, replaces them by one block of their total size,
/// so that in steady state a single block serves every step.
///
/// Not thread-safe: one arena per tape, one tape per thread.
class arena {
 public:
  /// Alignment of every allocation (one cache line; also the widest SIMD register).
  static constexpr std::size_t alignment = 64;

  /// A position in the arena (see `position()` / `rewind()`).
  struct mark {
    std::size_t block = 0;
    std::size_t offset = 0;
  };

  /// @param initial_bytes size of the first block (allocated lazily on first use).
  explicit arena(std::size_t initial_bytes = std::size_t{1} << 16) noexcept
      : initial_((std::max<std::size_t>)(initial_bytes, 4096)) {}
  arena(const arena&) = delete;
  arena& operator=(const arena&) = delete;
  arena(arena&& o) noexcept
      : blocks_(std::move(o.blocks_)), cur_(std::exchange(o.cur_, 0)),
        off_(std::exchange(o.off_, 0)), initial_(o.initial_) {}
  arena& operator=(arena&& o) noexcept {
    if (this != &o) {
      release();
      blocks_ = std::move(o.blocks_);
      cur_ = std::exchange(o.cur_, 0);
      off_ = std::exchange(o.off_, 0);
      initial_ = o.initial_;
    }
    return *this;
  }
  ~arena() { release(); }

  /// Uninitialised, 64-byte aligned storage of `bytes` bytes (valid until reset/rewind).
  /// Complexity: O(1) amortised.
  [[nodiscard]] void* allocate(std::size_t bytes) {
    const std::size_t need = round_up(bytes == 0 ? 1 : bytes);
    if (!blocks_.empty() && off_ + need <= blocks_[cur_].size) {
      void* p = blocks_[cur_].data + off_;
      off_ += need;
      return p;
    }
    return allocate_slow(need);
  }

  /// Uninitialised array of `n` objects of the trivially destructible type `T`.
  template <class T>
  [[nodiscard]] T* allocate_array(std::size_t n) {
    static_assert(std::is_trivially_destructible_v<T>,
                  "hepad::autodiff::arena stores only trivially destructible types");
    static_assert(alignof(T) <= alignment);
    return static_cast<T*>(allocate(n * sizeof(T)));
  }

  /// Constructs a `T` in the arena. `T` must be trivially destructible (it is never destroyed).
  template <class T, class... A>
  T* create(A&&... args) {
    static_assert(std::is_trivially_destructible_v<T>,
                  "hepad::autodiff::arena stores only trivially destructible types (captures of "
                  "reverse-pass closures must be pointers, sizes, scalars or node handles)");
    static_assert(alignof(T) <= alignment);
    return ::new (allocate(sizeof(T))) T(std::forward<A>(args)...);
  }

  /// The current position (for `rewind`).
  [[nodiscard]] mark position() const noexcept { return {cur_, off_}; }

  /// Forgets every allocation made after `m`.
  void rewind(mark m) noexcept {
    cur_ = m.block;
    off_ = m.offset;
  }

  /// Forgets every allocation. If more than one block was used since the last reset, the blocks
  /// are replaced by a single one of their total size.
  void reset() {
    if (blocks_.size() > 1) {
      std::size_t total = 0;
      for (const auto& b : blocks_) total += b.size;
      release();
      blocks_.push_back(new_block(total));
    }
    cur_ = 0;
    off_ = 0;
  }

  /// Bytes reserved in all blocks.
  [[nodiscard]] std::size_t capacity() const noexcept {
    std::size_t total = 0;
    for (const auto& b : blocks_) total += b.size;
    return total;
  }
  /// Number of blocks currently held (1 in steady state).
  [[nodiscard]] std::size_t blocks() const noexcept { return blocks_.size(); }

 private:
  struct block {
    std::byte* data;
    std::size_t size;
  };

  static constexpr std::size_t round_up(std::size_t n) noexcept {
    return (n + alignment - 1) & ~(alignment - 1);
  }
  static block new_block(std::size_t size) {
    size = round_up(size);
    auto* p = static_cast<std::byte*>(::operator new(size, std::align_val_t{alignment}));
    return {p, size};
  }
  void release() noexcept {
    for (auto& b : blocks_) ::operator delete(b.data, std::align_val_t{alignment});
    blocks_.clear();
    cur_ = 0;
    off_ = 0;
  }
  void* allocate_slow(std::size_t need) {
    if (blocks_.empty()) {
      blocks_.push_back(new_block((std::max)(initial_, need)));
      cur_ = 0;
      off_ = need;
      return blocks_[0].data;
    }
    // Try the following blocks (kept from earlier steps) before allocating a new one.
    for (std::size_t b = cur_ + 1; b < blocks_.size(); ++b) {
      if (blocks_[b].size >= need) {
        cur_ = b;
        off_ = need;
        return blocks_[b].data;
      }
    }
    const std::size_t size = (std::max)(need, 2 * capacity());
    blocks_.push_back(new_block(size));
    cur_ = blocks_.size() - 1;
    off_ = need;
    return blocks_[cur_].data;
  }

  std::vector<block> blocks_;
  std::size_t cur_ = 0;
  std::size_t off_ = 0;
  std::size_t initial_;
};

}  // namespace hepad::autodiff

#endif  // HEPAD_AUTODIFF_ARENA_HPP
