// SPDX-License-Identifier: BSL-1.0
// Parquet writer and reader: round trips for every type, codec and encoding; the files hepad
// writes read by two independent readers (npm hyparquet + hyparquet-compressors, parquet-wasm);
// the real upstream NanoAOD Parquet files (ZSTD, 1499/1601 columns, LIST nesting) against the
// values of their README and against hyparquet; corrupt and truncated files.
#include <doctest/doctest.h>

#include <hepad/io/chunking.hpp>
#include <hepad/io/parquet/reader.hpp>
#include <hepad/io/parquet/writer.hpp>

#include <nlohmann/json.hpp>

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
namespace pq = hepad::io::parquet;

namespace {

fs::path scratch() {
  const fs::path d = fs::temp_directory_path() / "hepad_parquet_test";
  fs::create_directories(d);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A batch with every supported type, nulls, empty and null lists, and a repeated-value column
// (dictionary-friendly), built deterministically from the row index.
io::record_batch sample_batch(std::size_t n) {
  std::vector<std::uint64_t> event(n);
  std::vector<std::uint32_t> run(n);
  std::vector<float> pt(n);
  std::vector<double> weight(n);
  std::vector<std::int32_t> pdg(n);
  std::vector<std::int8_t> i8(n);
  std::vector<std::uint8_t> u8(n);
  std::vector<std::int16_t> i16(n);
  std::vector<std::uint16_t> u16(n);
  std::vector<std::int64_t> i64(n);
  std::vector<bool> flag(n);
  std::vector<std::string> name(n);
  std::vector<double> opt(n);
  std::vector<std::uint8_t> opt_valid(n);
  std::vector<float> muon_pt;
  std::vector<std::int64_t> muon_off{0};
  std::vector<std::int32_t> charge;
  std::vector<std::int64_t> charge_off{0};
  std::vector<std::uint8_t> charge_valid(n);
  for (std::size_t i = 0; i < n; ++i) {
    event[i] = 18446744073709551000ull - 7 * i;  // above 2^63: unsigned must survive
    run[i] = 4000000000u + static_cast<std::uint32_t>(i % 3);
    pt[i] = 0.1f * static_cast<float>(i) + 1.0f / 3.0f;
    weight[i] = (i % 5 == 0) ? -1.5 : 1.0 / (1.0 + static_cast<double>(i));
    pdg[i] = (i % 2 ? -13 : 13) * static_cast<std::int32_t>(1 + i % 4);
    i8[i] = static_cast<std::int8_t>(static_cast<int>(i % 256) - 128);
    u8[i] = static_cast<std::uint8_t>(i * 7 % 256);
    i16[i] = static_cast<std::int16_t>(static_cast<int>(i * 37 % 65536) - 32768);
    u16[i] = static_cast<std::uint16_t>(i * 91 % 65536);
    i64[i] = static_cast<std::int64_t>(i) * -1234567890123ll;
    flag[i] = (i % 3) == 1;
    name[i] = i % 4 == 0 ? "" : "ev\"" + std::to_string(i % 10) + "\xc3\xa9";
    opt_valid[i] = i % 7 != 3;
    opt[i] = opt_valid[i] ? 2.5 * static_cast<double>(i) : 0.0;
    const std::size_t nm = i % 4;
    for (std::size_t k = 0; k < nm; ++k) muon_pt.push_back(static_cast<float>(i) + 0.25f * static_cast<float>(k));
    muon_off.push_back(static_cast<std::int64_t>(muon_pt.size()));
    charge_valid[i] = i % 6 != 5;
    if (charge_valid[i])
      for (std::size_t k = 0; k < i % 3; ++k) charge.push_back(k % 2 ? -1 : 1);
    charge_off.push_back(static_cast<std::int64_t>(charge.size()));
  }
  io::record_batch b;
  b.add(io::make_column("event", event));
  b.add(io::make_column("run", run));
  b.add(io::make_column("pt", pt));
  b.add(io::make_column("weight", weight));
  b.add(io::make_column("pdgId", pdg));
  b.add(io::make_column("i8", i8));
  b.add(io::make_column("u8", u8));
  b.add(io::make_column("i16", i16));
  b.add(io::make_column("u16", u16));
  b.add(io::make_column("i64", i64));
  b.add(io::make_column("flag", flag));
  b.add(io::make_column("name", name));
  b.add(io::make_nullable_column("maybe", opt, opt_valid));
  b.add(io::make_list_column("Muon_pt", muon_pt, muon_off));
  auto ch = io::make_list_column("Muon_charge", charge, charge_off);
  ch.validity = charge_valid;
  b.add(std::move(ch));
  return b;
}

// Exact equality of two batches (types, nulls, list structure, values bit for bit).
void check_equal(const io::record_batch& a, const io::record_batch& b) {
  REQUIRE(a.n_columns() == b.n_columns());
  REQUIRE(a.n_rows() == b.n_rows());
  for (std::size_t j = 0; j < a.n_columns(); ++j) {
    const auto& x = a[j];
    const auto& y = b[j];
    INFO("column ", x.name);
    CHECK(x.name == y.name);
    CHECK(x.type == y.type);
    CHECK(x.offsets == y.offsets);
    CHECK(x.nullable() == y.nullable());
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!x.is_valid(i)) {
        CHECK_FALSE(y.is_valid(i));
        continue;
      }
      CHECK(y.is_valid(i));
      if (x.is_list()) continue;  // elements compared below
      if (x.type == io::dtype::string) CHECK(x.values<std::string>()[i] == y.values<std::string>()[i]);
      else if (x.type == io::dtype::uint64) CHECK(x.values<std::uint64_t>()[i] == y.values<std::uint64_t>()[i]);
      else if (x.type == io::dtype::int64) CHECK(x.values<std::int64_t>()[i] == y.values<std::int64_t>()[i]);
      else CHECK(x.as_double(i) == y.as_double(i));
    }
    if (x.is_list())
      for (std::size_t e = 0; e < x.n_elements(); ++e) CHECK(x.as_double(e) == y.as_double(e));
  }
}

