// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: parquet
/// @file hepad/io/parquet/writer.hpp
/// @brief `hepad::io::parquet::writer` and `write()`: Parquet files without Arrow (component
/// hepad::parquet): typed flat columns (REQUIRED, or OPTIONAL when the column has nulls) and list
/// columns (3-level LIST) for jagged data; PLAIN or dictionary (RLE_DICTIONARY) encoding; v1 data
/// pages; UNCOMPRESSED, SNAPPY (default), GZIP or ZSTD; several row groups for streaming output.
/// Files are written atomically (temporary file renamed on `close()`).
///
/// Not here: reading (io/parquet/reader.hpp); statistics, page indexes, bloom filters, nested
/// structs and maps (not written).
#ifndef HEPAD_IO_PARQUET_WRITER_HPP
#define HEPAD_IO_PARQUET_WRITER_HPP

#include <hepad/core/atomic_file.hpp>
#include <hepad/core/error.hpp>
#include <hepad/io/column.hpp>
#include <hepad/io/parquet/detail/codec.hpp>
#include <hepad/io/parquet/detail/encoding.hpp>
#include <hepad/io/parquet/detail/metadata.hpp>
#include <hepad/io/record_batch.hpp>
#include <hepad/version.hpp>

#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace hepad::io::parquet {

/// Page compression.
enum class compression : std::uint8_t { uncompressed, snappy, gzip, zstd };

/// When to dictionary-encode a column chunk.
enum class dictionary_mode : std::uint8_t {
  off,        ///< always PLAIN
  automatic,  ///< dictionary when it has at most half as many entries as there are values
  always      ///< dictionary for every column except booleans
};

/// Options of the Parquet writer.
struct write_options {
  parquet::compression compression = compression::snappy;  ///< page codec
  int compression_level = 0;          ///< codec level (0: the codec's default)
  std::size_t row_group_rows = 1u << 20;  ///< maximum rows per row group (larger batches are split)
  std::size_t page_bytes = 1u << 20;  ///< target uncompressed bytes per data page
  dictionary_mode dictionary = dictionary_mode::automatic;  ///< dictionary encoding policy
  int data_page_version = 1;  ///< 1: DATA_PAGE (most compatible); 2: DATA_PAGE_V2 (levels uncompressed, RLE booleans)
  std::vector<std::pair<std::string, std::string>> metadata = {};  ///< key/value metadata of the file
  static constexpr std::string_view name = "parquet_write_options";
};

namespace detail {

[[nodiscard]] inline std::int32_t codec_id(compression c) noexcept {
  switch (c) {
    case compression::uncompressed: return codec_uncompressed;
    case compression::snappy: return codec_snappy;
    case compression::gzip: return codec_gzip;
    case compression::zstd: return codec_zstd;
  }
  return codec_uncompressed;
}

/// Physical type and annotations of a dtype.
inline void describe_leaf(dtype t, schema_element& e) {
  switch (t) {
    case dtype::boolean: e.type = physical::boolean; break;
    case dtype::int8: e.type = physical::int32; e.converted_type = ct_int_8; e.int_bit_width = 8; break;
    case dtype::uint8: e.type = physical::int32; e.converted_type = ct_uint_8; e.int_bit_width = 8; e.int_signed = false; break;
    case dtype::int16: e.type = physical::int32; e.converted_type = ct_int_16; e.int_bit_width = 16; break;
    case dtype::uint16: e.type = physical::int32; e.converted_type = ct_uint_16; e.int_bit_width = 16; e.int_signed = false; break;
    case dtype::int32: e.type = physical::int32; break;
    case dtype::uint32: e.type = physical::int32; e.converted_type = ct_uint_32; e.int_bit_width = 32; e.int_signed = false; break;
    case dtype::int64: e.type = physical::int64; break;
    case dtype::uint64: e.type = physical::int64; e.converted_type = ct_uint_64; e.int_bit_width = 64; e.int_signed = false; break;
    case dtype::float32: e.type = physical::float_; break;
    case dtype::float64: e.type = physical::double_; break;
    case dtype::string: e.type = physical::byte_array; e.converted_type = ct_utf8; e.logical_string = true; break;
  }
}

/// Appends PLAIN encodings of the selected elements `idx` of `v`.
template <class T>
inline void plain_encode(const std::vector<T>& v, dtype t, const std::uint32_t* idx, std::size_t n,
                         std::vector<std::uint8_t>& out) {
  using hepad::io::detail::store_le;
  if constexpr (std::is_same_v<T, std::string>) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto& s = v[idx[i]];
      store_le(out, static_cast<std::uint32_t>(s.size()));
      out.insert(out.end(), s.begin(), s.end());
    }
  } else {
    if (t == dtype::boolean) {
      const std::size_t base = out.size();
      out.resize(base + (n + 7) / 8, 0);
      for (std::size_t i = 0; i < n; ++i)
        if (v[idx[i]]) out[base + (i >> 3)] |= static_cast<std::uint8_t>(1u << (i & 7));
    } else if constexpr (sizeof(T) < 4) {
      for (std::size_t i = 0; i < n; ++i) store_le(out, static_cast<std::int32_t>(v[idx[i]]));
    } else {
      const std::size_t base = out.size();
      out.resize(base + n * sizeof(T));
      auto* dst = out.data() + base;
      for (std::size_t i = 0; i < n; ++i) std::memcpy(dst + i * sizeof(T), &v[idx[i]], sizeof(T));
    }
  }
}

