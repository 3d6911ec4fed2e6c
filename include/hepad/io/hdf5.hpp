// SPDX-License-Identifier: BSL-1.0
/// @file hepad/io/hdf5.hpp
/// @brief HDF5 through the libhdf5 C API (component hepad::hdf5): plain and compound datasets,
/// tables in three layouts, bounded-memory chunked reading, and atomic writing.
///
/// Table layouts understood by `read_hdf5_table` / `hdf5_reader`:
/// - the pandas "fixed" format (`DataFrame.to_hdf(..., format="fixed")`, used by the LHC Olympics
///   files): a group with `axis0` (column names), `block<i>_items` and `block<i>_values`;
/// - a 2-D dataset of shape (N, k), e.g. the (N, 30) feature matrix of the Higgs challenge files
///   (names from the options, e.g. `higgs_feature_names()`, else x0, x1, ...), optionally with
///   1-D datasets (weights, labels) appended as columns;
/// - a 1-D compound dataset (h5py structured arrays), one column per field;
/// - a group of equally long 1-D datasets, one column each (what `write_hdf5_table` writes; list
///   columns are a values dataset plus an offsets dataset).
/// Not here: variable-length strings, pandas "table" format, object (pickled) columns; the HDF5
/// library is not thread-safe in its serial build, so use one file per thread.
#ifndef HEPAD_IO_HDF5_HPP
#define HEPAD_IO_HDF5_HPP

#include <hepad/core/error.hpp>
#include <hepad/io/chunking.hpp>
#include <hepad/io/column.hpp>
#include <hepad/io/detail/file.hpp>
#include <hepad/io/ndarray.hpp>
#include <hepad/io/record_batch.hpp>

#include <hdf5.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

namespace hepad::io {

/// The 30 feature names of the ATLAS Higgs boson machine-learning challenge, in file order.
[[nodiscard]] inline const std::vector<std::string>& higgs_feature_names() {
  static const std::vector<std::string> names{
      "DER_mass_MMC", "DER_mass_transverse_met_lep", "DER_mass_vis", "DER_pt_h", "DER_deltaeta_jet_jet",
      "DER_mass_jet_jet", "DER_prodeta_jet_jet", "DER_deltar_tau_lep", "DER_pt_tot", "DER_sum_pt",
      "DER_pt_ratio_lep_tau", "DER_met_phi_centrality", "DER_lep_eta_centrality", "PRI_tau_pt", "PRI_tau_eta",
      "PRI_tau_phi", "PRI_lep_pt", "PRI_lep_eta", "PRI_lep_phi", "PRI_met", "PRI_met_phi", "PRI_met_sumet",
      "PRI_jet_num", "PRI_jet_leading_pt", "PRI_jet_leading_eta", "PRI_jet_leading_phi", "PRI_jet_subleading_pt",
      "PRI_jet_subleading_eta", "PRI_jet_subleading_phi", "PRI_jet_all_pt"};
  return names;
}

/// How `read_hdf5_table` / `hdf5_reader` interpret a key.
struct hdf5_table_options {
  std::vector<std::string> names = {};    ///< column names for a 2-D dataset (default x0, x1, ...)
  std::vector<std::string> extra = {};    ///< 1-D datasets (paths) appended as columns, e.g. weights
  std::vector<std::string> columns = {};  ///< keep only these columns (all if empty)
  static constexpr std::string_view name = "hdf5_table_options";
};

/// Options of the HDF5 writer.
struct hdf5_write_options {
  int gzip_level = 0;          ///< deflate level 1..9 (0: no compression)
  std::size_t chunk_rows = 0;  ///< rows per HDF5 chunk (0: contiguous unless compressed, then 65536)
  static constexpr std::string_view name = "hdf5_write_options";
};

namespace detail {

/// Owns an HDF5 identifier and closes it with the right function.
class h5id {
 public:
  h5id() = default;
  explicit h5id(hid_t id) : id_(id) {}
  h5id(h5id&& o) noexcept : id_(std::exchange(o.id_, -1)) {}
  h5id& operator=(h5id&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, -1);
    }
    return *this;
  }
  h5id(const h5id&) = delete;
  h5id& operator=(const h5id&) = delete;
  ~h5id() { reset(); }
  void reset() {
    if (id_ >= 0) {
      switch (H5Iget_type(id_)) {
        case H5I_FILE: H5Fclose(id_); break;
        case H5I_GROUP: H5Gclose(id_); break;
        case H5I_DATASET: H5Dclose(id_); break;
        case H5I_DATASPACE: H5Sclose(id_); break;
        case H5I_DATATYPE: H5Tclose(id_); break;
        case H5I_ATTR: H5Aclose(id_); break;
        case H5I_GENPROP_LST: H5Pclose(id_); break;
        default: break;
      }
    }
    id_ = -1;
  }
  [[nodiscard]] hid_t get() const noexcept { return id_; }
  [[nodiscard]] bool valid() const noexcept { return id_ >= 0; }
  /// Gives up ownership.
  hid_t release() noexcept { return std::exchange(id_, -1); }

 private:
  hid_t id_ = -1;
};

/// Silences HDF5's automatic error printing while alive (restores the previous handler).
class h5_quiet {
 public:
  h5_quiet() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  h5_quiet(const h5_quiet&) = delete;
  h5_quiet& operator=(const h5_quiet&) = delete;
  ~h5_quiet() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

/// The innermost messages of HDF5's current error stack.
[[nodiscard]] inline std::string h5_error_text() {
  std::string s;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned n, const H5E_error2_t* e, void* out) -> herr_t {
        auto& str = *static_cast<std::string*>(out);
        if (n < 3 && e && e->desc) {
          if (!str.empty()) str += "; ";
          str += e->desc;
        }
        return 0;
      },
      &s);
  H5Eclear2(H5E_DEFAULT);
  return s.empty() ? std::string("HDF5 error") : s;
}

/// Raises format_error(path, item, -1, what + HDF5's message) if `id < 0`.
inline hid_t h5ok(hid_t id, const std::string& path, std::string_view item, std::string_view what) {
  if (id < 0) fail(path, item, -1, concat(what, ": ", h5_error_text()));
  return id;
}