// True if node and the JS readers are installed (CTest fixture js_readers); else the JS
// cross-checks are skipped with a message.
bool js_available() {
  static const bool ok = fs::exists(fs::path(HEPAD_JS_DIR) / "node_modules" / "hyparquet") &&
                         fs::exists(fs::path(HEPAD_JS_DIR) / "node_modules" / "parquet-wasm") &&
                         std::system("node --version > /dev/null 2>&1") == 0;
  if (!ok) MESSAGE("node or the JS readers (", HEPAD_JS_DIR, ") are missing: JS cross-check skipped");
  return ok;
}

// Runs the node script on `files` (one node process) and returns its JSON, keyed by file.
nlohmann::json js_read(const std::vector<fs::path>& files, const std::string& columns = {}) {
  const fs::path out = scratch() / (files.front().filename().string() + ".json");
  std::string cmd = std::string("HEPAD_JS_DIR='") + HEPAD_JS_DIR + "' node '" + HEPAD_SOURCE_DIR + "/tests/js/read_parquet.mjs'";
  if (!columns.empty()) cmd += " --columns " + columns;
  for (const auto& f : files) cmd += " '" + f.string() + "'";
  cmd += " > '" + out.string() + "'";
  const int rc = std::system(cmd.c_str());
  REQUIRE_MESSAGE(rc == 0, "node script failed: ", cmd);
  return nlohmann::json::parse(slurp(out));
}
nlohmann::json js_read(const fs::path& file) { return js_read(std::vector<fs::path>{file})[file.string()]; }

// Compares one JSON value (from a JS reader) with element `i` of column `c`.
bool same_value(const io::column& c, std::size_t i, const nlohmann::json& v) {
  switch (c.type) {
    case io::dtype::string: return v.is_string() && v.get<std::string>() == c.values<std::string>()[i];
    case io::dtype::uint64:
      return (v.is_string() && v.get<std::string>() == std::to_string(c.values<std::uint64_t>()[i])) ||
             (v.is_number_unsigned() && v.get<std::uint64_t>() == c.values<std::uint64_t>()[i]);
    case io::dtype::int64:
      return (v.is_string() && v.get<std::string>() == std::to_string(c.values<std::int64_t>()[i])) ||
             (v.is_number_integer() && v.get<std::int64_t>() == c.values<std::int64_t>()[i]);
    case io::dtype::boolean:
      return (v.is_boolean() && v.get<bool>() == (c.values<std::uint8_t>()[i] != 0)) ||
             (v.is_number() && v.get<double>() == c.as_double(i));
    default:
      if (v.is_string()) {  // non-finite values arrive as "NaN", "Infinity", "-Infinity"
        const double x = c.as_double(i);
        return (v == "NaN" && std::isnan(x)) || (v == "Infinity" && x == HUGE_VAL) || (v == "-Infinity" && x == -HUGE_VAL);
      }
      return v.is_number() && v.get<double>() == c.as_double(i);
  }
}

