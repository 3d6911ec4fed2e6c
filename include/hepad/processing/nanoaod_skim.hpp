// SPDX-License-Identifier: BSL-1.0
// HEPAD_COMPONENT: root_io json
/// @file hepad/processing/nanoaod_skim.hpp
/// @brief `hepad::processing::nanoaod_skim`: the cms-anomfinder front end as a configurable
/// processor. Event selection, in order: "Filter" (AND of the MET filters, plus the data-only
/// filters for data), "Triggers" (OR of the HLT paths), "Lepton selection" (at least
/// `min_objects` objects passing `objects`); MC weight = 1.0 × genWeight × pileup weight ×
/// product of the per-object scale factors over all selected objects (correctionlib tables, with
/// up/down variations carried as named variations); one output row per selected event with
/// event, run, luminosityBlock, weight (MC only) and pt, eta, phi, pdgId, dz, dxy of the
/// `n_leading` leading selected objects (null where an event has fewer). Also fills a weighted
/// cutflow (sequential and N-1), two histograms and weight sums.
/// Not here: the command line (examples/nanoaod_4mu), Parquet writing (io/parquet/writer.hpp).
///
/// Components `hepad::root_io` and `hepad::json`.
#ifndef HEPAD_PROCESSING_NANOAOD_SKIM_HPP
#define HEPAD_PROCESSING_NANOAOD_SKIM_HPP

#include <hepad/config/fields.hpp>
#include <hepad/hep/collection.hpp>
#include <hepad/hep/correction.hpp>
#include <hepad/hep/object_selection.hpp>
#include <hepad/io/column.hpp>
#include <hepad/processing/event_chunk.hpp>
#include <hepad/processing/frame.hpp>
#include <hepad/processing/output.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::processing {

/// Configuration of the NanoAOD skim (defaults: cms-anomfinder's final selection).
struct nanoaod_skim_config {
  std::vector<std::string> met_filters = {"Flag_goodVertices",
                                          "Flag_globalSuperTightHalo2016Filter",
                                          "Flag_HBHENoiseFilter",
                                          "Flag_HBHENoiseIsoFilter",
                                          "Flag_EcalDeadCellTriggerPrimitiveFilter",
                                          "Flag_BadPFMuonFilter",
                                          "Flag_BadChargedCandidateFilter",
                                          "Flag_ecalBadCalibFilter"};
  std::vector<std::string> data_only_filters = {"Flag_eeBadScFilter"};
  std::vector<std::string> triggers = {"HLT_Mu17_TrkIsoVVL_Mu8_TrkIsoVVL", "HLT_Mu17_TrkIsoVVL_TkMu8_TrkIsoVVL",
                                       "HLT_TripleMu_12_10_5"};
  hep::object_selection objects = hep::object_selection::muons();
  int min_objects = 4;       ///< "Lepton selection": at least this many selected objects
  int n_leading = 4;         ///< objects written per row
  std::string missing_branches = "warn";  ///< flags/triggers missing from a file: error, warn, false
  std::string pileup_correction = "Collisions16_UltraLegacy_goldenJSON";  ///< "" = no pileup weight
  std::string object_sf_correction = "NUM_MediumID_DEN_TrackerMuons";     ///< "" = no scale factor
  static constexpr std::string_view name = "nanoaod_skim";
  static constexpr auto fields() {
    return std::tuple{config::field{"met_filters", &nanoaod_skim_config::met_filters},
                      config::field{"data_only_filters", &nanoaod_skim_config::data_only_filters},
                      config::field{"triggers", &nanoaod_skim_config::triggers},
                      config::field{"objects", &nanoaod_skim_config::objects},
                      config::field{"min_objects", &nanoaod_skim_config::min_objects},
                      config::field{"n_leading", &nanoaod_skim_config::n_leading},
                      config::field{"missing_branches", &nanoaod_skim_config::missing_branches},
                      config::field{"pileup_correction", &nanoaod_skim_config::pileup_correction},
                      config::field{"object_sf_correction", &nanoaod_skim_config::object_sf_correction}};
  }
};

