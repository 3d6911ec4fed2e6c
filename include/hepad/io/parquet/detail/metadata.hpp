// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: parquet
/// @file hepad/io/parquet/detail/metadata.hpp
/// @brief Internal: the subset of parquet.thrift (apache/parquet-format) that hepad reads and
/// writes: FileMetaData, SchemaElement, RowGroup, ColumnChunk, ColumnMetaData, PageHeader and the
/// page-header variants, with their compact-protocol decoders and encoders.
#ifndef HEPAD_IO_PARQUET_DETAIL_METADATA_HPP
#define HEPAD_IO_PARQUET_DETAIL_METADATA_HPP

#include <hepad/io/parquet/detail/thrift.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hepad::io::parquet::detail {

// Enumerations of parquet.thrift (values as in the specification).
enum class physical : std::int32_t { boolean = 0, int32 = 1, int64 = 2, int96 = 3, float_ = 4, double_ = 5,
                                     byte_array = 6, fixed_len_byte_array = 7 };
enum class repetition : std::int32_t { required = 0, optional = 1, repeated = 2 };
enum class encoding : std::int32_t { plain = 0, plain_dictionary = 2, rle = 3, bit_packed = 4,
                                     delta_binary_packed = 5, delta_length_byte_array = 6, delta_byte_array = 7,
                                     rle_dictionary = 8, byte_stream_split = 9 };
enum class page_type : std::int32_t { data_page = 0, index_page = 1, dictionary_page = 2, data_page_v2 = 3 };
// converted_type values used here
inline constexpr std::int32_t ct_utf8 = 0, ct_list = 3, ct_uint_8 = 11, ct_uint_16 = 12, ct_uint_32 = 13,
                              ct_uint_64 = 14, ct_int_8 = 15, ct_int_16 = 16, ct_int_32 = 17, ct_int_64 = 18;

struct schema_element {
  std::optional<physical> type;
  std::int32_t type_length = 0;
  std::optional<repetition> rep;
  std::string name;
  std::int32_t num_children = 0;
  std::optional<std::int32_t> converted_type;
  // logicalType (only what matters for column types)
  bool logical_list = false, logical_string = false;
  std::int32_t int_bit_width = 0;  ///< logicalType INTEGER bitWidth (0: absent)
  bool int_signed = true;
};

struct column_meta {
  physical type = physical::int32;
  std::vector<std::int32_t> encodings;
  std::vector<std::string> path;
  std::int32_t codec = 0;
  std::int64_t num_values = 0;
  std::int64_t total_uncompressed_size = 0;
  std::int64_t total_compressed_size = 0;
  std::int64_t data_page_offset = 0;
  std::optional<std::int64_t> dictionary_page_offset;
};

struct column_chunk {
  std::int64_t file_offset = 0;
  bool has_file_path = false;
  bool has_meta = false;
  column_meta meta;
};

struct row_group {
  std::vector<column_chunk> columns;
  std::int64_t total_byte_size = 0;
  std::int64_t num_rows = 0;
};

struct file_metadata {
  std::int32_t version = 1;
  std::vector<schema_element> schema;
  std::int64_t num_rows = 0;
  std::vector<row_group> row_groups;
  std::vector<std::pair<std::string, std::string>> key_value;
  std::string created_by;
};

struct data_page_header {
  std::int32_t num_values = 0;
  std::int32_t encoding = 0;
  std::int32_t def_encoding = 3;
  std::int32_t rep_encoding = 3;
};
struct dictionary_page_header {
  std::int32_t num_values = 0;
  std::int32_t encoding = 0;
};
struct data_page_header_v2 {
  std::int32_t num_values = 0, num_nulls = 0, num_rows = 0, encoding = 0;
  std::int32_t def_bytes = 0, rep_bytes = 0;
  bool is_compressed = true;
};
struct page_header {
  std::int32_t type = 0;
  std::int32_t uncompressed_size = 0;
  std::int32_t compressed_size = 0;
  std::optional<data_page_header> v1;
  std::optional<dictionary_page_header> dict;
  std::optional<data_page_header_v2> v2;
};

// ------------------------------------------------------------------------------------------------
// decoding

inline void read_logical_type(thrift_reader& r, schema_element& e) {
  auto s = r.begin_struct();
  thrift_reader::field f;
  while (r.next_field(f)) {
    if (f.id == 3 && f.type == t_struct) {
      e.logical_list = true;
      r.skip(f.type);
    } else if (f.id == 1 && f.type == t_struct) {
      e.logical_string = true;
      r.skip(f.type);
    } else if (f.id == 10 && f.type == t_struct) {  // INTEGER
      auto s2 = r.begin_struct();
      thrift_reader::field g;
      while (r.next_field(g)) {
        if (g.id == 1) e.int_bit_width = static_cast<std::int32_t>(r.integer(g));
        else if (g.id == 2 && (g.type == t_true || g.type == t_false)) e.int_signed = g.bool_value;
        else r.skip(g.type);
      }
      r.end_struct(s2);
    } else {
      r.skip(f.type);
    }
  }
  r.end_struct(s);
}