// Every row of every column of `b` against one JS reader's output. Returns the mismatch count.
std::size_t compare_js(const io::record_batch& b, const nlohmann::json& r, const std::string& reader) {
  std::size_t bad = 0;
  REQUIRE_MESSAGE(!r.contains("error"), reader, ": ", r.value("error", ""));
  CHECK_MESSAGE(r["rows"].get<std::size_t>() == b.n_rows(), reader, " counted rows");
  for (const auto& c : b.columns()) {
    INFO(reader, " column ", c.name);
    REQUIRE(r["columns"].contains(c.name));
    const auto& vals = r["columns"][c.name];
    REQUIRE(vals.size() == b.n_rows());
    for (std::size_t i = 0; i < b.n_rows(); ++i) {
      const auto& v = vals[i];
      bool ok = true;
      if (!c.is_valid(i)) {
        ok = v.is_null();
      } else if (c.is_list()) {
        const auto e0 = static_cast<std::size_t>(c.offsets[i]), e1 = static_cast<std::size_t>(c.offsets[i + 1]);
        ok = v.is_array() && v.size() == e1 - e0;
        for (std::size_t e = e0; ok && e < e1; ++e) ok = same_value(c, e, v[e - e0]);
      } else {
        ok = same_value(c, i, v);
      }
      if (!ok && bad++ < 5) FAIL_CHECK(reader, ": column ", c.name, " row ", i, " differs: ", v.dump());
    }
  }
  return bad;
}

}  // namespace

TEST_CASE("parquet: write then read every type, codec and encoding") {
  const auto batch = sample_batch(1000);
  for (auto codec : {pq::compression::uncompressed, pq::compression::snappy, pq::compression::gzip, pq::compression::zstd}) {
    for (auto dict : {pq::dictionary_mode::off, pq::dictionary_mode::automatic, pq::dictionary_mode::always}) {
     for (int version : {1, 2}) {
      const fs::path f = scratch() / "roundtrip.parquet";
      CAPTURE(static_cast<int>(codec));
      CAPTURE(static_cast<int>(dict));
      CAPTURE(version);
      // small row groups and pages so that reading crosses page and row-group boundaries
      pq::write(f, batch, {.compression = codec, .row_group_rows = 300, .page_bytes = 700, .dictionary = dict,
                           .data_page_version = version});
      pq::reader r(f);
      CHECK(r.n_rows() == 1000);
      CHECK(r.n_row_groups() == 4);
      CHECK(r.field_named("event").type == io::dtype::uint64);
      CHECK(r.field_named("Muon_pt").list);
      check_equal(batch, r.read());
      check_equal(batch, r.read({}, 3));  // column-parallel read gives the same
     }
    }
  }
}

TEST_CASE("parquet: chunked reading in events and in bytes gives the same rows") {
  const auto batch = sample_batch(777);
  const fs::path f = scratch() / "chunks.parquet";
  pq::write(f, batch, {.row_group_rows = 250, .page_bytes = 512});
  for (io::chunk_size cs : {io::chunk_size{.events = 100}, io::chunk_size{.events = 1}, io::chunk_size{.bytes = 4096},
                            io::chunk_size{.events = 10000}}) {
    pq::reader r(f);
    r.select({"event", "Muon_pt", "maybe", "Muon_charge", "name"}, cs);
    io::record_batch all;
    std::size_t n_chunks = 0, max_rows = 0;
    for (const auto& b : io::batches(r)) {
      ++n_chunks;
      max_rows = (std::max)(max_rows, b.n_rows());
      all.append(b);
    }
    CHECK(all.n_rows() == 777);
    if (cs.events > 0) {
      CHECK(max_rows == (std::min<std::size_t>)(cs.events, 777));
      CHECK(n_chunks == (777 + (std::min<std::size_t>)(cs.events, 777) - 1) / (std::min<std::size_t>)(cs.events, 777));
    } else {
      CHECK(n_chunks > 1);
    }
    io::record_batch expect;
    for (const char* n : {"event", "Muon_pt", "maybe", "Muon_charge", "name"}) expect.add(batch[std::string_view(n)]);
    // chunks without nulls come back without validity; compare values via the full reader instead
    check_equal(pq::read(f, {"event", "Muon_pt", "maybe", "Muon_charge", "name"}), all);
    check_equal(expect, all);
  }
}

