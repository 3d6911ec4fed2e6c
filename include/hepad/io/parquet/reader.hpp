// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: parquet
/// @file hepad/io/parquet/reader.hpp
/// @brief `hepad::io::parquet::reader` and `read()`: a Parquet reader without Arrow (component
/// hepad::parquet).
///
/// Reads flat columns (REQUIRED or OPTIONAL) and list columns (3-level LIST, legacy 2-level lists
/// and bare repeated fields) of BOOLEAN, INT32 (with INT/UINT 8/16/32 annotations), INT64 (signed
/// or UINT_64), FLOAT, DOUBLE and BYTE_ARRAY (as strings); PLAIN, PLAIN_DICTIONARY/RLE_DICTIONARY
/// and RLE (booleans) encodings; data pages v1 and v2; UNCOMPRESSED, SNAPPY, GZIP, ZSTD and LZ4_RAW.
/// Columns are read page by page, so `next()` holds one page per selected column plus the chunk
/// being returned. Every problem raises `hepad::format_error` naming the file, the column and the
/// byte offset.
///
/// Not here: writing (io/parquet/writer.hpp); structs, maps, INT96, FIXED_LEN_BYTE_ARRAY, DELTA_*
/// and BYTE_STREAM_SPLIT encodings (reported as unsupported when such a column is selected).
#ifndef HEPAD_IO_PARQUET_READER_HPP
#define HEPAD_IO_PARQUET_READER_HPP

#include <hepad/core/error.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/io/chunking.hpp>
#include <hepad/io/column.hpp>
#include <hepad/io/detail/file.hpp>
#include <hepad/io/parquet/detail/codec.hpp>
#include <hepad/io/parquet/detail/encoding.hpp>
#include <hepad/io/parquet/detail/metadata.hpp>
#include <hepad/io/record_batch.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hepad::io::parquet {

/// A top-level column of a Parquet file as hepad exposes it.
struct field {
  std::string name;     ///< top-level field name
  dtype type = dtype::float64;  ///< element type (meaningful when `supported`)
  bool list = false;    ///< a list (jagged) column
  bool nullable = false;  ///< the column (or the list) may be null
  bool supported = true;  ///< false for structs, maps, INT96, ... (`reason` says why)
  std::string reason;   ///< why the column cannot be read
  // where its leaf is, and its levels
  std::size_t leaf = 0;       ///< index of the (first) leaf column
  std::size_t n_leaves = 1;   ///< number of leaf columns under this field
  int max_def = 0, max_rep = 0;
  int def_top = 0;     ///< definition level at which the field itself is non-null
  int def_list = 0;    ///< definition level at which a list has at least one element
  parquet::detail::physical phys = parquet::detail::physical::double_;
};

namespace detail {

/// Decodes `n` PLAIN values of physical type `ph` from `[p, end)`, appending to `out`.
template <class T>
inline void plain_decode(physical ph, const std::uint8_t* p, const std::uint8_t* end, std::size_t n,
                         std::vector<T>& out, const error_site& site) {
  using hepad::io::detail::load_le;
  const std::size_t avail = static_cast<std::size_t>(end - p);
  auto need = [&](std::size_t per) {
    if (n > avail / per)
      site.fail(concat("PLAIN data truncated: ", n, " values of ", per, " bytes need more than the ", avail,
                       " bytes in the page"));
  };
  const std::size_t base = out.size();
  if (n == 0) return;
  if constexpr (std::is_same_v<T, std::string>) {
    if (ph != physical::byte_array) site.fail("internal: string column without BYTE_ARRAY data");
    need(4);
    out.reserve(base + n);
    for (std::size_t i = 0; i < n; ++i) {
      if (end - p < 4) site.fail("BYTE_ARRAY value truncated");
      const std::uint32_t len = load_le<std::uint32_t>(p);
      p += 4;
      if (len > static_cast<std::size_t>(end - p)) site.fail(concat("BYTE_ARRAY value of ", len, " bytes truncated"));
      out.emplace_back(reinterpret_cast<const char*>(p), len);
      p += len;
    }
  } else {
    using hepad::io::detail::append_values;
    switch (ph) {
      case physical::boolean:
        if (n > avail * 8) site.fail("PLAIN booleans truncated");
        out.resize(base + n);
        for (std::size_t i = 0; i < n; ++i) out[base + i] = static_cast<T>((p[i >> 3] >> (i & 7)) & 1u);
        return;
      case physical::int32:
        need(4);
        append_values<std::int32_t, true>(out, p, n);
        return;
      case physical::int64:
        need(8);
        append_values<std::int64_t, true>(out, p, n);
        return;
      case physical::float_:
        need(4);
        append_values<float, true>(out, p, n);
        return;
      case physical::double_:
        need(8);
        append_values<double, true>(out, p, n);
        return;
      default: site.fail("internal: numeric column with non-numeric data");
    }
  }
}

/// Reads the pages of one column chunk and appends whole rows to a `column`.
class column_cursor {
 public:
  column_cursor(const hepad::io::detail::input_file& file, const field& f, const column_meta& m, std::int64_t rows)
      : file_(&file), f_(&f), meta_(m), rows_left_(rows) {
    const std::int64_t start = m.dictionary_page_offset && *m.dictionary_page_offset > 0
                                   ? (std::min)(*m.dictionary_page_offset, m.data_page_offset)
                                   : m.data_page_offset;
    pos_ = static_cast<std::uint64_t>(start);
    end_ = static_cast<std::uint64_t>(start) + static_cast<std::uint64_t>(m.total_compressed_size);
    page_vals_ = hepad::io::detail::make_storage(f.type);
    dict_ = hepad::io::detail::make_storage(f.type);
  }