/// Key for dictionary building: the value's bytes (so that -0.0/0.0 and NaN payloads stay distinct).
template <class T>
[[nodiscard]] inline auto dict_key(const T& x) {
  if constexpr (std::is_same_v<T, std::string>) {
    return std::string_view(x);
  } else if constexpr (sizeof(T) == 8) {
    return std::bit_cast<std::uint64_t>(x);
  } else if constexpr (sizeof(T) == 4) {
    return std::bit_cast<std::uint32_t>(x);
  } else if constexpr (sizeof(T) == 2) {
    return std::bit_cast<std::uint16_t>(x);
  } else {
    return static_cast<std::uint8_t>(x);
  }
}

}  // namespace detail

/// Streams record batches into one Parquet file. The first `write` fixes the schema (column names,
/// types, list-ness, nullability); later batches must match it. Nothing appears at `path` until
/// `close()`; destroying an unclosed writer discards the output.
class writer {
 public:
  /// @throws hepad::io_error if the directory is not writable.
  explicit writer(std::filesystem::path path, write_options opts = {})
      : file_(std::move(path)), opts_(std::move(opts)) {
    if (opts_.row_group_rows == 0) throw_invalid_argument("parquet::writer", "row_group_rows must be positive");
    if (opts_.page_bytes == 0) throw_invalid_argument("parquet::writer", "page_bytes must be positive");
    if (opts_.data_page_version != 1 && opts_.data_page_version != 2)
      throw_invalid_argument("parquet::writer", hepad::detail::concat("data_page_version must be 1 or 2, got ", opts_.data_page_version));
    put("PAR1", 4);
  }
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;

  /// Writes `batch` as one or more row groups.
  /// @throws hepad::invalid_argument if the columns differ from the first batch's.
  void write(const record_batch& batch) {
    if (closed_) throw_invalid_argument("parquet::writer::write", "the writer is closed");
    if (!schema_set_) set_schema(batch);
    check_schema(batch);
    for (std::size_t r0 = 0; r0 < batch.n_rows(); r0 += opts_.row_group_rows)
      write_row_group(batch, r0, (std::min)(batch.n_rows(), r0 + opts_.row_group_rows));
  }

