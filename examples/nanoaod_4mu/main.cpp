// SPDX-License-Identifier: BSL-1.0
// nanoaod_4mu: the cms-anomfinder front end with hepad. Reads CMS NanoAOD files (hepad's own ROOT
// reader), selects events (MET filters, trigger OR, >= 4 muons with pt > 5, |eta| < 2.4, mediumId,
// pfRelIso04_all < 0.25), weights MC events (genWeight x pileup x muon scale factors from
// correctionlib tables) and writes one Parquet file per dataset plus its cutflow as JSON.
//
//   nanoaod_4mu --datasets NAME [NAME...] [--dataset-dir DIR] [--executor sequential|threads|mpi]
//               [--workers N] [--max-files N] [--output-dir DIR] [--chunk-entries N]
//               [--chunk-bytes N] [--config FILE.json] [--pileup FILE.json] [--muon-sf FILE.json]
//               [--missing-branches error|warn|false]
//
// --config holds overrides of hepad::processing::nanoaod_skim_config (filters, triggers, muon
// cuts, min_objects, ...), e.g. {"min_objects": 1} for the relaxed selection used in the tests.
#include <hepad/config/json.hpp>
#include <hepad/hep/correction.hpp>
#include <hepad/io/parquet/writer.hpp>
#include <hepad/processing/dataset_config.hpp>
#include <hepad/processing/executor.hpp>
#include <hepad/processing/nanoaod_skim.hpp>
#ifdef HEPAD_HAS_MPI
#include <hepad/processing/mpi_executor.hpp>
#endif

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace proc = hepad::processing;

namespace {

struct options {
  std::vector<std::string> datasets;
  std::string dataset_dir = "dataset";
  std::string executor = "sequential";
  int workers = 4;
  int max_files = -1;
  std::string output_dir = "results";
  std::int64_t chunk_entries = 100000;
  std::int64_t chunk_bytes = 0;
  std::string config, pileup, muon_sf, missing_branches;
};

[[noreturn]] void usage(const std::string& msg) {
  std::fprintf(stderr,
               "nanoaod_4mu: %s\nusage: nanoaod_4mu --datasets NAME [NAME...] [--dataset-dir DIR] "
               "[--executor sequential|threads|mpi] [--workers N] [--max-files N] [--output-dir DIR] "
               "[--chunk-entries N] [--chunk-bytes N] [--config FILE] [--pileup FILE] [--muon-sf FILE] "
               "[--missing-branches error|warn|false]\n",
               msg.c_str());
  std::exit(2);
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage("missing value after " + a);
      return argv[++i];
    };
    auto integer = [&]() -> long long {
      const std::string v = next();
      char* end = nullptr;
      const long long x = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end) usage(a + " needs an integer, got '" + v + "'");
      return x;
    };
    if (a == "--datasets") {
      while (i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) o.datasets.push_back(argv[++i]);
    } else if (a == "--dataset-dir") o.dataset_dir = next();
    else if (a == "--executor") o.executor = next();
    else if (a == "--workers") o.workers = static_cast<int>(integer());
    else if (a == "--max-files") o.max_files = static_cast<int>(integer());
    else if (a == "--output-dir") o.output_dir = next();
    else if (a == "--chunk-entries") o.chunk_entries = integer();
    else if (a == "--chunk-bytes") o.chunk_bytes = integer();
    else if (a == "--config") o.config = next();
    else if (a == "--pileup") o.pileup = next();
    else if (a == "--muon-sf") o.muon_sf = next();
    else if (a == "--missing-branches") o.missing_branches = next();
    else usage("unknown option " + a);
  }
  if (o.datasets.empty()) usage("--datasets is required");
  if (o.executor == "iterative") o.executor = "sequential";  // the original's name
  if (o.executor != "sequential" && o.executor != "threads" && o.executor != "mpi")
    usage("--executor must be sequential, threads or mpi, got '" + o.executor + "'");
  if (o.workers < 1) usage("--workers must be >= 1");
  if (o.chunk_entries < 1) usage("--chunk-entries must be >= 1");
  return o;
}

