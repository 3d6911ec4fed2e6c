// SPDX-License-Identifier: BSL-1.0
// hepad::hep: four-vectors against closed forms, combinatorics, object selection and Z candidates
// against the counts measured with jsroot in tests/data/nanoaod/README.md, and the correctionlib
// evaluator against hand-evaluated tables.
#include <hepad/hep/collection.hpp>
#include <hepad/hep/combinatorics.hpp>
#include <hepad/hep/correction.hpp>
#include <hepad/hep/lorentz_vector.hpp>
#include <hepad/hep/object_selection.hpp>
#include <hepad/processing/event_chunk.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <string>

namespace hep = hepad::hep;
namespace proc = hepad::processing;

namespace {
std::string data_path(const char* rel) {
  std::string p = HEPAD_TEST_DATA_DIR;
  p += '/';
  p += rel;
  return p;
}
proc::event_chunk load(const char* rel, std::vector<std::string> branches) {
  const hepad::io::root::file f(data_path(rel));
  const hepad::io::root::tree t(f, "Events");
  proc::work_item w{0, 0, data_path(rel), "Events", {0, t.entries()}};
  proc::branch_request r;
  r.required = std::move(branches);
  return proc::load_chunk(w, {"test", true, 0}, r);
}
const std::vector<std::string> muon_branches = {"Muon_pt", "Muon_eta", "Muon_phi", "Muon_mass", "Muon_charge",
                                                "Muon_pdgId", "Muon_mediumId", "Muon_pfRelIso04_all"};
}  // namespace

TEST_CASE("lorentz_vector: closed forms") {
  using V = hep::lorentz_vector;
  const auto a = V::from_pt_eta_phi_m(30, 0.5, 0.3, 0.105);
  CHECK(a.pt() == doctest::Approx(30).epsilon(1e-14));
  CHECK(a.eta() == doctest::Approx(0.5).epsilon(1e-14));
  CHECK(a.phi() == doctest::Approx(0.3).epsilon(1e-14));
  CHECK(a.mass() == doctest::Approx(0.105).epsilon(1e-9));
  // two massless back-to-back objects of pt p at eta 0: m = 2p
  const auto b = V::from_pt_eta_phi_m(45, 0, 0, 0) + V::from_pt_eta_phi_m(45, 0, std::numbers::pi, 0);
  CHECK(b.mass() == doctest::Approx(90).epsilon(1e-12));
  // massless pair: m^2 = 2 pt1 pt2 (cosh(deta) - cos(dphi))
  const double m = hep::invariant_mass(20, 0.4, 1.0, 0, 35, -1.1, -2.0, 0);
  CHECK(m == doctest::Approx(std::sqrt(2 * 20 * 35 * (std::cosh(1.5) - std::cos(3.0)))).epsilon(1e-12));
  CHECK(hep::delta_phi(3.0, -3.0) == doctest::Approx(6.0 - 2 * std::numbers::pi));
  CHECK(hep::delta_r(0, 0.1, 0.3, -0.3) == doctest::Approx(0.5));
  CHECK(hep::lorentz_vector{}.eta() == 0);
}

TEST_CASE("combinatorics: pairs in index order, charge and flavour") {
  const auto p = hep::pairs(4);
  REQUIRE(p.size() == 6);
  CHECK(p[0] == std::pair<std::size_t, std::size_t>{0, 1});
  CHECK(p[2] == std::pair<std::size_t, std::size_t>{0, 3});
  CHECK(p[3] == std::pair<std::size_t, std::size_t>{1, 2});
  CHECK(hep::pairs(1).empty());
  CHECK(hep::opposite_charge(1, -1));
  CHECK_FALSE(hep::opposite_charge(-1, -1));
  CHECK(hep::same_flavour(13, -13));
  CHECK_FALSE(hep::same_flavour(11, -13));
}

