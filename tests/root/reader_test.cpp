// SPDX-License-Identifier: BSL-1.0
// hepad::io::root against the values asserted in tests/data/nanoaod/README.md and
// tests/data/root-extra/README.md (measured there with jsroot or asserted by the origin
// repositories), plus chunking, chains and corrupt input.
#include <hepad/io/root/chain.hpp>
#include <hepad/io/root/file.hpp>
#include <hepad/io/root/tree.hpp>
#include <hepad/io/root/tree_reader.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace root = hepad::io::root;

namespace {

std::string data_path(const std::string& rel) {
  std::string p = HEPAD_TEST_DATA_DIR;
  p += '/';
  p += rel;
  return p;
}

std::vector<unsigned char> slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Reads `names` over all entries; returns name -> column.
std::map<std::string, root::column> read_all(const root::tree& t, std::vector<std::string> names) {
  root::tree_reader r(t, names);
  auto cols = r.read({0, t.entries()});
  std::map<std::string, root::column> out;
  for (std::size_t i = 0; i < names.size(); ++i) out.emplace(names[i], std::move(cols[i]));
  return out;
}

double sum(const root::column& c) {
  double s = 0;
  for (std::size_t k = 0; k < c.n_values(); ++k) s += c.as_double(k);
  return s;
}

double pairs(const root::column& counter) {
  double s = 0;
  for (std::size_t k = 0; k < counter.size(); ++k) {
    const double n = counter.as_double(k);
    s += n * (n - 1) / 2;
  }
  return s;
}

std::vector<double> entry(const root::column& c, std::size_t i) {
  std::vector<double> v;
  for (auto k = c.offsets()[i]; k < c.offsets()[i + 1]; ++k) v.push_back(c.as_double(static_cast<std::size_t>(k)));
  return v;
}

std::vector<std::string> readable(const root::tree& t) {
  std::vector<std::string> n;
  for (const auto& b : t.branches())
    if (b.unsupported.empty()) n.push_back(b.name);
  return n;
}

}  // namespace