  /// Writes the footer and renames the file into place. A writer that never saw a batch writes a
  /// file with an empty schema. @throws hepad::io_error on failure.
  void close() {
    if (closed_) return;
    meta_.num_rows = static_cast<std::int64_t>(rows_);
    if (meta_.schema.empty()) {
      parquet::detail::schema_element root;
      root.name = "schema";
      meta_.schema.push_back(root);
    }
    meta_.created_by = hepad::detail::concat("hepad version ", HEPAD_VERSION_MAJOR, ".", HEPAD_VERSION_MINOR, ".",
                                             HEPAD_VERSION_PATCH);
    meta_.key_value = opts_.metadata;
    const auto footer = parquet::detail::write_file_metadata(meta_);
    put(footer.data(), footer.size());
    std::uint8_t len[4];
    const auto n = static_cast<std::uint32_t>(footer.size());
    for (int i = 0; i < 4; ++i) len[i] = static_cast<std::uint8_t>(n >> (8 * i));
    put(len, 4);
    put("PAR1", 4);
    file_.commit();
    closed_ = true;
  }

  /// Rows written so far.
  [[nodiscard]] std::size_t rows_written() const noexcept { return rows_; }

 private:
  struct leaf_info {
    std::string name;
    dtype type;
    bool list, nullable;
  };

  void put(const void* p, std::size_t n) {
    file_.write(p, n);
    offset_ += n;
  }

  void set_schema(const record_batch& b) {
    using namespace parquet::detail;
    schema_element root;
    root.name = "schema";
    root.num_children = static_cast<std::int32_t>(b.n_columns());
    meta_.schema.push_back(root);
    for (const auto& c : b.columns()) {
      leaves_.push_back({c.name, c.type, c.is_list(), c.nullable()});
      const auto rep = c.nullable() ? repetition::optional : repetition::required;
      if (c.is_list()) {
        schema_element g;
        g.name = c.name;
        g.rep = rep;
        g.num_children = 1;
        g.converted_type = ct_list;
        g.logical_list = true;
        schema_element l;
        l.name = "list";
        l.rep = repetition::repeated;
        l.num_children = 1;
        schema_element e;
        e.name = "element";
        e.rep = repetition::required;
        describe_leaf(c.type, e);
        meta_.schema.push_back(g);
        meta_.schema.push_back(l);
        meta_.schema.push_back(e);
      } else {
        schema_element e;
        e.name = c.name;
        e.rep = rep;
        describe_leaf(c.type, e);
        meta_.schema.push_back(e);
      }
    }
    schema_set_ = true;
  }

  void check_schema(const record_batch& b) const {
    if (b.n_columns() != leaves_.size())
      throw_invalid_argument("parquet::writer::write",
                             hepad::detail::concat("batch has ", b.n_columns(), " columns, the file has ", leaves_.size()));
    for (std::size_t j = 0; j < leaves_.size(); ++j) {
      const auto& c = b.columns()[j];
      const auto& l = leaves_[j];
      if (c.name != l.name || c.type != l.type || c.is_list() != l.list || (c.nullable() && !l.nullable))
        throw_invalid_argument("parquet::writer::write",
                               hepad::detail::concat("column ", j, " ('", c.name, "', ", dtype_name(c.type),
                                                     c.is_list() ? " list" : "", ") does not match the file's column '",
                                                     l.name, "' (", dtype_name(l.type), l.list ? " list" : "", ")"));
      c.check();
    }
  }

  void write_row_group(const record_batch& b, std::size_t r0, std::size_t r1) {
    parquet::detail::row_group g;
    g.num_rows = static_cast<std::int64_t>(r1 - r0);
    for (std::size_t j = 0; j < leaves_.size(); ++j) {
      g.columns.push_back(write_chunk(b.columns()[j], leaves_[j], r0, r1));
      g.total_byte_size += g.columns.back().meta.total_uncompressed_size;
    }
    meta_.row_groups.push_back(std::move(g));
    rows_ += r1 - r0;
  }

  /// Writes one page (header + compressed body); returns {uncompressed, compressed} sizes incl. header.
  std::pair<std::int64_t, std::int64_t> write_page(parquet::detail::page_header h, const std::vector<std::uint8_t>& body) {
    const std::int32_t codec = parquet::detail::codec_id(opts_.compression);
    auto packed = parquet::detail::compress(codec, body.data(), body.size(), opts_.compression_level,
                                            file_.path().string());
    if (body.size() > INT32_MAX || packed.size() > INT32_MAX)
      hepad::detail::raise<not_supported>("parquet::writer: a page exceeds 2 GiB; lower page_bytes");
    h.uncompressed_size = static_cast<std::int32_t>(body.size());
    h.compressed_size = static_cast<std::int32_t>(packed.size());
    const auto hdr = parquet::detail::write_page_header(h);
    put(hdr.data(), hdr.size());
    put(packed.data(), packed.size());
    return {static_cast<std::int64_t>(hdr.size() + body.size()), static_cast<std::int64_t>(hdr.size() + packed.size())};
  }