  /// Appends `n` rows (or all remaining, if fewer) to `out`; returns the number appended.
  std::size_t read_rows(std::size_t n, column& out) {
    return std::visit([&](auto& ov) { return read_impl(n, out, ov); }, out.data);
  }
  /// Raises if the chunk holds more values than its row group's row count.
  void check_exhausted() {
    while (entry_ == n_entries_ && pos_ < end_)
      if (!std::visit([&](auto& pv) { return load_page(pv); }, page_vals_)) break;
    if (entry_ < n_entries_)
      fail_at(static_cast<std::int64_t>(page_off_), "column chunk holds more values than the row group's num_rows");
  }

 private:
  [[noreturn]] void fail_at(std::int64_t off, const std::string& what) const {
    hepad::io::detail::fail(file_->path(), f_->name, off, what);
  }
  error_site site() const { return {&file_->path(), f_->name, static_cast<std::int64_t>(page_off_)}; }

  template <class T>
  std::size_t read_impl(std::size_t n, column& out, std::vector<T>& ov) {
    auto& pv = std::get<std::vector<T>>(page_vals_);
    const bool list = f_->list;
    std::size_t rows = 0;
    if (list && out.offsets.empty()) out.offsets.push_back(0);
    while (true) {
      if (entry_ == n_entries_) {
        if (rows == n && f_->max_rep == 0) break;
        if (!load_page(pv)) break;
        continue;
      }
      if (f_->max_def == 0 && f_->max_rep == 0) {  // required flat: bulk copy
        if (rows == n) break;
        const std::size_t take = (std::min)(n - rows, n_entries_ - entry_);
        if (lazy_) {
          plain_decode(f_->phys, lazy_p_ + val_ * width(), lazy_e_, take, ov, site());
        } else {
          ov.insert(ov.end(), pv.begin() + static_cast<std::ptrdiff_t>(val_),
                    pv.begin() + static_cast<std::ptrdiff_t>(val_ + take));
        }
        val_ += take;
        entry_ += take;
        rows += take;
        continue;
      }
      const int r = f_->max_rep ? rep_[entry_] : 0;
      const int d = f_->max_def ? def_[entry_] : 0;
      if (r == 0) {
        if (rows == n) break;
        if (rows_left_ <= 0) fail_at(static_cast<std::int64_t>(page_off_), "column chunk holds more rows than the row group's num_rows");
        --rows_left_;
        ++rows;
        if (list) out.offsets.push_back(static_cast<std::int64_t>(ov.size()));
        row_open_ = true;
        if (f_->nullable) out.validity.push_back(1);
      } else if (!row_open_) {
        fail_at(static_cast<std::int64_t>(page_off_), "repetition level 1 at the start of a column chunk");
      }
      if (d == f_->max_def) {
        ov.push_back(pv[val_++]);
        if (list) out.offsets.back() = static_cast<std::int64_t>(ov.size());
      } else if (d < f_->def_top) {
        out.validity.back() = 0;
        if (!list) ov.push_back(T{});
      } else if (list && d < f_->def_list) {
        // empty list: nothing to add
      } else {
        hepad::detail::raise<not_supported>(concat("parquet: file '", file_->path(), "', column '", f_->name,
                                                   "': null elements inside a list are not supported"));
      }
      ++entry_;
    }
    return rows;
  }