TEST_CASE("nano_dy.root: header, keys, census and README values") {
  const root::file f(data_path("nanoaod/nano_dy.root"));
  CHECK(f.header().version == 61800);
  CHECK(f.header().compress == 101);
  CHECK(f.header().compression() == root::codec::zlib);
  CHECK(f.header().uuid_string() == "a9490124-3648-11ea-89e9-f5b55c90beef");
  CHECK(f.contains("Events"));
  CHECK(f.contains("Runs"));
  const root::tree t(f, "Events");
  CHECK(t.entries() == 40);
  CHECK(t.branches().size() == 1499);
  // leaf census of the README
  std::map<std::string, int> census;
  for (const auto& b : t.branches()) {
    CHECK(b.unsupported.empty());
    census[b.leaf_class + (b.jagged() ? "[]" : "") + (b.type == root::leaf_type::uint32 || b.type == root::leaf_type::uint64 || b.type == root::leaf_type::uint8 ? "u" : "")]++;
    CHECK(b.baskets.size() == 1);
  }
  CHECK(census["TLeafO"] == 1003);
  CHECK(census["TLeafO[]"] == 38);
  CHECK(census["TLeafF"] == 62);
  CHECK(census["TLeafF[]"] == 245);
  CHECK(census["TLeafI"] == 18);
  CHECK(census["TLeafI[]"] == 65);
  CHECK(census["TLeafIu"] == 27);
  CHECK(census["TLeafLu"] == 1);
  CHECK(census["TLeafBu"] == 9);
  CHECK(census["TLeafB[]u"] == 31);
  CHECK(t.get("Muon_pt").counter == "nMuon");

  auto c = read_all(t, {"run", "luminosityBlock", "event", "nMuon", "Muon_pt", "Muon_charge", "nElectron",
                        "Electron_pt", "nJet", "Jet_pt", "nGenPart", "GenPart_pt", "GenPart_pdgId", "genWeight",
                        "MET_pt", "PV_npvs", "Photon_cutBasedBitmap", "nPhoton"});
  for (auto r : c.at("run").values<std::uint32_t>()) CHECK(r == 1u);
  for (auto l : c.at("luminosityBlock").values<std::uint32_t>()) CHECK(l == 13889u);
  const auto ev = c.at("event").values<std::uint64_t>();
  CHECK(ev[0] == 3749778u);
  CHECK(ev[1] == 3749762u);
  CHECK(ev[2] == 3749777u);
  CHECK(*std::min_element(ev.begin(), ev.end()) == 3749761u);
  CHECK(*std::max_element(ev.begin(), ev.end()) == 3749892u);
  CHECK(sum(c.at("nMuon")) == 18);
  CHECK(pairs(c.at("nMuon")) == 6);
  CHECK(sum(c.at("Muon_pt")) == 538.3693809509277);
  CHECK(sum(c.at("nElectron")) == 25);
  CHECK(sum(c.at("Electron_pt")) == 608.1414585113525);
  CHECK(sum(c.at("nJet")) == 188);
  CHECK(sum(c.at("Jet_pt")) == 5737.7109375);
  CHECK(sum(c.at("nGenPart")) == 1067);
  CHECK(sum(c.at("GenPart_pt")) == 15357.252411413254);
  CHECK(sum(c.at("GenPart_pdgId")) == 17631);
  CHECK(sum(c.at("genWeight")) == 578762.435546875);
  CHECK(sum(c.at("MET_pt")) == 1253.3067207336426);
  CHECK(sum(c.at("PV_npvs")) == 1127);
  // first events with muons
  CHECK(entry(c.at("Muon_pt"), 4) == std::vector<double>{76.7533187866211, 20.13140869140625});
  CHECK(entry(c.at("Muon_charge"), 4) == std::vector<double>{-1, 1});
  CHECK(entry(c.at("Muon_pt"), 5) == std::vector<double>{31.03870391845703});
  CHECK(entry(c.at("Muon_pt"), 6) == std::vector<double>{50.64134216308594, 14.330102920532227});
  // "any photon isTight" = Photon_cutBasedBitmap & 4, entries 0..8: F,T,T,T,F,F,F,F,F
  const bool tight[] = {false, true, true, true, false, false, false, false, false};
  for (std::size_t i = 0; i < 9; ++i) {
    bool any = false;
    for (auto b : c.at("Photon_cutBasedBitmap").at<std::int32_t>(i)) any = any || (b & 4);
    CHECK(any == tight[i]);
  }
  CHECK(entry(c.at("Photon_cutBasedBitmap"), 2) == std::vector<double>{7, 0, 7});
  // first chunk of 7 events: 5 muons, 2 pairs
  root::tree_reader r(t, {"nMuon"});
  const auto first = r.read({0, 7});
  CHECK(sum(first[0]) == 5);
  CHECK(pairs(first[0]) == 2);
  // Runs tree, trailing underscores in this NanoAOD version
  const root::tree runs(f, "Runs");
  auto rc = read_all(runs, {"genEventCount_", "genEventSumw_"});
  CHECK(rc.at("genEventCount_").as_double(0) == 850098);
  CHECK(rc.at("genEventSumw_").as_double(0) == 15166686735.858717);
  CHECK_FALSE(t.contains("HLT_Mu17_TrkIsoVVL_TkMu8_TrkIsoVVL"));
  CHECK(t.contains("HLT_Mu17_TrkIsoVVL_Mu8_TrkIsoVVL"));
}

TEST_CASE("nano_dimuon.root: README values") {
  const root::file f(data_path("nanoaod/nano_dimuon.root"));
  CHECK(f.header().uuid_string() == "a210a3f8-3648-11ea-a29f-f5b55c90beef");
  const root::tree t(f, "Events");
  CHECK(t.branches().size() == 1601);
  CHECK_FALSE(t.contains("genWeight"));
  auto c = read_all(t, {"run", "luminosityBlock", "event", "nMuon", "Muon_pt", "Muon_charge", "Muon_mediumId",
                        "nElectron", "Electron_pt", "nJet", "Jet_pt", "MET_pt", "PV_npvs"});
  for (auto r : c.at("run").values<std::uint32_t>()) CHECK(r == 315267u);
  for (auto l : c.at("luminosityBlock").values<std::uint32_t>()) CHECK(l == 205u);
  const auto ev = c.at("event").values<std::uint64_t>();
  CHECK(ev[0] == 197798546u);
  CHECK(ev[1] == 197818706u);
  CHECK(ev[2] == 197762836u);
  CHECK(*std::min_element(ev.begin(), ev.end()) == 197585431u);
  CHECK(*std::max_element(ev.begin(), ev.end()) == 198377251u);
  CHECK(sum(c.at("nMuon")) == 84);
  CHECK(pairs(c.at("nMuon")) == 66);
  CHECK(sum(c.at("Muon_pt")) == 1306.4948959350586);
  CHECK(sum(c.at("nElectron")) == 17);
  CHECK(sum(c.at("Electron_pt")) == 212.7858624458313);
  CHECK(sum(c.at("nJet")) == 264);
  CHECK(sum(c.at("Jet_pt")) == 10143.1328125);
  CHECK(sum(c.at("MET_pt")) == 1706.5269165039062);
  CHECK(sum(c.at("PV_npvs")) == 1467);
  CHECK(entry(c.at("Muon_pt"), 0) == std::vector<double>{7.240253925323486, 6.008164405822754, 3.898627996444702});
  CHECK(entry(c.at("Muon_pt"), 1) == std::vector<double>{44.42646789550781, 41.76271057128906});
  CHECK(entry(c.at("Muon_pt"), 2) == std::vector<double>{23.445138931274414, 21.511327743530273});
  CHECK(entry(c.at("Muon_charge"), 0) == std::vector<double>{1, -1, 1});
  const auto mid = c.at("Muon_mediumId").at<bool>(0);
  REQUIRE(mid.size() == 3);
  CHECK(mid[0]);
  CHECK_FALSE(mid[1]);
  CHECK(mid[2]);
  root::tree_reader r(t, {"nMuon"});
  const auto first = r.read({0, 7});
  CHECK(sum(first[0]) == 17);
  CHECK(pairs(first[0]) == 14);
  const root::tree runs(f, "Runs");
  CHECK(runs.entries() == 56);
  CHECK(read_all(runs, {"run"}).at("run").as_double(0) == 315267);
}