/// Element dtype of an HDF5 datatype (integer, float, fixed string, h5py bool enum).
[[nodiscard]] inline std::optional<dtype> h5_dtype(hid_t t) {
  const H5T_class_t cls = H5Tget_class(t);
  const std::size_t size = H5Tget_size(t);
  if (cls == H5T_INTEGER) {
    const bool sgn = H5Tget_sign(t) == H5T_SGN_2;
    switch (size) {
      case 1: return sgn ? dtype::int8 : dtype::uint8;
      case 2: return sgn ? dtype::int16 : dtype::uint16;
      case 4: return sgn ? dtype::int32 : dtype::uint32;
      case 8: return sgn ? dtype::int64 : dtype::uint64;
      default: return std::nullopt;
    }
  }
  if (cls == H5T_FLOAT) {
    if (size == 4) return dtype::float32;
    if (size == 8) return dtype::float64;
    return std::nullopt;
  }
  if (cls == H5T_ENUM && size == 1 && H5Tget_nmembers(t) == 2) return dtype::boolean;
  if (cls == H5T_STRING && H5Tis_variable_str(t) <= 0) return dtype::string;
  return std::nullopt;
}

/// The native memory type for a dtype (a new id the caller owns; strings need their size).
[[nodiscard]] inline h5id h5_mem_type(dtype t, std::size_t string_size = 1) {
  switch (t) {
    case dtype::boolean:
    case dtype::uint8: return h5id(H5Tcopy(H5T_NATIVE_UINT8));
    case dtype::int8: return h5id(H5Tcopy(H5T_NATIVE_INT8));
    case dtype::int16: return h5id(H5Tcopy(H5T_NATIVE_INT16));
    case dtype::uint16: return h5id(H5Tcopy(H5T_NATIVE_UINT16));
    case dtype::int32: return h5id(H5Tcopy(H5T_NATIVE_INT32));
    case dtype::uint32: return h5id(H5Tcopy(H5T_NATIVE_UINT32));
    case dtype::int64: return h5id(H5Tcopy(H5T_NATIVE_INT64));
    case dtype::uint64: return h5id(H5Tcopy(H5T_NATIVE_UINT64));
    case dtype::float32: return h5id(H5Tcopy(H5T_NATIVE_FLOAT));
    case dtype::float64: return h5id(H5Tcopy(H5T_NATIVE_DOUBLE));
    case dtype::string: {
      h5id s(H5Tcopy(H5T_C_S1));
      H5Tset_size(s.get(), std::max<std::size_t>(1, string_size));
      H5Tset_strpad(s.get(), H5T_STR_NULLPAD);
      return s;
    }
  }
  return h5id(H5Tcopy(H5T_NATIVE_DOUBLE));
}

/// h5py's boolean type: an int8 enum {FALSE = 0, TRUE = 1}.
[[nodiscard]] inline h5id h5_bool_type() {
  h5id t(H5Tenum_create(H5T_NATIVE_INT8));
  std::int8_t v = 0;
  H5Tenum_insert(t.get(), "FALSE", &v);
  v = 1;
  H5Tenum_insert(t.get(), "TRUE", &v);
  return t;
}

/// An open HDF5 file (read-only).
class h5file {
 public:
  explicit h5file(const std::filesystem::path& p) : path_(p.string()) {
    {
      input_file probe(p);  // io_error if missing; checks it is a regular file
      (void)probe;
    }
    h5_quiet q;
    if (H5Fis_hdf5(path_.c_str()) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      fail(path_, "", 0, "not an HDF5 file (no HDF5 signature)");
    }
    id_ = h5id(h5ok(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path_, "", "cannot open HDF5 file"));
  }
  [[nodiscard]] hid_t get() const noexcept { return id_.get(); }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// True if `name` exists (all intermediate links too).
  [[nodiscard]] bool exists(const std::string& name) const {
    h5_quiet q;
    std::string part;
    for (std::size_t i = 0; i <= name.size(); ++i) {
      if (i == name.size() || name[i] == '/') {
        if (!part.empty() && part != "/" && H5Lexists(id_.get(), part.c_str(), H5P_DEFAULT) <= 0) {
          H5Eclear2(H5E_DEFAULT);
          return false;
        }
      }
      if (i < name.size()) part += name[i];
    }
    return true;
  }
  /// Opens an object: H5I_GROUP or H5I_DATASET. @throws out_of_range if it does not exist.
  [[nodiscard]] h5id open(const std::string& name) const {
    if (!exists(name)) hepad::detail::raise<out_of_range>(concat("hdf5: file '", path_, "' has no object '", name, "'"));
    h5_quiet q;
    return h5id(h5ok(H5Oopen(id_.get(), name.c_str(), H5P_DEFAULT), path_, name, "cannot open object"));
  }

 private:
  std::string path_;
  h5id id_;
};

[[nodiscard]] inline std::vector<hsize_t> h5_dims(hid_t ds, const std::string& path, std::string_view item) {
  h5id space(h5ok(H5Dget_space(ds), path, item, "cannot get dataspace"));
  const int nd = H5Sget_simple_extent_ndims(space.get());
  if (nd < 0) fail(path, item, -1, "bad dataspace");
  std::vector<hsize_t> d(static_cast<std::size_t>(nd));
  if (nd > 0) H5Sget_simple_extent_dims(space.get(), d.data(), nullptr);
  return d;
}