TEST_CASE("parquet: a streamed file with several writes, and unclosed writers leave nothing") {
  const fs::path f = scratch() / "stream.parquet";
  fs::remove(f);
  {
    pq::writer w(f);
    w.write(sample_batch(10));
    CHECK_FALSE(fs::exists(f));
  }
  CHECK_FALSE(fs::exists(f));
  pq::writer w(f, {.compression = pq::compression::zstd});
  io::record_batch expect;
  for (int k = 0; k < 3; ++k) {
    auto b = sample_batch(50 + static_cast<std::size_t>(k));
    w.write(b);
    expect.append(b);
  }
  auto wrong = sample_batch(5);
  wrong.columns()[0].name = "other";
  CHECK_THROWS_AS(w.write(wrong), hepad::invalid_argument);
  w.close();
  CHECK(w.rows_written() == 153);
  check_equal(expect, pq::read(f));
  // zero rows: the schema survives, every column comes back empty with its type
  const auto empty = sample_batch(0);
  pq::write(f, empty);
  pq::reader r(f);
  CHECK(r.n_rows() == 0);
  CHECK(r.n_row_groups() == 0);
  check_equal(empty, r.read());
  CHECK(r.fields().size() == 15);
  CHECK_FALSE(r.next());
}

TEST_CASE("parquet: files hepad writes are read identically by hyparquet and parquet-wasm") {
  if (!js_available()) return;
  const auto batch = sample_batch(203);
  std::vector<fs::path> files;
  int i = 0;
  for (auto codec : {pq::compression::uncompressed, pq::compression::snappy, pq::compression::gzip, pq::compression::zstd}) {
    files.push_back(scratch() / ("js_" + std::to_string(i++) + ".parquet"));
    // dictionary on for half of the files, two row groups, several pages per chunk
    pq::write(files.back(), batch, {.compression = codec, .row_group_rows = 150, .page_bytes = 400,
                                    .dictionary = (i % 2) ? pq::dictionary_mode::always : pq::dictionary_mode::off});
  }
  // data pages v2 (uncompressed levels, RLE booleans), with and without a dictionary
  for (auto [codec, dict] : {std::pair{pq::compression::snappy, pq::dictionary_mode::off},
                             std::pair{pq::compression::zstd, pq::dictionary_mode::always}}) {
    files.push_back(scratch() / ("js_" + std::to_string(i++) + ".parquet"));
    pq::write(files.back(), batch, {.compression = codec, .row_group_rows = 150, .page_bytes = 400, .dictionary = dict,
                                    .data_page_version = 2});
  }
  const auto all = js_read(files);
  for (const auto& f : files) {
    INFO(f.string());
    const auto& j = all[f.string()];
    CHECK(compare_js(batch, j["hyparquet"], "hyparquet") == 0);
    CHECK(compare_js(batch, j["parquet_wasm"], "parquet-wasm") == 0);
    CHECK(j["hyparquet"]["footer_rows"].get<std::size_t>() == 203);
    // unsigned annotations as another reader sees them
    for (const auto& s : j["hyparquet"]["schema"]) {
      if (s["name"] == "event") CHECK(s["converted_type"] == "UINT_64");
      if (s["name"] == "run") CHECK(s["converted_type"] == "UINT_32");
    }
    CHECK(j["parquet_wasm"]["types"]["event"] == "Uint64");
    CHECK(j["parquet_wasm"]["types"]["run"] == "Uint32");
  }
}