TEST_CASE("pfnano.root: LZMA, several baskets per branch, README values") {
  const root::file f(data_path("nanoaod/pfnano.root"));
  CHECK(f.header().version == 61409);
  CHECK(f.header().compress == 209);
  CHECK(f.contains("tag"));
  const root::tree t(f, "Events");
  CHECK(t.entries() == 10);
  CHECK(t.branches().size() == 1802);
  int three = 0;
  for (const auto& b : t.branches()) {
    CHECK(b.unsupported.empty());
    if (b.baskets.size() == 3) {
      ++three;
      CHECK(b.name.rfind("PFCands", 0) == 0);
      CHECK(b.baskets[0].first == 0);
      CHECK(b.baskets[1].first == 4);
      CHECK(b.baskets[2].first == 8);
      CHECK(b.baskets[2].end == 10);
    }
  }
  CHECK(three == 17);
  auto c = read_all(t, {"run", "luminosityBlock", "event", "genWeight", "nMuon", "Muon_pt", "nElectron", "nJet",
                        "Jet_pt", "nGenPart", "GenPart_pt", "nPFCands", "PFCands_pt", "PFCands_pdgId"});
  for (auto l : c.at("luminosityBlock").values<std::uint32_t>()) CHECK(l == 17359u);
  for (auto w : c.at("genWeight").values<float>()) CHECK(w == 1.0f);
  const auto ev = c.at("event").values<std::uint64_t>();
  CHECK(*std::min_element(ev.begin(), ev.end()) == 1735801u);
  CHECK(*std::max_element(ev.begin(), ev.end()) == 1735816u);
  CHECK(sum(c.at("nMuon")) == 10);
  CHECK(sum(c.at("Muon_pt")) == 462.8623299598694);
  CHECK(sum(c.at("nElectron")) == 5);
  CHECK(sum(c.at("nJet")) == 64);
  CHECK(sum(c.at("Jet_pt")) == 31819.2109375);
  CHECK(sum(c.at("nGenPart")) == 600);
  CHECK(sum(c.at("GenPart_pt")) == 83414.84385299683);
  CHECK(sum(c.at("nPFCands")) == 18197);
  CHECK(sum(c.at("PFCands_pt")) == 42385.81604003906);
  CHECK(sum(c.at("PFCands_pdgId")) == 196316);
  const root::tree runs(f, "Runs");
  auto rc = read_all(runs, {"genEventCount", "genEventSumw", "genEventSumw2"});
  CHECK(rc.at("genEventCount").as_double(0) == 10);
  CHECK(rc.at("genEventSumw").as_double(0) == 10);
  CHECK(rc.at("genEventSumw2").as_double(0) == 10);
  // the MetaData tree uses TBranchElement: listed, reported as unsupported when read
  const root::tree meta(f, "MetaData");
  REQUIRE_FALSE(meta.branches().empty());
  CHECK_FALSE(meta.branches().front().unsupported.empty());
  CHECK_THROWS_AS(root::tree_reader(meta, {meta.branches().front().name}), hepad::not_supported);
}