inline schema_element read_schema_element(thrift_reader& r) {
  schema_element e;
  auto s = r.begin_struct();
  thrift_reader::field f;
  while (r.next_field(f)) {
    switch (f.id) {
      case 1: {
        const auto v = r.integer(f);
        if (v < 0 || v > 7) r.fail(concat("invalid physical type ", v));
        e.type = static_cast<physical>(v);
        break;
      }
      case 2: e.type_length = static_cast<std::int32_t>(r.integer(f)); break;
      case 3: {
        const auto v = r.integer(f);
        if (v < 0 || v > 2) r.fail(concat("invalid repetition type ", v));
        e.rep = static_cast<repetition>(v);
        break;
      }
      case 4: r.expect(f, t_binary); e.name = r.binary(); break;
      case 5: {
        const auto v = r.integer(f);
        if (v < 0 || v > 1000000) r.fail(concat("invalid num_children ", v));
        e.num_children = static_cast<std::int32_t>(v);
        break;
      }
      case 6: e.converted_type = static_cast<std::int32_t>(r.integer(f)); break;
      case 10: r.expect(f, t_struct); read_logical_type(r, e); break;
      default: r.skip(f.type);
    }
  }
  r.end_struct(s);
  return e;
}

inline column_meta read_column_meta(thrift_reader& r) {
  column_meta m;
  auto s = r.begin_struct();
  thrift_reader::field f;
  bool have_type = false, have_codec = false, have_nv = false, have_dpo = false, have_tcs = false;
  while (r.next_field(f)) {
    switch (f.id) {
      case 1: {
        const auto v = r.integer(f);
        if (v < 0 || v > 7) r.fail(concat("invalid physical type ", v));
        m.type = static_cast<physical>(v);
        have_type = true;
        break;
      }
      case 2: {
        r.expect(f, t_list);
        auto [et, n] = r.list_header();
        for (std::uint64_t i = 0; i < n; ++i) {
          if (et != t_i32) r.fail("encodings must be a list of i32");
          m.encodings.push_back(r.i32());
        }
        break;
      }
      case 3: {
        r.expect(f, t_list);
        auto [et, n] = r.list_header();
        for (std::uint64_t i = 0; i < n; ++i) {
          if (et != t_binary) r.fail("path_in_schema must be a list of strings");
          m.path.push_back(r.binary());
        }
        break;
      }
      case 4: m.codec = static_cast<std::int32_t>(r.integer(f)); have_codec = true; break;
      case 5: m.num_values = r.integer(f); have_nv = true; break;
      case 6: m.total_uncompressed_size = r.integer(f); break;
      case 7: m.total_compressed_size = r.integer(f); have_tcs = true; break;
      case 9: m.data_page_offset = r.integer(f); have_dpo = true; break;
      case 11: m.dictionary_page_offset = r.integer(f); break;
      default: r.skip(f.type);
    }
  }
  r.end_struct(s);
  if (!have_type || !have_codec || !have_nv || !have_dpo || !have_tcs)
    r.fail("ColumnMetaData lacks a required field (type, codec, num_values, total_compressed_size or data_page_offset)");
  return m;
}

inline column_chunk read_column_chunk(thrift_reader& r) {
  column_chunk c;
  auto s = r.begin_struct();
  thrift_reader::field f;
  while (r.next_field(f)) {
    switch (f.id) {
      case 1: r.skip(f.type); c.has_file_path = true; break;
      case 2: c.file_offset = r.integer(f); break;
      case 3: r.expect(f, t_struct); c.meta = read_column_meta(r); c.has_meta = true; break;
      default: r.skip(f.type);
    }
  }
  r.end_struct(s);
  return c;
}

inline row_group read_row_group(thrift_reader& r) {
  row_group g;
  auto s = r.begin_struct();
  thrift_reader::field f;
  while (r.next_field(f)) {
    switch (f.id) {
      case 1: {
        r.expect(f, t_list);
        auto [et, n] = r.list_header();
        if (et != t_struct) r.fail("RowGroup.columns must be a list of structs");
        g.columns.reserve(n);
        for (std::uint64_t i = 0; i < n; ++i) g.columns.push_back(read_column_chunk(r));
        break;
      }
      case 2: g.total_byte_size = r.integer(f); break;
      case 3: g.num_rows = r.integer(f); break;
      default: r.skip(f.type);
    }
  }
  r.end_struct(s);
  return g;
}