TEST_CASE("parquet: the S1 flat per-event layout (snappy) reads back in both JS readers") {
  // event uint64, run/luminosityBlock uint32, weight float64, then pt/eta/phi float32, pdgId int32
  io::record_batch b;
  const std::size_t n = 55;
  std::vector<std::uint64_t> ev(n);
  std::vector<std::uint32_t> run(n, 315267u), lumi(n, 205u);
  std::vector<double> w(n);
  std::vector<float> pt0(n), eta0(n);
  std::vector<std::int32_t> pdg0(n);
  for (std::size_t i = 0; i < n; ++i) {
    ev[i] = 197585431ull + 1000 * i;
    w[i] = 0.5 + static_cast<double>(i) / 7.0;
    pt0[i] = 20.f + static_cast<float>(i) / 3.f;
    eta0[i] = -2.4f + 0.08f * static_cast<float>(i);
    pdg0[i] = i % 2 ? 13 : -13;
  }
  b.add(io::make_column("event", ev)).add(io::make_column("run", run)).add(io::make_column("luminosityBlock", lumi));
  b.add(io::make_column("weight", w)).add(io::make_column("pt0", pt0)).add(io::make_column("eta0", eta0));
  b.add(io::make_column("pdgId0", pdg0));
  const fs::path f = scratch() / "s1_layout.parquet";
  pq::write(f, b);  // default: snappy
  check_equal(b, pq::read(f));
  if (!js_available()) return;
  const auto j = js_read(f);
  CHECK(compare_js(b, j["hyparquet"], "hyparquet") == 0);
  CHECK(compare_js(b, j["parquet_wasm"], "parquet-wasm") == 0);
}