/// Reads the hyperslab [r0, r0+n) x [all columns] of a dataset into `out` (typed by `t`).
inline void h5_read_rows(hid_t ds, dtype t, std::size_t string_size, const std::vector<hsize_t>& dims, std::size_t r0,
                         std::size_t n, void* out, const std::string& path, std::string_view item, hid_t mem_type = -1) {
  h5_quiet q;
  h5id fspace(h5ok(H5Dget_space(ds), path, item, "cannot get dataspace"));
  std::vector<hsize_t> start(dims.size(), 0), count(dims);
  if (!dims.empty()) {
    start[0] = r0;
    count[0] = n;
    h5ok(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), path, item,
         "cannot select rows");
  }
  h5id mspace(h5ok(dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr),
                   path, item, "cannot create memory space"));
  h5id mt;
  if (mem_type < 0) {
    mt = h5_mem_type(t, string_size);
    mem_type = mt.get();
  }
  if (H5Dread(ds, mem_type, mspace.get(), fspace.get(), H5P_DEFAULT, out) < 0)
    fail(path, item, -1, concat("cannot read rows ", r0, "..", r0 + n, ": ", h5_error_text()));
}

/// Reads rows of a plain dataset into column storage (strings split from fixed-size records).
inline column_data h5_read_plain(hid_t ds, dtype t, std::size_t string_size, const std::vector<hsize_t>& dims,
                                 std::size_t r0, std::size_t n, const std::string& path, std::string_view item) {
  std::size_t per = 1;
  for (std::size_t i = 1; i < dims.size(); ++i) per *= static_cast<std::size_t>(dims[i]);
  column_data data = make_storage(t);
  std::visit(
      [&](auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        if constexpr (std::is_same_v<T, std::string>) {
          // the file's own string type as memory type (no character-set conversion needed)
          h5id ft(h5ok(H5Dget_type(ds), path, item, "cannot get type"));
          string_size = H5Tget_size(ft.get());
          std::vector<char> buf(n * per * string_size);
          h5_read_rows(ds, t, string_size, dims, r0, n, buf.data(), path, item, ft.get());
          v.resize(n * per);
          for (std::size_t i = 0; i < v.size(); ++i) {
            const char* s = buf.data() + i * string_size;
            std::size_t len = 0;
            while (len < string_size && s[len] != '\0') ++len;
            v[i].assign(s, len);
          }
        } else {
          reserve_large(v, n * per);
          v.resize(n * per);
          h5_read_rows(ds, t, string_size, dims, r0, n, v.data(), path, item);
          if constexpr (std::is_same_v<T, std::uint8_t>)
            if (t == dtype::boolean)
              for (auto& x : v) x = x != 0;
        }
      },
      data);
  return data;
}

/// Reads a 1-D (or (N,) string) dataset of names.
[[nodiscard]] inline std::vector<std::string> h5_read_names(const h5file& f, const std::string& name) {
  h5id ds = f.open(name);
  h5id ft(h5ok(H5Dget_type(ds.get()), f.path(), name, "cannot get type"));
  const auto t = h5_dtype(ft.get());
  if (!t || *t != dtype::string)
    hepad::detail::raise<not_supported>(concat("hdf5: file '", f.path(), "', '", name, "': column names must be fixed-length strings"));
  const auto dims = h5_dims(ds.get(), f.path(), name);
  if (dims.size() != 1) fail(f.path(), name, -1, "names must be a 1-D dataset");
  auto d = h5_read_plain(ds.get(), dtype::string, H5Tget_size(ft.get()), dims, 0, static_cast<std::size_t>(dims[0]), f.path(), name);
  return std::get<std::vector<std::string>>(std::move(d));
}

/// Reads a string attribute (fixed or variable length); empty if absent.
[[nodiscard]] inline std::string h5_string_attr(hid_t obj, const char* name) {
  h5_quiet q;
  if (H5Aexists(obj, name) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  h5id a(H5Aopen(obj, name, H5P_DEFAULT));
  if (!a.valid()) return {};
  h5id t(H5Aget_type(a.get()));
  if (H5Tget_class(t.get()) != H5T_STRING) return {};
  if (H5Tis_variable_str(t.get()) > 0) {
    h5id mt(H5Tcopy(H5T_C_S1));
    H5Tset_size(mt.get(), H5T_VARIABLE);
    char* s = nullptr;
    if (H5Aread(a.get(), mt.get(), &s) < 0 || !s) return {};
    std::string out(s);
    H5free_memory(s);
    return out;
  }
  const std::size_t n = H5Tget_size(t.get());
  h5id space(H5Aget_space(a.get()));
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return {};
  std::string s(n + 1, '\0');
  // read with the file's own string type (HDF5 1.10 has no conversion between character sets)
  if (H5Aread(a.get(), t.get(), s.data()) < 0) return {};
  s.resize(std::strlen(s.c_str()));
  return s;
}

[[nodiscard]] inline std::int64_t h5_int_attr(hid_t obj, const char* name, std::int64_t dflt) {
  h5_quiet q;
  if (H5Aexists(obj, name) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return dflt;
  }
  h5id a(H5Aopen(obj, name, H5P_DEFAULT));
  std::int64_t v = dflt;
  if (!a.valid() || H5Aread(a.get(), H5T_NATIVE_INT64, &v) < 0) return dflt;
  return v;
}

/// One column source of a table: a 1-D dataset, a column range of a 2-D dataset, a compound field,
/// or a list column (values + offsets datasets).
struct h5_source {
  std::string dataset;
  enum class kind : std::uint8_t { vector, matrix, matrix_t, compound, list } k = kind::vector;
  std::vector<std::string> names;  ///< column names provided by this source
  std::vector<dtype> types;
  std::vector<std::size_t> string_sizes;
  std::string offsets;  ///< list: offsets dataset
  std::vector<hsize_t> dims;
};

}  // namespace detail