TEST_CASE("muon selection and Z candidates: README counts") {
  struct expect {
    const char* file;
    std::size_t selected, n0, n1, n2, z_events;
  };
  for (const auto& e : {expect{"nanoaod/nano_dy.root", 14, 31, 4, 5, 5}, expect{"nanoaod/nano_dimuon.root", 18, 27, 8, 5, 4},
                        expect{"nanoaod/pfnano.root", 0, 10, 0, 0, 0}}) {
    CAPTURE(e.file);
    const auto ch = load(e.file, muon_branches);
    const hep::collection<proc::event_chunk> mu(ch, "Muon");
    const auto sel = hep::apply(hep::object_selection::muons(), mu);
    std::size_t by[3] = {0, 0, 0}, total = 0, zev = 0;
    for (std::size_t i = 0; i < sel.size(); ++i) {
      total += sel.count(i);
      REQUIRE(sel.count(i) < 3);
      ++by[sel.count(i)];
      // selected muons keep NanoAOD order (pt-descending)
      for (std::size_t k = 1; k < sel.count(i); ++k) CHECK(sel.get<float>("pt", i, k - 1) >= sel.get<float>("pt", i, k));
      if (!hep::z_candidates(sel, i).empty()) ++zev;
    }
    CHECK(total == e.selected);
    CHECK(by[0] == e.n0);
    CHECK(by[1] == e.n1);
    CHECK(by[2] == e.n2);
    CHECK(zev == e.z_events);
  }
  // the 2015 file: all muon IDs false, nothing selected
  const auto ch = load("nanoaod/nanoAOD_2015_CMS_Open_Data_ttbar.root", muon_branches);
  const auto sel = hep::apply(hep::object_selection::muons(), hep::collection<proc::event_chunk>(ch, "Muon"));
  CHECK(sel.selection().n_objects() == 0);
  // without the ID requirement muons are selected there
  auto loose = hep::object_selection::muons();
  loose.id_flag.clear();
  CHECK(hep::apply(loose, hep::collection<proc::event_chunk>(ch, "Muon")).selection().n_objects() > 0);
}

TEST_CASE("electron selection preset and per-event Z pairs by hand") {
  const auto ch = load("nanoaod/nano_dy.root", {"Electron_pt", "Electron_eta", "Electron_cutBased", "Muon_pt", "Muon_eta",
                                                "Muon_phi", "Muon_mass", "Muon_charge", "Muon_pdgId"});
  const hep::collection<proc::event_chunk> el(ch, "Electron");
  const auto sel = hep::apply(hep::object_selection::electrons(), el);
  const auto pt = el.field<float>("pt");
  const auto eta = el.field<float>("eta");
  const auto cb = el.field<std::int32_t>("cutBased");
  std::size_t expected = 0;
  for (std::size_t i = 0; i < pt.size(); ++i)
    for (std::size_t k = 0; k < pt[i].size(); ++k) expected += pt[i][k] > 7 && std::abs(eta[i][k]) < 2.5 && cb[i][k] >= 3;
  CHECK(sel.selection().n_objects() == expected);
  // entry 4 has muons 76.75 (q = -1) and 20.13 (q = +1): their pair mass from the four-vectors
  const hep::collection<proc::event_chunk> mu(ch, "Muon");
  const auto z = hep::z_candidates(mu, 4, {.mass_min = 0, .mass_max = 1e9});
  REQUIRE(z.size() == 1);
  CHECK(z[0].mass == doctest::Approx((mu.p4(4, 0) + mu.p4(4, 1)).mass()));
}

