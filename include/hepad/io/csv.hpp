// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/csv.hpp
/// @brief CSV files: `read_csv`, `csv_reader` (bounded-memory chunks) and `write_csv` (atomic).
///
/// RFC 4180 records: a configurable delimiter, quoted fields (with "" for a quote, delimiters and
/// line breaks inside), LF or CRLF line ends, an optional header line, optional comment lines.
/// Column types are inferred (int64, uint64, float64, otherwise string) from the first chunk or
/// forced per column. An empty unquoted field is a missing value: by default an error naming the
/// file, the line, the column and the byte offset; with `allow_missing` a null.
/// Not here: list columns (CSV has no nesting), automatic delimiter detection, encodings other
/// than UTF-8/ASCII.
#ifndef HEPAD_IO_CSV_HPP
#define HEPAD_IO_CSV_HPP

#include <hepad/core/atomic_file.hpp>
#include <hepad/core/error.hpp>
#include <hepad/io/chunking.hpp>
#include <hepad/io/column.hpp>
#include <hepad/io/detail/file.hpp>
#include <hepad/io/record_batch.hpp>

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hepad::io {

/// Options of the CSV reader.
struct csv_options {
  char delimiter = ',';
  char quote = '"';
  char comment = '\0';                 ///< lines starting with this character are skipped ('\0': none)
  bool header = true;                  ///< the first record names the columns
  std::vector<std::string> names = {};  ///< column names (replace the header's; default x0, x1, ...)
  std::vector<std::pair<std::string, dtype>> types = {};  ///< forced types by column name
  bool allow_missing = false;          ///< empty fields become nulls instead of raising
  static constexpr std::string_view name = "csv_options";
};

/// Options of the CSV writer.
struct csv_write_options {
  char delimiter = ',';
  bool header = true;  ///< write a header line with the column names
  static constexpr std::string_view name = "csv_write_options";
};

namespace detail {

/// Splits a file into records of fields, reading it in blocks.
class csv_tokenizer {
 public:
  csv_tokenizer(const std::filesystem::path& p, const csv_options& o) : file_(p), opt_(o) {}

  struct field_ref {
    std::uint32_t begin, size;  // into text
    std::uint64_t offset;       // byte offset in the file
    bool quoted;
  };
  /// Reads the next record; false at the end of the file.
  bool next(std::string& text, std::vector<field_ref>& fields, std::size_t& line) {
    while (true) {
      text.clear();
      fields.clear();
      int c = peek();
      if (c < 0) return false;
      line = line_;
      if (opt_.comment != '\0' && c == static_cast<unsigned char>(opt_.comment)) {
        while ((c = get()) >= 0 && c != '\n') {}
        ++line_;
        continue;
      }
      if (c == '\n' || c == '\r') {  // blank line
        get();
        if (c == '\r' && peek() == '\n') get();
        ++line_;
        continue;
      }
      break;
    }
    while (true) {
      field_ref f{static_cast<std::uint32_t>(text.size()), 0, offset(), false};
      int c = peek();
      if (c == static_cast<unsigned char>(opt_.quote)) {
        f.quoted = true;
        get();
        const std::size_t qline = line_;
        while (true) {
          c = get();
          if (c < 0)
            fail(file_.path(), "", static_cast<std::int64_t>(f.offset),
                 concat("line ", qline, ", column ", fields.size() + 1, ": quoted field is never closed"));
          if (c == static_cast<unsigned char>(opt_.quote)) {
            if (peek() == static_cast<unsigned char>(opt_.quote)) {
              get();
              text += static_cast<char>(c);
              continue;
            }
            break;
          }
          if (c == '\n') ++line_;
          text += static_cast<char>(c);
        }
        c = peek();
        if (c >= 0 && c != static_cast<unsigned char>(opt_.delimiter) && c != '\n' && c != '\r')
          fail(file_.path(), "", static_cast<std::int64_t>(offset()),
               concat("line ", line_, ", column ", fields.size() + 1, ": unexpected character '", static_cast<char>(c),
                      "' after a closing quote"));
      } else {
        while ((c = peek()) >= 0 && c != static_cast<unsigned char>(opt_.delimiter) && c != '\n' && c != '\r') {
          get();
          text += static_cast<char>(c);
        }
      }
      if (text.size() > UINT32_MAX) fail(file_.path(), "", static_cast<std::int64_t>(f.offset), "record longer than 4 GiB");
      f.size = static_cast<std::uint32_t>(text.size() - f.begin);
      fields.push_back(f);
      c = get();
      if (c == static_cast<unsigned char>(opt_.delimiter)) continue;
      if (c == '\r' && peek() == '\n') get();
      if (c >= 0) ++line_;
      return true;
    }
  }
  [[nodiscard]] const std::string& path() const noexcept { return file_.path(); }

 private:
  int peek() {
    if (pos_ == end_ && !fill()) return -1;
    return static_cast<unsigned char>(buf_[pos_]);
  }
  int get() {
    if (pos_ == end_ && !fill()) return -1;
    return static_cast<unsigned char>(buf_[pos_++]);
  }
  [[nodiscard]] std::uint64_t offset() const noexcept { return base_ + pos_; }
  bool fill() {
    base_ += end_;
    pos_ = end_ = 0;
    if (base_ >= file_.size()) return false;
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(file_.size() - base_, 1u << 20));
    buf_.resize(n);
    file_.read_at(base_, n, buf_.data());
    end_ = n;
    return true;
  }

  input_file file_;
  csv_options opt_;
  std::vector<char> buf_;
  std::size_t pos_ = 0, end_ = 0;
  std::uint64_t base_ = 0;
  std::size_t line_ = 1;
};

[[nodiscard]] inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Parses a number of type T; false if `s` is not entirely one.
template <class T>
[[nodiscard]] inline bool parse_number(std::string_view s, T& v) {
  s = trim(s);
  if (s.empty()) return false;
  if constexpr (std::is_floating_point_v<T>) {
    if (s.front() == '+') s.remove_prefix(1);
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc::result_out_of_range) {  // denormal underflow or overflow: use strtod's answer
      std::string tmp(s);
      char* end = nullptr;
      v = static_cast<T>(std::strtod(tmp.c_str(), &end));
      return end == tmp.c_str() + tmp.size();
    }
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
  } else if constexpr (std::is_same_v<T, std::uint8_t> || std::is_same_v<T, bool>) {
    if (s == "true" || s == "True" || s == "TRUE") { v = 1; return true; }
    if (s == "false" || s == "False" || s == "FALSE") { v = 0; return true; }
    unsigned x = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), x);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || x > 255) return false;
    v = static_cast<T>(x);
    return true;
  } else {
    if (s.front() == '+') s.remove_prefix(1);
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
  }
}

}  // namespace detail

