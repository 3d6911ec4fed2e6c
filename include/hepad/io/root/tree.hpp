// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: root_io
/// @file hepad/io/root/tree.hpp
/// @brief `hepad::io::root::tree`: the metadata of a TTree (entries, branches, leaf types, counter
/// branches, basket locations, baskets embedded in the tree record), parsed from the hard-coded
/// layouts of TTree v19-20, TBranch v12-13, TLeaf v2 and TObjArray v3 that every NanoAOD file
/// uses; each object's byte count is used to skip members hepad does not need. Not here: reading
/// values (tree_reader.hpp); TBranchElement branches (listed, marked unsupported); streamer-info
/// driven parsing of other class versions (rejected with a clear error).
///
/// Component `hepad::root_io`.
#ifndef HEPAD_IO_ROOT_TREE_HPP
#define HEPAD_IO_ROOT_TREE_HPP

#include <hepad/core/error.hpp>
#include <hepad/io/root/column.hpp>
#include <hepad/io/root/detail/cursor.hpp>
#include <hepad/io/root/file.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hepad::io::root {

/// Where the entries [first, end) of a branch are stored: an on-disk basket (seek, bytes) or a
/// basket embedded in the tree record (`embedded` = index into branch::embedded).
struct basket_ref {
  std::int64_t first = 0, end = 0;
  std::int64_t seek = 0;
  std::int32_t bytes = 0;
  std::int32_t embedded = -1;
};

/// A basket stored inside the TTree record: its data bytes and entry starts (relative to the
/// data, `n_entries` of them, empty when the basket has no offset table).
struct embedded_basket {
  std::int32_t n_entries = 0;
  std::vector<unsigned char> data;
  std::vector<std::int32_t> starts;
};

/// One branch of a tree (plain TBranch with one leaf).
struct branch {
  std::string name, title;
  std::string leaf_class;  ///< TLeafF, TLeafI, ... (or the branch class when unsupported)
  leaf_type type = leaf_type::float32;
  std::int32_t leaf_length = 1;  ///< fLen: elements per entry (per counter unit if jagged)
  std::string counter;           ///< name of the counter branch of a jagged branch, else empty
  std::int32_t entry_offset_len = 0;
  std::int32_t compress = 0;
  std::int64_t entries = 0, total_bytes = 0, zip_bytes = 0;
  std::vector<basket_ref> baskets;  ///< sorted by entry, covering [0, entries)
  std::vector<embedded_basket> embedded;
  std::string unsupported;  ///< non-empty: why hepad cannot read this branch

  /// True for counter-indexed (jagged) branches.
  [[nodiscard]] bool jagged() const noexcept { return !counter.empty(); }
  /// True if its column has element offsets (jagged, fixed-length array or string).
  [[nodiscard]] bool has_offsets() const noexcept {
    return jagged() || leaf_length != 1 || type == leaf_type::string;
  }
};

namespace detail {

inline constexpr std::uint32_t k_byte_count_mask = 0x40000000u;
inline constexpr std::uint32_t k_new_class_tag = 0xFFFFFFFFu;
inline constexpr std::uint32_t k_class_mask = 0x80000000u;
inline constexpr std::uint32_t k_map_offset = 2;

/// Parser of a TTree record (hard-coded layouts, object/class back-reference bookkeeping).
class tree_parser {
 public:
  tree_parser(cursor& c, std::string_view tree_name) : c_(c), tree_name_(tree_name) {}

  struct version_info {
    std::uint16_t version = 0;
    std::size_t end = 0;
    bool has_end = false;
  };

  version_info read_version() {
    const std::size_t start = c_.pos();
    const std::uint32_t first = c_.u32();
    version_info v;
    if (first & k_byte_count_mask) {
      const std::size_t count = first & ~k_byte_count_mask;
      if (count > c_.size() - start - 4)
        fail_at(c_.where(), start, hepad::detail::concat("byte count ", count, " runs past the record end"));
      v.end = start + 4 + count;
      v.has_end = true;
    } else {
      c_.seek(start);
    }
    v.version = c_.u16();
    if (v.version == 0 && v.has_end) c_.skip(4);  // class checksum of an unversioned class
    return v;
  }
  version_info read_versioned(std::string_view what) {
    auto v = read_version();
    if (!v.has_end) c_.fail(hepad::detail::concat(what, ": object without byte count"));
    return v;
  }
  void skip_object(std::string_view what) { c_.seek(read_versioned(what).end); }

