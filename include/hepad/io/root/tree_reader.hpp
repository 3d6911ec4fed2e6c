// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: root_io
/// @file hepad/io/root/tree_reader.hpp
/// @brief `hepad::io::root::tree_reader`: reads selected branches of a tree over entry ranges,
/// lazily (only the baskets that overlap the range are read and decompressed; the last basket of
/// each branch is kept for the next range), plus chunk planning by entries or by decoded bytes.
/// Handles on-disk and embedded baskets, offset tables, missing offset tables (rebuilt from the
/// counter branch) and checks every offset and count. Not here: several files (chain.hpp).
///
/// Component `hepad::root_io`.
#ifndef HEPAD_IO_ROOT_TREE_READER_HPP
#define HEPAD_IO_ROOT_TREE_READER_HPP

#include <hepad/core/error.hpp>
#include <hepad/io/root/column.hpp>
#include <hepad/io/root/detail/cursor.hpp>
#include <hepad/io/root/tree.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace hepad::io::root {

/// An entry range [begin, end) of one tree.
struct entry_range {
  std::int64_t begin = 0, end = 0;
  [[nodiscard]] std::int64_t size() const noexcept { return end - begin; }
  friend bool operator==(const entry_range&, const entry_range&) = default;
};

/// How to cut a tree into chunks: at most `entries` entries and, if `bytes` > 0, at most `bytes`
/// bytes of decoded column memory (values and offsets of the selected branches, computed exactly
/// from the counter branches; a single entry larger than `bytes` is a chunk of its own).
struct chunk_options {
  std::int64_t entries = 100000;
  std::int64_t bytes = 0;
};

/// I/O counters of a reader.
struct read_stats {
  std::int64_t baskets = 0;            ///< baskets decoded
  std::int64_t bytes_on_disk = 0;      ///< compressed bytes read (incl. key headers)
  std::int64_t bytes_uncompressed = 0; ///< bytes after decompression
};

namespace detail {

/// Converts `n` big-endian elements of type `t` at `src` to host order at `dst`.
inline void convert_be(leaf_type t, const unsigned char* HEPAD_RESTRICT src, std::size_t n,
                       unsigned char* HEPAD_RESTRICT dst) noexcept {
  switch (leaf_size(t)) {
    case 1:
      if (t == leaf_type::boolean)
        for (std::size_t i = 0; i < n; ++i) dst[i] = src[i] != 0;
      else if (n)
        std::memcpy(dst, src, n);
      break;
    case 2:
      for (std::size_t i = 0; i < n; ++i) {
        std::uint16_t v;
        std::memcpy(&v, src + 2 * i, 2);
        v = __builtin_bswap16(v);
        std::memcpy(dst + 2 * i, &v, 2);
      }
      break;
    case 4:
      for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t v;
        std::memcpy(&v, src + 4 * i, 4);
        v = __builtin_bswap32(v);
        std::memcpy(dst + 4 * i, &v, 4);
      }
      break;
    default:
      for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t v;
        std::memcpy(&v, src + 8 * i, 8);
        v = __builtin_bswap64(v);
        std::memcpy(dst + 8 * i, &v, 8);
      }
      break;
  }
}

/// A growable byte buffer that does not zero its contents (decoders overwrite them).
class raw_buffer {
 public:
  raw_buffer() = default;
  raw_buffer(raw_buffer&& o) noexcept
      : data_(std::move(o.data_)), size_(std::exchange(o.size_, 0)), cap_(std::exchange(o.cap_, 0)) {}
  raw_buffer& operator=(raw_buffer&& o) noexcept {
    data_ = std::move(o.data_);
    size_ = std::exchange(o.size_, 0);
    cap_ = std::exchange(o.cap_, 0);
    return *this;
  }
  raw_buffer(const raw_buffer&) = delete;
  raw_buffer& operator=(const raw_buffer&) = delete;
  ~raw_buffer() = default;
  void resize(std::size_t n) {
    if (n > cap_) {
      data_.reset(new unsigned char[n]);
      cap_ = n;
    }
    size_ = n;
  }
  [[nodiscard]] unsigned char* data() noexcept { return data_.get(); }
  [[nodiscard]] const unsigned char* data() const noexcept { return data_.get(); }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t capacity() const noexcept { return cap_; }
  operator std::span<unsigned char>() noexcept { return {data_.get(), size_}; }
  operator std::span<const unsigned char>() const noexcept { return {data_.get(), size_}; }