/// The processor. Thread-safe: `process` only reads the configuration and the corrections.
class nanoaod_skim {
 public:
  /// @param pileup correctionlib set holding `cfg.pileup_correction` (inputs: nTrueInt, "nominal"|"up"|"down"),
  /// @param sf set holding `cfg.object_sf_correction` (inputs: eta, pt, "nominal"|"systup"|"systdown").
  /// Either may be null when the corresponding name is empty (or for data-only runs).
  nanoaod_skim(nanoaod_skim_config cfg, std::shared_ptr<const hep::correction_set> pileup = nullptr,
               std::shared_ptr<const hep::correction_set> sf = nullptr)
      : cfg_(std::move(cfg)), pu_(std::move(pileup)), sf_(std::move(sf)) {
    policy_ = parse_missing_branch_policy(cfg_.missing_branches);
    if (cfg_.min_objects < 0 || cfg_.n_leading < 0)
      hepad::detail::raise<config_error>("nanoaod_skim: min_objects and n_leading must be >= 0");
  }

  [[nodiscard]] const nanoaod_skim_config& config() const noexcept { return cfg_; }

  /// Branches to read for MC or data.
  [[nodiscard]] branch_request branches(bool is_mc) const {
    branch_request r;
    r.policy = policy_;
    const std::string c = cfg_.objects.collection;
    r.required = {"event", "run", "luminosityBlock", c + "_pt", c + "_eta", c + "_phi", c + "_pdgId", c + "_dz", c + "_dxy"};
    for (const auto* f : {&cfg_.objects.id_flag, &cfg_.objects.id_level, &cfg_.objects.isolation})
      if (!f->empty()) r.required.push_back(c + "_" + *f);
    if (is_mc) {
      r.required.push_back("genWeight");
      if (!cfg_.pileup_correction.empty()) r.required.push_back("Pileup_nTrueInt");
    }
    r.flags = cfg_.met_filters;
    if (!is_mc) r.flags.insert(r.flags.end(), cfg_.data_only_filters.begin(), cfg_.data_only_filters.end());
    r.flags.insert(r.flags.end(), cfg_.triggers.begin(), cfg_.triggers.end());
    return r;
  }

  /// Processes one chunk.
  [[nodiscard]] output process(const event_chunk& ev) const {
    output out;
    for (const auto& w : ev.warnings()) out.warn(w);
    const std::size_t n = ev.size();
    frame f(ev);
    const bool mc = ev.is_mc();
    const hep::collection<event_chunk> all(ev, cfg_.objects.collection);
    const auto sel = hep::apply(cfg_.objects, all);

    f.filter("Filter", [&](const frame&) {
      std::vector<char> m(n, 1);
      auto and_flag = [&](const std::string& b) {
        const auto v = ev.scalar<bool>(b);
        for (std::size_t i = 0; i < n; ++i) m[i] = static_cast<char>(m[i] && v[i]);
      };
      for (const auto& b : cfg_.met_filters) and_flag(b);
      if (!mc)
        for (const auto& b : cfg_.data_only_filters) and_flag(b);
      return m;
    });
    f.filter("Triggers", [&](const frame&) {
      std::vector<char> m(n, 0);
      for (const auto& b : cfg_.triggers) {
        const auto v = ev.scalar<bool>(b);
        for (std::size_t i = 0; i < n; ++i) m[i] = static_cast<char>(m[i] || v[i]);
      }
      return m;
    });
    f.filter("Lepton selection", [&](const frame&) {
      std::vector<char> m(n);
      for (std::size_t i = 0; i < n; ++i) m[i] = sel.count(i) >= static_cast<std::size_t>(cfg_.min_objects);
      return m;
    });

    // weights
    if (mc) add_mc_weights(f, ev, sel);
    const std::vector<double> w = f.weights().nominal();
    f.fill_cutflow(out.cutflow, w);

    // sums for normalisation and per-variation selected yields
    const auto mask = f.mask();
    double sumw_all = 0, sumw_sel = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sumw_all += mc ? static_cast<double>(ev.scalar<float>("genWeight")[i]) : 1.0;
      if (mask[i]) sumw_sel += w[i];
    }
    out.sums["sum_genweight"] = sumw_all;
    out.sums["sumw_selected"] = sumw_sel;
    for (const auto& v : f.weights().variations()) {
      const auto wv = f.weights().variation(v);
      double s = 0;
      for (std::size_t i = 0; i < n; ++i)
        if (mask[i]) s += wv[i];
      out.sums["sumw_selected_" + v] = s;
    }