/// Reads a whole dataset: plain arrays in C order with their shape; 1-D compound datasets as
/// structured arrays. @throws hepad::out_of_range if it does not exist, hepad::format_error
/// (file, dataset) if it cannot be read, hepad::not_supported for other types.
[[nodiscard]] inline ndarray read_hdf5(const std::filesystem::path& path, const std::string& dataset) {
  using namespace detail;
  h5file f(path);
  h5id ds = f.open(dataset);
  if (H5Iget_type(ds.get()) != H5I_DATASET) fail(f.path(), dataset, -1, "not a dataset");
  h5id ft(h5ok(H5Dget_type(ds.get()), f.path(), dataset, "cannot get type"));
  const auto dims = h5_dims(ds.get(), f.path(), dataset);
  ndarray a;
  for (auto d : dims) a.shape.push_back(static_cast<std::size_t>(d));
  const std::size_t rows = dims.empty() ? 1 : static_cast<std::size_t>(dims[0]);
  if (H5Tget_class(ft.get()) == H5T_COMPOUND) {
    if (dims.size() != 1) hepad::detail::raise<not_supported>(concat("hdf5: '", dataset, "': compound datasets must be 1-D"));
    const int nm = H5Tget_nmembers(ft.get());
    for (int m = 0; m < nm; ++m) {
      char* cname = H5Tget_member_name(ft.get(), static_cast<unsigned>(m));
      std::string name(cname ? cname : "");
      H5free_memory(cname);
      h5id mt_file(H5Tget_member_type(ft.get(), static_cast<unsigned>(m)));
      const auto t = h5_dtype(mt_file.get());
      if (!t) hepad::detail::raise<not_supported>(concat("hdf5: file '", f.path(), "', '", dataset, "': field '", name, "' has an unsupported type"));
      const std::size_t ssize = *t == dtype::string ? H5Tget_size(mt_file.get()) : 1;
      h5id elem = *t == dtype::string ? h5id(H5Tcopy(mt_file.get())) : h5_mem_type(*t, ssize);
      const std::size_t esize = H5Tget_size(elem.get());
      h5id mt(H5Tcreate(H5T_COMPOUND, esize));
      H5Tinsert(mt.get(), name.c_str(), 0, elem.get());
      column c;
      c.name = name;
      c.type = *t;
      c.data = make_storage(*t);
      std::visit(
          [&](auto& v) {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_same_v<T, std::string>) {
              std::vector<char> buf(rows * ssize);
              h5_read_rows(ds.get(), *t, ssize, dims, 0, rows, buf.data(), f.path(), dataset, mt.get());
              v.resize(rows);
              for (std::size_t i = 0; i < rows; ++i) {
                const char* s = buf.data() + i * ssize;
                std::size_t len = 0;
                while (len < ssize && s[len]) ++len;
                v[i].assign(s, len);
              }
            } else {
              v.resize(rows);
              h5_read_rows(ds.get(), *t, 1, dims, 0, rows, v.data(), f.path(), dataset, mt.get());
            }
          },
          c.data);
      a.fields.push_back(std::move(c));
    }
    return a;
  }
  const auto t = h5_dtype(ft.get());
  if (!t) hepad::detail::raise<not_supported>(concat("hdf5: file '", f.path(), "', dataset '", dataset, "' has an unsupported type"));
  a.type = *t;
  const std::size_t ssize = *t == dtype::string ? H5Tget_size(ft.get()) : 1;
  a.data = h5_read_plain(ds.get(), *t, ssize, dims, 0, rows, f.path(), dataset);
  return a;
}

/// Reads a table (see the file comment for the layouts) in chunks of rows.
class hdf5_reader {
 public:
  /// @throws hepad::out_of_range if `key` does not exist, hepad::format_error / not_supported if
  /// it is not a table hepad understands.
  hdf5_reader(const std::filesystem::path& path, std::string key, hdf5_table_options opts = {},
              chunk_size chunk = {.events = 65536})
      : file_(path), key_(std::move(key)), opts_(std::move(opts)), chunk_(chunk) {
    plan();
  }

  [[nodiscard]] std::size_t n_rows() const noexcept { return rows_; }
  /// Column names in output order.
  [[nodiscard]] const std::vector<std::string>& names() const noexcept { return order_; }

  /// Rows [r0, r0 + n) of the selected columns.
  [[nodiscard]] record_batch read_rows(std::size_t r0, std::size_t n) const {
    using namespace detail;
    if (r0 > rows_) r0 = rows_;
    n = (std::min)(n, rows_ - r0);
    std::vector<column> cols;
    for (const auto& s : sources_) read_source(s, r0, n, cols);
    record_batch out;
    for (const auto& name : order_)
      for (auto& c : cols)
        if (c.name == name) out.add(std::move(c));
    return out;
  }
  /// The whole table.
  [[nodiscard]] record_batch read() const { return read_rows(0, rows_); }
  /// The next chunk, or nullopt at the end.
  [[nodiscard]] std::optional<record_batch> next() {
    if (row_ >= rows_) return std::nullopt;
    const std::size_t n = chunk_.rows_for(row_bytes_, rows_ - row_);
    auto b = read_rows(row_, n);
    row_ += n;
    return b;
  }

 private:
  bool wanted(const std::string& name) const {
    if (opts_.columns.empty()) return true;
    for (const auto& c : opts_.columns)
      if (c == name) return true;
    return false;
  }