TEST_CASE("correctionlib: binning, category, transform, formula, flows") {
  const char* text = R"J({"schema_version": 2, "corrections": [
    {"name": "sf", "version": 1, "inputs": [{"name": "eta", "type": "real"}, {"name": "pt", "type": "real"},
                                           {"name": "syst", "type": "string"}],
     "output": {"name": "w", "type": "real"},
     "data": {"nodetype": "category", "input": "syst", "content": [
       {"key": "nominal", "value": {"nodetype": "transform", "input": "eta",
          "rule": {"nodetype": "formula", "expression": "abs(x)", "parser": "TFormula", "variables": ["eta"]},
          "content": {"nodetype": "multibinning", "inputs": ["eta", "pt"], "edges": [[0, 1, 2.4], [5, 10, "inf"]],
                      "content": [1.1, 1.2, 1.3, 1.4], "flow": "error"}}},
       {"key": "up", "value": {"nodetype": "formula", "expression": "[0] + [1]*y - 2^2/TMath::Max(x, 1)",
                               "parser": "TFormula", "variables": ["eta", "pt"], "parameters": [0.5, 0.01]}}]}},
    {"name": "pu", "version": 2, "inputs": [{"name": "n", "type": "real"}], "output": {"name": "w", "type": "real"},
     "data": {"nodetype": "binning", "input": "n", "edges": {"n": 4, "low": 0, "high": 40}, "content": [0.5, 1, 1.5, 2],
              "flow": "clamp"}},
    {"name": "cat", "version": 1, "inputs": [{"name": "id", "type": "int"}], "output": {"name": "w", "type": "real"},
     "data": {"nodetype": "category", "input": "id", "content": [{"key": 11, "value": 2.0}, {"key": 13, "value": 3.0}],
              "default": 1.0}}]})J";
  const auto cs = hep::correction_set::from_string(text, "inline.json");
  const auto& sf = cs.at("sf");
  CHECK(sf.inputs() == std::vector<std::string>{"eta", "pt", "syst"});
  CHECK(sf(0.5, 7.0, "nominal") == 1.1);
  CHECK(sf(-0.5, 7.0, "nominal") == 1.1);  // abs(eta)
  CHECK(sf(-1.5, 7.0, "nominal") == 1.3);
  CHECK(sf(1.5, 1e6, "nominal") == 1.4);   // "inf" edge
  CHECK(sf(2.0, 10.0, "nominal") == 1.4);  // lower edge inclusive
  CHECK(sf(3.0, 30.0, "up") == doctest::Approx(0.5 + 0.3 - 4.0 / 3.0));
  CHECK_THROWS_AS((void)sf(2.4, 7.0, "nominal"), hepad::invalid_argument);  // upper edge exclusive, flow error
  CHECK_THROWS_AS((void)sf(0.5, 4.0, "nominal"), hepad::invalid_argument);
  CHECK_THROWS_AS((void)sf(0.5, 7.0, "down"), hepad::invalid_argument);    // no such category
  CHECK_THROWS_AS((void)sf(0.5, 7.0), hepad::invalid_argument);            // wrong arity
  CHECK_THROWS_AS((void)sf(0.5, 7.0, 1.0), hepad::invalid_argument);       // wrong type
  const auto& pu = cs.at("pu");
  CHECK(pu(-3.0) == 0.5);  // clamp below
  CHECK(pu(15.0) == 1.0);
  CHECK(pu(40.0) == 2.0);  // clamp above
  CHECK(cs.at("cat")(13) == 3.0);
  CHECK(cs.at("cat")(22) == 1.0);
  CHECK_THROWS_AS((void)cs.at("nope"), hepad::out_of_range);
  CHECK_THROWS_AS(hep::correction_set::from_string(R"({"schema_version": 1, "corrections": []})"), hepad::config_error);
  CHECK_THROWS_AS(hep::correction_set::from_string(R"({"schema_version": 2, "corrections": [{"name": "x", "inputs": [],
      "data": {"nodetype": "hashprng"}}]})"), hepad::not_supported);
  CHECK_THROWS_AS(hep::correction_set::from_string("{"), hepad::config_error);
}

TEST_CASE("correctionlib: the example's test tables") {
  const auto pu = hep::correction_set::from_file(std::string(HEPAD_SOURCE_DIR) + "/examples/nanoaod_4mu/corrections/pileup_test.json");
  const auto& c = pu.at("Collisions16_UltraLegacy_goldenJSON");
  CHECK(c(25.0, "nominal") == 1.0);
  CHECK(c(25.0, "up") == 1.05);
  CHECK(c(150.0, "nominal") == 0.5);
  const auto mu = hep::correction_set::from_file(std::string(HEPAD_SOURCE_DIR) + "/examples/nanoaod_4mu/corrections/muon_sf_test.json");
  const auto& s = mu.at("NUM_MediumID_DEN_TrackerMuons");
  CHECK(s(-1.0, 25.0, "nominal") == doctest::Approx(0.95 + 0.04 - 0.005));
  CHECK(s(1.0, 25.0, "systup") == doctest::Approx(0.95 + 0.04 - 0.005 + 0.01));
  CHECK_THROWS_AS((void)s(2.5, 25.0, "nominal"), hepad::invalid_argument);
}