/// Cutflow, sums, histograms and warnings of one dataset as JSON.
std::string summary_json(const std::string& name, const proc::output& out, double seconds, std::size_t items) {
  nlohmann::ordered_json j;
  j["dataset"] = name;
  j["events"] = out.cutflow.n_all();
  j["selected"] = out.cutflow.n_selected();
  auto& cf = j["cutflow"];
  cf = nlohmann::ordered_json::array();
  cf.push_back({{"cut", "all"}, {"pass", out.cutflow.n_all()}, {"weighted", out.cutflow.w_all()}});
  for (std::size_t c = 0; c < out.cutflow.cuts().size(); ++c) {
    const auto& r = out.cutflow.rows()[c];
    cf.push_back({{"cut", out.cutflow.cuts()[c]},
                  {"pass", r.n_sequential},
                  {"weighted", r.w_sequential},
                  {"pass_alone", r.n_alone},
                  {"weighted_alone", r.w_alone},
                  {"pass_n_minus_1", r.n_minus_one},
                  {"weighted_n_minus_1", r.w_minus_one}});
  }
  for (const auto& [k, v] : out.sums) j["sums"][k] = v;
  for (const auto& [k, h] : out.histograms) {
    std::vector<double> vals;
    for (auto&& x : boost::histogram::indexed(h, boost::histogram::coverage::all)) vals.push_back(x->value());
    j["histograms"][k] = {{"bins", h.axis(0).size()}, {"low", h.axis(0).value(0)}, {"high", h.axis(0).value(h.axis(0).size())},
                          {"values_with_flow", vals}};
  }
  j["warnings"] = out.warnings;
  j["work_items"] = items;
  (void)seconds;  // timing is printed, not written (outputs must not depend on the run)
  return j.dump(1) + "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const options opt = parse(argc, argv);
#ifdef HEPAD_HAS_MPI
  std::optional<proc::mpi_session> mpi;
  if (opt.executor == "mpi") mpi.emplace(&argc, &argv);
  const bool root_rank = !mpi || proc::mpi_session::rank() == 0;
#else
  if (opt.executor == "mpi") usage("this build has no MPI (component hepad::mpi)");
  const bool root_rank = true;
#endif
  try {
    auto cfg = proc::nanoaod_skim_config{};
    if (!opt.config.empty()) cfg = hepad::config::from_value<proc::nanoaod_skim_config>(hepad::config::read_json_file(opt.config));
    if (!opt.missing_branches.empty()) cfg.missing_branches = opt.missing_branches;
    const fs::path here = fs::path(argv[0]).parent_path();
    std::shared_ptr<const hepad::hep::correction_set> pu, sf;
    if (!opt.pileup.empty()) pu = std::make_shared<const hepad::hep::correction_set>(hepad::hep::correction_set::from_file(opt.pileup));
    else cfg.pileup_correction.clear();
    if (!opt.muon_sf.empty()) sf = std::make_shared<const hepad::hep::correction_set>(hepad::hep::correction_set::from_file(opt.muon_sf));
    else cfg.object_sf_correction.clear();
    const proc::nanoaod_skim skim(cfg, pu, sf);
    if (root_rank) fs::create_directories(opt.output_dir);

    for (const auto& name : opt.datasets) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto ds = proc::load_dataset_config(fs::path(opt.dataset_dir) / (name + ".json"), opt.max_files);
      if (ds.size() != 1 || ds[0].info.name != name)
        throw hepad::config_error(opt.dataset_dir + "/" + name + ".json must hold exactly the dataset '" + name + "'");
      const auto req = skim.branches(ds[0].info.is_mc);
      const hepad::io::root::chunk_options chunking{.entries = opt.chunk_entries, .bytes = opt.chunk_bytes};
      auto process = [&](const proc::work_item& w) { return skim.process(proc::load_chunk(w, ds[0].info, req)); };
      // the executor also plans (opening the files is spread over its threads or ranks)
      std::vector<proc::work_item> items;
      proc::output out;
      const auto plan_and_run = [&](const auto& ex) {
        items = ex.plan(ds, chunking, req.required);
        out = ex.run(items, process);
      };
      if (opt.executor == "sequential") plan_and_run(proc::sequential_executor{});
      else if (opt.executor == "threads") plan_and_run(proc::thread_executor{opt.workers});
#ifdef HEPAD_HAS_MPI
      else plan_and_run(proc::mpi_executor{});
#endif
      if (!root_rank) continue;
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      hepad::io::parquet::write(fs::path(opt.output_dir) / (name + ".parquet"), out.rows);
      hepad::write_file_atomically(fs::path(opt.output_dir) / (name + "_cutflow.json"), summary_json(name, out, secs, items.size()));
      for (const auto& w : out.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
      std::printf("%s: %lld events, %lld selected, %zu work items, %.3f s (%s)\n", name.c_str(),
                  static_cast<long long>(out.cutflow.n_all()), static_cast<long long>(out.cutflow.n_selected()),
                  items.size(), secs, opt.executor.c_str());
      std::printf("%s", out.cutflow.table().c_str());
    }
  } catch (const hepad::error& e) {
    std::fprintf(stderr, "nanoaod_4mu: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