  void plan() {
    using namespace detail;
    const std::string& p = file_.path();
    h5id obj = file_.open(key_);
    const auto type = H5Iget_type(obj.get());
    std::vector<std::string> all_names;
    if (type == H5I_GROUP && detail::h5_string_attr(obj.get(), "pandas_type") == "frame") {
      // pandas fixed format
      const std::int64_t nblocks = h5_int_attr(obj.get(), "nblocks", -1);
      if (nblocks < 0 || nblocks > 100000) fail(p, key_, -1, "pandas frame without a valid 'nblocks' attribute");
      all_names = h5_read_names(file_, key_ + "/axis0");
      for (std::int64_t b = 0; b < nblocks; ++b) {
        h5_source s;
        s.dataset = concat(key_, "/block", b, "_values");
        s.names = h5_read_names(file_, concat(key_, "/block", b, "_items"));
        h5id ds = file_.open(s.dataset);
        s.dims = h5_dims(ds.get(), p, s.dataset);
        h5id ft(h5ok(H5Dget_type(ds.get()), p, s.dataset, "cannot get type"));
        const auto t = h5_dtype(ft.get());
        if (!t || *t == dtype::string)
          hepad::detail::raise<not_supported>(concat("hdf5: file '", p, "', '", s.dataset,
                                                     "': only numeric pandas blocks are supported (object/string columns are pickled)"));
        const bool transposed = h5_int_attr(ds.get(), "transposed", 1) != 0;
        s.k = transposed ? h5_source::kind::matrix : h5_source::kind::matrix_t;
        if (s.dims.size() != 2) fail(p, s.dataset, -1, "pandas block values must be 2-D");
        const std::size_t ncols = static_cast<std::size_t>(transposed ? s.dims[1] : s.dims[0]);
        const std::size_t nrows = static_cast<std::size_t>(transposed ? s.dims[0] : s.dims[1]);
        if (ncols != s.names.size())
          fail(p, s.dataset, -1, concat("block has ", ncols, " columns but its items list ", s.names.size(), " names"));
        set_rows(nrows, s.dataset);
        s.types.assign(ncols, *t);
        s.string_sizes.assign(ncols, 1);
        sources_.push_back(std::move(s));
      }
    } else if (type == H5I_GROUP) {
      // hepad layout: group of 1-D datasets (creation order if tracked, else name order)
      std::vector<std::string> children;
      hsize_t idx = 0;
      auto collect = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
        static_cast<std::vector<std::string>*>(out)->emplace_back(name);
        return 0;
      };
      h5_quiet q;
      if (H5Literate(obj.get(), H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, collect, &children) < 0) {
        H5Eclear2(H5E_DEFAULT);
        children.clear();
        idx = 0;
        if (H5Literate(obj.get(), H5_INDEX_NAME, H5_ITER_INC, &idx, collect, &children) < 0)
          fail(p, key_, -1, concat("cannot list group: ", h5_error_text()));
      }
      std::vector<std::string> offsets_sets;
      for (const auto& c : children) {
        h5id ds = file_.open(key_ + "/" + c);
        if (H5Iget_type(ds.get()) != H5I_DATASET) continue;
        const std::string off = h5_string_attr(ds.get(), "hepad_list_offsets");
        if (!off.empty()) offsets_sets.push_back(off);
      }
      for (const auto& c : children) {
        bool is_off = false;
        for (const auto& o : offsets_sets) is_off = is_off || o == c;
        if (is_off) continue;
        const std::string dsname = key_ + "/" + c;
        h5id ds = file_.open(dsname);
        if (H5Iget_type(ds.get()) != H5I_DATASET) continue;
        add_vector_source(ds.get(), dsname, c, h5_string_attr(ds.get(), "hepad_list_offsets"));
        all_names.push_back(c);
      }
    } else if (type == H5I_DATASET) {
      h5id ft(h5ok(H5Dget_type(obj.get()), p, key_, "cannot get type"));
      const auto dims = h5_dims(obj.get(), p, key_);
      if (H5Tget_class(ft.get()) == H5T_COMPOUND) {
        if (dims.size() != 1) hepad::detail::raise<not_supported>(concat("hdf5: '", key_, "': compound datasets must be 1-D"));
        h5_source s;
        s.dataset = key_;
        s.k = h5_source::kind::compound;
        s.dims = dims;
        const int nm = H5Tget_nmembers(ft.get());
        for (int m = 0; m < nm; ++m) {
          char* cname = H5Tget_member_name(ft.get(), static_cast<unsigned>(m));
          std::string name(cname ? cname : "");
          H5free_memory(cname);
          h5id mtf(H5Tget_member_type(ft.get(), static_cast<unsigned>(m)));
          const auto t = h5_dtype(mtf.get());
          if (!t) hepad::detail::raise<not_supported>(concat("hdf5: file '", p, "', '", key_, "': field '", name, "' has an unsupported type"));
          s.names.push_back(name);
          s.types.push_back(*t);
          s.string_sizes.push_back(*t == dtype::string ? H5Tget_size(mtf.get()) : 1);
        }
        all_names = s.names;
        set_rows(static_cast<std::size_t>(dims[0]), key_);
        sources_.push_back(std::move(s));
      } else if (dims.size() == 2) {
        h5_source s;
        s.dataset = key_;
        s.k = h5_source::kind::matrix;
        s.dims = dims;
        const auto t = h5_dtype(ft.get());
        if (!t || *t == dtype::string) hepad::detail::raise<not_supported>(concat("hdf5: '", key_, "': 2-D tables must be numeric"));
        const std::size_t k = static_cast<std::size_t>(dims[1]);
        if (!opts_.names.empty() && opts_.names.size() != k)
          throw_invalid_argument("hdf5_reader", concat("names has ", opts_.names.size(), " entries but '", key_, "' has ", k, " columns"));
        for (std::size_t j = 0; j < k; ++j) s.names.push_back(opts_.names.empty() ? concat("x", j) : opts_.names[j]);
        s.types.assign(k, *t);
        s.string_sizes.assign(k, 1);
        all_names = s.names;
        set_rows(static_cast<std::size_t>(dims[0]), key_);
        sources_.push_back(std::move(s));
      } else if (dims.size() == 1) {
        add_vector_source(obj.get(), key_, opts_.names.empty() ? key_ : opts_.names[0], "");
        all_names.push_back(sources_.back().names[0]);
      } else {
        hepad::detail::raise<not_supported>(concat("hdf5: '", key_, "': tables are 1-D or 2-D datasets, compound datasets or groups"));
      }
    } else {
      fail(p, key_, -1, "neither a group nor a dataset");
    }
    for (const auto& e : opts_.extra) {
      h5id ds = file_.open(e);
      const std::string nm = e.substr(e.find_last_of('/') == std::string::npos ? 0 : e.find_last_of('/') + 1);
      add_vector_source(ds.get(), e, nm, "");
      all_names.push_back(nm);
    }
    for (const auto& c : opts_.columns) {
      bool found = false;
      for (const auto& n : all_names) found = found || n == c;
      if (!found) hepad::detail::raise<out_of_range>(concat("hdf5: '", key_, "' in file '", p, "' has no column '", c, "'"));
    }
    for (const auto& n : all_names)
      if (wanted(n)) order_.push_back(n);
    row_bytes_ = 0;
    for (const auto& s : sources_)
      for (std::size_t j = 0; j < s.names.size(); ++j)
        if (wanted(s.names[j])) row_bytes_ += s.types[j] == dtype::string ? s.string_sizes[j] : dtype_size(s.types[j]);
    if (row_bytes_ == 0) row_bytes_ = 1;
  }

  void add_vector_source(hid_t ds, const std::string& dsname, const std::string& colname, const std::string& offsets) {
    using namespace detail;
    const std::string& p = file_.path();
    h5_source s;
    s.dataset = dsname;
    s.dims = h5_dims(ds, p, dsname);
    h5id ft(h5ok(H5Dget_type(ds), p, dsname, "cannot get type"));
    const auto t = h5_dtype(ft.get());
    if (!t) hepad::detail::raise<not_supported>(concat("hdf5: file '", p, "', dataset '", dsname, "' has an unsupported type"));
    if (s.dims.size() != 1) fail(p, dsname, -1, "table columns must be 1-D datasets");
    s.names = {colname};
    s.types = {*t};
    s.string_sizes = {*t == dtype::string ? H5Tget_size(ft.get()) : 1};
    if (!offsets.empty()) {
      s.k = h5_source::kind::list;
      s.offsets = dsname.substr(0, dsname.find_last_of('/') + 1) + offsets;
      h5id od = file_.open(s.offsets);
      const auto od_dims = h5_dims(od.get(), p, s.offsets);
      if (od_dims.size() != 1 || od_dims[0] == 0) fail(p, s.offsets, -1, "list offsets must be a non-empty 1-D dataset");
      set_rows(static_cast<std::size_t>(od_dims[0] - 1), s.offsets);
    } else {
      set_rows(static_cast<std::size_t>(s.dims[0]), dsname);
    }
    sources_.push_back(std::move(s));
  }

  void set_rows(std::size_t n, const std::string& item) {
    if (!rows_set_) {
      rows_ = n;
      rows_set_ = true;
    } else if (n != rows_) {
      detail::fail(file_.path(), item, -1, hepad::detail::concat("has ", n, " rows, other columns have ", rows_));
    }
  }

  void read_source(const detail::h5_source& s, std::size_t r0, std::size_t n, std::vector<column>& cols) const {
    using namespace detail;
    const std::string& p = file_.path();
    h5_quiet q;
    h5id ds = file_.open(s.dataset);
    using K = h5_source::kind;
    if (s.k == K::vector) {
      if (!wanted(s.names[0])) return;
      column c;
      c.name = s.names[0];
      c.type = s.types[0];
      c.data = h5_read_plain(ds.get(), s.types[0], s.string_sizes[0], s.dims, r0, n, p, s.dataset);
      cols.push_back(std::move(c));
    } else if (s.k == K::list) {
      if (!wanted(s.names[0])) return;
      h5id od = file_.open(s.offsets);
      const auto od_dims = h5_dims(od.get(), p, s.offsets);
      std::vector<std::int64_t> off(n + 1);
      h5_read_rows(od.get(), dtype::int64, 1, od_dims, r0, n + 1, off.data(), p, s.offsets);
      for (std::size_t i = 1; i < off.size(); ++i)
        if (off[i] < off[i - 1] || off[i] < 0 || static_cast<hsize_t>(off[i]) > s.dims[0])
          fail(p, s.offsets, -1, concat("offsets are not non-decreasing within the values (row ", r0 + i - 1, ")"));
      column c;
      c.name = s.names[0];
      c.type = s.types[0];
      const std::int64_t base = off[0];
      c.data = h5_read_plain(ds.get(), s.types[0], s.string_sizes[0], s.dims, static_cast<std::size_t>(base),
                             static_cast<std::size_t>(off[n] - base), p, s.dataset);
      for (auto& o : off) o -= base;
      c.offsets = std::move(off);
      cols.push_back(std::move(c));
    } else if (s.k == K::compound) {
      for (std::size_t j = 0; j < s.names.size(); ++j) {
        if (!wanted(s.names[j])) continue;
        h5id elem;
        if (s.types[j] == dtype::string) {
          h5id ft(h5ok(H5Dget_type(ds.get()), p, s.dataset, "cannot get type"));
          elem = h5id(H5Tget_member_type(ft.get(), static_cast<unsigned>(H5Tget_member_index(ft.get(), s.names[j].c_str()))));
        } else {
          elem = h5_mem_type(s.types[j], s.string_sizes[j]);
        }
        h5id mt(H5Tcreate(H5T_COMPOUND, H5Tget_size(elem.get())));
        H5Tinsert(mt.get(), s.names[j].c_str(), 0, elem.get());
        column c;
        c.name = s.names[j];
        c.type = s.types[j];
        c.data = make_storage(s.types[j]);
        std::visit(
            [&](auto& v) {
              using T = typename std::decay_t<decltype(v)>::value_type;
              if constexpr (std::is_same_v<T, std::string>) {
                const std::size_t ss = s.string_sizes[j];
                std::vector<char> buf(n * ss);
                h5_read_rows(ds.get(), s.types[j], ss, s.dims, r0, n, buf.data(), p, s.dataset, mt.get());
                v.resize(n);
                for (std::size_t i = 0; i < n; ++i) {
                  const char* str = buf.data() + i * ss;
                  std::size_t len = 0;
                  while (len < ss && str[len]) ++len;
                  v[i].assign(str, len);
                }
              } else {
                v.resize(n);
                h5_read_rows(ds.get(), s.types[j], 1, s.dims, r0, n, v.data(), p, s.dataset, mt.get());
              }
            },
            c.data);
        cols.push_back(std::move(c));
      }
    } else {
      // 2-D: read blocks of rows (or of the transposed layout) into a small reused buffer and
      // scatter them into the columns, so no full-size intermediate copy is made
      const std::size_t k = s.names.size();
      const bool t = s.k == K::matrix_t;
      h5id fspace(h5ok(H5Dget_space(ds.get()), p, s.dataset, "cannot get dataspace"));
      h5id mt = h5_mem_type(s.types[0]);
      std::vector<std::size_t> keep;
      for (std::size_t j = 0; j < k; ++j)
        if (wanted(s.names[j])) keep.push_back(j);
      column_data proto = make_storage(s.types[0]);
      std::visit(
          [&](auto& proto_v) {
            using T = typename std::decay_t<decltype(proto_v)>::value_type;
            if constexpr (!std::is_same_v<T, std::string>) {
              std::vector<std::vector<T>> out(keep.size());
              for (auto& o : out) reserve_large(o, n);
              const std::size_t block = std::max<std::size_t>(1, (std::size_t{1} << 22) / (sizeof(T) * std::max<std::size_t>(1, k)));
              std::vector<T> buf;
              for (std::size_t b0 = 0; b0 < n; b0 += block) {
                const std::size_t bn = (std::min)(block, n - b0);
                hsize_t start[2] = {t ? 0 : r0 + b0, t ? r0 + b0 : 0}, count[2] = {t ? k : bn, t ? bn : k};
                h5ok(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), p, s.dataset,
                     "cannot select rows");
                h5id mspace(h5ok(H5Screate_simple(2, count, nullptr), p, s.dataset, "cannot create memory space"));
                buf.resize(bn * k);
                if (H5Dread(ds.get(), mt.get(), mspace.get(), fspace.get(), H5P_DEFAULT, buf.data()) < 0)
                  fail(p, s.dataset, -1, concat("cannot read rows ", r0 + b0, "..", r0 + b0 + bn, ": ", h5_error_text()));
                const auto* bytes = reinterpret_cast<const std::uint8_t*>(buf.data());
                for (std::size_t q = 0; q < keep.size(); ++q) {
                  if (t) out[q].insert(out[q].end(), buf.data() + keep[q] * bn, buf.data() + (keep[q] + 1) * bn);
                  else append_values<T, false>(out[q], bytes + keep[q] * sizeof(T), bn, k * sizeof(T));
                }
              }
              for (std::size_t q = 0; q < keep.size(); ++q) {
                column c;
                c.name = s.names[keep[q]];
                c.type = s.types[keep[q]];
                c.data = std::move(out[q]);
                cols.push_back(std::move(c));
              }
            }
          },
          proto);
    }
  }

  detail::h5file file_;
  std::string key_;
  hdf5_table_options opts_;
  chunk_size chunk_;
  std::vector<detail::h5_source> sources_;
  std::vector<std::string> order_;
  std::size_t rows_ = 0, row_ = 0, row_bytes_ = 1;
  bool rows_set_ = false;
};