    // rows and histograms
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < n; ++i)
      if (mask[i]) rows.push_back(i);
    out.rows = make_rows(ev, sel, rows, w, mc);
    std::vector<double> nsel(n), lead, lead_w;
    for (std::size_t i = 0; i < n; ++i) nsel[i] = static_cast<double>(sel.count(i));
    out.fill("n_selected_objects", 10, 0.0, 10.0, nsel, w);
    for (auto i : rows)
      if (sel.count(i) > 0) {
        lead.push_back(sel.get<float>("pt", i, 0));
        lead_w.push_back(w[i]);
      }
    out.fill("leading_pt", 50, 0.0, 250.0, lead, lead_w);
    return out;
  }

 private:
  void add_mc_weights(frame& f, const event_chunk& ev, const hep::collection<event_chunk>& sel) const {
    const std::size_t n = ev.size();
    const auto gw = ev.scalar<float>("genWeight");
    f.weights().add("genWeight", std::vector<double>(gw.begin(), gw.end()));
    if (!cfg_.pileup_correction.empty()) {
      if (!pu_) hepad::detail::raise<config_error>("nanoaod_skim: pileup_correction is set but no correction set was given");
      const auto& c = pu_->at(cfg_.pileup_correction);
      const auto nt = ev.scalar<float>("Pileup_nTrueInt");
      std::vector<double> nom(n), up(n), down(n);
      for (std::size_t i = 0; i < n; ++i) {
        nom[i] = c(nt[i], "nominal");
        up[i] = c(nt[i], "up");
        down[i] = c(nt[i], "down");
      }
      f.weights().add("pileup", std::move(nom), std::move(up), std::move(down));
    }
    if (!cfg_.object_sf_correction.empty()) {
      if (!sf_) hepad::detail::raise<config_error>("nanoaod_skim: object_sf_correction is set but no correction set was given");
      const auto& c = sf_->at(cfg_.object_sf_correction);
      std::vector<double> nom(n, 1.0), up(n, 1.0), down(n, 1.0);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < sel.count(i); ++k) {
          const double eta = sel.get<float>("eta", i, k), pt = sel.get<float>("pt", i, k);
          nom[i] *= c(eta, pt, "nominal");
          up[i] *= c(eta, pt, "systup");
          down[i] *= c(eta, pt, "systdown");
        }
      f.weights().add("object_sf", std::move(nom), std::move(up), std::move(down));
    }
  }

  io::record_batch make_rows(const event_chunk& ev, const hep::collection<event_chunk>& sel,
                             const std::vector<std::size_t>& rows, const std::vector<double>& w, bool mc) const {
    auto pick = [&](auto span) {
      std::vector<typename decltype(span)::value_type> v;
      for (auto i : rows) v.push_back(span[i]);
      return v;
    };
    io::record_batch b;
    b.add(io::make_column("event", pick(ev.scalar<std::uint64_t>("event"))));
    b.add(io::make_column("run", pick(ev.scalar<std::uint32_t>("run"))));
    b.add(io::make_column("luminosityBlock", pick(ev.scalar<std::uint32_t>("luminosityBlock"))));
    if (mc) b.add(io::make_column("weight", pick(std::span<const double>(w))));
    for (int k = 0; k < cfg_.n_leading; ++k) {
      const auto uk = static_cast<std::size_t>(k);
      auto obj = [&](const char* field, auto tag) {
        using T = decltype(tag);
        std::vector<T> v;
        std::vector<std::uint8_t> valid;
        bool any_null = false;
        for (auto i : rows) {
          const bool has = sel.count(i) > uk;
          v.push_back(has ? sel.get<T>(field, i, uk) : T{});
          valid.push_back(has);
          any_null = any_null || !has;
        }
        const std::string name = hepad::detail::concat(field, k);
        if (!any_null) return io::make_column(name, std::move(v));
        return io::make_nullable_column(name, std::move(v), std::move(valid));
      };
      b.add(obj("pt", float{}));
      b.add(obj("eta", float{}));
      b.add(obj("phi", float{}));
      b.add(obj("pdgId", std::int32_t{}));
      b.add(obj("dz", float{}));
      b.add(obj("dxy", float{}));
    }
    return b;
  }

  nanoaod_skim_config cfg_;
  std::shared_ptr<const hep::correction_set> pu_, sf_;
  missing_branch_policy policy_ = missing_branch_policy::warn_false;
};

}  // namespace hepad::processing

#endif  // HEPAD_PROCESSING_NANOAOD_SKIM_HPP