TEST_CASE("2015 ttbar: baskets embedded in the tree record, titles, README values") {
  const root::file f(data_path("nanoaod/nanoAOD_2015_CMS_Open_Data_ttbar.root"));
  CHECK(f.header().version == 62208);
  const root::tree t(f, "Events");
  CHECK(t.entries() == 200);
  CHECK(t.branches().size() == 947);
  const auto& nmu = t.get("nMuon");
  CHECK(nmu.type == root::leaf_type::uint32);
  CHECK(nmu.title.rfind("slimmedMuons after basic selection (pt > 15 || (pt > 3 && (passed('CutBasedIdLoose')", 0) == 0);
  CHECK(t.get("Electron_r9").title == "R9 of the supercluster, calculated with full 5x5 region");
  CHECK(t.get("Electron_r9").type == root::leaf_type::float32);
  CHECK(t.get("Electron_r9").jagged());
  CHECK(t.get("luminosityBlock").title == "luminosityBlock/i");
  CHECK(t.get("luminosityBlock").type == root::leaf_type::uint32);
  CHECK(t.get("Tau_jetIdx").title == "index of the associated jet (-1 if none)");
  CHECK(t.get("Tau_jetIdx").type == root::leaf_type::int32);
  const auto& mpt = t.get("Muon_pt");
  REQUIRE(mpt.baskets.size() == 1);
  CHECK(mpt.baskets[0].embedded == 0);
  const auto& pdf = t.get("LHEPdfWeight");
  REQUIRE(pdf.baskets.size() == 3);
  CHECK(pdf.baskets[0].embedded < 0);
  CHECK(pdf.baskets[1].first == 76);
  CHECK(pdf.baskets[1].end == 152);
  CHECK(pdf.baskets[2].embedded == 0);
  for (const auto& b : t.branches()) CHECK(b.unsupported.empty());
  auto c = read_all(t, {"run", "luminosityBlock", "event", "nMuon", "Muon_pt", "Muon_isGlobal", "Muon_mediumId",
                        "nElectron", "nJet", "Jet_pt", "nGenPart", "genWeight", "MET_pt", "nLHEPdfWeight",
                        "LHEPdfWeight"});
  const auto mp = c.at("Muon_pt").values<float>();
  CHECK(mp[0] == doctest::Approx(44.218994).epsilon(1e-7));
  CHECK(sum(c.at("nMuon")) == 41);
  CHECK(sum(c.at("Muon_pt")) == 1449.5771398544312);
  CHECK(sum(c.at("nElectron")) == 69);
  CHECK(sum(c.at("nJet")) == 537);
  CHECK(sum(c.at("Jet_pt")) == 16785.6171875);
  CHECK(sum(c.at("nGenPart")) == 4639);
  CHECK(sum(c.at("genWeight")) == 33432083.0625);
  CHECK(sum(c.at("MET_pt")) == 7488.3375153541565);
  CHECK(sum(c.at("nLHEPdfWeight")) == 20400);
  CHECK(sum(c.at("LHEPdfWeight")) == 20399.31078338623);
  CHECK(sum(c.at("Muon_isGlobal")) == 39);
  CHECK(sum(c.at("Muon_mediumId")) == 0);
  for (auto r : c.at("run").values<std::uint32_t>()) CHECK(r == 1u);
  const auto lb = c.at("luminosityBlock").values<std::uint32_t>();
  CHECK(*std::min_element(lb.begin(), lb.end()) == 2272915u);
  CHECK(*std::max_element(lb.begin(), lb.end()) == 2272920u);
  const auto ev = c.at("event").values<std::uint64_t>();
  CHECK(*std::min_element(ev.begin(), ev.end()) == 227291401u);
  CHECK(*std::max_element(ev.begin(), ev.end()) == 227291927u);
  for (const char* missing : {"Flag_globalSuperTightHalo2016Filter", "Flag_BadPFMuonFilter",
                              "Flag_BadChargedCandidateFilter", "Flag_ecalBadCalibFilter"})
    CHECK_FALSE(t.contains(missing));
}