  void read_tobject() {
    (void)read_version();
    c_.skip(4);
    const std::uint32_t bits = c_.u32();
    if (bits & 0x10u) c_.skip(2);
  }
  void read_tnamed(std::string& name, std::string& title) {
    auto v = read_versioned("TNamed");
    read_tobject();
    name = c_.tstring();
    title = c_.tstring();
    c_.seek(v.end);
  }

  /// Reads a TObjArray, calling `elem(i, class_name, end)` for each non-null new object (cursor
  /// just after the class tag) and `ref(i, name)` for back-references.
  template <class Elem>
  void read_objarray(Elem&& elem) {
    auto v = read_versioned("TObjArray");
    if (v.version != 3) c_.fail(hepad::detail::concat("TObjArray version ", v.version, " is not supported (expected 3)"));
    read_tobject();
    (void)c_.tstring();
    const std::int32_t n = c_.i32();
    c_.skip(4);  // lower bound
    if (n < 0 || static_cast<std::size_t>(n) > c_.remaining() / 4)
      c_.fail(hepad::detail::concat("TObjArray with bad size ", n));
    for (std::int32_t i = 0; i < n; ++i) read_object_any([&](const std::string& cls, std::size_t end) {
      return elem(i, cls, end);
    });
    c_.seek(v.end);
  }

  /// Reads an object pointer. `body(cls, end)` parses a new object and returns the name under
  /// which it may be referenced later (leaves) or "". Returns that name (or the name recorded for
  /// a back-reference, "" if null or unknown).
  template <class Body>
  std::string read_object_any(Body&& body) {
    if (++depth_ > 32) c_.fail("objects nested too deeply");
    struct guard {
      int& d;
      ~guard() { --d; }
    } g{depth_};
    const std::size_t beg = c_.pos();
    const auto beg_disp = static_cast<std::uint32_t>(c_.displacement());
    const std::uint32_t first = c_.u32();
    if (first == 0) return {};
    const bool has_bc = (first & k_byte_count_mask) && first != k_new_class_tag;
    std::size_t end = 0;
    std::uint32_t tag = first;
    std::uint32_t tag_disp = 0;
    if (has_bc) {
      const std::size_t count = first & ~k_byte_count_mask;
      if (count > c_.size() - beg - 4)
        fail_at(c_.where(), beg, hepad::detail::concat("object byte count ", count, " runs past the record end"));
      end = beg + 4 + count;
      tag_disp = static_cast<std::uint32_t>(c_.displacement());
      tag = c_.u32();
    }
    if (!(tag & k_class_mask)) {  // a reference to an object read before
      if (has_bc) c_.seek(end);
      auto it = objects_.find(tag);
      return it == objects_.end() ? std::string{} : it->second;
    }
    std::string cls;
    if (tag == k_new_class_tag) {
      cls = c_.cstring();
      if (has_bc) classes_[tag_disp + k_map_offset] = cls;
    } else {
      auto it = classes_.find(tag & ~k_class_mask);
      if (it == classes_.end())
        fail_at(c_.where(), beg, hepad::detail::concat("reference to an unknown class (tag 0x", tag, ")"));
      cls = it->second;
    }
    if (!has_bc) fail_at(c_.where(), beg, hepad::detail::concat("object of class ", cls, " without byte count"));
    std::string name = body(cls, end);
    c_.seek(end);
    if (!name.empty()) objects_[beg_disp + k_map_offset] = name;
    return name;
  }

  struct leaf_info {
    std::string name, title, cls, counter;
    std::int32_t len = 1;
    bool is_unsigned = false;
  };