/// Reads a whole table (see the file comment for the layouts).
[[nodiscard]] inline record_batch read_hdf5_table(const std::filesystem::path& path, const std::string& key,
                                                  const hdf5_table_options& opts = {}) {
  return hdf5_reader(path, key, opts, chunk_size{}).read();
}

/// Writes datasets and tables into one new HDF5 file, atomically: the file is created under a
/// temporary name and renamed over `path` by `close()`; an unclosed writer leaves nothing.
class hdf5_writer {
 public:
  /// @throws hepad::io_error if the file cannot be created.
  explicit hdf5_writer(std::filesystem::path path) : path_(std::move(path)) {
    static std::atomic<unsigned long> counter{0};
    tmp_ = path_;
    tmp_ += hepad::detail::concat(".tmp.", static_cast<long>(::getpid()), ".", counter.fetch_add(1));
    detail::h5_quiet q;
    detail::h5id fapl(H5Pcreate(H5P_FILE_ACCESS));
    file_ = detail::h5id(H5Fcreate(tmp_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
    if (!file_.valid())
      hepad::detail::raise<io_error>(path_.string(), hepad::detail::concat("cannot create HDF5 file '", tmp_.string(),
                                                                           "': ", detail::h5_error_text()));
  }
  hdf5_writer(const hdf5_writer&) = delete;
  hdf5_writer& operator=(const hdf5_writer&) = delete;
  ~hdf5_writer() {
    if (file_.valid()) {
      file_.reset();
      std::error_code ec;
      std::filesystem::remove(tmp_, ec);
    }
  }

  /// Writes an array as dataset `name` (intermediate groups are created). Plain arrays keep their
  /// shape; structured arrays become 1-D compound datasets.
  void write(const std::string& name, const ndarray& a, const hdf5_write_options& opts = {}) {
    using namespace detail;
    h5_quiet q;
    if (a.structured()) {
      std::size_t size = 0;
      std::vector<std::size_t> offs;
      std::vector<h5id> types;
      for (const auto& f : a.fields) {
        if (f.is_list() || f.nullable() || f.size() != a.size())
          throw_invalid_argument("hdf5_writer::write", hepad::detail::concat("field '", f.name, "' must be flat, non-null, of length ", a.size()));
        types.push_back(field_type(f));
        offs.push_back(size);
        size += H5Tget_size(types.back().get());
      }
      h5id ct(H5Tcreate(H5T_COMPOUND, std::max<std::size_t>(size, 1)));
      for (std::size_t j = 0; j < a.fields.size(); ++j) H5Tinsert(ct.get(), a.fields[j].name.c_str(), offs[j], types[j].get());
      std::vector<unsigned char> buf(a.size() * size);
      for (std::size_t j = 0; j < a.fields.size(); ++j) pack(a.fields[j], H5Tget_size(types[j].get()), buf.data() + offs[j], size);
      create(name, ct.get(), {static_cast<hsize_t>(a.size())}, buf.data(), opts);
      return;
    }
    std::vector<hsize_t> dims;
    for (auto d : a.shape) dims.push_back(static_cast<hsize_t>(d));
    column tmp;
    tmp.name = name;
    tmp.type = a.type;
    tmp.data = a.data;
    h5id ft = field_type(tmp);
    const std::size_t es = H5Tget_size(ft.get());
    std::vector<unsigned char> buf(tmp.n_elements() * es);
    pack(tmp, es, buf.data(), es);
    create(name, ft.get(), dims, buf.data(), opts);
  }

  /// Writes the columns of `b` as a group of 1-D datasets (creation order kept). A list column
  /// `x` becomes dataset `x` (all elements) and `x_offsets` (rows + 1 int64 offsets), linked by the
  /// attribute `hepad_list_offsets`. @throws hepad::invalid_argument for nullable columns.
  void write_table(const std::string& group, const record_batch& b, const hdf5_write_options& opts = {}) {
    using namespace detail;
    h5_quiet q;
    h5id lcpl(H5Pcreate(H5P_LINK_CREATE));
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    h5id gcpl(H5Pcreate(H5P_GROUP_CREATE));
    H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    h5id g(H5Gcreate2(file_.get(), group.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT));
    if (!g.valid())
      hepad::detail::raise<io_error>(path_.string(), hepad::detail::concat("cannot create group '", group, "': ", h5_error_text()));
    for (const auto& c : b.columns()) {
      if (c.nullable())
        throw_invalid_argument("hdf5_writer::write_table", hepad::detail::concat("column '", c.name, "' has nulls; HDF5 tables hold non-null columns"));
      ndarray a;
      a.type = c.type;
      a.data = c.data;
      a.shape = {c.n_elements()};
      write(group + "/" + c.name, a, opts);
      if (c.is_list()) {
        const std::string off = c.name + "_offsets";
        write(group + "/" + off, make_ndarray(c.offsets, {c.offsets.size()}), opts);
        h5id ds(H5Dopen2(g.get(), c.name.c_str(), H5P_DEFAULT));
        h5id st(H5Tcopy(H5T_C_S1));
        H5Tset_size(st.get(), off.size());
        h5id sp(H5Screate(H5S_SCALAR));
        h5id at(H5Acreate2(ds.get(), "hepad_list_offsets", st.get(), sp.get(), H5P_DEFAULT, H5P_DEFAULT));
        if (!at.valid() || H5Awrite(at.get(), st.get(), off.data()) < 0)
          hepad::detail::raise<io_error>(path_.string(), hepad::detail::concat("cannot write attribute: ", h5_error_text()));
      }
    }
  }

  /// Closes the file and renames it into place. @throws hepad::io_error.
  void close() {
    if (!file_.valid()) return;
    detail::h5_quiet q;
    const herr_t rc = H5Fclose(file_.release());
    std::error_code ec;
    if (rc < 0) {
      std::filesystem::remove(tmp_, ec);
      hepad::detail::raise<io_error>(path_.string(), hepad::detail::concat("closing the HDF5 file failed: ", detail::h5_error_text()));
    }
    std::filesystem::rename(tmp_, path_, ec);
    if (ec) {
      std::filesystem::remove(tmp_, ec);
      hepad::detail::raise<io_error>(path_.string(), hepad::detail::concat("rename of temporary file failed: ", ec.message()));
    }
  }

 private:
  static detail::h5id field_type(const column& c) {
    using namespace detail;
    if (c.type == dtype::boolean) return h5_bool_type();
    if (c.type == dtype::string) {
      std::size_t m = 1;
      for (const auto& s : c.values<std::string>()) m = (std::max)(m, s.size());
      return h5_mem_type(dtype::string, m);
    }
    return h5_mem_type(c.type);
  }
  /// Copies the elements of `c` (each `es` bytes) to `dst` with stride `stride`.
  static void pack(const column& c, std::size_t es, unsigned char* dst, std::size_t stride) {
    std::visit(
        [&](const auto& v) {
          using T = typename std::decay_t<decltype(v)>::value_type;
          for (std::size_t i = 0; i < v.size(); ++i) {
            if constexpr (std::is_same_v<T, std::string>) {
              std::memset(dst + i * stride, 0, es);
              std::memcpy(dst + i * stride, v[i].data(), (std::min)(es, v[i].size()));
            } else {
              std::memcpy(dst + i * stride, &v[i], sizeof(T));
            }
          }
        },
        c.data);
  }
  void create(const std::string& name, hid_t type, const std::vector<hsize_t>& dims, const void* data,
              const hdf5_write_options& opts) {
    using namespace detail;
    h5id space(dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
    h5id lcpl(H5Pcreate(H5P_LINK_CREATE));
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    h5id dcpl(H5Pcreate(H5P_DATASET_CREATE));
    const bool zip = opts.gzip_level > 0;
    if ((zip || opts.chunk_rows > 0) && !dims.empty() && dims[0] > 0) {
      std::vector<hsize_t> chunk(dims);
      chunk[0] = (std::min<hsize_t>)(dims[0], opts.chunk_rows > 0 ? opts.chunk_rows : 65536);
      H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
      if (zip) H5Pset_deflate(dcpl.get(), static_cast<unsigned>((std::min)(opts.gzip_level, 9)));
    }
    h5id ds(H5Dcreate2(file_.get(), name.c_str(), type, space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT));
    if (!ds.valid())
      hepad::detail::raise<io_error>(path_.string(), hepad::detail::concat("cannot create dataset '", name, "': ", h5_error_text()));
    std::size_t n = 1;
    for (auto d : dims) n *= static_cast<std::size_t>(d);
    if (n > 0 && H5Dwrite(ds.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
      hepad::detail::raise<io_error>(path_.string(), hepad::detail::concat("cannot write dataset '", name, "': ", h5_error_text()));
  }

  std::filesystem::path path_, tmp_;
  detail::h5id file_;
};

/// Writes one array as dataset `name` of a new file at `path` (atomically).
inline void write_hdf5(const std::filesystem::path& path, const std::string& name, const ndarray& a,
                       const hdf5_write_options& opts = {}) {
  hdf5_writer w(path);
  w.write(name, a, opts);
  w.close();
}

/// Writes `b` as table `group` of a new file at `path` (atomically).
inline void write_hdf5_table(const std::filesystem::path& path, const std::string& group, const record_batch& b,
                             const hdf5_write_options& opts = {}) {
  hdf5_writer w(path);
  w.write_table(group, b, opts);
  w.close();
}

}  // namespace hepad::io

#endif  // HEPAD_IO_HDF5_HPP