TEST_CASE("uproot-Zmumu: five codecs give identical values") {
  const char* files[] = {"zlib", "lzma", "lz4", "zstd", "uncompressed"};
  const int compress[] = {104, 204, 404, 505, 100};
  std::map<std::string, root::column> ref;
  for (int i = 0; i < 5; ++i) {
    CAPTURE(files[i]);
    const root::file f(data_path(std::string("root-extra/uproot-Zmumu-") + files[i] + ".root"));
    CHECK(f.header().compress == compress[i]);
    const root::tree t(f, "events");
    CHECK(t.entries() == 2304);
    CHECK(t.branches().size() == 20);
    auto c = read_all(t, readable(t));
    REQUIRE(c.size() == 20);
    CHECK(c.at("Type").type() == root::leaf_type::string);
    CHECK(c.at("Run").type() == root::leaf_type::int32);
    const auto px1 = c.at("px1").values<double>();
    CHECK(px1[0] == doctest::Approx(-41.1952876442).epsilon(1e-11));
    CHECK(px1[1] == doctest::Approx(35.1180497674).epsilon(1e-11));
    CHECK(px1[2] == doctest::Approx(35.1180497674).epsilon(1e-11));
    CHECK(px1[3] == doctest::Approx(34.1444372454).epsilon(1e-11));
    CHECK(px1[4] == doctest::Approx(22.7835819537).epsilon(1e-11));
    const auto m = c.at("M").values<double>();
    CHECK(m[0] == doctest::Approx(82.4626915551).epsilon(1e-11));
    CHECK(m[4] == doctest::Approx(90.4691230355).epsilon(1e-11));
    CHECK(sum(c.at("px1")) == -151.26487857544265);
    CHECK(sum(c.at("M")) == 184794.47122814792);
    if (i == 0) {
      ref = std::move(c);
      continue;
    }
    for (const auto& [name, col] : ref) {
      CAPTURE(name);
      const auto& o = c.at(name);
      REQUIRE(o.n_values() == col.n_values());
      CHECK(std::equal(o.offsets().begin(), o.offsets().end(), col.offsets().begin(), col.offsets().end()));
      bool same = true;
      for (std::size_t k = 0; k < col.n_values(); ++k) same = same && o.as_double(k) == col.as_double(k);
      CHECK(same);
    }
  }
}

TEST_CASE("uproot-small-dy: offsets present and rebuilt from the counter agree") {
  const root::file fw(data_path("root-extra/uproot-small-dy-withoffsets.root"));
  const root::file fn(data_path("root-extra/uproot-small-dy-nooffsets.root"));
  const root::tree tw(fw, "tree"), tn(fn, "tree");
  CHECK(tw.io_bits() == 0);
  CHECK(tn.io_bits() == 1);
  CHECK(tw.entries() == 501);
  auto starts = [](const root::branch& b) {
    std::vector<std::int64_t> s;
    for (const auto& k : b.baskets) s.push_back(k.first);
    s.push_back(b.entries);
    return s;
  };
  CHECK(starts(tn.get("Jet_pt")) == std::vector<std::int64_t>{0, 200, 397, 400, 501});
  CHECK(starts(tn.get("Muon_pt")) == std::vector<std::int64_t>{0, 200, 400, 501});
  const std::vector<std::vector<double>> expect = {
      {20.60145378112793},
      {50.36957550048828, 41.21387481689453, 3.1869382858276367},
      {51.685970306396484, 35.227813720703125},
      {},
      {},
      {},
      {},
      {23.073759078979492},
      {32.921417236328125, 8.922308921813965, 4.368383407592773},
      {51.9132194519043, 31.930095672607422}};
  for (const root::tree* t : {&tw, &tn}) {
    auto c = read_all(*t, readable(*t));
    REQUIRE(c.size() == 8);
    for (std::size_t i = 0; i < 10; ++i) CHECK(entry(c.at("Muon_pt"), 10 + i) == expect[i]);
    CHECK(sum(c.at("nMuon")) == 302);
    CHECK(sum(c.at("Muon_pt")) == 10095.197049617767);
    CHECK(sum(c.at("nJet")) == 2165);
    CHECK(sum(c.at("Jet_pt")) == 68349.8125);
  }
  // every branch, every value: the offset-less file equals the file with offsets
  auto a = read_all(tw, readable(tw)), b = read_all(tn, readable(tn));
  for (const auto& [name, col] : a) {
    CAPTURE(name);
    const auto& o = b.at(name);
    REQUIRE(o.n_values() == col.n_values());
    CHECK(std::equal(o.offsets().begin(), o.offsets().end(), col.offsets().begin(), col.offsets().end()));
    bool same = true;
    for (std::size_t k = 0; k < col.n_values(); ++k) same = same && o.as_double(k) == col.as_double(k);
    CHECK(same);
  }
  // a jagged branch read without its counter (the counter's baskets are decoded for it), and with
  // the counter listed after it (the counter column of the range is used): the same columns
  for (const std::vector<std::string>& names :
       {std::vector<std::string>{"Muon_pt"}, std::vector<std::string>{"Jet_pt", "Muon_pt", "nJet", "nMuon"}}) {
    root::tree_reader r(tn, names);
    const auto cols = r.read({0, tn.entries()});
    for (std::size_t j = 0; j < names.size(); ++j) {
      CAPTURE(names[j]);
      const auto& want = a.at(names[j]);
      CHECK(std::equal(cols[j].offsets().begin(), cols[j].offsets().end(), want.offsets().begin(), want.offsets().end()));
      REQUIRE(cols[j].n_values() == want.n_values());
      bool same = true;
      for (std::size_t k = 0; k < want.n_values(); ++k) same = same && cols[j].as_double(k) == want.as_double(k);
      CHECK(same);
    }
  }
}