  /// Parses a TLeafX object body; returns its info.
  leaf_info read_leaf(const std::string& cls, std::size_t end) {
    leaf_info l;
    l.cls = cls;
    auto outer = read_versioned(cls);
    (void)outer;
    auto v = read_versioned("TLeaf");
    if (v.version < 2) c_.fail(hepad::detail::concat("TLeaf version ", v.version, " is not supported (expected 2)"));
    read_tnamed(l.name, l.title);
    l.len = c_.i32();
    c_.skip(8);  // fLenType, fOffset
    c_.skip(1);  // fIsRange
    l.is_unsigned = c_.u8() != 0;
    l.counter = read_object_any([&](const std::string& cc, std::size_t e) {
      if (cc.rfind("TLeaf", 0) == 0) return read_leaf(cc, e).name;
      return std::string{};
    });
    c_.seek(v.end);
    (void)end;
    return l;
  }

  /// Parses a TBasket object stored in a branch's fBaskets array.
  embedded_basket read_embedded_basket(std::string_view branch_name) {
    const std::size_t start = c_.pos();
    const key k = read_key(c_);
    const std::uint16_t ver = c_.u16();
    c_.skip(4);  // fBufferSize
    std::int32_t nevbufsize = c_.i32();
    if (nevbufsize < 0) c_.skip(1);  // fIOBits
    const std::int32_t nevbuf = c_.i32();
    const std::int32_t last = c_.i32();
    int flag = c_.u8();
    auto bad = [&](std::string_view what) {
      fail_at(c_.where(), start, hepad::detail::concat("branch '", branch_name, "': embedded basket: ", what));
    };
    if (nevbuf < 0 || last < k.keylen || k.keylen < 0) bad(hepad::detail::concat("bad header (fNevBuf ", nevbuf, ", fLast ", last, ", KeyLen ", k.keylen, ")"));
    const bool generate = flag >= 80;
    if (generate) flag -= 80;
    embedded_basket eb;
    eb.n_entries = nevbuf;
    if (!generate && flag != 0 && flag % 10 != 2 && nevbuf > 0) {
      const std::int32_t n = c_.i32();
      if (n < nevbuf || static_cast<std::size_t>(n) > c_.remaining() / 4)
        bad(hepad::detail::concat("offset table of ", n, " entries for ", nevbuf, " entries"));
      eb.starts.resize(static_cast<std::size_t>(nevbuf));
      for (std::int32_t i = 0; i < n; ++i) {
        std::int32_t s = c_.i32();
        if (flag > 20 && flag < 40) s &= 0x00FFFFFF;
        if (i < nevbuf) eb.starts[static_cast<std::size_t>(i)] = s - k.keylen;
      }
    }
    if (flag > 40) {
      const std::int32_t n = c_.i32();
      if (n < 0 || static_cast<std::size_t>(n) > c_.remaining() / 4) bad("bad displacement table");
      c_.skip(static_cast<std::size_t>(n) * 4);
    }
    if (flag == 1 || flag > 10) {
      std::size_t n = static_cast<std::size_t>(last);
      if (ver <= 1) {
        const std::int32_t m = c_.i32();
        if (m < 0) bad("negative buffer size");
        n = static_cast<std::size_t>(m);
      }
      auto buf = c_.take(n);
      if (n < static_cast<std::size_t>(last)) bad("buffer shorter than fLast");
      eb.data.assign(buf.begin() + k.keylen, buf.begin() + last);
    } else if (nevbuf > 0) {
      bad("basket without data buffer");
    }
    return eb;
  }