 private:
  std::unique_ptr<unsigned char[]> data_;
  std::size_t size_ = 0, cap_ = 0;
};

/// File-read buffers kept per thread between reads and readers: a reader takes its prefetch
/// buffers from here and gives them back at the end of each read() (up to 64 MiB per thread are
/// kept), so that a new reader does not allocate and page-fault its I/O buffers again.
struct io_buffer_pool {
  static constexpr std::size_t max_bytes = std::size_t{64} << 20;
  std::vector<raw_buffer> buffers;
  std::size_t bytes = 0;
  raw_buffer take() {
    if (buffers.empty()) return {};
    raw_buffer b = std::move(buffers.back());
    buffers.pop_back();
    bytes -= b.capacity();
    return b;
  }
  void give(raw_buffer&& b) {
    if (b.capacity() == 0 || bytes + b.capacity() > max_bytes) return;
    bytes += b.capacity();
    buffers.push_back(std::move(b));
  }
};
inline io_buffer_pool& io_buffers() {
  thread_local io_buffer_pool pool;
  return pool;
}

/// Reads the numeric fields of a TKey header and skips its three strings (no allocation).
inline key read_key_numbers(cursor& c) {
  const std::size_t start = c.pos();
  key k;
  k.nbytes = c.i32();
  k.version = c.i16();
  k.objlen = c.i32();
  k.datime = c.u32();
  k.keylen = c.i16();
  k.cycle = c.i16();
  if (k.version > 1000) {
    k.seek_key = c.i64();
    k.seek_pdir = c.i64();
  } else {
    k.seek_key = c.i32();
    k.seek_pdir = c.i32();
  }
  for (int i = 0; i < 3; ++i) {
    std::size_t n = c.u8();
    if (n == 255) n = c.u32();
    c.skip(n);
  }
  if (k.nbytes < 0 || k.objlen < 0 || k.keylen < 0 || c.pos() - start > static_cast<std::size_t>(k.keylen))
    fail_at(c.where(), start,
            hepad::detail::concat("bad key header (Nbytes ", k.nbytes, ", ObjLen ", k.objlen, ", KeyLen ", k.keylen, ")"));
  return k;
}

/// A decoded basket: payload bytes, data border and entry starts relative to the data (n + 1
/// values, the last = border), or no starts.
struct decoded_basket {
  std::int64_t first = 0, end = 0;
  raw_buffer payload;  // on-disk baskets: the uncompressed object (when `data` points to it)
  /// The basket's data: `payload`, the embedded basket in the tree, or (baskets decoded only for
  /// the current range) the uncompressed record inside the prefetched file bytes.
  const unsigned char* data = nullptr;
  std::size_t border = 0;
  std::vector<std::int64_t> starts;
  std::int64_t file_offset = -1;
};

/// A counter branch's column of the current range (entries from `begin`), when it was read already.
struct counts_view {
  const column* col = nullptr;
  std::int64_t begin = 0;
  [[nodiscard]] bool covers(std::int64_t first, std::int64_t end) const noexcept {
    return col && first >= begin && end <= begin + static_cast<std::int64_t>(col->size());
  }
};

}  // namespace detail

/// Reads selected branches of one tree. Not thread-safe (it caches one basket per branch); use
/// one reader per thread (they may share the `tree`).
class tree_reader {
 public:
  /// @param branches names of the branches to read (in the order of the returned columns).
  /// @throws hepad::out_of_range for a missing branch, hepad::not_supported for an unsupported one.
  tree_reader(tree t, std::vector<std::string> branches) : tree_(std::move(t)), names_(std::move(branches)) {
    slots_.reserve(names_.size());
    const branch* first = tree_.branches().data();
    std::vector<std::int64_t> slot_of(tree_.branches().size(), -1);  // by branch index (first wins)
    for (const auto& n : names_) {
      const branch& b = tree_.get(n);
      if (!b.unsupported.empty())
        hepad::detail::raise<not_supported>(hepad::detail::concat("file '", tree_.path(), "', branch '", n,
                                                                  "': ", b.unsupported));
      if (auto& k = slot_of[static_cast<std::size_t>(&b - first)]; k < 0) k = static_cast<std::int64_t>(slots_.size());
      slots_.push_back({&b, {}, -1});
    }
    for (auto& sl : slots_)
      if (sl.b->jagged())
        if (const branch* cb = tree_.find(sl.b->counter)) sl.counter_slot = slot_of[static_cast<std::size_t>(cb - first)];
  }