TEST_CASE("parquet: real NanoAOD files (pyarrow 9, ZSTD, LIST) give their README values") {
  const std::string dir = std::string(HEPAD_TEST_DATA_DIR) + "/nanoaod/";
  SUBCASE("nano_dy.parquet") {
    pq::reader r(dir + "nano_dy.parquet");
    CHECK(r.n_rows() == 40);
    CHECK(r.fields().size() == 1499);
    CHECK(r.created_by() == "parquet-cpp-arrow version 9.0.0");
    const auto b = r.read({}, 2);
    CHECK(b.n_columns() == 1499);
    CHECK(b["event"].type == io::dtype::uint64);
    CHECK(b["run"].type == io::dtype::uint32);
    CHECK(b["Muon_mediumId"].type == io::dtype::boolean);
    CHECK(b["Muon_pt"].is_list());
    for (std::size_t i = 0; i < 40; ++i) {
      CHECK(b["run"].values<std::uint32_t>()[i] == 1u);
      CHECK(b["luminosityBlock"].values<std::uint32_t>()[i] == 13889u);
      CHECK(b["event"].values<std::uint64_t>()[i] >= 3749761u);
      CHECK(b["event"].values<std::uint64_t>()[i] <= 3749892u);
    }
    CHECK(b["event"].values<std::uint64_t>()[0] == 3749778u);
    CHECK(b["event"].values<std::uint64_t>()[1] == 3749762u);
    CHECK(b["event"].values<std::uint64_t>()[2] == 3749777u);
    auto sum = [&](const char* name) {
      double s = 0;
      const auto& c = b[std::string_view(name)];
      for (std::size_t e = 0; e < c.n_elements(); ++e) s += c.as_double(e);
      return s;
    };
    CHECK(sum("nMuon") == 18);
    CHECK(b["Muon_pt"].n_elements() == 18);
    CHECK(sum("Muon_pt") == doctest::Approx(538.3693809509277).epsilon(1e-12));
    CHECK(sum("nElectron") == 25);
    CHECK(sum("Electron_pt") == doctest::Approx(608.1414585113525).epsilon(1e-12));
    CHECK(sum("nJet") == 188);
    CHECK(sum("Jet_pt") == doctest::Approx(5737.7109375).epsilon(1e-12));
    CHECK(sum("nGenPart") == 1067);
    CHECK(sum("GenPart_pt") == doctest::Approx(15357.252411413254).epsilon(1e-12));
    CHECK(sum("GenPart_pdgId") == 17631);
    CHECK(sum("genWeight") == doctest::Approx(578762.435546875).epsilon(1e-12));
    CHECK(sum("MET_pt") == doctest::Approx(1253.3067207336426).epsilon(1e-12));
    CHECK(sum("PV_npvs") == 1127);
    const auto& mpt = b["Muon_pt"];
    REQUIRE(mpt.row<float>(4).size() == 2);
    CHECK(mpt.row<float>(4)[0] == 76.7533187866211f);
    CHECK(mpt.row<float>(4)[1] == 20.13140869140625f);
    CHECK(mpt.row<float>(5)[0] == 31.03870391845703f);
    CHECK(mpt.row<float>(6)[1] == 14.330102920532227f);
    CHECK(b["Muon_charge"].row<std::int32_t>(4)[0] == -1);
    CHECK(b["Muon_charge"].row<std::int32_t>(4)[1] == 1);
    // Photon_cutBasedBitmap of entries 0..8: [], [7], [7,0,7], [7,0], [], [], [0], [], []
    const std::vector<std::vector<int>> bitmap{{}, {7}, {7, 0, 7}, {7, 0}, {}, {}, {0}, {}, {}};
    const auto& pb = b["Photon_cutBasedBitmap"];
    for (std::size_t i = 0; i < bitmap.size(); ++i) {
      const auto o0 = static_cast<std::size_t>(pb.offsets[i]), o1 = static_cast<std::size_t>(pb.offsets[i + 1]);
      REQUIRE(o1 - o0 == bitmap[i].size());
      for (std::size_t k = o0; k < o1; ++k) CHECK(pb.as_double(k) == bitmap[i][k - o0]);
    }
    // muons and pairs in the first chunk of 7 events: 5 and 2 (chunked reading)
    r.select({"nMuon"}, {.events = 7});
    const auto first = r.next();
    REQUIRE(first);
    double muons = 0, pairs = 0;
    for (std::size_t i = 0; i < 7; ++i) {
      const double m = first->operator[]("nMuon").as_double(i);
      muons += m;
      pairs += m * (m - 1) / 2;
    }
    CHECK(muons == 5);
    CHECK(pairs == 2);
  }
  SUBCASE("nano_dimuon.parquet") {
    const auto b = pq::read(dir + "nano_dimuon.parquet");
    CHECK(b.n_rows() == 40);
    CHECK(b.n_columns() == 1601);
    double n = 0, pairs = 0, pt = 0;
    for (std::size_t i = 0; i < 40; ++i) {
      const double m = b["nMuon"].as_double(i);
      n += m;
      pairs += m * (m - 1) / 2;
      CHECK(b["run"].values<std::uint32_t>()[i] == 315267u);
      CHECK(b["luminosityBlock"].values<std::uint32_t>()[i] == 205u);
    }
    for (std::size_t e = 0; e < b["Muon_pt"].n_elements(); ++e) pt += b["Muon_pt"].as_double(e);
    CHECK(n == 84);
    CHECK(pairs == 66);
    CHECK(pt == doctest::Approx(1306.4948959350586).epsilon(1e-12));
    CHECK(b["event"].values<std::uint64_t>()[0] == 197798546u);
    CHECK(b["event"].values<std::uint64_t>()[1] == 197818706u);
    CHECK(b["event"].values<std::uint64_t>()[2] == 197762836u);
    const auto m0 = b["Muon_pt"].row<float>(0);
    REQUIRE(m0.size() == 3);
    CHECK(m0[0] == 7.240253925323486f);
    CHECK(m0[1] == 6.008164405822754f);
    CHECK(m0[2] == 3.898627996444702f);
    CHECK(b["Muon_pt"].row<float>(1)[0] == 44.42646789550781f);
    CHECK(b["Muon_pt"].row<float>(2)[1] == 21.511327743530273f);
    const auto q = b["Muon_charge"].row<std::int32_t>(0);
    CHECK((q[0] == 1 && q[1] == -1 && q[2] == 1));
    const auto id = b["Muon_mediumId"].row<std::uint8_t>(0);
    CHECK((id[0] == 1 && id[1] == 0 && id[2] == 1));
  }
}

TEST_CASE("parquet: every cell of nano_dy.parquet agrees with hyparquet") {
  if (!js_available()) return;
  const std::string f = std::string(HEPAD_TEST_DATA_DIR) + "/nanoaod/nano_dy.parquet";
  const auto b = pq::read(f);
  const auto j = js_read(f);
  CHECK(compare_js(b, j["hyparquet"], "hyparquet") == 0);
}