TEST_CASE("chunked, lazy and multi-file reading equals one read") {
  const std::string path = data_path("root-extra/uproot-small-dy-nooffsets.root");
  const root::file f(path);
  const root::tree t(f, "tree");
  const std::vector<std::string> names = {"nMuon", "Muon_pt", "Jet_pt", "event"};
  auto whole = read_all(t, names);
  SUBCASE("by entries") {
    root::tree_reader r(t, names);
    const auto plan = r.plan({.entries = 37});
    CHECK(plan.size() == 14);
    std::vector<double> pts;
    for (const auto& rg : plan) {
      auto cols = r.read(rg);
      CHECK(cols[1].size() == static_cast<std::size_t>(rg.size()));
      for (std::size_t k = 0; k < cols[1].n_values(); ++k) pts.push_back(cols[1].as_double(k));
    }
    std::vector<double> ref;
    for (std::size_t k = 0; k < whole.at("Muon_pt").n_values(); ++k) ref.push_back(whole.at("Muon_pt").as_double(k));
    CHECK(pts == ref);
    CHECK(r.stats().baskets > 0);
  }
  SUBCASE("by bytes: every chunk within the budget, exact sizes") {
    root::tree_reader r(t, names);
    const std::int64_t budget = 4096;
    const auto plan = r.plan({.entries = 1000000, .bytes = budget});
    REQUIRE(plan.size() > 3);
    std::int64_t covered = 0;
    std::size_t total_mem = 0;
    for (std::size_t i = 0; i < plan.size(); ++i) {
      CHECK(plan[i].begin == covered);
      covered = plan[i].end;
      auto cols = r.read(plan[i]);
      std::size_t mem = 0;
      for (const auto& c : cols) mem += c.memory_bytes() - (c.has_offsets() ? 8 : 0);  // minus the leading 0
      CHECK(mem <= static_cast<std::size_t>(budget));
      if (i + 1 < plan.size()) {  // adding the next entry would have exceeded the budget
        auto next = r.read({plan[i].begin, plan[i].end + 1});
        std::size_t m2 = 0;
        for (const auto& c : next) m2 += c.memory_bytes() - (c.has_offsets() ? 8 : 0);
        CHECK(m2 > static_cast<std::size_t>(budget));
      }
      total_mem += mem;
    }
    CHECK(covered == 501);
    std::size_t whole_mem = 0;
    for (const auto& [n, c] : whole) whole_mem += c.memory_bytes() - (c.has_offsets() ? 8 : 0);
    CHECK(total_mem == whole_mem);
  }
  SUBCASE("chain over several files in sequence") {
    root::chain ch({{path, "tree"}, {data_path("root-extra/uproot-small-dy-withoffsets.root"), "tree"}, {path, "tree"}},
                   names, {.entries = 100});
    root::chunk c;
    std::int64_t n = 0;
    double s = 0;
    std::size_t files_seen = 0;
    while (ch.next(c)) {
      n += c.range.size();
      s += sum(c.columns[0]);
      files_seen = c.file_index + 1;
    }
    CHECK(n == 3 * 501);
    CHECK(s == 3 * 302);
    CHECK(files_seen == 3);
  }
}