  [[nodiscard]] const tree& source() const noexcept { return tree_; }
  [[nodiscard]] const std::vector<std::string>& branch_names() const noexcept { return names_; }
  [[nodiscard]] const read_stats& stats() const noexcept { return stats_; }

  /// Reads the entries `r` of every selected branch (columns in the order of the names).
  /// @throws hepad::invalid_argument if `r` is not within [0, entries]; hepad::format_error on
  /// corrupt data (naming file, branch and byte offset).
  std::vector<column> read(entry_range r) {
    std::vector<column> out;
    read_into(r, out);
    return out;
  }

  /// Reads the entries `r` into `out` (resized to one column per selected branch, in order),
  /// reusing the columns' storage: a loop over the chunks of a file (or over files with the same
  /// branches) allocates only when a chunk needs more room than before, and does not hand pages
  /// back to the kernel between chunks. Same values and errors as `read`.
  void read_into(entry_range r, std::vector<column>& out) {
    if (r.begin < 0 || r.end < r.begin || r.end > tree_.entries())
      throw_invalid_argument("tree_reader::read",
                             hepad::detail::concat("entry range [", r.begin, ", ", r.end, ") is outside [0, ",
                                                   tree_.entries(), "]"));
    prefetch(r);
    out.resize(slots_.size());
    // counters (and every other branch) first: a jagged branch without offset tables then takes
    // its entry sizes from the counter column just read instead of decoding the counter again
    for (std::size_t k = 0; k < slots_.size(); ++k)
      if (slots_[k].counter_slot < 0) read_branch(slots_[k], r, out[k]);
    for (std::size_t k = 0; k < slots_.size(); ++k)
      if (const auto c = slots_[k].counter_slot; c >= 0) read_branch(slots_[k], r, out[k], &out[static_cast<std::size_t>(c)]);
    pre_.clear();
    for (auto& s : slots_) s.pre_n = 0;
    for (auto& seg : segments_) detail::io_buffers().give(std::move(seg));
    segments_.clear();
    check_counts(out);
  }