  /// Writes one v2 data page: levels stored as they are, values compressed.
  std::pair<std::int64_t, std::int64_t> write_page_v2(parquet::detail::page_header h, const std::vector<std::uint8_t>& levels,
                                                      const std::vector<std::uint8_t>& values) {
    const std::int32_t codec = parquet::detail::codec_id(opts_.compression);
    auto packed = parquet::detail::compress(codec, values.data(), values.size(), opts_.compression_level,
                                            file_.path().string());
    if (levels.size() + values.size() > INT32_MAX || levels.size() + packed.size() > INT32_MAX)
      hepad::detail::raise<not_supported>("parquet::writer: a page exceeds 2 GiB; lower page_bytes");
    h.uncompressed_size = static_cast<std::int32_t>(levels.size() + values.size());
    h.compressed_size = static_cast<std::int32_t>(levels.size() + packed.size());
    h.v2->is_compressed = codec != parquet::detail::codec_uncompressed;
    const auto hdr = parquet::detail::write_page_header(h);
    put(hdr.data(), hdr.size());
    put(levels.data(), levels.size());
    put(packed.data(), packed.size());
    return {static_cast<std::int64_t>(hdr.size()) + h.uncompressed_size, static_cast<std::int64_t>(hdr.size()) + h.compressed_size};
  }