  /// Parses a TBranch body (cursor after the class tag).
  branch read_branch(const std::string& cls, std::size_t end) {
    branch b;
    auto v = read_versioned(cls);
    if (cls != "TBranch") {
      b.leaf_class = cls;
      b.unsupported = hepad::detail::concat("branch class ", cls, " is not supported (only plain TBranch)");
      // name from the TBranch base, if it reads as one
      auto base = read_versioned("TBranch base");
      (void)base;
      std::string title;
      read_tnamed(b.name, title);
      b.title = title;
      c_.seek(end);
      return b;
    }
    if (v.version < 12 || v.version > 13)
      c_.fail(hepad::detail::concat("TBranch version ", v.version, " is not supported (expected 12 or 13)"));
    read_tnamed(b.name, b.title);
    skip_object("TAttFill");
    b.compress = c_.i32();
    c_.skip(4);  // fBasketSize
    b.entry_offset_len = c_.i32();
    const std::int32_t write_basket = c_.i32();
    c_.skip(8);  // fEntryNumber
    if (v.version >= 13) skip_object("TIOFeatures");
    c_.skip(4);  // fOffset
    const std::int32_t max_baskets = c_.i32();
    c_.skip(4);  // fSplitLevel
    b.entries = c_.i64();
    c_.skip(8);  // fFirstEntry
    b.total_bytes = c_.i64();
    b.zip_bytes = c_.i64();
    auto bad = [&](std::string_view what) {
      c_.fail(hepad::detail::concat("branch '", b.name, "': ", what));
    };
    if (write_basket < 0 || max_baskets < 0 || write_basket > max_baskets || b.entries < 0)
      bad(hepad::detail::concat("bad basket counts (fWriteBasket ", write_basket, ", fMaxBaskets ", max_baskets,
                                ", fEntries ", b.entries, ")"));
    bool sub = false;
    read_objarray([&](std::int32_t, const std::string&, std::size_t) {
      sub = true;
      return std::string{};
    });
    std::vector<leaf_info> leaves;
    read_objarray([&](std::int32_t, const std::string& lc, std::size_t e) {
      if (lc.rfind("TLeaf", 0) != 0) bad(hepad::detail::concat("leaf of class ", lc));
      leaves.push_back(read_leaf(lc, e));
      return leaves.back().name;
    });
    std::vector<std::pair<std::int32_t, embedded_basket>> emb;
    read_objarray([&](std::int32_t i, const std::string& bc, std::size_t) {
      if (bc != "TBasket") bad(hepad::detail::concat("fBaskets element of class ", bc));
      emb.emplace_back(i, read_embedded_basket(b.name));
      return std::string{};
    });
    auto read_array = [&](auto width, auto& out) {
      const std::uint8_t present = c_.u8();
      out.assign(static_cast<std::size_t>(max_baskets), 0);
      if (!present) return;
      c_.need(static_cast<std::size_t>(max_baskets) * sizeof(width));
      for (auto& x : out) {
        if constexpr (sizeof(width) == 4) x = c_.i32();
        else x = c_.i64();
      }
    };
    std::vector<std::int32_t> basket_bytes;
    std::vector<std::int64_t> basket_entry, basket_seek;
    read_array(std::int32_t{}, basket_bytes);
    read_array(std::int64_t{}, basket_entry);
    read_array(std::int64_t{}, basket_seek);
    c_.seek(v.end);

    // leaf
    if (sub) b.unsupported = "branch with sub-branches is not supported";
    if (leaves.size() != 1 && b.unsupported.empty())
      b.unsupported = hepad::detail::concat("branch with ", leaves.size(), " leaves is not supported (only one leaf)");
    if (!leaves.empty()) {
      const auto& l = leaves.front();
      b.leaf_class = l.cls;
      b.leaf_length = l.len;
      b.counter = l.counter;
      if (b.counter.empty() && l.title.find('[') != std::string::npos && l.len == 1) {
        // fallback: "x[n]" title naming the counter
        const auto lb = l.title.find('['), rb = l.title.find(']', lb);
        if (rb != std::string::npos) {
          std::string inner = l.title.substr(lb + 1, rb - lb - 1);
          if (!inner.empty() && (inner[0] < '0' || inner[0] > '9')) b.counter = inner;
        }
      }
      const bool u = l.is_unsigned;
      if (l.cls == "TLeafF") b.type = leaf_type::float32;
      else if (l.cls == "TLeafD") b.type = leaf_type::float64;
      else if (l.cls == "TLeafI") b.type = u ? leaf_type::uint32 : leaf_type::int32;
      else if (l.cls == "TLeafL") b.type = u ? leaf_type::uint64 : leaf_type::int64;
      else if (l.cls == "TLeafS") b.type = u ? leaf_type::uint16 : leaf_type::int16;
      else if (l.cls == "TLeafB") b.type = u ? leaf_type::uint8 : leaf_type::int8;
      else if (l.cls == "TLeafO") b.type = leaf_type::boolean;
      else if (l.cls == "TLeafC") b.type = leaf_type::string;
      else if (b.unsupported.empty()) b.unsupported = hepad::detail::concat("leaf class ", l.cls, " is not supported");
      if (b.leaf_length < 1 && b.unsupported.empty())
        b.unsupported = hepad::detail::concat("leaf length ", b.leaf_length, " is not supported");
      if (b.type == leaf_type::string) b.leaf_length = 1;  // fLen of a TLeafC is its maximum length
    }

    // baskets
    std::int64_t pos = 0;
    for (std::int32_t i = 0; i < write_basket; ++i) {
      const auto ui = static_cast<std::size_t>(i);
      const std::int64_t e0 = basket_entry[ui];
      const std::int64_t e1 = ui + 1 < basket_entry.size() ? basket_entry[ui + 1] : b.entries;
      // 65536 entries per stored byte is beyond any codec's ratio: a larger claim is corrupt
      if (e0 != pos || e1 < e0 || e1 > b.entries || basket_bytes[ui] <= 0 || basket_seek[ui] <= 0 ||
          (e1 - e0) / 65536 > basket_bytes[ui])
        bad(hepad::detail::concat("basket ", i, " has bad entries [", e0, ", ", e1, "), ", basket_bytes[ui],
                                  " bytes at ", basket_seek[ui]));
      b.baskets.push_back({e0, e1, basket_seek[ui], basket_bytes[ui], -1});
      pos = e1;
    }
    std::sort(emb.begin(), emb.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (auto& [i, eb] : emb) {
      if (eb.n_entries == 0) continue;
      const std::int64_t e1 = pos + eb.n_entries;
      if (e1 > b.entries)
        bad(hepad::detail::concat("embedded basket ", i, " holds entries past fEntries ", b.entries));
      b.baskets.push_back({pos, e1, 0, 0, static_cast<std::int32_t>(b.embedded.size())});
      b.embedded.push_back(std::move(eb));
      pos = e1;
    }
    if (pos != b.entries)
      bad(hepad::detail::concat("baskets hold ", pos, " entries, the branch has ", b.entries));
    return b;
  }

  std::vector<branch> read_branches_array() {
    std::vector<branch> out;
    read_objarray([&](std::int32_t, const std::string& cls, std::size_t end) {
      out.push_back(read_branch(cls, end));
      return std::string{};
    });
    return out;
  }

  cursor& c_;
  std::string_view tree_name_;
  std::unordered_map<std::uint32_t, std::string> classes_, objects_;
  int depth_ = 0;
};

}  // namespace detail

namespace detail {
/// Transparent string hash (lookups by string_view without building a std::string).
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
/// The branches of a tree and their index by name, shared by all copies of the `tree`.
struct tree_meta {
  std::vector<branch> branches;
  std::unordered_map<std::string, std::size_t, string_hash, std::equal_to<>> index;
};
}  // namespace detail

/// A TTree's metadata. Cheap to copy (shares the file and the branch list).
class tree {
 public:
  /// Opens tree `name` (may be "dir/name") of `f`.
  /// @throws hepad::out_of_range if there is no such key, hepad::format_error if it is not a
  /// readable TTree (naming file, tree and byte offset), hepad::not_supported for other class versions.
  tree(const file& f, std::string_view name) : st_(f.state()) {
    const key k = f.get_key(name);
    if (k.class_name != "TTree")
      hepad::detail::raise<out_of_range>(hepad::detail::concat("file '", f.path(), "': key '", name, "' is a ",
                                                               k.class_name, ", not a TTree"));
    const auto bytes = f.read_object(k);
    detail::cursor c(bytes, detail::origin{st_->path, k.name, k.seek_key, k.compressed()},
                     static_cast<std::size_t>(k.keylen));
    detail::tree_parser p(c, k.name);
    auto v = p.read_versioned("TTree");
    if (v.version < 19 || v.version > 20)
      hepad::detail::raise<not_supported>(hepad::detail::concat("file '", f.path(), "', tree '", k.name,
                                                                "': TTree class version ", v.version,
                                                                " is not supported (19 or 20)"));
    p.read_tnamed(name_, title_);
    p.skip_object("TAttLine");
    p.skip_object("TAttFill");
    p.skip_object("TAttMarker");
    entries_ = c.i64();
    c.skip(8 * 4);      // fTotBytes, fZipBytes, fSavedBytes, fFlushedBytes
    c.skip(8);          // fWeight
    c.skip(4 * 4);      // fTimerInterval, fScanField, fUpdate, fDefaultEntryOffsetLen
    const std::int32_t n_cluster = c.i32();
    c.skip(8 * 6);  // fMaxEntries .. fEstimate
    if (n_cluster < 0) c.fail(hepad::detail::concat("bad fNClusterRange ", n_cluster));
    for (int a = 0; a < 2; ++a)
      if (c.u8()) c.skip(static_cast<std::size_t>(n_cluster) * 8);
    if (v.version >= 20) {
      auto io = p.read_versioned("TIOFeatures");
      io_bits_ = c.u8();
      c.seek(io.end);
    }
    if (entries_ < 0) c.fail(hepad::detail::concat("negative fEntries ", entries_));
    auto meta = std::make_shared<detail::tree_meta>();
    meta->branches = p.read_branches_array();
    for (std::size_t i = 0; i < meta->branches.size(); ++i) meta->index.emplace(meta->branches[i].name, i);
    meta_ = meta;  // find() below reads meta_
    for (auto& b : meta->branches) {
      if (b.unsupported.empty() && b.entries != entries_)
        b.unsupported = hepad::detail::concat("branch has ", b.entries, " entries, the tree ", entries_);
      if (b.jagged() && b.unsupported.empty()) {
        const branch* cb = find(b.counter);
        if (!cb || cb->has_offsets() || cb->type == leaf_type::float32 || cb->type == leaf_type::float64 ||
            cb->type == leaf_type::boolean)
          b.unsupported = hepad::detail::concat("counter '", b.counter, "' is not a scalar integer branch");
      }
    }
  }

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::string& title() const noexcept { return title_; }
  [[nodiscard]] std::int64_t entries() const noexcept { return entries_; }
  /// fIOFeatures bits (1 = kGenerateOffsetMap: jagged baskets carry no offset table).
  [[nodiscard]] std::uint8_t io_bits() const noexcept { return io_bits_; }
  [[nodiscard]] const std::vector<branch>& branches() const noexcept { return meta_->branches; }
  [[nodiscard]] const std::string& path() const noexcept { return st_->path; }
  /// The branch named `name`, or nullptr.
  [[nodiscard]] const branch* find(std::string_view name) const {
    const auto it = meta_->index.find(name);
    return it == meta_->index.end() ? nullptr : &meta_->branches[it->second];
  }
  [[nodiscard]] bool contains(std::string_view name) const { return find(name) != nullptr; }
  /// The branch named `name`. @throws hepad::out_of_range naming file, tree and branch.
  [[nodiscard]] const branch& get(std::string_view name) const {
    if (const branch* b = find(name)) return *b;
    hepad::detail::raise<out_of_range>(hepad::detail::concat("file '", path(), "', tree '", name_, "': no branch '",
                                                             name, "'"));
  }
  /// Internal: the shared file state.
  [[nodiscard]] const std::shared_ptr<const detail::file_state>& state() const noexcept { return st_; }

 private:
  std::shared_ptr<const detail::file_state> st_;
  std::string name_, title_;
  std::int64_t entries_ = 0;
  std::uint8_t io_bits_ = 0;
  std::shared_ptr<const detail::tree_meta> meta_;  // shared by copies (a reader copies its tree)
};

}  // namespace hepad::io::root

#endif  // HEPAD_IO_ROOT_TREE_HPP