  /// Splits the tree into chunks according to `opt` (exact decoded sizes for byte limits).
  std::vector<entry_range> plan(const chunk_options& opt) {
    check_positive_("tree_reader::plan", "entries", opt.entries);
    std::vector<entry_range> out;
    const std::int64_t n = tree_.entries();
    if (opt.bytes <= 0) {
      for (std::int64_t b = 0; b < n; b += opt.entries) out.push_back({b, (std::min)(n, b + opt.entries)});
      return out;
    }
    // exact per-entry bytes: fixed part + counts of the jagged branches
    std::int64_t fixed = 0;
    std::vector<std::pair<const branch*, std::int64_t>> per_count;  // counter branch, bytes per unit
    std::vector<const branch*> strings;
    for (const auto& s : slots_) {
      const branch& b = *s.b;
      const auto es = static_cast<std::int64_t>(leaf_size(b.type));
      if (b.type == leaf_type::string) strings.push_back(&b);
      else if (b.jagged()) per_count.emplace_back(&tree_.get(b.counter), es * b.leaf_length);
      if (b.has_offsets()) fixed += 8;
      if (!b.jagged() && b.type != leaf_type::string) fixed += es * b.leaf_length;
    }
    // read the counters first (this validates that the baskets really hold n entries)
    std::vector<std::pair<column, std::int64_t>> counts;  // counter column (or string column), unit
    for (auto& [cb, unit] : per_count) {
      tree_reader sub(tree_, {cb->name});
      counts.emplace_back(std::move(sub.read({0, n})[0]), unit);
    }
    for (const branch* b : strings) {
      tree_reader sub(tree_, {b->name});
      counts.emplace_back(std::move(sub.read({0, n})[0]), -1);
    }
    if (counts.empty()) {  // fixed-size entries only
      const std::int64_t step = (std::min)(opt.entries, (std::max)(std::int64_t{1}, opt.bytes / (std::max)(fixed, std::int64_t{1})));
      for (std::int64_t b = 0; b < n; b += step) out.push_back({b, (std::min)(n, b + step)});
      return out;
    }
    auto cost = [&](std::int64_t i) {
      std::int64_t c = fixed;
      const auto ui = static_cast<std::size_t>(i);
      for (const auto& [col, unit] : counts)
        c += unit < 0 ? col.offsets()[ui + 1] - col.offsets()[ui] : static_cast<std::int64_t>(col.as_double(ui)) * unit;
      return c;
    };
    std::int64_t begin = 0, acc = 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t c = cost(i);
      if (i > begin && (acc + c > opt.bytes || i - begin >= opt.entries)) {
        out.push_back({begin, i});
        begin = i;
        acc = 0;
      }
      acc += c;
    }
    if (begin < n) out.push_back({begin, n});
    return out;
  }

 private:
  struct slot {
    const branch* b;
    detail::decoded_basket cache;
    std::int64_t cached = -1;        // basket index in cache
    std::int64_t counter_slot = -1;  // slot of the counter branch, if it is read too
    // prefetched records of baskets pre_lo .. pre_lo + pre_n - 1: pre_[pre_at + i - pre_lo]
    std::size_t pre_lo = 0, pre_n = 0, pre_at = 0;
  };

  static void check_positive_(std::string_view fn, std::string_view arg, std::int64_t v) {
    if (v <= 0) throw_invalid_argument(fn, hepad::detail::concat(arg, " must be positive, got ", v));
  }

  [[noreturn]] HEPAD_COLD void fail(const branch& b, std::int64_t offset, std::string_view what) const {
    hepad::detail::raise<format_error>(tree_.path(), b.name, offset, std::string(what));
  }

  /// Decodes basket `i` of `b` into `d`; `pre` is its record if prefetched (else it is read here).
  /// With `keep` false the result is used only during this read(): an uncompressed record is then
  /// used in place instead of being copied.
  void decode(const branch& b, std::size_t i, detail::decoded_basket& d, bool keep,
              std::span<const unsigned char> pre = {}, detail::counts_view counts_read = {}) {
    const basket_ref& ref = b.baskets[i];
    d.first = ref.first;
    d.end = ref.end;
    d.starts.clear();
    const std::int64_t n = ref.end - ref.first;
    const auto es = static_cast<std::int64_t>(leaf_size(b.type));
    bool have_starts = false;
    if (ref.embedded >= 0) {
      const embedded_basket& eb = b.embedded[static_cast<std::size_t>(ref.embedded)];
      d.file_offset = -1;
      d.data = eb.data.data();
      d.border = eb.data.size();
      if (!eb.starts.empty()) {
        d.starts.assign(eb.starts.begin(), eb.starts.end());
        have_starts = true;
      }
    } else {
      const auto& st = *tree_.state();
      d.file_offset = ref.seek;
      std::span<const unsigned char> rec;
      if (!pre.empty() && pre.size() == static_cast<std::size_t>(ref.bytes)) {
        rec = pre;
      } else {
        rec_.resize(static_cast<std::size_t>(ref.bytes));
        st.read(ref.seek, rec_, b.name);
        rec = rec_;
      }
      detail::cursor c(rec, detail::origin{st.path, b.name, ref.seek});
      const key k = detail::read_key_numbers(c);
      c.skip(2 + 4);  // basket version, fBufferSize
      const std::int32_t nevbufsize = c.i32();
      if (nevbufsize < 0) c.skip(1);  // fIOBits
      const std::int32_t nevbuf = c.i32();
      const std::int32_t last = c.i32();
      if (c.pos() + 1 > static_cast<std::size_t>(k.keylen) || k.nbytes != ref.bytes || k.keylen > k.nbytes)
        fail(b, ref.seek, hepad::detail::concat("bad basket key (Nbytes ", k.nbytes, ", expected ", ref.bytes,
                                                ", KeyLen ", k.keylen, ")"));
      if (nevbuf != n)
        fail(b, ref.seek, hepad::detail::concat("basket holds ", nevbuf, " entries, the branch expects ", n,
                                                " (entries ", ref.first, "..", ref.end, ")"));
      if (last < k.keylen || last - k.keylen > k.objlen)
        fail(b, ref.seek, hepad::detail::concat("basket data end fLast ", last, " is outside [KeyLen ", k.keylen,
                                                ", KeyLen + ObjLen ", k.keylen + k.objlen, "]"));
      std::span<const unsigned char> payload(rec.data() + k.keylen, rec.size() - static_cast<std::size_t>(k.keylen));
      std::span<const unsigned char> object;
      if (k.compressed()) {
        if (k.objlen > st.options.max_object_bytes)
          fail(b, ref.seek, hepad::detail::concat("basket of ", k.objlen, " bytes exceeds the limit of ",
                                                  st.options.max_object_bytes, " bytes (decompress_options)"));
        d.payload.resize(static_cast<std::size_t>(k.objlen));
        decompress(payload, d.payload, detail::origin{st.path, b.name, ref.seek + k.keylen}, st.options);
        object = d.payload;
      } else if (keep) {
        d.payload.resize(payload.size());
        if (!payload.empty()) std::memcpy(d.payload.data(), payload.data(), payload.size());
        object = d.payload;
      } else {
        object = payload;  // used before the prefetched bytes (or rec_) change
      }
      stats_.bytes_on_disk += ref.bytes;
      stats_.bytes_uncompressed += k.objlen;
      d.data = object.data();
      d.border = static_cast<std::size_t>(last - k.keylen);
      if (b.has_offsets() && d.border + 4 <= object.size()) {
        // offset table: count, then n entry starts counted from the key start, then one more value
        detail::cursor oc(object, detail::origin{st.path, b.name, ref.seek, k.compressed()},
                          static_cast<std::size_t>(k.keylen));
        oc.seek(d.border);
        const std::int32_t count = oc.i32();
        if (count < n || static_cast<std::size_t>(n) > oc.remaining() / 4)
          oc.fail(hepad::detail::concat("offset table with ", count, " entries for ", n, " entries"));
        d.starts.resize(static_cast<std::size_t>(n));
        const unsigned char* q = object.data() + oc.pos();
        for (std::size_t e = 0; e < d.starts.size(); ++e)
          d.starts[e] = static_cast<std::int64_t>(static_cast<std::int32_t>(detail::cursor::load_be32(q + 4 * e))) - k.keylen;
        have_starts = true;
      }
    }
    ++stats_.baskets;
    const std::int64_t border = static_cast<std::int64_t>(d.border);
    if (have_starts) {
      d.starts.push_back(border);
      // checks without early exits (vectorisable); on a failure the exact loops below say where
      const std::int64_t* p = d.starts.data();
      const std::size_t m = d.starts.size();
      bool bad = p[0] < 0 || p[0] > border;
      std::int64_t any = 0;
      for (std::size_t e = 1; e < m; ++e) {
        bad |= (p[e] < p[e - 1]) | (p[e] > border);
        any |= p[e] - p[e - 1];
      }
      if (HEPAD_UNLIKELY(bad)) {
        std::int64_t prev = 0;
        for (std::size_t e = 0; e < m; ++e) {
          const std::int64_t s = p[e];
          if (s < prev || s > border)
            fail(b, d.file_offset, hepad::detail::concat("entry offset ", s, " of entry ", ref.first + static_cast<std::int64_t>(e),
                                                         " is out of range [", prev, ", ", border, "]"));
          prev = s;
        }
      }
      if (b.type != leaf_type::string) {
        const std::int64_t unit = es * b.leaf_length;
        auto bad_entry = [&](std::size_t e) {
          fail(b, d.file_offset, hepad::detail::concat("entry ", ref.first + static_cast<std::int64_t>(e), " has ",
                                                       p[e + 1] - p[e], " bytes, not a multiple of ", unit));
        };
        if (unit > 0 && (unit & (unit - 1)) == 0) {  // the usual case: no division per entry
          if (HEPAD_UNLIKELY(any & (unit - 1)))
            for (std::size_t e = 0; e + 1 < m; ++e)
              if ((p[e + 1] - p[e]) & (unit - 1)) bad_entry(e);
        } else {
          for (std::size_t e = 0; e + 1 < m; ++e)
            if ((p[e + 1] - p[e]) % unit != 0) bad_entry(e);
        }
      }
      return;
    }
    // no offset table: build the starts
    if (!b.has_offsets()) {
      if (border < n * es)
        fail(b, d.file_offset, hepad::detail::concat("basket has ", border, " data bytes for ", n, " entries of ",
                                                     es, " bytes"));
      return;
    }
    d.starts.assign(static_cast<std::size_t>(n) + 1, 0);
    if (b.type == leaf_type::string) {
      detail::cursor c(std::span<const unsigned char>(d.data, d.border), detail::origin{tree_.path(), b.name, d.file_offset, true});
      for (std::int64_t e = 0; e < n; ++e) {
        d.starts[static_cast<std::size_t>(e)] = static_cast<std::int64_t>(c.pos());
        (void)c.tstring();
      }
      d.starts.back() = static_cast<std::int64_t>(c.pos());
      return;
    }
    if (!b.jagged()) {
      for (std::int64_t e = 0; e <= n; ++e) d.starts[static_cast<std::size_t>(e)] = e * es * b.leaf_length;
    } else {
      // entry sizes from the counter: its column of this range if it covers the basket, else read
      std::vector<column> counts;
      const column* cc = counts_read.col;
      std::int64_t at = ref.first - counts_read.begin;
      if (!counts_read.covers(ref.first, ref.end)) {
        tree_reader sub(tree_, {b.counter});
        counts = sub.read({ref.first, ref.end});
        cc = &counts[0];
        at = 0;
      }
      for (std::int64_t e = 0; e < n; ++e) {
        const double cnt = cc->as_double(static_cast<std::size_t>(at + e));
        if (cnt < 0 || cnt > 1e9)
          fail(b, d.file_offset, hepad::detail::concat("counter '", b.counter, "' is ", cnt, " at entry ", ref.first + e));
        d.starts[static_cast<std::size_t>(e) + 1] = d.starts[static_cast<std::size_t>(e)] + static_cast<std::int64_t>(cnt) * es * b.leaf_length;
      }
    }
    if (d.starts.back() > border)
      fail(b, d.file_offset, hepad::detail::concat("entries need ", d.starts.back(), " bytes, the basket holds ", border));
  }

  /// `counter`: the counter branch's column for `r`, if it was read already.
  void read_branch(slot& s, entry_range r, column& col, const column* counter = nullptr) {
    const detail::counts_view cv{counter, r.begin};
    const branch& b = *s.b;
    col.reset(b.name, b.type, b.has_offsets(), static_cast<std::size_t>(r.size()));
    if (r.size() == 0) return;
    const auto es = leaf_size(b.type);
    auto it = std::upper_bound(b.baskets.begin(), b.baskets.end(), r.begin,
                               [](std::int64_t e, const basket_ref& x) { return e < x.first; });
    std::size_t i = static_cast<std::size_t>(it - b.baskets.begin()) - 1;
    if (!b.has_offsets()) (void)col.grow(static_cast<std::size_t>(r.size()));  // one allocation
    const int shift = std::countr_zero(es);  // es is 1, 2, 4 or 8
    for (std::int64_t e = r.begin; e < r.end; ++i) {
      if (i >= b.baskets.size()) fail(b, -1, hepad::detail::concat("no basket holds entry ", e));
      const detail::decoded_basket* dp = &s.cache;
      if (s.cached != static_cast<std::int64_t>(i)) {
        // a basket that ends within the range is not needed by the next range: decode it into the
        // reader's scratch basket (one buffer for all branches, warm in the cache) instead of the
        // branch's own; the branch keeps (and owns the bytes of) only a basket that goes on
        std::span<const unsigned char> pre;
        if (i - s.pre_lo < s.pre_n) pre = pre_[s.pre_at + (i - s.pre_lo)];
        if (b.baskets[i].end > r.end) {
          s.cached = -1;
          decode(b, i, s.cache, true, pre, cv);
          s.cached = static_cast<std::int64_t>(i);
        } else {
          decode(b, i, scratch_, false, pre, cv);
          dp = &scratch_;
        }
      }
      const auto& d = *dp;
      const std::int64_t a = e - d.first, z = (std::min)(r.end, d.end) - d.first;
      if (!b.has_offsets()) {
        const std::size_t n = static_cast<std::size_t>(z - a);
        detail::convert_be(b.type, d.data + static_cast<std::size_t>(a) * es, n, col.grow(n));
        col.commit(n);
      } else if (b.type == leaf_type::string) {
        // entry k is a length prefix (1 byte, or 255 and 4 bytes) and the characters, inside
        // [starts[k], starts[k+1]) (checked monotone and inside the data by decode())
        const auto st = [&](std::int64_t k) { return d.starts[static_cast<std::size_t>(k)]; };
        unsigned char* out = col.grow(static_cast<std::size_t>(st(z) - st(a)));  // bound on the characters
        std::size_t total = 0;
        auto& off = col.offsets_mut();
        for (std::int64_t k = a; k < z; ++k) {
          const unsigned char* p = d.data + st(k);
          const auto room = static_cast<std::size_t>(st(k + 1) - st(k));
          std::size_t len = 0, head = 1;
          bool ok = room >= 1;
          if (ok) {
            len = p[0];
            if (len == 255) {
              head = 5;
              ok = room >= 5;
              if (ok) len = detail::cursor::load_be32(p + 1);
            }
            ok = ok && len <= room - head;
          }
          if (HEPAD_UNLIKELY(!ok)) {  // the checked parse, which throws the precise error
            detail::cursor c(std::span<const unsigned char>(p, room), detail::origin{tree_.path(), b.name, d.file_offset, true});
            std::size_t n = c.u8();
            if (n == 255) n = c.u32();
            (void)c.take(n);
          }
          if (len) std::memcpy(out + total, p + head, len);
          total += len;
          off.push_back(off.back() + static_cast<std::int64_t>(len));
        }
        col.commit(total);
      } else {
        const std::int64_t b0 = d.starts[static_cast<std::size_t>(a)], b1 = d.starts[static_cast<std::size_t>(z)];
        const std::size_t n = static_cast<std::size_t>(b1 - b0) / es;
        detail::convert_be(b.type, d.data + b0, n, col.grow(n));
        col.commit(n);
        auto& off = col.offsets_mut();
        const std::size_t o0 = off.size();
        off.resize(o0 + static_cast<std::size_t>(z - a));
        std::int64_t* o = off.data() + o0;
        std::int64_t acc = o[-1];
        const std::int64_t base = b0 >> shift;
        // decode() checked that every entry is a whole number of elements, so starts >> shift is exact
        for (std::int64_t k = a; k < z; ++k) o[k - a] = acc + (d.starts[static_cast<std::size_t>(k) + 1] >> shift) - base;
      }
      e = d.end;
    }
  }

  /// Reads the on-disk baskets that `r` needs (and that are not cached) with few large reads:
  /// baskets sorted by position, merged when less than 4 KiB apart, up to 16 MiB per read.
  void prefetch(entry_range r) {
    pre_.clear();
    for (auto& seg : segments_) detail::io_buffers().give(std::move(seg));  // left by a failed read()
    segments_.clear();
    auto& want = want_;  // (seek, bytes, index into pre_), reused between reads
    want.clear();
    for (auto& s : slots_) {
      s.pre_n = 0;
      const auto& bs = s.b->baskets;
      // the baskets read_branch() visits: from the one holding r.begin while they start before r.end
      const auto it = std::upper_bound(bs.begin(), bs.end(), r.begin,
                                       [](std::int64_t e, const basket_ref& x) { return e < x.first; });
      if (it == bs.begin() || r.size() == 0) continue;
      s.pre_lo = static_cast<std::size_t>(it - bs.begin()) - 1;
      s.pre_at = pre_.size();
      for (std::size_t i = s.pre_lo; i < bs.size() && bs[i].first < r.end; ++i) {
        const auto& k = bs[i];
        if (!(k.embedded >= 0 || k.end <= r.begin || s.cached == static_cast<std::int64_t>(i)))
          want.push_back({k.seek, k.bytes, pre_.size()});
        pre_.emplace_back();
        ++s.pre_n;
      }
    }
    if (want.size() < 2) return;
    const auto by_position = [](const wanted& x, const wanted& y) {
      return x.seek != y.seek ? x.seek < y.seek : x.bytes < y.bytes;
    };
    if (!std::is_sorted(want.begin(), want.end(), by_position)) std::sort(want.begin(), want.end(), by_position);
    const auto& st = *tree_.state();
    const std::int64_t file_size = st.src->size();
    std::size_t i = 0;
    while (i < want.size()) {
      const std::int64_t begin = want[i].seek;
      std::int64_t end = begin + want[i].bytes;
      std::size_t j = i + 1;
      while (j < want.size() && want[j].seek - end < 4096 && want[j].seek + want[j].bytes - begin <= (16 << 20)) {
        end = (std::max)(end, want[j].seek + static_cast<std::int64_t>(want[j].bytes));
        ++j;
      }
      if (begin >= 0 && end <= file_size && end > begin) {  // otherwise decode() reports the bad basket
        auto& seg = segments_.emplace_back(detail::io_buffers().take());
        seg.resize(static_cast<std::size_t>(end - begin));
        st.read(begin, seg, "");
        for (std::size_t k = i; k < j; ++k)
          pre_[want[k].at] = std::span<const unsigned char>(seg.data() + (want[k].seek - begin),
                                                            static_cast<std::size_t>(want[k].bytes));
      }
      i = j;
    }
  }

  /// If a jagged branch and its counter were both read, their counts must agree.
  void check_counts(const std::vector<column>& cols) const {
    for (std::size_t j = 0; j < slots_.size(); ++j) {
      if (slots_[j].counter_slot < 0) continue;
      const branch& b = *slots_[j].b;
      const column& cnt = cols[static_cast<std::size_t>(slots_[j].counter_slot)];
      const auto off = cols[j].offsets();
      auto bad = [&](std::size_t e) {
        const auto want = static_cast<std::int64_t>(cnt.as_double(e)) * b.leaf_length;
        if (off[e + 1] - off[e] != want)
          hepad::detail::raise<format_error>(tree_.path(), b.name, -1,
                                             hepad::detail::concat("wrong count: entry ", e, " of the range has ",
                                                                   off[e + 1] - off[e], " values, counter '",
                                                                   b.counter, "' says ", want));
      };
      // counters are scalar integer branches (tree checks it): compare without a per-value switch
      visit_leaf_type(cnt.type(), [&](auto t) {
        using T = decltype(t);
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>) {
          const auto v = cnt.values<T>();
          bool all = true;
          for (std::size_t e = 0; e < v.size(); ++e)
            all &= off[e + 1] - off[e] == static_cast<std::int64_t>(v[e]) * b.leaf_length;
          if (all) return;
        }
        for (std::size_t e = 0; e < cnt.size(); ++e) bad(e);
      });
    }
  }

  tree tree_;
  std::vector<std::string> names_;
  std::vector<slot> slots_;
  read_stats stats_;
  std::vector<unsigned char> rec_;  // scratch buffer for basket records
  detail::decoded_basket scratch_;  // baskets used by one range only
  struct wanted {
    std::int64_t seek;
    std::int32_t bytes;
    std::size_t at;  // index into pre_
  };
  std::vector<wanted> want_;
  std::vector<detail::raw_buffer> segments_;  // prefetched file ranges of one read() (io_buffers())
  std::vector<std::span<const unsigned char>> pre_;  // prefetched records of one read(), see slot::pre_*
};

}  // namespace hepad::io::root

#endif  // HEPAD_IO_ROOT_TREE_READER_HPP