inline file_metadata read_file_metadata(thrift_reader& r) {
  file_metadata m;
  auto s = r.begin_struct();
  thrift_reader::field f;
  while (r.next_field(f)) {
    switch (f.id) {
      case 1: m.version = static_cast<std::int32_t>(r.integer(f)); break;
      case 2: {
        r.expect(f, t_list);
        auto [et, n] = r.list_header();
        if (et != t_struct) r.fail("FileMetaData.schema must be a list of structs");
        m.schema.reserve(n);
        for (std::uint64_t i = 0; i < n; ++i) m.schema.push_back(read_schema_element(r));
        break;
      }
      case 3: m.num_rows = r.integer(f); break;
      case 4: {
        r.expect(f, t_list);
        auto [et, n] = r.list_header();
        if (et != t_struct) r.fail("FileMetaData.row_groups must be a list of structs");
        for (std::uint64_t i = 0; i < n; ++i) m.row_groups.push_back(read_row_group(r));
        break;
      }
      case 5: {
        r.expect(f, t_list);
        auto [et, n] = r.list_header();
        if (et != t_struct) r.fail("key_value_metadata must be a list of structs");
        for (std::uint64_t i = 0; i < n; ++i) {
          auto s2 = r.begin_struct();
          thrift_reader::field g;
          std::pair<std::string, std::string> kv;
          while (r.next_field(g)) {
            if (g.id == 1 && g.type == t_binary) kv.first = r.binary();
            else if (g.id == 2 && g.type == t_binary) kv.second = r.binary();
            else r.skip(g.type);
          }
          r.end_struct(s2);
          m.key_value.push_back(std::move(kv));
        }
        break;
      }
      case 6: r.expect(f, t_binary); m.created_by = r.binary(); break;
      default: r.skip(f.type);
    }
  }
  r.end_struct(s);
  if (m.schema.empty()) r.fail("FileMetaData has no schema");
  return m;
}

inline page_header read_page_header(thrift_reader& r) {
  page_header h;
  auto s = r.begin_struct();
  thrift_reader::field f;
  bool have_type = false, have_u = false, have_c = false;
  while (r.next_field(f)) {
    switch (f.id) {
      case 1: h.type = static_cast<std::int32_t>(r.integer(f)); have_type = true; break;
      case 2: h.uncompressed_size = static_cast<std::int32_t>(r.integer(f)); have_u = true; break;
      case 3: h.compressed_size = static_cast<std::int32_t>(r.integer(f)); have_c = true; break;
      case 5: {
        r.expect(f, t_struct);
        data_page_header d;
        auto s2 = r.begin_struct();
        thrift_reader::field g;
        while (r.next_field(g)) {
          if (g.id == 1) d.num_values = static_cast<std::int32_t>(r.integer(g));
          else if (g.id == 2) d.encoding = static_cast<std::int32_t>(r.integer(g));
          else if (g.id == 3) d.def_encoding = static_cast<std::int32_t>(r.integer(g));
          else if (g.id == 4) d.rep_encoding = static_cast<std::int32_t>(r.integer(g));
          else r.skip(g.type);
        }
        r.end_struct(s2);
        h.v1 = d;
        break;
      }
      case 7: {
        r.expect(f, t_struct);
        dictionary_page_header d;
        auto s2 = r.begin_struct();
        thrift_reader::field g;
        while (r.next_field(g)) {
          if (g.id == 1) d.num_values = static_cast<std::int32_t>(r.integer(g));
          else if (g.id == 2) d.encoding = static_cast<std::int32_t>(r.integer(g));
          else r.skip(g.type);
        }
        r.end_struct(s2);
        h.dict = d;
        break;
      }
      case 8: {
        r.expect(f, t_struct);
        data_page_header_v2 d;
        auto s2 = r.begin_struct();
        thrift_reader::field g;
        while (r.next_field(g)) {
          switch (g.id) {
            case 1: d.num_values = static_cast<std::int32_t>(r.integer(g)); break;
            case 2: d.num_nulls = static_cast<std::int32_t>(r.integer(g)); break;
            case 3: d.num_rows = static_cast<std::int32_t>(r.integer(g)); break;
            case 4: d.encoding = static_cast<std::int32_t>(r.integer(g)); break;
            case 5: d.def_bytes = static_cast<std::int32_t>(r.integer(g)); break;
            case 6: d.rep_bytes = static_cast<std::int32_t>(r.integer(g)); break;
            case 7:
              if (g.type == t_true || g.type == t_false) d.is_compressed = g.bool_value;
              else r.skip(g.type);
              break;
            default: r.skip(g.type);
          }
        }
        r.end_struct(s2);
        h.v2 = d;
        break;
      }
      default: r.skip(f.type);
    }
  }
  r.end_struct(s);
  if (!have_type || !have_u || !have_c) r.fail("PageHeader lacks type or sizes");
  if (h.uncompressed_size < 0 || h.compressed_size < 0) r.fail("negative page size");
  return h;
}