  parquet::detail::column_chunk write_chunk(const column& c, const leaf_info& l, std::size_t r0, std::size_t r1) {
    using namespace parquet::detail;
    column_chunk cc;
    column_meta& m = cc.meta;
    schema_element tmp;
    tmp.type = physical::double_;
    describe_leaf(c.type, tmp);
    m.type = tmp.type.value_or(physical::double_);
    m.codec = codec_id(opts_.compression);
    m.path = l.list ? std::vector<std::string>{l.name, "list", "element"} : std::vector<std::string>{l.name};
    const int max_rep = l.list ? 1 : 0;
    const int max_def = (l.nullable ? 1 : 0) + (l.list ? 1 : 0);

    // Level entries and the element index of every present value, row by row.
    std::vector<std::uint32_t> rep, def, vidx;
    std::vector<std::size_t> row_entry;  // first entry of each row (+ end)
    std::vector<std::size_t> row_value;  // first value of each row (+ end)
    row_entry.reserve(r1 - r0 + 1);
    row_value.reserve(r1 - r0 + 1);
    const bool simple = max_def == 0 && max_rep == 0;
    if (simple) {
      vidx.resize(r1 - r0);
      for (std::size_t i = r0; i < r1; ++i) vidx[i - r0] = static_cast<std::uint32_t>(i);
    } else {
      for (std::size_t i = r0; i < r1; ++i) {
        row_entry.push_back(def.size());
        row_value.push_back(vidx.size());
        const bool valid = c.is_valid(i);
        if (!l.list) {
          def.push_back(valid ? 1u : 0u);
          if (valid) vidx.push_back(static_cast<std::uint32_t>(i));
          continue;
        }
        const auto d_top = static_cast<std::uint32_t>(l.nullable ? 1 : 0);
        const auto e0 = static_cast<std::size_t>(c.offsets[i]), e1 = static_cast<std::size_t>(c.offsets[i + 1]);
        if (!valid) {
          rep.push_back(0);
          def.push_back(0);
        } else if (e0 == e1) {
          rep.push_back(0);
          def.push_back(d_top);
        } else {
          for (std::size_t e = e0; e < e1; ++e) {
            rep.push_back(e == e0 ? 0u : 1u);
            def.push_back(static_cast<std::uint32_t>(max_def));
            vidx.push_back(static_cast<std::uint32_t>(e));
          }
        }
      }
      row_entry.push_back(def.size());
      row_value.push_back(vidx.size());
    }
    if (c.n_elements() > UINT32_MAX)
      hepad::detail::raise<not_supported>("parquet::writer: a column chunk with more than 2^32 elements");
    const std::size_t n_rows = r1 - r0;
    auto entries_of = [&](std::size_t a, std::size_t b) { return simple ? b - a : row_entry[b] - row_entry[a]; };
    auto values_of = [&](std::size_t a, std::size_t b) {
      return simple ? std::pair{a, b} : std::pair{row_value[a], row_value[b]};
    };

    // Dictionary: distinct values in first-seen order, and each value's index.
    std::vector<std::uint32_t> dict_pos;  // dictionary positions (into vidx order) of the distinct values
    std::vector<std::uint32_t> codes;
    bool use_dict = false;
    if (opts_.dictionary != dictionary_mode::off && c.type != dtype::boolean && !vidx.empty()) {
      std::visit(
          [&](const auto& v) {
            using K = decltype(detail::dict_key(v[0]));
            std::unordered_map<K, std::uint32_t> map;
            const std::size_t limit = opts_.dictionary == dictionary_mode::always ? vidx.size() : vidx.size() / 2;
            codes.resize(vidx.size());
            for (std::size_t k = 0; k < vidx.size(); ++k) {
              auto [it, fresh] = map.try_emplace(detail::dict_key(v[vidx[k]]), static_cast<std::uint32_t>(dict_pos.size()));
              if (fresh) {
                dict_pos.push_back(vidx[k]);
                if (dict_pos.size() > limit) return;
              }
              codes[k] = it->second;
            }
            use_dict = true;
          },
          c.data);
    }

    std::vector<std::uint8_t> body;
    std::int64_t unc = 0, comp = 0;
    const auto chunk_start = static_cast<std::int64_t>(offset_);
    if (use_dict) {
      m.dictionary_page_offset = chunk_start;
      std::visit([&](const auto& v) { detail::plain_encode(v, c.type, dict_pos.data(), dict_pos.size(), body); }, c.data);
      page_header h;
      h.type = static_cast<std::int32_t>(page_type::dictionary_page);
      h.dict = dictionary_page_header{static_cast<std::int32_t>(dict_pos.size()), static_cast<std::int32_t>(encoding::plain)};
      auto [u, k] = write_page(h, body);
      unc += u;
      comp += k;
    }
    m.data_page_offset = static_cast<std::int64_t>(offset_);

    // Data pages, split at row boundaries.
    const std::size_t value_bytes = c.type == dtype::string ? 16 : std::max<std::size_t>(1, dtype_size(c.type));
    const std::size_t n_values_total = vidx.size();
    const std::size_t bytes_total = n_values_total * value_bytes + (max_def ? entries_of(0, n_rows) / 2 : 0);
    const std::size_t rows_per_page =
        std::max<std::size_t>(1, bytes_total == 0 ? n_rows : n_rows * opts_.page_bytes / std::max<std::size_t>(1, bytes_total));
    const int dict_bits = use_dict ? (std::max)(1, bit_width_of(dict_pos.size() - 1)) : 0;
    std::size_t pages = 0;
    std::vector<std::uint8_t> levels;
    for (std::size_t p0 = 0; p0 < n_rows || (n_rows == 0 && pages == 0); p0 += rows_per_page) {
      const std::size_t p1 = (std::min)(n_rows, p0 + rows_per_page);
      ++pages;
      body.clear();
      const std::size_t ne = entries_of(p0, p1);
      const std::size_t e_first = simple ? p0 : row_entry[p0];
      const bool v2 = opts_.data_page_version == 2;
      // v1: each level run prefixed by its 4-byte length, inside the compressed body;
      // v2: level runs without prefix, stored uncompressed before the values
      auto put_levels = [&](std::vector<std::uint8_t>& out, const std::vector<std::uint32_t>& lv, int bw, bool prefix) {
        const std::size_t at = out.size();
        if (prefix) out.resize(at + 4);
        encode_hybrid(lv.data() + e_first, ne, bw, out);
        if (!prefix) return out.size() - at;
        const auto len = static_cast<std::uint32_t>(out.size() - at - 4);
        for (int b = 0; b < 4; ++b) out[at + static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(len >> (8 * b));
        return out.size() - at;
      };
      levels.clear();
      std::size_t rep_len = 0, def_len = 0;
      if (max_rep > 0) rep_len = put_levels(v2 ? levels : body, rep, 1, !v2);
      if (max_def > 0) def_len = put_levels(v2 ? levels : body, def, bit_width_of(static_cast<std::uint64_t>(max_def)), !v2);
      const auto [v0, v1] = values_of(p0, p1);
      encoding value_enc = use_dict ? encoding::rle_dictionary : encoding::plain;
      if (use_dict) {
        body.push_back(static_cast<std::uint8_t>(dict_bits));
        encode_hybrid(codes.data() + v0, v1 - v0, dict_bits, body);
      } else if (v2 && c.type == dtype::boolean) {  // RLE booleans, as v2 writers do
        value_enc = encoding::rle;
        const auto& bv = std::get<std::vector<std::uint8_t>>(c.data);
        std::vector<std::uint32_t> bits(v1 - v0);
        for (std::size_t q = v0; q < v1; ++q) bits[q - v0] = bv[vidx[q]] ? 1u : 0u;
        const std::size_t at = body.size();
        body.resize(at + 4);
        encode_hybrid(bits.data(), bits.size(), 1, body);
        const auto len = static_cast<std::uint32_t>(body.size() - at - 4);
        for (int b = 0; b < 4; ++b) body[at + static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(len >> (8 * b));
      } else {
        std::visit([&](const auto& v) { detail::plain_encode(v, c.type, vidx.data() + v0, v1 - v0, body); }, c.data);
      }
      page_header h;
      std::pair<std::int64_t, std::int64_t> uk;
      if (v2) {
        h.type = static_cast<std::int32_t>(page_type::data_page_v2);
        data_page_header_v2 d;
        d.num_values = static_cast<std::int32_t>(ne);
        d.num_nulls = static_cast<std::int32_t>(ne - (v1 - v0));
        d.num_rows = static_cast<std::int32_t>(p1 - p0);
        d.encoding = static_cast<std::int32_t>(value_enc);
        d.def_bytes = static_cast<std::int32_t>(def_len);
        d.rep_bytes = static_cast<std::int32_t>(rep_len);
        h.v2 = d;
        uk = write_page_v2(h, levels, body);
      } else {
        h.type = static_cast<std::int32_t>(page_type::data_page);
        h.v1 = data_page_header{static_cast<std::int32_t>(ne), static_cast<std::int32_t>(value_enc), 3, 3};
        uk = write_page(h, body);
      }
      auto [u, k] = uk;
      unc += u;
      comp += k;
      m.num_values += static_cast<std::int64_t>(ne);
      if (n_rows == 0) break;
    }
    m.encodings = {static_cast<std::int32_t>(encoding::plain), static_cast<std::int32_t>(encoding::rle)};
    if (opts_.data_page_version == 2) meta_.version = 2;
    if (use_dict) {
      m.encodings.push_back(static_cast<std::int32_t>(encoding::rle_dictionary));
      meta_.version = 2;
    }
    m.total_uncompressed_size = unc;
    m.total_compressed_size = comp;
    cc.file_offset = chunk_start;
    cc.has_meta = true;
    return cc;
  }

  atomic_file file_;
  write_options opts_;
  std::uint64_t offset_ = 0;
  std::size_t rows_ = 0;
  bool schema_set_ = false, closed_ = false;
  std::vector<leaf_info> leaves_;
  parquet::detail::file_metadata meta_;
};

/// Writes `batch` to a Parquet file at `path` (atomically).
inline void write(const std::filesystem::path& path, const record_batch& batch, const write_options& opts = {}) {
  writer w(path, opts);
  w.write(batch);
  w.close();
}

}  // namespace hepad::io::parquet

#endif  // HEPAD_IO_PARQUET_WRITER_HPP