  /// Loads the next data page (after any dictionary page); false at the end of the chunk.
  template <class T>
  bool load_page(std::vector<T>& pv) {
    using hepad::io::detail::load_le;
    while (pos_ < end_) {
      page_off_ = pos_;
      // page header: read a window and grow it while the Thrift decoder runs out of bytes
      std::size_t window = static_cast<std::size_t>(std::min<std::uint64_t>(end_ - pos_, 512));
      page_header h;
      std::size_t hdr_len = 0;
      while (true) {
        hdr_.resize(window);
        file_->read_at(pos_, window, hdr_.data(), f_->name);
        thrift_reader tr(hdr_.data(), hdr_.data() + window, file_->path(), f_->name, static_cast<std::int64_t>(pos_));
        try {
          h = read_page_header(tr);
          hdr_len = tr.consumed();
          break;
        } catch (const format_error&) {
          if (!tr.hit_end() || window == end_ - pos_) throw;
          window = static_cast<std::size_t>(std::min<std::uint64_t>(end_ - pos_, std::uint64_t{window} * 8));
        }
      }
      const std::uint64_t body = pos_ + hdr_len;
      if (static_cast<std::uint64_t>(h.compressed_size) > end_ - body)
        fail_at(static_cast<std::int64_t>(pos_), concat("page of ", h.compressed_size, " bytes runs past the end of the column chunk"));
      pos_ = body + static_cast<std::uint64_t>(h.compressed_size);
      raw_.resize(static_cast<std::size_t>(h.compressed_size));
      file_->read_at(body, raw_.size(), raw_.data(), f_->name);
      const auto ptype = static_cast<page_type>(h.type);
      if (ptype == page_type::dictionary_page) {
        if (!h.dict) fail_at(static_cast<std::int64_t>(page_off_), "dictionary page without its header");
        if (h.dict->num_values < 0) fail_at(static_cast<std::int64_t>(page_off_), "negative dictionary size");
        decompress_into(buf_, raw_.data(), raw_.size(), static_cast<std::size_t>(h.uncompressed_size));
        auto& dict = std::get<std::vector<T>>(dict_);
        dict.clear();
        plain_decode(f_->phys, buf_.data(), buf_.data() + buf_.size(), static_cast<std::size_t>(h.dict->num_values),
                     dict, site());
        have_dict_ = true;
        continue;
      }
      if (ptype != page_type::data_page && ptype != page_type::data_page_v2) continue;  // index pages
      const std::uint8_t* p = nullptr;
      const std::uint8_t* e = nullptr;
      std::int32_t nv = 0, enc = 0;
      if (ptype == page_type::data_page) {
        if (!h.v1) fail_at(static_cast<std::int64_t>(page_off_), "data page without its header");
        nv = h.v1->num_values;
        enc = h.v1->encoding;
        check_count(nv);
        if (meta_.codec == codec_uncompressed) {  // use the bytes as read
          if (raw_.size() != static_cast<std::size_t>(h.uncompressed_size))
            fail_at(static_cast<std::int64_t>(page_off_), "uncompressed page size differs from its header");
          p = raw_.data();
          e = p + raw_.size();
        } else {
          decompress_into(buf_, raw_.data(), raw_.size(), static_cast<std::size_t>(h.uncompressed_size));
          p = buf_.data();
          e = p + buf_.size();
        }
        if (f_->max_rep > 0) p = levels_v1(p, e, f_->max_rep, nv, h.v1->rep_encoding, rep_);
        if (f_->max_def > 0) p = levels_v1(p, e, f_->max_def, nv, h.v1->def_encoding, def_);
      } else {
        if (!h.v2) fail_at(static_cast<std::int64_t>(page_off_), "data page v2 without its header");
        const auto& v2 = *h.v2;
        nv = v2.num_values;
        enc = v2.encoding;
        check_count(nv);
        if (v2.rep_bytes < 0 || v2.def_bytes < 0 ||
            static_cast<std::uint64_t>(v2.rep_bytes) + static_cast<std::uint64_t>(v2.def_bytes) > raw_.size() ||
            static_cast<std::int64_t>(v2.rep_bytes) + v2.def_bytes > h.uncompressed_size)
          fail_at(static_cast<std::int64_t>(page_off_), "data page v2 level lengths exceed the page");
        const std::uint8_t* lp = raw_.data();
        if (f_->max_rep > 0) levels(lp, lp + v2.rep_bytes, f_->max_rep, nv, rep_);
        lp += v2.rep_bytes;
        if (f_->max_def > 0) levels(lp, lp + v2.def_bytes, f_->max_def, nv, def_);
        lp += v2.def_bytes;
        const std::size_t lv = static_cast<std::size_t>(v2.rep_bytes) + static_cast<std::size_t>(v2.def_bytes);
        const std::size_t comp = raw_.size() - lv;
        const std::size_t unc = static_cast<std::size_t>(h.uncompressed_size) - lv;
        if (v2.is_compressed && meta_.codec != codec_uncompressed) {
          decompress_into(buf_, lp, comp, unc);
        } else {
          if (comp != unc) fail_at(static_cast<std::int64_t>(page_off_), "uncompressed page v2 size mismatch");
          buf_.assign(lp, lp + comp);
        }
        p = buf_.data();
        e = p + buf_.size();
      }
      std::size_t present = static_cast<std::size_t>(nv);
      if (f_->max_def > 0) {
        present = 0;
        for (std::int32_t i = 0; i < nv; ++i) present += def_[static_cast<std::size_t>(i)] == f_->max_def;
      }
      pv.clear();
      val_ = 0;
      const auto en = static_cast<encoding>(enc);
      lazy_ = false;
      if (en == encoding::plain && width() > 0) {
        // fixed-width PLAIN values are decoded straight into the output when rows are taken
        if (present > static_cast<std::size_t>(e - p) / width())
          fail_at(static_cast<std::int64_t>(page_off_), concat("PLAIN data truncated: ", present, " values of ", width(),
                                                               " bytes need more than the ", e - p, " bytes in the page"));
        lazy_ = true;
        lazy_p_ = p;
        lazy_e_ = e;
        if (f_->max_def > 0 || f_->max_rep > 0) materialize(pv, present);
      } else if (en == encoding::plain) {
        plain_decode(f_->phys, p, e, present, pv, site());
      } else if (en == encoding::plain_dictionary || en == encoding::rle_dictionary) {
        if (!have_dict_) fail_at(static_cast<std::int64_t>(page_off_), "dictionary-encoded page without a dictionary page");
        const auto& dict = std::get<std::vector<T>>(dict_);
        if (present > 0) {
          if (p >= e) fail_at(static_cast<std::int64_t>(page_off_), "dictionary page data truncated");
          const int bw = *p++;
          idx_.resize(present);
          decode_hybrid(p, e, bw, present, idx_.data(), site());
          pv.resize(present);
          for (std::size_t i = 0; i < present; ++i) {
            if (idx_[i] >= dict.size())
              fail_at(static_cast<std::int64_t>(page_off_), concat("dictionary index ", idx_[i], " out of range (dictionary has ",
                                                                   dict.size(), " entries)"));
            pv[i] = dict[idx_[i]];
          }
        }
      } else if (en == encoding::rle && f_->phys == physical::boolean) {
        if constexpr (!std::is_same_v<T, std::string>) {
          if (e - p < 4) fail_at(static_cast<std::int64_t>(page_off_), "RLE boolean data truncated");
          const std::uint32_t len = load_le<std::uint32_t>(p);
          if (len > static_cast<std::size_t>(e - p - 4)) fail_at(static_cast<std::int64_t>(page_off_), "RLE boolean data truncated");
          idx_.resize(present);
          decode_hybrid(p + 4, p + 4 + len, 1, present, idx_.data(), site());
          pv.resize(present);
          for (std::size_t i = 0; i < present; ++i) pv[i] = static_cast<T>(idx_[i]);
        }
      } else {
        hepad::detail::raise<not_supported>(concat("parquet: file '", file_->path(), "', column '", f_->name,
                                                   "', byte offset ", page_off_, ": encoding ", enc,
                                                   " is not supported (hepad reads PLAIN, dictionary and RLE booleans)"));
      }
      n_entries_ = static_cast<std::size_t>(nv);
      entry_ = 0;
      return true;
    }
    return false;
  }