/// Reads a CSV file in chunks of rows. Column types are fixed by the first chunk (or `types`);
/// a later value that does not fit raises a `format_error` saying where.
class csv_reader {
 public:
  /// Opens `path` and reads the header. @throws hepad::io_error / hepad::format_error.
  explicit csv_reader(const std::filesystem::path& path, csv_options opts = {}, chunk_size chunk = {.events = 65536})
      : tok_(path, opts), opt_(std::move(opts)), chunk_(chunk) {
    std::size_t line = 0;
    if (opt_.header) {
      if (!tok_.next(text_, fields_, line))
        detail::fail(tok_.path(), "", 0, "empty file: no header line");
      for (const auto& f : fields_) names_.emplace_back(text_.substr(f.begin, f.size));
    }
    if (!opt_.names.empty()) {
      if (opt_.header && opt_.names.size() != names_.size())
        detail::fail(tok_.path(), "", 0,
                     hepad::detail::concat("the header has ", names_.size(), " columns but ", opt_.names.size(),
                                           " names were given"));
      names_ = opt_.names;
    }
    for (std::size_t i = 0; i < names_.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (names_[i] == names_[j])
          detail::fail(tok_.path(), names_[i], 0, hepad::detail::concat("duplicate column name '", names_[i], "'"));
  }

  /// Column names (from the header or the options; known after the first chunk without either).
  [[nodiscard]] const std::vector<std::string>& names() const noexcept { return names_; }

  /// The next chunk, or nullopt at the end of the file.
  [[nodiscard]] std::optional<record_batch> next() {
    if (done_) return std::nullopt;
    // collect raw records
    std::vector<std::vector<std::string>> raw;
    std::vector<std::vector<std::uint8_t>> missing;
    std::vector<std::size_t> lines;
    std::vector<std::vector<std::uint64_t>> offs;
    std::size_t rows = 0, bytes = 0;
    std::size_t line = 0;
    const std::size_t max_rows = chunk_.events ? chunk_.events : (std::numeric_limits<std::size_t>::max)();
    while (rows < max_rows && (chunk_.bytes == 0 || bytes < chunk_.bytes || rows == 0)) {
      if (!tok_.next(text_, fields_, line)) {
        done_ = true;
        break;
      }
      if (names_.empty())
        for (std::size_t j = 0; j < fields_.size(); ++j) names_.push_back(hepad::detail::concat("x", j));
      if (fields_.size() != names_.size())
        detail::fail(tok_.path(), "", static_cast<std::int64_t>(fields_.front().offset),
                     hepad::detail::concat("line ", line, ": expected ", names_.size(), " fields, got ", fields_.size()));
      if (raw.empty()) {
        raw.resize(names_.size());
        missing.resize(names_.size());
        offs.resize(names_.size());
      }
      for (std::size_t j = 0; j < fields_.size(); ++j) {
        const auto& f = fields_[j];
        raw[j].emplace_back(text_.substr(f.begin, f.size));
        missing[j].push_back(!f.quoted && detail::trim(raw[j].back()).empty());
        offs[j].push_back(f.offset);
      }
      lines.push_back(line);
      bytes += text_.size() + fields_.size() * 8;
      ++rows;
    }
    if (rows == 0) {
      done_ = true;
      return std::nullopt;
    }
    if (types_.empty()) infer(raw, missing);
    record_batch out;
    for (std::size_t j = 0; j < names_.size(); ++j) {
      column c = make_empty_column(names_[j], types_[j]);
      bool any_missing = false;
      std::visit(
          [&](auto& v) {
            using T = typename std::decay_t<decltype(v)>::value_type;
            v.resize(rows);
            for (std::size_t i = 0; i < rows; ++i) {
              if (missing[j][i]) {
                if (!opt_.allow_missing)
                  detail::fail(tok_.path(), names_[j], static_cast<std::int64_t>(offs[j][i]),
                               hepad::detail::concat("line ", lines[i], ", column ", j + 1,
                                                     ": missing value (set csv_options::allow_missing to read it as null)"));
                any_missing = true;
                continue;
              }
              if constexpr (std::is_same_v<T, std::string>) {
                v[i] = std::move(raw[j][i]);
              } else {
                if (!detail::parse_number(raw[j][i], v[i]))
                  detail::fail(tok_.path(), names_[j], static_cast<std::int64_t>(offs[j][i]),
                               hepad::detail::concat("line ", lines[i], ", column ", j + 1, ": cannot read '", raw[j][i],
                                                     "' as ", dtype_name(types_[j]),
                                                     " (the type came from the first chunk; force it with csv_options::types)"));
              }
            }
          },
          c.data);
      if (any_missing) {
        c.validity.resize(rows);
        for (std::size_t i = 0; i < rows; ++i) c.validity[i] = !missing[j][i];
      }
      out.add(std::move(c));
    }
    return out;
  }

 private:
  void infer(const std::vector<std::vector<std::string>>& raw, const std::vector<std::vector<std::uint8_t>>& missing) {
    types_.assign(names_.size(), dtype::float64);
    for (std::size_t j = 0; j < names_.size(); ++j) {
      bool forced = false;
      for (const auto& [n, t] : opt_.types)
        if (n == names_[j]) {
          types_[j] = t;
          forced = true;
        }
      if (forced) continue;
      bool i64 = true, u64 = true, f64 = true, any = false;
      for (std::size_t i = 0; i < raw[j].size() && (i64 || u64 || f64); ++i) {
        if (missing[j][i]) continue;
        any = true;
        std::int64_t a;
        std::uint64_t b;
        double d;
        if (i64) i64 = detail::parse_number(raw[j][i], a);
        if (u64) u64 = detail::parse_number(raw[j][i], b);
        if (f64 && !i64 && !u64) f64 = detail::parse_number(raw[j][i], d);
      }
      types_[j] = !any ? dtype::float64 : i64 ? dtype::int64 : u64 ? dtype::uint64 : f64 ? dtype::float64 : dtype::string;
    }
    for (const auto& [n, t] : opt_.types) {
      bool found = false;
      for (const auto& name : names_) found = found || name == n;
      if (!found) hepad::detail::raise<out_of_range>(hepad::detail::concat("csv: file '", tok_.path(), "' has no column '", n, "' (csv_options::types)"));
    }
  }

  detail::csv_tokenizer tok_;
  csv_options opt_;
  chunk_size chunk_;
  std::vector<std::string> names_;
  std::vector<dtype> types_;
  std::string text_;
  std::vector<detail::csv_tokenizer::field_ref> fields_;
  bool done_ = false;
};

/// Reads a whole CSV file. @throws hepad::format_error naming the file, line, column and byte
/// offset for malformed records, missing values (unless allowed) and unparsable numbers.
[[nodiscard]] inline record_batch read_csv(const std::filesystem::path& path, const csv_options& opts = {}) {
  csv_reader r(path, opts, chunk_size{});
  record_batch out;
  while (auto b = r.next()) out.append(*b);
  if (out.empty()) {  // header only: empty columns of type float64 (or as forced)
    for (const auto& n : r.names()) {
      dtype t = dtype::float64;
      for (const auto& [m, u] : opts.types)
        if (m == n) t = u;
      out.add(make_empty_column(n, t));
    }
  }
  return out;
}

/// Writes the flat columns of `b` as CSV (atomically). Numbers are written in the shortest form
/// that reads back to the same value; nulls as empty fields; strings quoted when needed.
/// @throws hepad::invalid_argument for list columns.
inline void write_csv(const std::filesystem::path& path, const record_batch& b, const csv_write_options& opts = {}) {
  for (const auto& c : b.columns())
    if (c.is_list())
      throw_invalid_argument("io::write_csv", hepad::detail::concat("column '", c.name, "' is a list; CSV holds flat columns"));
  std::string out;
  auto put_string = [&](std::string_view s) {
    const bool q = s.find_first_of(std::string{opts.delimiter, '"', '\n', '\r'}) != std::string_view::npos || s.empty() ||
                   s.front() == ' ' || s.back() == ' ';
    if (!q) {
      out += s;
      return;
    }
    out += '"';
    for (char ch : s) {
      if (ch == '"') out += '"';
      out += ch;
    }
    out += '"';
  };
  if (opts.header) {
    for (std::size_t j = 0; j < b.n_columns(); ++j) {
      if (j) out += opts.delimiter;
      put_string(b[j].name);
    }
    out += '\n';
  }
  atomic_file f(path);
  char buf[64];
  for (std::size_t i = 0; i < b.n_rows(); ++i) {
    for (std::size_t j = 0; j < b.n_columns(); ++j) {
      if (j) out += opts.delimiter;
      const column& c = b[j];
      if (!c.is_valid(i)) continue;
      std::visit(
          [&](const auto& v) {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_same_v<T, std::string>) {
              put_string(v[i]);
            } else {
              auto r = std::to_chars(buf, buf + sizeof(buf), v[i]);
              out.append(buf, r.ptr);
            }
          },
          c.data);
    }
    out += '\n';
    if (out.size() > (1u << 20)) {
      f.write(out);
      out.clear();
    }
  }
  f.write(out);
  f.commit();
}

}  // namespace hepad::io

#endif  // HEPAD_IO_CSV_HPP