TEST_CASE("parquet: corrupt and truncated files raise hepad::format_error naming the file") {
  const auto batch = sample_batch(120);
  const fs::path good = scratch() / "good.parquet";
  pq::write(good, batch, {.compression = pq::compression::snappy, .row_group_rows = 60, .page_bytes = 256});
  const std::string bytes = slurp(good);
  const fs::path bad = scratch() / "bad.parquet";
  auto try_read = [&](const std::string& content) -> int {
    {
      std::ofstream out(bad, std::ios::binary | std::ios::trunc);
      out.write(content.data(), static_cast<std::streamsize>(content.size()));
    }
    try {
      (void)pq::read(bad);
      return 0;
    } catch (const hepad::format_error& e) {
      CHECK(std::string(e.what()).find(bad.string()) != std::string::npos);
      return 1;
    } catch (const hepad::error&) {
      return 2;
    }
  };
  // every truncation is detected (the footer is at the end)
  for (std::size_t len = 0; len < bytes.size(); len += 7) CHECK(try_read(bytes.substr(0, len)) == 1);
  // bad magic at either end
  std::string m = bytes;
  m[1] = 'X';
  CHECK(try_read(m) == 1);
  m = bytes;
  m[m.size() - 2] = 'X';
  CHECK(try_read(m) == 1);
  // a footer whose row counts exceed the data (both JS readers accept such a file): re-encode
  // the footer with num_rows + 1 in the file and in every row group
  {
    namespace pd = hepad::io::parquet::detail;
    const auto len = hepad::io::detail::load_le<std::uint32_t>(bytes.data() + bytes.size() - 8);
    const std::size_t foot = bytes.size() - 8 - len;
    const auto* fp = reinterpret_cast<const std::uint8_t*>(bytes.data()) + foot;
    const std::string name = good.string();
    pd::thrift_reader tr(fp, fp + len, name, "footer", static_cast<std::int64_t>(foot));
    auto meta = pd::read_file_metadata(tr);
    meta.num_rows += 2;
    for (auto& g : meta.row_groups) g.num_rows += 1;
    const auto nf = pd::write_file_metadata(meta);
    std::string lying = bytes.substr(0, foot) + std::string(nf.begin(), nf.end());
    const auto n = static_cast<std::uint32_t>(nf.size());
    for (int b = 0; b < 4; ++b) lying += static_cast<char>((n >> (8 * b)) & 0xFF);
    lying += "PAR1";
    CHECK(try_read(lying) == 1);
    std::ofstream(bad, std::ios::binary | std::ios::trunc).write(lying.data(), static_cast<std::streamsize>(lying.size()));
    CHECK(pq::reader(bad).n_rows() == 122);  // the footer itself parses
    try {
      (void)pq::read(bad, {"event"});
      FAIL("a footer claiming more rows than the data must be rejected");
    } catch (const hepad::format_error& e) {
      CHECK(std::string(e.what()).find("column chunk ends after 60 rows, the row group has 61") != std::string::npos);
    }
  }
  // flipping bytes anywhere must never crash: either the data still decode or a hepad error
  std::size_t errors = 0;
  for (std::size_t pos = 4; pos + 8 < bytes.size(); pos += 13) {
    std::string c = bytes;
    c[pos] = static_cast<char>(c[pos] ^ 0x5A);
    errors += try_read(c) != 0;
  }
  CHECK(errors > 0);
  // the message names the column and an offset for a damaged page
  try {
    std::string c = bytes;
    c[6] = static_cast<char>(0x7F);  // inside the first page header of column 'event'
    std::ofstream(bad, std::ios::binary | std::ios::trunc).write(c.data(), static_cast<std::streamsize>(c.size()));
    (void)pq::read(bad);
  } catch (const hepad::format_error& e) {
    CHECK(e.item() == "event");
    CHECK(e.offset() >= 4);
  }
  CHECK_THROWS_AS((void)pq::read(scratch() / "does_not_exist.parquet"), hepad::io_error);
  CHECK_THROWS_AS((void)pq::read(good, {"nope"}), hepad::out_of_range);
}