  /// Bytes per PLAIN value of fixed-width physical types (0 for booleans and byte arrays).
  [[nodiscard]] std::size_t width() const noexcept {
    switch (f_->phys) {
      case physical::int32:
      case physical::float_: return 4;
      case physical::int64:
      case physical::double_: return 8;
      default: return 0;
    }
  }
  /// Decodes the lazily kept PLAIN values of the page into `pv` (for the level-driven path).
  template <class T>
  void materialize(std::vector<T>& pv, std::size_t present) {
    pv.clear();
    plain_decode(f_->phys, lazy_p_, lazy_e_, present, pv, site());
    lazy_ = false;
  }

  void check_count(std::int32_t nv) const {
    if (nv < 0 || nv > (1 << 24) || static_cast<std::int64_t>(nv) > meta_.num_values)
      fail_at(static_cast<std::int64_t>(page_off_),
              concat("page declares ", nv, " values (column chunk has ", meta_.num_values, ")"));
  }
  void decompress_into(std::vector<std::uint8_t>& out, const std::uint8_t* src, std::size_t n, std::size_t size) {
    if (size > (std::size_t{1} << 31)) fail_at(static_cast<std::int64_t>(page_off_), "page larger than 2 GiB");
    if (!plausible_size(meta_.codec, src, n, size))
      fail_at(static_cast<std::int64_t>(page_off_), concat("corrupt page: ", n, " bytes of ", codec_name(meta_.codec),
                                                           " data cannot hold the declared ", size, " bytes"));
    out.resize(size);
    decompress(meta_.codec, src, n, out.data(), size, file_->path(), f_->name, static_cast<std::int64_t>(page_off_));
  }
  /// v1 levels: 4-byte length + hybrid; returns the position after them.
  const std::uint8_t* levels_v1(const std::uint8_t* p, const std::uint8_t* e, int max_level, std::int32_t nv,
                                std::int32_t enc, std::vector<std::uint8_t>& out) {
    if (enc != static_cast<std::int32_t>(encoding::rle))
      fail_at(static_cast<std::int64_t>(page_off_), concat("level encoding ", enc, " is not supported (only RLE)"));
    if (e - p < 4) fail_at(static_cast<std::int64_t>(page_off_), "levels truncated");
    const std::uint32_t len = hepad::io::detail::load_le<std::uint32_t>(p);
    p += 4;
    if (len > static_cast<std::size_t>(e - p)) fail_at(static_cast<std::int64_t>(page_off_), "levels run past the page");
    levels(p, p + len, max_level, nv, out);
    return p + len;
  }
  void levels(const std::uint8_t* p, const std::uint8_t* e, int max_level, std::int32_t nv, std::vector<std::uint8_t>& out) {
    out.resize(static_cast<std::size_t>(nv));
    decode_hybrid(p, e, bit_width_of(static_cast<std::uint64_t>(max_level)), out.size(), out.data(), site());
    for (auto v : out)
      if (v > max_level) fail_at(static_cast<std::int64_t>(page_off_), concat("level ", int(v), " exceeds the maximum ", max_level));
  }