// ------------------------------------------------------------------------------------------------
// encoding

inline void write_schema_element(thrift_writer& w, const schema_element& e) {
  w.begin_struct();
  if (e.type) w.i32(1, static_cast<std::int32_t>(*e.type));
  if (e.rep) w.i32(3, static_cast<std::int32_t>(*e.rep));
  w.binary(4, e.name);
  if (e.num_children > 0) w.i32(5, e.num_children);
  if (e.converted_type) w.i32(6, *e.converted_type);
  if (e.logical_list || e.logical_string || e.int_bit_width > 0) {
    w.begin_struct(10);
    if (e.logical_string) {
      w.begin_struct(1);
      w.end_struct();
    } else if (e.logical_list) {
      w.begin_struct(3);
      w.end_struct();
    } else {
      w.begin_struct(10);
      w.i8(1, static_cast<std::int8_t>(e.int_bit_width));
      w.boolean(2, e.int_signed);
      w.end_struct();
    }
    w.end_struct();
  }
  w.end_struct();
}

inline void write_column_meta(thrift_writer& w, const column_meta& m) {
  w.begin_struct(3);
  w.i32(1, static_cast<std::int32_t>(m.type));
  w.list(2, t_i32, m.encodings.size());
  for (auto e : m.encodings) w.zigzag(e);
  w.list(3, t_binary, m.path.size());
  for (const auto& p : m.path) w.binary_value(p);
  w.i32(4, m.codec);
  w.i64(5, m.num_values);
  w.i64(6, m.total_uncompressed_size);
  w.i64(7, m.total_compressed_size);
  w.i64(9, m.data_page_offset);
  if (m.dictionary_page_offset) w.i64(11, *m.dictionary_page_offset);
  w.end_struct();
}

inline std::vector<std::uint8_t> write_file_metadata(const file_metadata& m) {
  thrift_writer w;
  w.begin_struct();
  w.i32(1, m.version);
  w.list(2, t_struct, m.schema.size());
  for (const auto& e : m.schema) write_schema_element(w, e);
  w.i64(3, m.num_rows);
  w.list(4, t_struct, m.row_groups.size());
  for (const auto& g : m.row_groups) {
    w.begin_struct();
    w.list(1, t_struct, g.columns.size());
    for (const auto& c : g.columns) {
      w.begin_struct();
      w.i64(2, c.file_offset);
      write_column_meta(w, c.meta);
      w.end_struct();
    }
    w.i64(2, g.total_byte_size);
    w.i64(3, g.num_rows);
    if (!g.columns.empty()) {
      const auto& c0 = g.columns.front().meta;
      w.i64(5, c0.dictionary_page_offset ? *c0.dictionary_page_offset : c0.data_page_offset);
      std::int64_t tcs = 0;
      for (const auto& c : g.columns) tcs += c.meta.total_compressed_size;
      w.i64(6, tcs);
    }
    w.end_struct();
  }
  if (!m.key_value.empty()) {
    w.list(5, t_struct, m.key_value.size());
    for (const auto& [k, v] : m.key_value) {
      w.begin_struct();
      w.binary(1, k);
      w.binary(2, v);
      w.end_struct();
    }
  }
  if (!m.created_by.empty()) w.binary(6, m.created_by);
  w.end_struct();
  return std::move(w.out);
}

inline std::vector<std::uint8_t> write_page_header(const page_header& h) {
  thrift_writer w;
  w.begin_struct();
  w.i32(1, h.type);
  w.i32(2, h.uncompressed_size);
  w.i32(3, h.compressed_size);
  if (h.v1) {
    w.begin_struct(5);
    w.i32(1, h.v1->num_values);
    w.i32(2, h.v1->encoding);
    w.i32(3, h.v1->def_encoding);
    w.i32(4, h.v1->rep_encoding);
    w.end_struct();
  }
  if (h.dict) {
    w.begin_struct(7);
    w.i32(1, h.dict->num_values);
    w.i32(2, h.dict->encoding);
    w.end_struct();
  }
  if (h.v2) {
    w.begin_struct(8);
    w.i32(1, h.v2->num_values);
    w.i32(2, h.v2->num_nulls);
    w.i32(3, h.v2->num_rows);
    w.i32(4, h.v2->encoding);
    w.i32(5, h.v2->def_bytes);
    w.i32(6, h.v2->rep_bytes);
    w.boolean(7, h.v2->is_compressed);
    w.end_struct();
  }
  w.end_struct();
  return std::move(w.out);
}

}  // namespace hepad::io::parquet::detail

#endif  // HEPAD_IO_PARQUET_DETAIL_METADATA_HPP
