// SPDX-License-Identifier: BSL-1.0
// CSV, NPY/NPZ and HDF5: round trips, files written by numpy/h5py/pandas (tests/data/io, made by
// make_fixtures.py with closed-form values repeated here), the pandas fixed / LHC Olympics /
// Higgs layouts, chunked reading, atomic writes, and clear errors on bad input. When Debian's
// numpy and h5py are present, the files hepad writes are also read back by them.
#include <doctest/doctest.h>

#include <hepad/io/chunking.hpp>
#include <hepad/io/csv.hpp>
#include <hepad/io/hdf5.hpp>
#include <hepad/io/npy.hpp>
#include <hepad/io/npz.hpp>
#include <hepad/io/table_convert.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace io = hepad::io;

namespace {

fs::path scratch() {
  const fs::path d = fs::temp_directory_path() / "hepad_io_test";
  fs::create_directories(d);
  return d;
}
std::string fixture(const char* name) { return std::string(HEPAD_TEST_DATA_DIR) + "/io/" + name; }
void put(const fs::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(s.data(), static_cast<std::streamsize>(s.size()));
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

io::record_batch flat_batch(std::size_t n) {
  std::vector<std::uint64_t> ev(n);
  std::vector<std::int32_t> q(n);
  std::vector<float> pt(n);
  std::vector<double> w(n);
  std::vector<bool> flag(n);
  std::vector<std::int8_t> i8(n);
  std::vector<std::uint16_t> u16(n);
  for (std::size_t i = 0; i < n; ++i) {
    ev[i] = 18000000000000000000ull + i;
    q[i] = i % 2 ? -1 : 1;
    pt[i] = static_cast<float>(i) / 7.0f + 0.1f;
    w[i] = std::exp(-static_cast<double>(i) / 3.0) * 1e-300 * (i % 4 == 3 ? 1e300 : 1.0);  // includes subnormal-ish tiny values
    flag[i] = i % 3 == 0;
    i8[i] = static_cast<std::int8_t>(static_cast<int>(i % 200) - 100);
    u16[i] = static_cast<std::uint16_t>(65535 - i);
  }
  io::record_batch b;
  b.add(io::make_column("event", ev)).add(io::make_column("q", q)).add(io::make_column("pt", pt));
  b.add(io::make_column("w", w)).add(io::make_column("flag", flag)).add(io::make_column("i8", i8));
  b.add(io::make_column("u16", u16));
  return b;
}

void check_same(const io::record_batch& a, const io::record_batch& b) {
  REQUIRE(a.n_columns() == b.n_columns());
  REQUIRE(a.n_rows() == b.n_rows());
  for (std::size_t j = 0; j < a.n_columns(); ++j) {
    INFO("column ", a[j].name);
    CHECK(a[j].name == b[j].name);
    CHECK(a[j].type == b[j].type);
    CHECK(a[j].offsets == b[j].offsets);
    CHECK(a[j].validity == b[j].validity);
    for (std::size_t e = 0; e < a[j].n_elements(); ++e) {
      if (a[j].type == io::dtype::string) CHECK(a[j].values<std::string>()[e] == b[j].values<std::string>()[e]);
      else if (a[j].type == io::dtype::uint64) CHECK(a[j].values<std::uint64_t>()[e] == b[j].values<std::uint64_t>()[e]);
      else if (a[j].type == io::dtype::int64) CHECK(a[j].values<std::int64_t>()[e] == b[j].values<std::int64_t>()[e]);
      else if (a[j].is_valid(e)) CHECK(a[j].as_double(e) == b[j].as_double(e));
    }
  }
}

template <class F>
std::string format_error_of(F&& f) {
  try {
    f();
  } catch (const hepad::format_error& e) {
    return e.what();
  }
  return "no format_error";
}

bool has_python_stack() {
  return std::system("/usr/bin/python3 -c 'import numpy, h5py' > /dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE("csv: round trip of typed columns, nulls and awkward strings") {
  auto b = flat_batch(200);
  std::vector<std::string> s{"plain", "with,comma", "with \"quote\"", "two\nlines", "", " padded "};
  std::vector<std::string> col;
  for (std::size_t i = 0; i < 200; ++i) col.push_back(s[i % s.size()]);
  b.add(io::make_column("label", col));
  std::vector<double> x(200);
  std::vector<std::uint8_t> valid(200);
  for (std::size_t i = 0; i < 200; ++i) {
    valid[i] = i % 9 != 4;
    x[i] = valid[i] ? 1.0 / (1.0 + static_cast<double>(i)) : 0.0;
  }
  b.add(io::make_nullable_column("x", x, valid));
  const fs::path f = scratch() / "rt.csv";
  io::write_csv(f, b);
  io::csv_options o;
  o.allow_missing = true;
  for (const auto& c : b.columns()) o.types.emplace_back(c.name, c.type);
  check_same(b, io::read_csv(f, o));
  // chunked, in events and in bytes: same rows
  for (io::chunk_size cs : {io::chunk_size{.events = 37}, io::chunk_size{.bytes = 2000}}) {
    io::csv_reader r(f, o, cs);
    io::record_batch all;
    std::size_t chunks = 0;
    for (const auto& c : io::batches(r)) {
      all.append(c);
      ++chunks;
    }
    CHECK(chunks > 2);
    CHECK(all.n_rows() == 200);
    CHECK(all["event"].values<std::uint64_t>()[199] == b["event"].values<std::uint64_t>()[199]);
  }
  // inferred types: integers that fit int64 -> int64, > int64 -> uint64, reals -> float64, text -> string
  const auto inf = io::read_csv(f, {.allow_missing = true});
  CHECK(inf["event"].type == io::dtype::uint64);
  CHECK(inf["q"].type == io::dtype::int64);
  CHECK(inf["pt"].type == io::dtype::float64);
  CHECK(inf["label"].type == io::dtype::string);
  CHECK(static_cast<float>(inf["pt"].as_double(5)) == b["pt"].values<float>()[5]);
}

TEST_CASE("csv: a pandas-written file, missing values and malformed records") {
  const auto path = fixture("pandas.csv");
  // row 4 has an empty label: an error with line and column by default
  const std::string msg = format_error_of([&] { (void)io::read_csv(path); });
  CHECK(msg.find("pandas.csv") != std::string::npos);
  CHECK(msg.find("line 7, column 3") != std::string::npos);  // line 7: the quoted newline takes two lines
  CHECK(msg.find("missing value") != std::string::npos);
  const auto b = io::read_csv(path, {.allow_missing = true});
  REQUIRE(b.n_rows() == 6);
  CHECK(b["id"].type == io::dtype::int64);
  CHECK(b["x"].as_double(3) == 0.75);
  const auto lab = b["label"].values<std::string>();
  CHECK(lab[1] == "with,comma");
  CHECK(lab[2] == "with \"quote\"");
  CHECK(lab[3] == "with\nnewline");
  CHECK_FALSE(b["label"].is_valid(4));
  CHECK(lab[5] == "end");

  const fs::path f = scratch() / "bad.csv";
  put(f, "a,b\n1,2\n3\n");
  CHECK(format_error_of([&] { (void)io::read_csv(f); }).find("line 3: expected 2 fields, got 1") != std::string::npos);
  put(f, "a,b\n1,\"open\n2,3\n");
  CHECK(format_error_of([&] { (void)io::read_csv(f); }).find("line 2, column 2: quoted field is never closed") != std::string::npos);
  put(f, "a,b\n1,2\n1.5,x\n");
  CHECK(format_error_of([&] { (void)io::read_csv(f, {.types = {{"a", io::dtype::int32}}}); }).find("line 3, column 1: cannot read '1.5' as int32") !=
        std::string::npos);
  put(f, "a,b\n1,\"x\"y\n");
  CHECK(format_error_of([&] { (void)io::read_csv(f); }).find("after a closing quote") != std::string::npos);
  put(f, "# comment\na;b\r\n1;2\r\n\r\n3;4\r\n");
  const auto c = io::read_csv(f, {.delimiter = ';', .comment = '#'});
  CHECK(c.n_rows() == 2);
  CHECK(c["b"].as_double(1) == 4);
  CHECK_THROWS_AS((void)io::read_csv(scratch() / "missing.csv"), hepad::io_error);
}

TEST_CASE("npy: round trips (plain, structured) and numpy-written files") {
  const auto b = flat_batch(123);
  const fs::path f = scratch() / "rt.npy";
  io::write_npy(f, b);
  check_same(b, io::to_record_batch(io::read_npy(f)));
  std::vector<double> m(12);
  for (std::size_t i = 0; i < 12; ++i) m[i] = static_cast<double>(i) * 0.5 - 1;
  io::write_npy(f, io::make_ndarray(m, {4, 3}));
  const auto a = io::read_npy(f);
  REQUIRE(a.shape == std::vector<std::size_t>{4, 3});
  CHECK(a.values<double>()[7] == m[7]);
  const auto cols = io::to_record_batch(a, {"p", "q", "r"});
  CHECK(cols["q"].as_double(2) == m[2 * 3 + 1]);
  // chunked along the first axis
  io::npy_reader r(f, {.events = 3}, {"p", "q", "r"});
  auto c1 = r.next();
  auto c2 = r.next();
  REQUIRE((c1 && c2));
  CHECK(c1->n_rows() == 3);
  CHECK(c2->n_rows() == 1);
  CHECK(c2->operator[]("r").as_double(0) == m[11]);
  CHECK_FALSE(r.next());

  // numpy-written: structured with big-endian and bool fields, Fortran order, big-endian plain
  const auto s = io::to_record_batch(io::read_npy(fixture("structured.npy")));
  REQUIRE(s.n_rows() == 50);
  for (std::size_t i = 0; i < 50; ++i) {
    CHECK(s["event"].values<std::uint64_t>()[i] == (1ull << 63) + i);
    CHECK(s["pt"].values<float>()[i] == static_cast<float>(i) / 3.0f);
    CHECK(s["flag"].values<std::uint8_t>()[i] == (i % 3 == 1));
    CHECK(s["m"].values<double>()[i] == static_cast<double>(i) * 1.25);
    CHECK(s["name"].values<std::string>()[i] == "n" + std::to_string(i % 10));
  }
  CHECK(s["flag"].type == io::dtype::boolean);
  const auto fo = io::read_npy(fixture("fortran.npy"));
  REQUIRE(fo.shape == std::vector<std::size_t>{10, 5});
  for (std::size_t i = 0; i < 50; ++i) CHECK(fo.values<std::int32_t>()[i] == static_cast<std::int32_t>(i * 3) - 7);
  const auto be = io::read_npy(fixture("bigendian.npy"));
  for (std::size_t i = 0; i < 50; ++i) CHECK(be.values<double>()[i] == static_cast<double>(i) * 0.75);
}

TEST_CASE("npz: numpy savez / savez_compressed archives and round trips") {
  for (const char* name : {"stored.npz", "deflated.npz"}) {
    INFO(name);
    CHECK(io::npz_names(fixture(name)) == std::vector<std::string>{"x", "y"});
    const auto x = io::read_npz(fixture(name), "x");
    const auto y = io::read_npz(fixture(name), "y");
    REQUIRE(y.shape == std::vector<std::size_t>{10, 5});
    for (std::size_t i = 0; i < 50; ++i) {
      CHECK(x.values<float>()[i] == static_cast<float>(i) * 0.5f);
      CHECK(y.values<std::int64_t>()[i] == static_cast<std::int64_t>(i));
    }
  }
  const auto b = flat_batch(77);
  for (bool compress : {false, true}) {
    const fs::path f = scratch() / "rt.npz";
    io::write_npz(f, {{"events", io::to_structured(b)}, {"m", io::make_ndarray(std::vector<float>{1, 2, 3, 4}, {2, 2})}}, compress);
    const auto all = io::read_npz(f);
    REQUIRE(all.size() == 2);
    CHECK(all[0].first == "events");
    check_same(b, io::to_record_batch(all[0].second));
    CHECK(all[1].second.values<float>()[3] == 4.0f);
    // corruption: a flipped data byte fails the CRC (or the inflate), a cut archive has no directory
    std::string bytes = slurp(f);
    std::string c = bytes;
    c[200] = static_cast<char>(c[200] ^ 0x10);
    const fs::path g = scratch() / "bad.npz";
    put(g, c);
    CHECK_THROWS_AS((void)io::read_npz(g), hepad::format_error);
    put(g, bytes.substr(0, bytes.size() - 30));
    CHECK(format_error_of([&] { (void)io::read_npz(g); }).find("bad.npz") != std::string::npos);
  }
}

TEST_CASE("npy: truncated and corrupt files name the file and offset") {
  const auto b = flat_batch(20);
  const fs::path f = scratch() / "t.npy";
  io::write_npy(f, b);
  const std::string bytes = slurp(f);
  const fs::path g = scratch() / "t_bad.npy";
  for (std::size_t len = 0; len < bytes.size(); len += 5) {
    put(g, bytes.substr(0, len));
    CHECK_THROWS_AS((void)io::read_npy(g), hepad::format_error);
  }
  std::string c = bytes;
  c[0] = 'X';
  put(g, c);
  CHECK(format_error_of([&] { (void)io::read_npy(g); }).find("bad magic") != std::string::npos);
  c = bytes;
  c.replace(c.find("'descr'"), 7, "'dexcr'");
  put(g, c);
  CHECK(format_error_of([&] { (void)io::read_npy(g); }).find("header lacks descr") != std::string::npos);
}

TEST_CASE("hdf5: pandas fixed format, LHC Olympics and Higgs layouts, compound and bool datasets") {
  // pandas fixed, several blocks: column order of axis0 restored, integer types exact
  const auto p = io::read_hdf5_table(fixture("pandas_fixed.h5"), "df");
  CHECK(p.names() == std::vector<std::string>{"a", "b", "k", "u", "c"});
  REQUIRE(p.n_rows() == 50);
  CHECK(p["u"].type == io::dtype::uint64);
  CHECK(p["b"].type == io::dtype::float32);
  for (std::size_t i = 0; i < 50; ++i) {
    CHECK(p["a"].values<double>()[i] == static_cast<double>(i) * 0.5);
    CHECK(p["b"].values<float>()[i] == static_cast<float>(i) / 3.0f);
    CHECK(p["k"].values<std::int64_t>()[i] == static_cast<std::int64_t>(i * i) - 100);
    CHECK(p["u"].values<std::uint64_t>()[i] == (1ull << 63) + i);
    CHECK(p["c"].values<double>()[i] == -static_cast<double>(i) * 0.25);
  }
  // LHC Olympics-like: one block with numeric names, read in chunks of 6 rows
  io::hdf5_reader r(fixture("lhco_like.h5"), "df", {.columns = {"0", "6"}}, {.events = 6});
  CHECK(r.n_rows() == 20);
  io::record_batch all;
  std::size_t chunks = 0;
  for (const auto& c : io::batches(r)) {
    all.append(c);
    ++chunks;
  }
  CHECK(chunks == 4);
  REQUIRE(all.n_rows() == 20);
  for (std::size_t i = 0; i < 20; ++i) {
    CHECK(all["0"].as_double(i) == static_cast<double>(i * 7) / 8.0);
    CHECK(all["6"].as_double(i) == static_cast<double>(i * 7 + 6) / 8.0);
  }
  // Higgs: (N, 30) features with the challenge's names, weights and labels appended
  const auto h = io::read_hdf5_table(fixture("higgs_like.h5"), "features",
                                     {.names = io::higgs_feature_names(), .extra = {"weights", "labels"}});
  REQUIRE(h.n_columns() == 32);
  CHECK(h[0].name == "DER_mass_MMC");
  CHECK(h[29].name == "PRI_jet_all_pt");
  CHECK(h["DER_mass_MMC"].as_double(5) == -999.0);
  CHECK(h["DER_mass_vis"].values<float>()[3] == (static_cast<float>(3 * 30 + 2) - 100.0f) / 7.0f);
  CHECK(h["weights"].as_double(9) == 1.0 + 9 / 10.0);
  CHECK(h["labels"].values<std::int8_t>()[7] == 1);
  // a matrix view for the algorithms
  const auto m = h.to_matrix<double>({"DER_pt_h", "PRI_jet_num"});
  CHECK(m(2, 0) == static_cast<double>((static_cast<float>(2 * 30 + 3) - 100.0f) / 7.0f));
  // compound dataset (numpy structured array written by h5py)
  const auto rec = io::read_hdf5_table(fixture("higgs_like.h5"), "records");
  CHECK(rec.names() == std::vector<std::string>{"event", "pt", "q", "tag"});
  CHECK(rec["event"].values<std::uint64_t>()[49] == 1000000000000ull + 49);
  CHECK(rec["q"].values<std::int16_t>()[3] == -1);
  CHECK(rec["tag"].values<std::string>()[8] == "t1");
  // h5py bool
  const auto fl = io::read_hdf5(fixture("higgs_like.h5"), "flags");
  CHECK(fl.type == io::dtype::boolean);
  CHECK(fl.values<std::uint8_t>()[3] == 1);
  CHECK(fl.values<std::uint8_t>()[4] == 0);
  CHECK_THROWS_AS((void)io::read_hdf5_table(fixture("higgs_like.h5"), "nothing"), hepad::out_of_range);
  CHECK_THROWS_AS((void)io::read_hdf5_table(fixture("pandas_fixed.h5"), "df", {.columns = {"zz"}}), hepad::out_of_range);
}

TEST_CASE("hdf5: write then read tables (with list columns), arrays, atomic writes, corrupt files") {
  auto b = flat_batch(300);
  std::vector<std::vector<float>> rows(300);
  for (std::size_t i = 0; i < 300; ++i)
    for (std::size_t k = 0; k < i % 4; ++k) rows[i].push_back(static_cast<float>(i) + 0.5f * static_cast<float>(k));
  b.add(io::make_list_column("Muon_pt", rows));
  std::vector<std::string> names(300);
  for (std::size_t i = 0; i < 300; ++i) names[i] = "s" + std::to_string(i % 13);
  b.add(io::make_column("name", names));
  const fs::path f = scratch() / "rt.h5";
  fs::remove(f);
  {
    io::hdf5_writer w(f);
    w.write_table("events", b);
    CHECK_FALSE(fs::exists(f));
  }
  CHECK_FALSE(fs::exists(f));
  for (int level : {0, 4}) {
    io::hdf5_writer w(f);
    w.write_table("events", b, {.gzip_level = level, .chunk_rows = 64});
    w.write("matrix/x", io::to_matrix_array<double>(flat_batch(10)));
    w.write("structured", io::to_structured(flat_batch(40)));
    w.close();
    check_same(b, io::read_hdf5_table(f, "events"));
    check_same(flat_batch(40), io::read_hdf5_table(f, "structured"));
    const auto x = io::read_hdf5(f, "matrix/x");
    REQUIRE(x.shape == std::vector<std::size_t>{10, 7});
    CHECK(x.values<double>()[3 * 7 + 2] == static_cast<double>(b["pt"].values<float>()[3]));
    // chunked in bytes: several chunks, same rows (list offsets rebased per chunk)
    io::hdf5_reader r(f, "events", {}, {.bytes = 1500});
    io::record_batch all;
    std::size_t chunks = 0;
    for (const auto& c : io::batches(r)) {
      all.append(c);
      ++chunks;
    }
    CHECK(chunks > 3);
    check_same(b, all);
  }
  // truncated and garbage files: format_error naming the file
  const std::string bytes = slurp(f);
  const fs::path g = scratch() / "bad.h5";
  for (std::size_t len : {std::size_t{0}, std::size_t{100}, bytes.size() / 2, bytes.size() - 100}) {
    put(g, bytes.substr(0, len));
    const std::string msg = format_error_of([&] { (void)io::read_hdf5_table(g, "events"); });
    CHECK(msg.find("bad.h5") != std::string::npos);
  }
}

TEST_CASE("numpy and h5py read what hepad writes") {
  if (!has_python_stack()) {
    MESSAGE("Debian's numpy/h5py not found: cross-check skipped");
    return;
  }
  const auto b = flat_batch(64);
  const fs::path npy = scratch() / "x.npy", npz = scratch() / "x.npz", h5 = scratch() / "x.h5", out = scratch() / "py.txt";
  io::write_npy(npy, b);
  io::write_npz(npz, {{"ev", io::to_structured(b)}}, true);
  io::write_hdf5_table(h5, "t", b);
  const std::string script =
      "import numpy as np, h5py\n"
      "a = np.load('" + npy.string() + "')\n"
      "z = np.load('" + npz.string() + "')['ev']\n"
      "h = h5py.File('" + h5.string() + "')['t']\n"
      "assert a.dtype == z.dtype\n"
      "for n in a.dtype.names: assert (a[n] == z[n]).all() and (a[n] == h[n][:]).all(), n\n"
      "print(a.dtype.str, [a.dtype[n].str for n in a.dtype.names], int(a['event'][63]), repr(float(a['pt'][5])), "
      "h['flag'].dtype, int(a['flag'].sum()), int(a['u16'][1]))\n";
  put(scratch() / "check.py", script);
  REQUIRE(std::system(("/usr/bin/python3 '" + (scratch() / "check.py").string() + "' > '" + out.string() + "' 2>&1").c_str()) == 0);
  const std::string got = slurp(out);
  INFO(got);
  CHECK(got.find("['<u8', '<i4', '<f4', '<f8', '|b1', '|i1', '<u2']") != std::string::npos);
  CHECK(got.find(std::to_string(18000000000000000063ull)) != std::string::npos);
  CHECK(got.find(" bool ") != std::string::npos);
  CHECK(got.find(" 22 ") != std::string::npos);  // i % 3 == 0 for 64 rows
  CHECK(got.find(" 65534") != std::string::npos);
}

TEST_CASE("to_table / from_table: roles, weights, labels, jagged collections, chunked table source") {
  io::record_batch b;
  std::vector<double> m(10), pt(10), w(10);
  std::vector<std::int32_t> y(10);
  std::vector<std::uint64_t> ev(10);
  std::vector<std::vector<float>> mu_pt(10), mu_eta(10);
  for (std::size_t i = 0; i < 10; ++i) {
    m[i] = 3.0 + 0.1 * static_cast<double>(i);
    pt[i] = 100.0 * static_cast<double>(i);
    w[i] = i % 2 ? -0.5 : 2.0;
    y[i] = static_cast<std::int32_t>(i % 2);
    ev[i] = 1000 + i;
    for (std::size_t k = 0; k < i % 3; ++k) {
      mu_pt[i].push_back(static_cast<float>(i + k));
      mu_eta[i].push_back(-static_cast<float>(k));
    }
  }
  b.add(io::make_column("event", ev)).add(io::make_column("mjj", m)).add(io::make_column("pt", pt));
  b.add(io::make_column("w", w)).add(io::make_column("y", y));
  b.add(io::make_list_column("Muon_pt", mu_pt)).add(io::make_list_column("Muon_eta", mu_eta));
  const auto t = io::to_table<float>(b, {.features = {"pt"}, .context = {"mjj"}, .weight = "w", .label = "y",
                                         .jagged = {{"Muon", {"Muon_pt", "Muon_eta"}}}});
  REQUIRE(t.size() == 10);
  CHECK(t.n_features() == 1);
  CHECK(t.n_context() == 1);
  CHECK(t.features()(4, 0) == 400.0f);
  CHECK(t.context()(2, 0) == 3.2f);
  CHECK(t.weights()(3) == -0.5f);
  CHECK(t.labels()(3) == 1);
  const auto& mu = t.jagged_column("Muon");
  CHECK(mu.fields() == std::vector<std::string>{"pt", "eta"});
  CHECK(mu.count(5) == 2);
  CHECK(mu[5](1, 0) == 6.0f);
  CHECK(mu[5](1, 1) == -1.0f);
  const auto back = io::from_table(t);
  CHECK(back["pt"].values<float>()[4] == 400.0f);
  CHECK(back["weight"].values<float>()[3] == -0.5f);
  CHECK(back["label"].values<std::int32_t>()[1] == 1);
  CHECK(back["Muon_eta"].offsets == b["Muon_eta"].offsets);
  // a chunked reader as a data::table_source
  const fs::path f = scratch() / "tt.npy";
  io::write_npy(f, io::make_ndarray(m, {10}));
  io::npy_reader r(f, {.events = 4}, {"mjj"});
  io::table_source<double, io::npy_reader> src(r);
  std::size_t rows = 0, chunks = 0;
  for (const auto& c : hepad::data::chunks(src)) {
    rows += static_cast<std::size_t>(c.size());
    ++chunks;
  }
  CHECK(rows == 10);
  CHECK(chunks == 3);
  CHECK_THROWS_AS((void)io::to_table<float>(b, {.features = {"nope"}}), hepad::out_of_range);
}