  const hepad::io::detail::input_file* file_;
  const field* f_;
  column_meta meta_;
  std::int64_t rows_left_;
  std::uint64_t pos_ = 0, end_ = 0, page_off_ = 0;
  std::vector<std::uint8_t> hdr_, raw_, buf_, rep_, def_;
  std::vector<std::uint32_t> idx_;
  column_data page_vals_, dict_;
  bool have_dict_ = false, row_open_ = false, lazy_ = false;
  const std::uint8_t* lazy_p_ = nullptr;
  const std::uint8_t* lazy_e_ = nullptr;
  std::size_t n_entries_ = 0, entry_ = 0, val_ = 0;
};

}  // namespace detail

/// Reads a Parquet file: metadata at construction, columns on demand, whole or in chunks.
class reader {
 public:
  /// Opens `path` and parses its footer and schema.
  /// @throws hepad::io_error if it cannot be opened, hepad::format_error if it is not valid Parquet.
  explicit reader(const std::filesystem::path& path) : file_(path) {
    using namespace parquet::detail;
    const auto& p = file_.path();
    const std::uint64_t size = file_.size();
    if (size < 12) hepad::io::detail::fail(p, "", 0, concat("not a Parquet file: only ", size, " bytes"));
    std::uint8_t tail[8], head[4];
    file_.read_at(0, 4, head);
    file_.read_at(size - 8, 8, tail);
    if (std::memcmp(head, "PAR1", 4) != 0) hepad::io::detail::fail(p, "", 0, "not a Parquet file: no 'PAR1' magic at the start");
    if (std::memcmp(tail + 4, "PAR1", 4) != 0)
      hepad::io::detail::fail(p, "", static_cast<std::int64_t>(size - 4),
                              "no 'PAR1' magic at the end (truncated file, or an encrypted 'PARE' file)");
    const std::uint32_t len = hepad::io::detail::load_le<std::uint32_t>(tail);
    if (len > size - 12)
      hepad::io::detail::fail(p, "", static_cast<std::int64_t>(size - 8),
                              concat("footer length ", len, " exceeds the file size ", size));
    footer_offset_ = size - 8 - len;
    auto bytes = file_.read(footer_offset_, len, "footer");
    thrift_reader r(bytes.data(), bytes.data() + bytes.size(), p, "footer", static_cast<std::int64_t>(footer_offset_));
    meta_ = read_file_metadata(r);
    build_fields();
    check_row_groups();
  }

  /// Path of the file.
  [[nodiscard]] const std::string& path() const noexcept { return file_.path(); }
  /// Number of rows (sum of the row groups' row counts).
  [[nodiscard]] std::size_t n_rows() const noexcept { return n_rows_; }
  [[nodiscard]] std::size_t n_row_groups() const noexcept { return meta_.row_groups.size(); }
  [[nodiscard]] std::size_t row_group_rows(std::size_t g) const {
    return static_cast<std::size_t>(meta_.row_groups.at(g).num_rows);
  }
  /// The top-level columns.
  [[nodiscard]] const std::vector<field>& fields() const noexcept { return fields_; }
  /// The column called `name`. @throws hepad::out_of_range.
  [[nodiscard]] const field& field_named(std::string_view name) const { return fields_[index_of(name)]; }
  /// Key/value metadata of the file.
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& metadata() const noexcept { return meta_.key_value; }
  /// The writer's `created_by` string.
  [[nodiscard]] const std::string& created_by() const noexcept { return meta_.created_by; }

  /// Reads the listed columns (all if empty) of every row group. Columns are decoded in parallel on
  /// `threads` threads (result independent of the count).
  /// @throws hepad::out_of_range for an unknown name, hepad::not_supported for an unsupported
  /// column, hepad::format_error for corrupt data.
  [[nodiscard]] record_batch read(const std::vector<std::string>& columns = {}, int threads = 1) const {
    const auto sel = selection(columns);
    std::vector<column> cols(sel.size());
    for (std::size_t j = 0; j < sel.size(); ++j) cols[j] = make_empty_column(fields_[sel[j]].name, fields_[sel[j]].type, fields_[sel[j]].list);
    auto work = [&](std::int64_t j) {
      const field& f = fields_[sel[static_cast<std::size_t>(j)]];
      column& c = cols[static_cast<std::size_t>(j)];
      reserve(c, f);
      for (std::size_t g = 0; g < meta_.row_groups.size(); ++g) {
        const auto& rg = meta_.row_groups[g];
        parquet::detail::column_cursor cur(file_, f, rg.columns[f.leaf].meta, rg.num_rows);
        const auto want = static_cast<std::size_t>(rg.num_rows);
        const std::size_t got = cur.read_rows(want, c);
        finish_group(cur, f, g, got, want);
      }
      finalize(c);
    };
    if (threads > 1 && sel.size() > 1) {
      thread_pool pool(threads);
      pool.run(static_cast<std::int64_t>(sel.size()), work);
    } else {
      for (std::size_t j = 0; j < sel.size(); ++j) work(static_cast<std::int64_t>(j));
    }
    record_batch out;
    for (auto& c : cols) out.add(std::move(c));
    return out;
  }

