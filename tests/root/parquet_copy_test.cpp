// SPDX-License-Identifier: BSL-1.0
// nano_dy.parquet and nano_dimuon.parquet are upstream Parquet copies of nano_dy.root and
// nano_dimuon.root (written by pyarrow, checked cell by cell against jsroot, see the README): every
// branch read by hepad's ROOT reader must equal the Parquet column of the same name (read by
// hepad's Parquet reader), value by value, with the same list structure. Also round-trips ROOT
// columns through hepad's Parquet writer.
#include <hepad/io/parquet/reader.hpp>
#include <hepad/io/parquet/writer.hpp>
#include <hepad/io/root/file.hpp>
#include <hepad/io/root/to_record_batch.hpp>
#include <hepad/io/root/tree.hpp>
#include <hepad/io/root/tree_reader.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace root = hepad::io::root;

namespace {
std::string data_path(const std::string& rel) {
  std::string p = HEPAD_TEST_DATA_DIR;
  p += '/';
  p += rel;
  return p;
}
}  // namespace

TEST_CASE("every branch equals the upstream Parquet copy (nano_dy, nano_dimuon)") {
  for (const char* name : {"nano_dy", "nano_dimuon"}) {
    CAPTURE(name);
    const root::file f(data_path(std::string("nanoaod/") + name + ".root"));
    const root::tree t(f, "Events");
    std::vector<std::string> names;
    for (const auto& b : t.branches()) names.push_back(b.name);
    root::tree_reader r(t, names);
    const auto cols = r.read({0, t.entries()});
    const auto pq = hepad::io::parquet::read(data_path(std::string("nanoaod/") + name + ".parquet"));
    REQUIRE(pq.n_rows() == static_cast<std::size_t>(t.entries()));
    REQUIRE(pq.n_columns() == names.size());
    std::size_t cells = 0, bad_columns = 0;
    for (const auto& c : cols) {
      const auto& p = pq[c.name()];
      bool ok = p.is_list() == c.has_offsets() && p.n_elements() == c.n_values();
      if (ok && c.has_offsets())
        ok = std::equal(p.offsets.begin(), p.offsets.end(), c.offsets().begin(), c.offsets().end());
      for (std::size_t k = 0; ok && k < c.n_values(); ++k, ++cells) {
        const double x = p.as_double(k), y = c.as_double(k);
        ok = x == y || (std::isnan(x) && std::isnan(y));  // HTXS_Higgs_y holds NaNs
      }
      if (!ok) {
        ++bad_columns;
        FAIL_CHECK("branch " << c.name() << " differs from the Parquet copy");
      }
    }
    CHECK(bad_columns == 0);
    MESSAGE(std::string(name) << ": " << cols.size() << " branches, " << cells << " values equal the Parquet copy");
  }
}

TEST_CASE("ROOT columns round-trip through hepad's Parquet writer and reader") {
  const root::file f(data_path("root-extra/uproot-Zmumu-zstd.root"));
  const root::tree t(f, "events");
  std::vector<std::string> names;
  for (const auto& b : t.branches()) names.push_back(b.name);
  root::tree_reader r(t, names);
  const auto batch = root::to_record_batch(r.read({0, t.entries()}));
  CHECK(batch["Type"].type == hepad::io::dtype::string);
  CHECK(batch["Run"].type == hepad::io::dtype::int32);
  const auto path = std::filesystem::temp_directory_path() / ("hepad_root_rt_" + std::to_string(::getpid()) + ".parquet");
  hepad::io::parquet::write(path, batch);
  const auto back = hepad::io::parquet::read(path);
  std::filesystem::remove(path);
  REQUIRE(back.n_rows() == 2304);
  for (const auto& name : names) {
    CAPTURE(name);
    const auto& a = batch[name];
    const auto& b = back[name];
    REQUIRE(a.type == b.type);
    if (a.type == hepad::io::dtype::string) CHECK(a.values<std::string>()[7] == b.values<std::string>()[7]);
    else
      for (std::size_t k = 0; k < a.n_elements(); k += 97) CHECK(a.as_double(k) == b.as_double(k));
  }
}