namespace {

/// Mismatches between entries [begin, end) of `whole` and the column `part` (values and lists).
std::size_t mismatches(const root::column& whole, const root::column& part, std::int64_t begin, std::int64_t end) {
  const auto n = static_cast<std::size_t>(end - begin), b = static_cast<std::size_t>(begin);
  if (part.size() != n || part.type() != whole.type() || part.has_offsets() != whole.has_offsets()) return 1;
  std::size_t v0 = b, v1 = b + n;
  if (whole.has_offsets()) {
    v0 = static_cast<std::size_t>(whole.offsets()[b]);
    v1 = static_cast<std::size_t>(whole.offsets()[b + n]);
    for (std::size_t i = 0; i <= n; ++i)
      if (part.offsets()[i] != whole.offsets()[b + i] - whole.offsets()[b]) return 1;
  }
  if (part.n_values() != v1 - v0) return 1;
  std::size_t bad = 0;
  for (std::size_t k = 0; k < v1 - v0; ++k) {
    const double x = whole.as_double(v0 + k), y = part.as_double(k);
    bad += !(x == y || (x != x && y != y));
  }
  return bad;
}

}  // namespace

TEST_CASE("any chunking and any order of ranges equals one read, each basket decoded once going forward") {
  // covers the reader's basket handling: baskets used by one range only are decoded into a shared
  // scratch buffer (uncompressed ones in place), baskets that go on are kept for the next range.
  // read_into: one column vector reused for every range of every file (columns of other names,
  // types and sizes before), equal to fresh columns
  std::vector<root::column> reused;
  for (const auto& [rel, tree_name] : std::vector<std::pair<std::string, std::string>>{
           {"root-extra/uproot-Zmumu-lz4.root", "events"},
           {"root-extra/uproot-Zmumu-uncompressed.root", "events"},
           {"root-extra/uproot-Zmumu-zstd.root", "events"},
           {"root-extra/uproot-small-dy-withoffsets.root", "tree"},
           {"root-extra/uproot-small-dy-nooffsets.root", "tree"},
           {"nanoaod/pfnano.root", "Events"},
           {"nanoaod/nanoAOD_2015_CMS_Open_Data_ttbar.root", "Events"}}) {
    CAPTURE(rel);
    const root::file f(data_path(rel));
    const root::tree t(f, tree_name);
    std::vector<std::string> names;
    std::int64_t baskets = 0;
    for (const auto& b : t.branches())
      if (b.unsupported.empty()) {
        names.push_back(b.name);
        baskets += static_cast<std::int64_t>(b.baskets.size());
      }
    REQUIRE(!names.empty());
    root::tree_reader whole_reader(t, names);
    const auto whole = whole_reader.read({0, t.entries()});
    CHECK(whole_reader.stats().baskets == baskets);
    const std::int64_t n = t.entries();
    for (const std::int64_t step : {std::int64_t{1}, std::int64_t{7}, std::int64_t{37}, std::int64_t{200}, n}) {
      CAPTURE(step);
      root::tree_reader r(t, names), r2(t, names);
      std::size_t bad = 0, bad_reused = 0;
      for (std::int64_t b = 0; b < n; b += step) {
        const std::int64_t e = (std::min)(n, b + step);
        const auto cols = r.read({b, e});
        for (std::size_t j = 0; j < names.size(); ++j) bad += mismatches(whole[j], cols[j], b, e);
        r2.read_into({b, e}, reused);
        REQUIRE(reused.size() == names.size());
        for (std::size_t j = 0; j < names.size(); ++j) {
          bad_reused += reused[j].name() != names[j] || reused[j].type() != cols[j].type() ||
                        reused[j].has_offsets() != cols[j].has_offsets();
          bad_reused += mismatches(whole[j], reused[j], b, e);
        }
      }
      CHECK(bad == 0);
      CHECK(bad_reused == 0);
      CHECK(r.stats().baskets == baskets);  // a basket spanning several ranges is decoded once
      CHECK(r.stats().bytes_uncompressed == whole_reader.stats().bytes_uncompressed);
    }
    // backwards, overlapping, repeated and empty ranges (the kept basket is not always the next)
    root::tree_reader r(t, names);
    std::size_t bad = 0;
    const std::vector<std::pair<std::int64_t, std::int64_t>> ranges = {
        {n / 2, n}, {0, n / 3}, {n / 3, n / 3}, {n / 4, n / 2 + 1}, {n / 4, n / 2 + 1}, {n - 1, n}, {0, n}, {n / 5, n / 5 + 3}};
    for (const auto& [b, e] : ranges) {
      const auto cols = r.read({b, e});
      for (std::size_t j = 0; j < names.size(); ++j) bad += mismatches(whole[j], cols[j], b, e);
    }
    CHECK(bad == 0);
  }
}