  /// Reads the listed columns (all if empty) of row group `g`.
  [[nodiscard]] record_batch read_row_group(std::size_t g, const std::vector<std::string>& columns = {}) const {
    if (g >= meta_.row_groups.size())
      detail_raise_range(concat("parquet::reader: row group ", g, " of ", meta_.row_groups.size()));
    const auto sel = selection(columns);
    record_batch out;
    const auto& rg = meta_.row_groups[g];
    for (auto j : sel) {
      const field& f = fields_[j];
      column c = make_empty_column(f.name, f.type, f.list);
      parquet::detail::column_cursor cur(file_, f, rg.columns[f.leaf].meta, rg.num_rows);
      const auto want = static_cast<std::size_t>(rg.num_rows);
      finish_group(cur, f, g, cur.read_rows(want, c), want);
      finalize(c);
      out.add(std::move(c));
    }
    return out;
  }

  /// Starts chunked reading of the listed columns (all if empty) from the first row.
  void select(const std::vector<std::string>& columns, chunk_size chunk = {.events = 65536}) {
    sel_ = selection(columns);
    chunk_ = chunk;
    group_ = 0;
    cursors_.clear();
    group_left_ = 0;
    started_ = true;
    done_ = false;
    // decoded bytes per row, from the first row group's value counts
    row_bytes_ = 0;
    for (auto j : sel_) {
      const field& f = fields_[j];
      std::size_t per = f.type == dtype::string ? 32 : dtype_size(f.type);
      if (f.list && !meta_.row_groups.empty() && meta_.row_groups[0].num_rows > 0) {
        const auto& m = meta_.row_groups[0].columns[f.leaf].meta;
        per = per * static_cast<std::size_t>(m.num_values) / static_cast<std::size_t>(meta_.row_groups[0].num_rows) + 8;
      }
      row_bytes_ += per;
    }
  }
  /// The next chunk of the selection (all columns with the default chunk size if `select` was not
  /// called), or nullopt at the end.
  [[nodiscard]] std::optional<record_batch> next() {
    if (!started_) select({});
    if (done_) return std::nullopt;
    std::vector<column> cols;
    for (auto j : sel_) cols.push_back(make_empty_column(fields_[j].name, fields_[j].type, fields_[j].list));
    const std::size_t want = chunk_.rows_for(row_bytes_, n_rows_);
    std::size_t have = 0;
    while (have < want) {
      if (group_left_ == 0) {
        if (!cursors_.empty()) {
          for (std::size_t k = 0; k < cursors_.size(); ++k) cursors_[k]->check_exhausted();
          cursors_.clear();
          ++group_;
        }
        while (group_ < meta_.row_groups.size() && meta_.row_groups[group_].num_rows == 0) ++group_;
        if (group_ >= meta_.row_groups.size()) break;
        const auto& rg = meta_.row_groups[group_];
        for (auto j : sel_)
          cursors_.push_back(std::make_unique<parquet::detail::column_cursor>(file_, fields_[j], rg.columns[fields_[j].leaf].meta,
                                                                              rg.num_rows));
        group_left_ = static_cast<std::size_t>(rg.num_rows);
      }
      const std::size_t k = (std::min)(want - have, group_left_);
      for (std::size_t c = 0; c < sel_.size(); ++c) {
        const std::size_t got = cursors_[c]->read_rows(k, cols[c]);
        if (got != k)
          hepad::io::detail::fail(path(), fields_[sel_[c]].name, -1,
                                  concat("row group ", group_, ": column chunk ends after ", got + (row_group_rows(group_) - group_left_),
                                         " rows, the row group has ", row_group_rows(group_)));
      }
      group_left_ -= k;
      have += k;
    }
    if (have == 0) {
      done_ = true;
      return std::nullopt;
    }
    record_batch out;
    for (auto& c : cols) {
      finalize(c);
      out.add(std::move(c));
    }
    return out;
  }