TEST_CASE("bad input gives hepad errors naming file, branch and offset") {
  const std::string path = data_path("root-extra/uproot-small-dy-withoffsets.root");
  const auto bytes = slurp(path);
  SUBCASE("missing things") {
    CHECK_THROWS_AS(root::file("/nonexistent/x.root"), hepad::io_error);
    const root::file f(path);
    CHECK_THROWS_AS(root::tree(f, "Events"), hepad::out_of_range);
    const root::tree t(f, "tree");
    try {
      root::tree_reader r(t, {"Muon_eta"});
      FAIL("no error");
    } catch (const hepad::out_of_range& e) {
      CHECK(std::string(e.what()).find("Muon_eta") != std::string::npos);
      CHECK(std::string(e.what()).find(path) != std::string::npos);
    }
    root::tree_reader r(t, {"Muon_pt"});
    CHECK_THROWS_AS(r.read({0, 502}), hepad::invalid_argument);
  }
  SUBCASE("not a ROOT file") {
    CHECK_THROWS_AS(root::file::from_bytes({'n', 'o', 'p', 'e'}), hepad::format_error);
    CHECK_THROWS_AS(root::file::from_bytes({}), hepad::format_error);
  }
  SUBCASE("corrupt basket compression header names branch and offset") {
    const root::file f(path);
    const root::tree t(f, "tree");
    const auto& b = t.get("Muon_pt");
    auto bad = bytes;
    const auto seek = static_cast<std::size_t>(b.baskets[1].seek);
    // the compressed payload starts after the key header; break its "ZL" magic
    const root::key k = [&] {
      root::detail::cursor c(std::span<const unsigned char>(bytes).subspan(seek), {path, "", 0});
      return root::detail::read_key(c);
    }();
    bad[seek + static_cast<std::size_t>(k.keylen)] = 'Q';
    const root::file g = root::file::from_bytes(bad, "corrupt.root");
    const root::tree tg(g, "tree");
    root::tree_reader r(tg, {"Muon_pt"});
    try {
      (void)r.read({0, 501});
      FAIL("no error");
    } catch (const hepad::format_error& e) {
      CHECK(e.item() == "Muon_pt");
      CHECK(e.offset() == static_cast<std::int64_t>(seek) + k.keylen);
      CHECK(std::string(e.what()).find("corrupt.root") != std::string::npos);
      CHECK(std::string(e.what()).find("compression magic") != std::string::npos);
    }
  }
  SUBCASE("a flipped bit inside an LZ4 block fails its XXH64 checksum") {
    const std::string lz4 = data_path("root-extra/uproot-Zmumu-lz4.root");
    auto b = slurp(lz4);
    const root::file f(lz4);
    const root::tree t(f, "events");
    const auto& br = t.get("px1");
    const auto seek = static_cast<std::size_t>(br.baskets[0].seek);
    root::detail::cursor c(std::span<const unsigned char>(b).subspan(seek), {lz4, "", 0});
    const root::key k = root::detail::read_key(c);
    const std::size_t block = seek + static_cast<std::size_t>(k.keylen);
    REQUIRE(b[block] == 'L');
    REQUIRE(b[block + 1] == '4');
    b[block + 9 + 8 + 100] ^= 0x01;  // a byte of the LZ4 payload, after header and checksum
    const root::file g = root::file::from_bytes(b, "lz4-corrupt.root");
    root::tree_reader r(root::tree(g, "events"), {"px1"});
    try {
      (void)r.read({0, 2304});
      FAIL("no error");
    } catch (const hepad::format_error& e) {
      CHECK(e.item() == "px1");
      CHECK(e.offset() == static_cast<std::int64_t>(block));
      CHECK(std::string(e.what()).find("checksum") != std::string::npos);
    }
  }
  SUBCASE("every truncation and many byte flips: an error or a result, never a crash") {
    int errors = 0, ok = 0;
    auto attempt = [&](std::vector<unsigned char> b) {
      try {
        const root::file g = root::file::from_bytes(std::move(b), "mutated.root");
        const root::tree tg(g, "tree");
        std::vector<std::string> names;
        for (const auto& br : tg.branches())
          if (br.unsupported.empty()) names.push_back(br.name);
        root::tree_reader r(tg, names);
        (void)r.read({0, tg.entries()});
        ++ok;
      } catch (const hepad::error&) {
        ++errors;
      }
    };
    for (std::size_t n = 0; n < bytes.size(); n += 61) attempt(std::vector<unsigned char>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n)));
    for (std::size_t p = 0; p < bytes.size(); p += 29) {
      auto b = bytes;
      b[p] ^= 0x5a;
      attempt(std::move(b));
    }
    CHECK(errors > 300);
    CHECK(ok > 0);
  }
}