 private:
  [[noreturn]] static void detail_raise_range(const std::string& s) { hepad::detail::raise<out_of_range>(s); }
  static std::string concat_path(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ".") + x;
    return s;
  }
  template <class... A>
  static std::string concat(const A&... a) { return hepad::detail::concat(a...); }

  void finish_group(parquet::detail::column_cursor& cur, const field& f, std::size_t g, std::size_t got,
                    std::size_t want) const {
    if (got != want)
      hepad::io::detail::fail(path(), f.name, -1,
                              concat("row group ", g, ": column chunk ends after ", got, " rows, the row group has ", want));
    cur.check_exhausted();
  }
  static void finalize(column& c) {
    if (!c.validity.empty()) {
      bool all = true;
      for (auto v : c.validity) all = all && v;
      if (all) c.validity.clear();
    }
    if (c.is_list() && c.offsets.size() == 1 && c.n_elements() == 0) return;
  }
  void reserve(column& c, const field& f) const {
    std::size_t vals = 0;
    for (const auto& rg : meta_.row_groups) {
      const auto& m = rg.columns[f.leaf].meta;
      const std::size_t per = std::max<std::size_t>(1, f.type == dtype::string ? 4 : dtype_size(f.type));
      // bounded by what the pages could hold, so a corrupt footer cannot force a huge allocation
      vals += (std::min)(static_cast<std::size_t>(m.num_values), 8 * static_cast<std::size_t>(m.total_uncompressed_size) / per + 1);
    }
    std::visit([&](auto& v) { hepad::io::detail::reserve_large(v, vals); }, c.data);
  }

  [[nodiscard]] std::size_t index_of(std::string_view name) const {
    for (std::size_t i = 0; i < fields_.size(); ++i)
      if (fields_[i].name == name) return i;
    detail_raise_range(concat("parquet: file '", path(), "' has no column '", name, "'"));
  }
  [[nodiscard]] std::vector<std::size_t> selection(const std::vector<std::string>& columns) const {
    std::vector<std::size_t> sel;
    if (columns.empty()) {
      for (std::size_t i = 0; i < fields_.size(); ++i) sel.push_back(i);
    } else {
      for (const auto& n : columns) sel.push_back(index_of(n));
    }
    for (auto i : sel)
      if (!fields_[i].supported)
        hepad::detail::raise<not_supported>(concat("parquet: file '", path(), "', column '", fields_[i].name,
                                                   "': ", fields_[i].reason, " (select other columns)"));
    return sel;
  }

  struct node {
    std::size_t elem;
    std::vector<std::size_t> children;
  };

  void build_fields() {
    using namespace parquet::detail;
    const auto& s = meta_.schema;
    // rebuild the tree from the depth-first list
    nodes_.clear();
    nodes_.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) nodes_.push_back({i, {}});
    std::size_t next = 1;
    build_node(0, next, 0);
    if (next != s.size()) fail_schema(concat("schema has ", s.size(), " elements but the tree uses ", next));
    std::size_t leaf = 0;
    for (auto ci : nodes_[0].children) {
      field f;
      f.name = s[ci].name;
      const std::size_t first_leaf = leaf;
      count_leaves(ci, leaf);
      f.leaf = first_leaf;
      f.n_leaves = leaf - first_leaf;
      describe(ci, f);
      fields_.push_back(std::move(f));
    }
    n_leaves_ = leaf;
  }
  void build_node(std::size_t i, std::size_t& next, int depth) {
    const auto& e = meta_.schema[i];
    if (depth > 32) fail_schema("schema nested deeper than 32 levels");
    if (i > 0 && e.num_children == 0 && !e.type) fail_schema(concat("schema element '", e.name, "' has neither type nor children"));
    for (std::int32_t c = 0; c < e.num_children; ++c) {
      if (next >= meta_.schema.size()) fail_schema(concat("schema element '", e.name, "' declares more children than exist"));
      const std::size_t child = next++;
      nodes_[i].children.push_back(child);
      build_node(child, next, depth + 1);
    }
  }
  void count_leaves(std::size_t i, std::size_t& leaf) const {
    if (nodes_[i].children.empty()) ++leaf;
    for (auto c : nodes_[i].children) count_leaves(c, leaf);
  }
  [[noreturn]] void fail_schema(const std::string& what) const {
    hepad::io::detail::fail(path(), "schema", static_cast<std::int64_t>(footer_offset_), what);
  }

  static int def_inc(const parquet::detail::schema_element& e) {
    return e.rep && *e.rep != parquet::detail::repetition::required ? 1 : 0;
  }
  /// Classifies a top-level field: flat primitive, or list of primitives.
  void describe(std::size_t top, field& f) const {
    using namespace parquet::detail;
    const auto& s = meta_.schema;
    const auto& te = s[top];
    auto unsupported = [&](std::string why) {
      f.supported = false;
      f.reason = std::move(why);
    };
    std::size_t leaf_node = top;
    const bool top_repeated = te.rep && *te.rep == repetition::repeated;
    f.nullable = te.rep && *te.rep == repetition::optional;
    f.def_top = def_inc(te);
    if (nodes_[top].children.empty()) {
      if (top_repeated) {  // bare repeated primitive = list of required elements
        f.list = true;
        f.def_top = 0;
        f.def_list = 1;
      }
    } else {
      if (top_repeated) return unsupported("repeated groups are not supported");
      if (nodes_[top].children.size() != 1) return unsupported("structs are not supported");
      const std::size_t mid = nodes_[top].children[0];
      const auto& me = s[mid];
      if (!me.rep || *me.rep != repetition::repeated) return unsupported("structs are not supported");
      f.list = true;
      f.def_list = f.def_top + 1;
      if (nodes_[mid].children.empty()) {
        leaf_node = mid;  // 2-level list
      } else {
        if (nodes_[mid].children.size() != 1) return unsupported("lists of structs are not supported");
        leaf_node = nodes_[mid].children[0];
        if (!nodes_[leaf_node].children.empty()) return unsupported("nested lists and lists of structs are not supported");
        if (s[leaf_node].rep && *s[leaf_node].rep == repetition::repeated) return unsupported("nested lists are not supported");
      }
    }
    // levels along the path
    f.max_def = 0;
    f.max_rep = 0;
    for (std::size_t n = top;;) {
      f.max_def += def_inc(s[n]);
      if (s[n].rep && *s[n].rep == repetition::repeated) ++f.max_rep;
      if (n == leaf_node) break;
      n = nodes_[n].children[0];
    }
    const auto& le = s[leaf_node];
    if (!le.type) return unsupported("leaf without a physical type");
    f.phys = *le.type;
    const int ct = le.converted_type.value_or(-1);
    const int bw = le.int_bit_width;
    const bool uns = (bw > 0 && !le.int_signed) || ct == ct_uint_8 || ct == ct_uint_16 || ct == ct_uint_32 || ct == ct_uint_64;
    switch (f.phys) {
      case physical::boolean: f.type = dtype::boolean; break;
      case physical::int32:
        if (bw == 8 || ct == ct_int_8 || ct == ct_uint_8) f.type = uns ? dtype::uint8 : dtype::int8;
        else if (bw == 16 || ct == ct_int_16 || ct == ct_uint_16) f.type = uns ? dtype::uint16 : dtype::int16;
        else f.type = uns ? dtype::uint32 : dtype::int32;
        break;
      case physical::int64: f.type = uns ? dtype::uint64 : dtype::int64; break;
      case physical::float_: f.type = dtype::float32; break;
      case physical::double_: f.type = dtype::float64; break;
      case physical::byte_array: f.type = dtype::string; break;
      case physical::int96: return unsupported("INT96 timestamps are not supported");
      case physical::fixed_len_byte_array: return unsupported("FIXED_LEN_BYTE_ARRAY is not supported");
    }
    if (f.max_def > 255) return unsupported("too deeply nested");
  }

  void check_row_groups() {
    using namespace parquet::detail;
    const std::uint64_t data_end = footer_offset_;
    n_rows_ = 0;
    for (std::size_t g = 0; g < meta_.row_groups.size(); ++g) {
      const auto& rg = meta_.row_groups[g];
      if (rg.num_rows < 0) hepad::io::detail::fail(path(), "footer", static_cast<std::int64_t>(footer_offset_), concat("row group ", g, " has a negative row count"));
      if (rg.columns.size() != n_leaves_)
        hepad::io::detail::fail(path(), "footer", static_cast<std::int64_t>(footer_offset_),
                                concat("row group ", g, " has ", rg.columns.size(), " column chunks, the schema has ", n_leaves_,
                                       " leaf columns"));
      for (const auto& f : fields_) {
        if (!f.supported) continue;
        const auto& cc = rg.columns[f.leaf];
        if (!cc.has_meta) hepad::io::detail::fail(path(), f.name, static_cast<std::int64_t>(footer_offset_), concat("row group ", g, ": column chunk without metadata"));
        if (cc.has_file_path) hepad::detail::raise<not_supported>(concat("parquet: file '", path(), "', column '", f.name, "': column data in another file"));
        const auto& m = cc.meta;
        if (m.type != f.phys)
          hepad::io::detail::fail(path(), f.name, static_cast<std::int64_t>(footer_offset_),
                                  concat("row group ", g, ": column chunk type ", static_cast<int>(m.type),
                                         " differs from the schema's ", static_cast<int>(f.phys)));
        const std::int64_t start = m.dictionary_page_offset && *m.dictionary_page_offset > 0
                                       ? (std::min)(*m.dictionary_page_offset, m.data_page_offset)
                                       : m.data_page_offset;
        if (start < 4 || m.total_compressed_size < 0 || m.num_values < 0 ||
            static_cast<std::uint64_t>(start) + static_cast<std::uint64_t>(m.total_compressed_size) > data_end)
          hepad::io::detail::fail(path(), f.name, start,
                                  concat("row group ", g, ": column chunk [", start, ", +", m.total_compressed_size,
                                         ") lies outside the data section [4, ", data_end, ")"));
      }
      n_rows_ += static_cast<std::size_t>(rg.num_rows);
    }
    if (static_cast<std::int64_t>(n_rows_) != meta_.num_rows)
      hepad::io::detail::fail(path(), "footer", static_cast<std::int64_t>(footer_offset_),
                              concat("num_rows ", meta_.num_rows, " differs from the sum of the row groups' rows ", n_rows_));
  }

  hepad::io::detail::input_file file_;
  parquet::detail::file_metadata meta_;
  std::uint64_t footer_offset_ = 0;
  std::vector<node> nodes_;
  std::vector<field> fields_;
  std::size_t n_leaves_ = 0, n_rows_ = 0;
  // chunked reading
  std::vector<std::size_t> sel_;
  chunk_size chunk_{};
  std::size_t group_ = 0, group_left_ = 0, row_bytes_ = 0;
  std::vector<std::unique_ptr<parquet::detail::column_cursor>> cursors_;
  bool started_ = false, done_ = false;
};

/// Reads the listed columns (all if empty) of the Parquet file at `path`.
[[nodiscard]] inline record_batch read(const std::filesystem::path& path, const std::vector<std::string>& columns = {},
                                       int threads = 1) {
  return reader(path).read(columns, threads);
}

}  // namespace hepad::io::parquet

#endif  // HEPAD_IO_PARQUET_READER_HPP
