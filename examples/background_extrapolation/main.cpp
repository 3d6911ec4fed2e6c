// SPDX-License-Identifier: BSL-1.0
// background_extrapolation: hepad's flagship example. It reproduces the study of Bai, Mastandrea
// and Nachman, "Non-resonant Anomaly Detection with Background Extrapolation" (arXiv:2311.12924;
// spec: ../shared/reference/specs/s0_background_extrapolation.md) on the SVJ-like generator whose
// densities are known exactly, and writes a results table (results.md, results.json) and plots.
//
// The program follows the paper's method section:
//   1. samples     data, MC and an ideal background; signal injected into the data at a nominal
//                  fraction s of the SR background; SR = HT > 800 GeV and MET > 75 GeV, the CR its
//                  L-shaped complement; the last 10k CR rows held out; min-max scaling fitted on MC.
//   2. templates   background templates for the SR extrapolated from the CR by Reweight, Generate
//                  and Morph (with context weights), and the Ideal baseline.
//   3. closure     two-sample classifier AUCs on held-out events and ratio histograms, CR and SR;
//                  Reweight's weights against the exact density ratio.
//   4. search      CWoLa in the SR (template vs data), ensembles with averaged scores, SIC metrics on
//                  an independent test set, median and 16-84 % bands over injection seeds, next to
//                  the fully supervised classifier and the Bayes-optimal score of the generator.
//   5. significance  after a cut on the out-of-fold score the template predicts the background;
//                  the statistics layer turns observed and predicted counts into a significance,
//                  with the template's statistical uncertainty only and with the template's
//                  non-closure on the CR hold-out (same score, same template efficiency) added as
//                  a systematic (ad/validation.hpp).
//
// Usage: background_extrapolation [--quick | --full | --ctest] [--output-dir DIR] [options]
// (--help lists them). --quick is the default (about 3 minutes on 2 cores).
#include <hepad/ad/analysis.hpp>
#include <hepad/ad/closure.hpp>
#include <hepad/ad/context_weights.hpp>
#include <hepad/ad/cwola.hpp>
#include <hepad/ad/evaluation.hpp>
#include <hepad/ad/generate.hpp>
#include <hepad/ad/histograms.hpp>
#include <hepad/ad/ideal.hpp>
#include <hepad/ad/morph.hpp>
#include <hepad/ad/reweight.hpp>
#include <hepad/ad/samples.hpp>
#include <hepad/ad/significance.hpp>
#include <hepad/ad/svj_samples.hpp>
#include <hepad/ad/validation.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/config/value.hpp>
#include <hepad/core/atomic_file.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/synthetic/svj_like.hpp>
#include <hepad/pipeline/pipeline.hpp>
#include <hepad/plot/figure.hpp>
#include <hepad/stats/curves.hpp>
#include <hepad/version.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace fs = std::filesystem;
using S = float;
using hepad::index_t;
using hepad::matrix;
using hepad::rng;
using hepad::vector;
namespace ad = hepad::ad;
namespace cfgv = hepad::config;
namespace plt = hepad::plot;
using hepad::data::synthetic::svj_like;

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/// Nominal injection fractions of the spec (§2.5), s = 0 always first.
std::vector<double> injection_list(double mass_tev) {
  if (mass_tev < 2.5) return {0, .006, .012, .018, .024, .030, .036};
  if (mass_tev < 3.5) return {0, .004, .009, .013, .018, .022, .027};
  return {0, .004, .008, .012, .016, .020, .024};
}

struct options {
  std::string scale = "quick";
  fs::path out = "out";
  std::vector<std::string> methods{"ideal", "reweight", "generate", "morph"};
  bool supervised = true;
  std::vector<double> masses{4.0};   // TeV
  std::vector<int> sb_points{0, 3, 6};  // indices into injection_list
  int seeds = 2;                     // injection seeds 1..seeds
  std::uint64_t seed = 2311;         // base seed of everything
  int ensemble = 4;                  // CWoLa / supervised members
  int folds = 2;                     // CWoLa k-fold cross-prediction (significance step)
  int closure_runs = 5;
  bool cr_per_injection = false;     // retrain CR models for every (mass, s, seed)
  ad::svj_sample_sizes sizes{};
  std::int64_t holdout = 10000;
  std::int64_t flow_hidden = 32;
  std::int64_t flow_epochs = 10;
  std::int64_t cr_epochs = 30;       // Reweight / context classifiers
  std::int64_t cwola_epochs = 50;
  std::int64_t oracle_contexts = 500;
  std::string crop = "clip";
  std::string preprocessing = "log";  // log: log(1 + x) of HT, MET, m_jj before min-max; minmax: the original
  double delta = 0.0;
  bool mod_mc = false;
  int threads = 0;
  bool check = false;
  bool clip = false;  // clip scored features to the CWoLa training range
  std::int64_t optimum_n = 5'000'000;  // data / ideal events of the optimum check (0: skip); SR ~ 67k
};

options preset(const std::string& scale) {
  options o;
  o.scale = scale;
  if (scale == "quick") {
    o.flow_epochs = 8;
    o.closure_runs = 3;
    o.sizes = {.n_data = 500'000, .n_mc = 500'000, .n_ideal = 500'000, .n_cr_keep = 110'000,
               .n_signal_pool = 10'000, .n_test_background = 100'000, .n_test_signal = 20'000,
               .n_supervised_background = 40'000, .n_supervised_signal = 10'000};
  } else if (scale == "ctest") {
    o.seeds = 1;
    o.sb_points = {0, 6};
    o.ensemble = 2;
    o.closure_runs = 3;
    o.flow_epochs = 8;
    o.cr_epochs = 20;
    o.oracle_contexts = 300;
    o.check = true;
    o.sizes = {.n_data = 300'000, .n_mc = 300'000, .n_ideal = 300'000, .n_cr_keep = 60'000,
               .n_signal_pool = 5'000, .n_test_background = 40'000, .n_test_signal = 10'000,
               .n_supervised_background = 20'000, .n_supervised_signal = 5'000};
  } else if (scale == "full") {
    o.masses = {2.0, 3.0, 4.0};
    o.sb_points = {0, 1, 2, 3, 4, 5, 6};
    o.seeds = 5;
    o.ensemble = 10;
    o.closure_runs = 20;
    o.flow_hidden = 64;
    o.flow_epochs = 20;
    o.cr_epochs = 50;
    o.oracle_contexts = 4000;
    o.sizes = {.n_data = 2'000'000, .n_mc = 2'000'000, .n_ideal = 2'000'000, .n_cr_keep = 500'000,
               .n_signal_pool = 20'000, .n_test_background = 200'000, .n_test_signal = 50'000,
               .n_supervised_background = 100'000, .n_supervised_signal = 30'000};
  }
  return o;
}

const char* usage =
    "usage: background_extrapolation [--quick | --full | --ctest] [--output-dir DIR]\n"
    "  --methods LIST       comma list of ideal,reweight,generate,morph (default all)\n"
    "  --no-supervised      skip the fully supervised baseline\n"
    "  --masses LIST        signal masses in TeV (2,3,4)\n"
    "  --sb LIST            indices 0-6 into the spec's injection list of each mass (0 = s = 0)\n"
    "  --seeds N            injection seeds 1..N\n"
    "  --ensemble N         classifiers per CWoLa / supervised ensemble\n"
    "  --folds K            CWoLa k-fold cross-prediction (>= 2; the significance step needs it)\n"
    "  --closure-runs N     closure classifier runs\n"
    "  --cr-per-injection   retrain the CR models for every (mass, s, seed) (default: once per seed)\n"
    "  --n-data N --n-mc N --n-ideal N --n-cr N --n-test N   sample sizes (events)\n"
    "  --flow-hidden N --flow-epochs N --cr-epochs N --cwola-epochs N --oracle-contexts N\n"
    "  --crop clip|zero|none  template weights above mean + 3 std (default clip; zero = original)\n"
    "  --preprocessing log|minmax  log(1 + x) of HT, MET, m_jj before the min-max map (default), or the original\n"
    "  --delta D --mod-mc   harder generator variants (spec §12.3)\n"
    "  --optimum-n N        data/ideal events of the Ideal-vs-optimum check at the spec's SR statistics (0: skip)\n"
    "  --seed N --threads N --check (exit 1 if an asserted qualitative check fails)\n";

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

bool parse(int argc, char** argv, options& o) {
  // the scale preset first, then overrides
  std::string scale = "quick";
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--quick") scale = "quick";
    if (a == "--full") scale = "full";
    if (a == "--ctest") scale = "ctest";
  }
  o = preset(scale);
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(std::string("missing value after ") + std::string(a));
      return argv[++i];
    };
    if (a == "--quick" || a == "--full" || a == "--ctest") continue;
    if (a == "--output-dir") o.out = next();
    else if (a == "--methods") o.methods = split_list(next());
    else if (a == "--no-supervised") o.supervised = false;
    else if (a == "--masses") {
      o.masses.clear();
      for (const auto& m : split_list(next())) o.masses.push_back(std::stod(m));
    } else if (a == "--sb") {
      o.sb_points.clear();
      for (const auto& m : split_list(next())) o.sb_points.push_back(std::stoi(m));
    } else if (a == "--seeds") o.seeds = std::stoi(next());
    else if (a == "--ensemble") o.ensemble = std::stoi(next());
    else if (a == "--folds") o.folds = std::stoi(next());
    else if (a == "--closure-runs") o.closure_runs = std::stoi(next());
    else if (a == "--cr-per-injection") o.cr_per_injection = true;
    else if (a == "--n-data") o.sizes.n_data = std::stoll(next());
    else if (a == "--n-mc") o.sizes.n_mc = std::stoll(next());
    else if (a == "--n-ideal") o.sizes.n_ideal = std::stoll(next());
    else if (a == "--n-cr") o.sizes.n_cr_keep = std::stoll(next());
    else if (a == "--n-test") o.sizes.n_test_background = std::stoll(next());
    else if (a == "--flow-hidden") o.flow_hidden = std::stoll(next());
    else if (a == "--flow-epochs") o.flow_epochs = std::stoll(next());
    else if (a == "--cr-epochs") o.cr_epochs = std::stoll(next());
    else if (a == "--cwola-epochs") o.cwola_epochs = std::stoll(next());
    else if (a == "--oracle-contexts") o.oracle_contexts = std::stoll(next());
    else if (a == "--crop") o.crop = next();
    else if (a == "--preprocessing") o.preprocessing = next();
    else if (a == "--delta") o.delta = std::stod(next());
    else if (a == "--mod-mc") o.mod_mc = true;
    else if (a == "--seed") o.seed = std::stoull(next());
    else if (a == "--threads") o.threads = std::stoi(next());
    else if (a == "--check") o.check = true;
    else if (a == "--clip") o.clip = true;
    else if (a == "--optimum-n") o.optimum_n = std::stoll(next());
    else if (a == "--help" || a == "-h") {
      std::fputs(usage, stdout);
      std::exit(0);
    } else {
      throw std::runtime_error("unknown option " + std::string(a));
    }
  }
  for (const auto& m : o.methods)
    if (m != "ideal" && m != "reweight" && m != "generate" && m != "morph")
      throw std::runtime_error("unknown method " + m);
  for (const int k : o.sb_points)
    if (k < 0 || k > 6) throw std::runtime_error("--sb indices must be in 0..6");
  if (std::find(o.sb_points.begin(), o.sb_points.end(), 0) == o.sb_points.end())
    o.sb_points.insert(o.sb_points.begin(), 0);  // s = 0 is always part of the scan (spec §11.2)
  std::sort(o.sb_points.begin(), o.sb_points.end());
  if (o.folds < 2) throw std::runtime_error("--folds must be >= 2");
  if (o.ensemble < o.folds) o.ensemble = o.folds;
  if (o.crop != "clip" && o.crop != "zero" && o.crop != "none") throw std::runtime_error("--crop must be clip, zero or none");
  if (o.preprocessing != "log" && o.preprocessing != "minmax") throw std::runtime_error("--preprocessing must be log or minmax");
  return true;
}

bool has_method(const options& o, std::string_view m) {
  return std::find(o.methods.begin(), o.methods.end(), m) != o.methods.end();
}

// The configured policies.
struct policies {
  ad::sample_config samples;
  ad::context_weights context;
  ad::reweight reweight;
  ad::generate generate;
  ad::morph morph;
  ad::cwola cwola;
  ad::fully_supervised supervised;
  ad::closure_test closure;
  ad::evaluation_config evaluation;
  ad::significance_config significance;
};

policies make_policies(const options& o) {
  policies p;
  p.samples.holdout = o.holdout;
  if (o.preprocessing == "log") p.samples.log_columns = {0, 1, 2};  // HT, MET, m_jj
  p.reweight.classifier.epochs = o.cr_epochs;
  p.reweight.classifier.chunks = 2;
  p.reweight.classifier.threads = o.threads;
  p.context.classifier = p.reweight.classifier;
  p.generate.flow.net.hidden = o.flow_hidden;
  p.generate.training.epochs = o.flow_epochs;
  p.generate.training.schedule.t_max = o.flow_epochs;
  p.generate.training.chunks = 2;
  p.generate.training.threads = o.threads;
  p.morph.base = p.generate.flow;
  p.morph.base_training = p.generate.training;
  p.morph.top_training.epochs = o.flow_epochs;
  p.morph.top_training.schedule.t_max = o.flow_epochs;
  p.morph.top_training.chunks = 2;
  p.morph.top_training.threads = o.threads;
  p.cwola.ensemble.n_models = o.ensemble;
  p.cwola.ensemble.folds = o.folds;
  p.cwola.ensemble.threads = o.threads;
  p.cwola.ensemble.classifier.epochs = o.cwola_epochs;
  p.cwola.clip_to_training_range = o.clip;
  p.cwola.crop.kind = o.crop == "zero" ? ad::crop_kind::zero : o.crop == "none" ? ad::crop_kind::none : ad::crop_kind::clip;
  p.supervised.ensemble = p.cwola.ensemble;
  p.supervised.ensemble.folds = 0;
  p.closure.n_runs = o.closure_runs;
  p.closure.threads = o.threads;
  return p;
}

// ---------------------------------------------------------------------------------------------
// Progress and small helpers
// ---------------------------------------------------------------------------------------------

const auto t_start = std::chrono::steady_clock::now();
double elapsed() { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count(); }

template <class... A>
void say(const char* fmt, A... a) {
  std::printf("[%7.1f s] ", elapsed());
  std::printf(fmt, a...);
  std::printf("\n");
  std::fflush(stdout);
}

std::string fmt(double v, int prec = 3) {
  if (std::isnan(v)) return "–";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

std::string mass_label(double m) { return fmt(m, m == std::floor(m) ? 0 : 1) + " TeV"; }

// ---------------------------------------------------------------------------------------------
// JSON output (config::value trees; numbers printed exactly)
// ---------------------------------------------------------------------------------------------

void dump(const cfgv::value& v, std::string& out, int indent = 0) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  const auto& raw = v.raw();
  if (v.is_null()) {
    out += "null";
  } else if (v.is_bool()) {
    out += std::get<bool>(raw) ? "true" : "false";
  } else if (v.is_number()) {
    const double d = std::get<double>(raw);
    if (!std::isfinite(d)) {
      out += "null";
    } else {
      char b[40];
      std::snprintf(b, sizeof b, "%.10g", d);
      out += b;
    }
  } else if (v.is_string()) {
    out += '"';
    for (const char c : std::get<std::string>(raw)) {
      if (c == '"' || c == '\\') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  } else if (v.is_array()) {
    const auto& a = std::get<cfgv::value::array>(raw);
    bool flat = true;
    for (const auto& x : a) flat = flat && (x.is_number() || x.is_string() || x.is_bool() || x.is_null());
    out += "[";
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (i) out += flat ? ", " : ",";
      if (!flat) out += "\n" + pad + "  ";
      dump(a[i], out, indent + 2);
    }
    if (!flat && !a.empty()) out += "\n" + pad;
    out += "]";
  } else {
    const auto& o = std::get<cfgv::value::object>(raw);
    out += "{";
    for (std::size_t i = 0; i < o.size(); ++i) {
      out += i ? ",\n" : "\n";
      out += pad + "  \"" + o[i].first + "\": ";
      dump(o[i].second, out, indent + 2);
    }
    out += o.empty() ? "}" : "\n" + pad + "}";
  }
}

cfgv::value num_array(const std::vector<double>& v) {
  cfgv::value::array a;
  for (const double x : v) a.emplace_back(x);
  return cfgv::value(std::move(a));
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

struct run_record {
  double mass = 0;
  int seed = 0;
  int sb_index = 0;
  double s_nominal = 0, s_over_b = 0, s_over_sqrt_b = 0, cr_fraction = 0;
  std::int64_t n_signal_sr = 0, n_background_sr = 0;
  std::string method;
  ad::score_metrics metrics;
  std::vector<ad::significance_point> significance;  // with the CR non-closure as systematic (z_stat: without)
  std::vector<ad::validation_point> validation;      // the CR non-closure per cut
  double mean_best_epoch = 0;
  std::int64_t n_cropped = 0;
};

struct closure_record {
  std::string method, region;
  ad::closure_result result;
  std::vector<ad::histogram_comparison> histograms;
};

struct baseline_record {
  double mass = 0;
  ad::score_metrics supervised, oracle;
  bool has_supervised = false;
  // Ideal CWoLa at the spec's SR statistics and highest injection (the optimum check)
  std::optional<ad::score_metrics> ideal_spec;
  double ideal_spec_s_over_b = 0, ideal_spec_s_over_sqrt_b = 0;
  std::int64_t ideal_spec_nb = 0;
};

struct reweight_truth {
  // log(w_hat / w*) after removing the mean, per region
  double rms_log_ratio_cr = 0, rms_log_ratio_sr = 0, mean_log_ratio_sr = 0;
  std::vector<ad::histogram_comparison> chi2_cr, chi2_cr_exact, chi2_sr, chi2_sr_exact;
  std::vector<double> log_ratio_cr, log_ratio_sr;  // for the plot
};

struct results {
  std::vector<run_record> runs;
  std::vector<closure_record> closure;
  std::vector<baseline_record> baselines;
  std::optional<reweight_truth> truth;
  std::map<std::string, double> timings;
  std::vector<std::string> template_notes;
};

// ---------------------------------------------------------------------------------------------
// Step 2: background templates
// ---------------------------------------------------------------------------------------------

struct templates {
  std::map<std::string, ad::background_estimate<S>> by_method;
};

templates estimate_backgrounds(const options& o, const policies& p, const ad::extrapolation_samples<S>& s, rng r,
                               results& res, bool verbose) {
  templates t;
  const auto t0 = elapsed();
  // Context weights: one classifier shared by Generate and Morph (spec §4.2).
  std::optional<ad::context_weight_values<S>> ctx;
  if (has_method(o, "generate") || has_method(o, "morph")) {
    rng rc = r.split(1);
    ctx = p.context.run(s, rc);
    if (verbose)
      say("  context weights: SR mean %.3f std %.3f max %.3f (non-finite %lld)", ctx->sr_summary.mean, ctx->sr_summary.std,
          ctx->sr_summary.max, static_cast<long long>(ctx->sr_summary.n_nonfinite));
  }
  for (const auto& m : o.methods) {
    const auto tm = elapsed();
    rng rm = r.split(2).split(std::hash<std::string>{}(m));
    ad::background_estimate<S> e;
    if (m == "ideal") e = ad::ideal{}.run(s, rm);
    if (m == "reweight") e = p.reweight.run(s, rm);
    if (m == "generate") e = p.generate.run(s, rm, &*ctx);
    if (m == "morph") e = p.morph.run(s, rm, &*ctx);
    if (verbose) {
      const auto ws = e.sr.summary();
      say("  %-8s template: %lld events, weights mean %.3f std %.3f max %.3f, yield %.0f (data SR background %lld) "
          "[%.1f s]",
          m.c_str(), static_cast<long long>(e.sr.size()), ws.mean, ws.std, ws.max, ws.sum,
          static_cast<long long>(s.injection.n_background_in_region), elapsed() - tm);
    }
    t.by_method.emplace(m, std::move(e));
  }
  res.timings["templates_last"] = elapsed() - t0;
  return t;
}

// ---------------------------------------------------------------------------------------------
// Step 3: closure
// ---------------------------------------------------------------------------------------------

matrix<S> join_columns(const matrix<S>& c, const matrix<S>& x) {
  matrix<S> out(c.rows(), c.cols() + x.cols());
  out.leftCols(c.cols()) = c;
  out.rightCols(x.cols()) = x;
  return out;
}

void check_closure(const options& o, const policies& p, const svj_like& g, const ad::extrapolation_samples<S>& s,
                   const templates& t, rng r, results& res) {
  const auto fspan = s.data_sr.feature_names();
  const std::vector<std::string> feature_names(fspan.begin(), fspan.end());
  const matrix<S> truth_cr = s.data_cr_holdout.features();
  const matrix<S> truth_sr = s.data_sr_background().features();  // s = 0: the data SR itself
  std::uint64_t k = 0;
  for (const auto& [m, e] : t.by_method) {
    for (const std::string region : {"CR", "SR"}) {
      const auto& tmpl = region == "CR" ? e.cr : e.sr;
      const matrix<S>& truth = region == "CR" ? truth_cr : truth_sr;
      if (tmpl.empty()) continue;
      rng rc = r.split(++k);
      closure_record c{m, region, p.closure.run(tmpl, truth, rc), {}};
      const vector<S> none_w;
      c.histograms = ad::compare_histograms<S>(tmpl.features, tmpl.weights, truth, none_w, feature_names);
      say("  closure %-8s %s: AUC %.3f (%.3f-%.3f), null sigma %.3f", m.c_str(), region.c_str(), c.result.summary.median,
          c.result.summary.lo, c.result.summary.hi, c.result.null_sigma);
      res.closure.push_back(std::move(c));
    }
  }
  // Reweight against the exact density ratio (known only for the generator).
  if (auto it = t.by_method.find("reweight"); it != t.by_method.end()) {
    const auto& e = it->second;
    reweight_truth rt;
    auto exact = [&](const matrix<S>& scaled7) {
      const matrix<S> raw = s.unscale(scaled7);
      const vector<double> lr = g.log_density_ratio<S>(raw);
      return lr;
    };
    auto rms = [](const std::vector<double>& v, double& mean) {
      double m = 0;
      for (const double x : v) m += x;
      m /= static_cast<double>(v.size());
      double q = 0;
      for (const double x : v) q += (x - m) * (x - m);
      mean = m;
      return std::sqrt(q / static_cast<double>(v.size()));
    };
    const std::vector<std::string> names7 = s.data_sr.column_names();
    {
      // CR hold-out: MC weighted by w_hat (and, as a control, by w*) against the data hold-out
      const matrix<S> mc7 = join_columns(e.cr.context, e.cr.features);
      const vector<double> lr = exact(mc7);
      vector<S> w_exact(lr.size());
      for (index_t i = 0; i < lr.size(); ++i) w_exact(i) = static_cast<S>(std::exp(lr(i)));
      const matrix<S> data7 = s.data_cr_holdout.values();
      const ad::histogram_config hq{.bins = 20, .min_count = 10, .quantile = true};
      const vector<S> ones;
      rt.chi2_cr = ad::compare_histograms<S>(mc7, e.cr.weights, data7, ones, names7, hq);
      rt.chi2_cr_exact = ad::compare_histograms<S>(mc7, w_exact, data7, ones, names7, hq);
      for (index_t i = 0; i < lr.size(); ++i) rt.log_ratio_cr.push_back(std::log(static_cast<double>(e.cr.weights(i))) - lr(i));
      double mean = 0;
      rt.rms_log_ratio_cr = rms(rt.log_ratio_cr, mean);
      for (auto& v : rt.log_ratio_cr) v -= mean;
      // SR: the extrapolation, against the background of the data SR
      const matrix<S> sr7 = join_columns(e.sr.context, e.sr.features);
      const vector<double> lrs = exact(sr7);
      vector<S> ws_exact(lrs.size());
      for (index_t i = 0; i < lrs.size(); ++i) ws_exact(i) = static_cast<S>(std::exp(lrs(i)));
      const matrix<S> dsr7 = s.data_sr_background().values();
      rt.chi2_sr = ad::compare_histograms<S>(sr7, e.sr.weights, dsr7, ones, names7, hq);
      rt.chi2_sr_exact = ad::compare_histograms<S>(sr7, ws_exact, dsr7, ones, names7, hq);
      // exact normalisation: w* p_M integrates to N_D/N_M, so the weights' mean ratio is exp(mean)
      const double norm = std::log(static_cast<double>(s.injection.n_background_in_region) /
                                   static_cast<double>(ws_exact.template cast<double>().sum()));
      for (index_t i = 0; i < lrs.size(); ++i)
        rt.log_ratio_sr.push_back(std::log(static_cast<double>(e.sr.weights(i))) - lrs(i) - norm);
      rt.rms_log_ratio_sr = rms(rt.log_ratio_sr, rt.mean_log_ratio_sr);
      for (auto& v : rt.log_ratio_sr) v -= rt.mean_log_ratio_sr;
    }
    const auto [c1, n1] = ad::total_chi2(rt.chi2_cr);
    const auto [c0, n0] = ad::total_chi2(rt.chi2_cr_exact);
    const auto [c3, n3] = ad::total_chi2(rt.chi2_sr);
    const auto [c2, n2] = ad::total_chi2(rt.chi2_sr_exact);
    say("  reweight vs exact ratio: CR chi2/ndf %.2f (exact weights %.2f), SR chi2/ndf %.2f (exact %.2f); "
        "rms log(w/w*) CR %.3f SR %.3f",
        c1 / static_cast<double>(n1), c0 / static_cast<double>(n0), c3 / static_cast<double>(n3),
        c2 / static_cast<double>(n2), rt.rms_log_ratio_cr, rt.rms_log_ratio_sr);
    res.truth = std::move(rt);
  }
  (void)o;
}

// ---------------------------------------------------------------------------------------------
// Step 4/5: the search (CWoLa) and the significance step, as a pipeline per method
// ---------------------------------------------------------------------------------------------

run_record search(const policies& p, const std::shared_ptr<const ad::extrapolation_samples<S>>& s,
                  const ad::background_estimate<S>& e, double mass, int seed, int sb_index, rng r) {
  auto pipe = hepad::make_pipeline(ad::discriminate{p.cwola}, ad::score_test{p.evaluation},
                                   ad::significance_step{p.significance, true});
  auto a = ad::analysis<S>::of(s);
  a.estimate = e;
  a = pipe.run(std::move(a), r);
  run_record rec;
  rec.mass = mass;
  rec.seed = seed;
  rec.sb_index = sb_index;
  rec.method = e.method;
  rec.s_nominal = s->injection.nominal_fraction;
  rec.s_over_b = s->injection.realized_s_over_b();
  rec.s_over_sqrt_b = s->injection.significance();
  rec.cr_fraction = s->injection.fraction_outside_region();
  rec.n_signal_sr = s->injection.n_signal_in_region;
  rec.n_background_sr = s->injection.n_background_in_region;
  rec.metrics = *a.metrics;
  rec.significance = a.significance;
  rec.validation = a.validation;
  rec.mean_best_epoch = a.cwola->ensemble.mean_best_epoch();
  rec.n_cropped = a.cwola->crop.n_cropped;
  return rec;
}

// ---------------------------------------------------------------------------------------------
// Aggregation, checks, reports
// ---------------------------------------------------------------------------------------------

struct agg {
  hepad::stats::summary max_sic, sic3, sic4, z2, z_signed2;  // z_signed2: statistical uncertainty only
  hepad::stats::summary z_syst2, syst2;  // Z with the CR-derived systematic, and the systematic (eps = 1e-2)
  double s_over_b = 0, s_over_sqrt_b = 0, s_nominal = 0;
  hepad::stats::band sic_band;
  int n = 0;
};

agg aggregate(const results& res, double mass, const std::string& method, int sb_index) {
  agg a;
  std::vector<double> ms, s3, s4, z, zs, zsy, sy, sb, ssb;
  std::vector<std::vector<double>> curves;
  std::vector<double> grid;
  for (const auto& r : res.runs) {
    if (r.mass != mass || r.method != method || r.sb_index != sb_index) continue;
    ms.push_back(r.metrics.max_sic);
    s3.push_back(r.metrics.sic_at_rejection.at(0));
    s4.push_back(r.metrics.sic_at_rejection.at(1));
    if (r.significance.size() > 1) {
      z.push_back(r.significance[1].z);
      zs.push_back(r.significance[1].z_stat);
      zsy.push_back(r.significance[1].z_signed);
      sy.push_back(r.significance[1].relative_systematic);
    }
    sb.push_back(r.s_over_b);
    ssb.push_back(r.s_over_sqrt_b);
    a.s_nominal = r.s_nominal;
    curves.push_back(r.metrics.curves.sic);
    grid = r.metrics.curves.tpr_grid;
  }
  a.n = static_cast<int>(ms.size());
  if (a.n == 0) return a;
  a.max_sic = hepad::stats::summarize(ms);
  a.sic3 = hepad::stats::summarize(s3);
  a.sic4 = hepad::stats::summarize(s4);
  a.z2 = hepad::stats::summarize(z);
  a.z_signed2 = hepad::stats::summarize(zs);
  a.z_syst2 = hepad::stats::summarize(zsy);
  a.syst2 = hepad::stats::summarize(sy);
  a.s_over_b = hepad::stats::percentile(sb, 50);
  a.s_over_sqrt_b = hepad::stats::percentile(ssb, 50);
  a.sic_band = hepad::stats::band_over_runs(grid, curves);
  return a;
}

struct check_result {
  std::string name;
  bool pass = false;
  std::string detail;
  bool asserted = true;  // part of --check (CTest); reported otherwise
};

std::vector<check_result> qualitative_checks(const options& o, const results& res) {
  std::vector<check_result> out;
  // (1) Reweight weights vs the exact density ratio on held-out CR histograms. Under the null the
  // summed chi2 over the 7 columns has mean ndf; the columns are correlated, so its spread is
  // at most 7 x sqrt(2 ndf_col) instead of sqrt(2 ndf). Pass: chi2/ndf <= 1 + 3 sigma with that
  // conservative sigma, and not far above what the exact weights give on the same events.
  if (res.truth) {
    const auto [c, n] = ad::total_chi2(res.truth->chi2_cr);
    const auto [ce, ne] = ad::total_chi2(res.truth->chi2_cr_exact);
    const double per_col_ndf = static_cast<double>(n) / 7.0;
    const double sigma = 7.0 * std::sqrt(2.0 * per_col_ndf) / static_cast<double>(n);
    const double r = c / static_cast<double>(n), re = ce / static_cast<double>(ne);
    out.push_back({"Reweight weights match the exact density ratio (CR hold-out chi2/ndf)", r <= 1.0 + 3.0 * sigma,
                   "chi2/ndf " + fmt(r, 2) + " (exact weights " + fmt(re, 2) + "), tolerance 1 + 3 x " + fmt(sigma, 2)});
  }
  // (2) Generate and Morph close in the CR: median held-out AUC <= 0.55.
  for (const auto& c : res.closure)
    if ((c.method == "generate" || c.method == "morph") && c.region == "CR")
      out.push_back({c.method + " closes in the CR (AUC <= 0.55)", c.result.summary.median <= 0.55,
                     "median AUC " + fmt(c.result.summary.median) + " (null sigma " + fmt(c.result.null_sigma) + ")"});
  for (const double mass : o.masses) {
    const int top = o.sb_points.back();
    const baseline_record* base = nullptr;
    for (const auto& b : res.baselines)
      if (b.mass == mass) base = &b;
    // (3) Ideal within 10 % of the closed-form optimum at the highest injection, at the spec's SR
    // statistics (N_b,SR ~ 7e4, S/sqrt(B) ~ 5). Ideal and optimum are read on the same test set,
    // both at the FPR floor, so their ratio is a ratio of signal efficiencies at the same
    // background count, whose statistical error (binomial, 10^4 signal events) is ~1 %.
    if (base && base->ideal_spec) {
      const double opt = base->oracle.max_sic, v = base->ideal_spec->max_sic;
      out.push_back({"Ideal max SIC within 10 % of the optimum at the highest injection (" + mass_label(mass) + ")",
                     v >= 0.9 * opt,
                     "Ideal " + fmt(v, 2) + " vs optimal " + fmt(opt, 2) + " (ratio " + fmt(v / opt, 2) + ") at S/B " +
                         fmt(100 * base->ideal_spec_s_over_b, 2) + " %, S/√B " + fmt(base->ideal_spec_s_over_sqrt_b, 2) +
                         ", N_b,SR " + std::to_string(base->ideal_spec_nb)});
    }
    // (4) No fake sensitivity at S/B = 0. (a) On the data: the significance step finds no excess;
    // without signal Z_signed is ~N(0, 1) if the background prediction is unbiased: |median| < 3.
    // (b) On the test set: max SIC ~ 1 (<= 1.5).
    // (a) is asserted for Ideal, where data and template are the same distribution, so an excess
    // would be a bug of the machinery (leaked labels, scores or signal). The rest is reported:
    // the extrapolation methods' templates carry a residual mismodelling of the SR that CWoLa
    // learns (their Z and max SIC at S/B = 0 measure it), and max SIC at the FPR floor of a score
    // trained on pure background is not ~1 even for Ideal: the signal sits in the sparse tail of
    // the SR events, where such a score is an arbitrary extrapolation. The documentation gives the
    // numbers per scale; they are findings, not checks a reduced run can pass.
    for (const auto& m : o.methods) {
      const agg a = aggregate(res, mass, m, 0);
      if (a.n == 0) continue;
      out.push_back({m + ": no fake significance at S/B = 0 (" + mass_label(mass) + ")",
                     std::abs(a.z_signed2.median) < 3.0, "median Z " + fmt(a.z_signed2.median, 2), m == "ideal"});
      // (c) With the template's CR non-closure as systematic (reported): does the CR validation
      // cover the SR mismodelling?
      out.push_back({m + ": no fake significance at S/B = 0 with the CR-derived systematic (" + mass_label(mass) + ")",
                     std::abs(a.z_syst2.median) < 3.0,
                     "median Z " + fmt(a.z_syst2.median, 2) + " (CR syst. " + fmt(a.syst2.median, 3) + ")", false});
      out.push_back({m + ": max SIC ~ 1 at S/B = 0 (" + mass_label(mass) + ")", a.max_sic.median <= 1.5,
                     "median max SIC " + fmt(a.max_sic.median, 2) + " (16–84 %: " + fmt(a.max_sic.lo, 2) + "–" +
                         fmt(a.max_sic.hi, 2) + ")",
                     false});
    }
    // (5) Ordering at the highest injection: fully supervised > Ideal >~ Reweight.
    if (base && base->has_supervised && has_method(o, "ideal") && has_method(o, "reweight") && top > 0) {
      const agg ai = aggregate(res, mass, "ideal", top), ar = aggregate(res, mass, "reweight", top);
      const double fs = base->supervised.max_sic;
      const bool ok = fs > ai.max_sic.median && fs > ar.max_sic.median && ar.max_sic.median <= 1.25 * ai.max_sic.median;
      out.push_back({"ordering fully supervised > Ideal >~ Reweight at the highest injection (" + mass_label(mass) + ")", ok,
                     "FS " + fmt(fs, 2) + ", Ideal " + fmt(ai.max_sic.median, 2) + ", Reweight " +
                         fmt(ar.max_sic.median, 2)});
    }
  }
  return out;
}

void write_reports(const options& o, const policies& p, const results& res, const std::vector<check_result>& checks,
                   double runtime) {
  fs::create_directories(o.out);
  const std::vector<std::string> all_methods = o.methods;
  // ---- plots --------------------------------------------------------------------------------
  std::vector<std::string> plots;
  auto save = [&](plt::figure& f, const std::string& name) {
    f.save_svg(o.out / (name + ".svg"));
    bool png = false;
    try {
      png = f.save_png(o.out / (name + ".png"));
    } catch (const std::exception& ex) {
      say("  PNG conversion of %s failed: %s", name.c_str(), ex.what());
    }
    plots.push_back(name + ".svg" + (png ? " (+ .png)" : ""));
  };
  const auto color_of = [&](const std::string& m) {
    static const std::map<std::string, std::size_t> idx{{"ideal", 0}, {"reweight", 1}, {"generate", 2}, {"morph", 3}};
    auto it = idx.find(m);
    return plt::palette_color(it == idx.end() ? 5 : it->second);
  };
  // closure AUCs
  if (!res.closure.empty()) {
    plt::figure f({.width = 640, .height = 420});
    auto& ax = f.axes();
    for (const std::string region : {"CR", "SR"}) {
      std::vector<double> x, y, lo, hi;
      int i = 0;
      for (const auto& m : all_methods) {
        ++i;
        for (const auto& c : res.closure)
          if (c.method == m && c.region == region) {
            x.push_back(i + (region == "CR" ? -0.1 : 0.1));
            y.push_back(c.result.summary.median);
            lo.push_back(c.result.summary.median - c.result.summary.lo);
            hi.push_back(c.result.summary.hi - c.result.summary.median);
          }
      }
      ax.points(x, y, lo, hi, {},
                {.label = region + " (median, 16–84 %)", .stroke = plt::palette_color(region == "CR" ? 0 : 1),
                 .marker = region == "CR" ? plt::marker::circle : plt::marker::square});
    }
    ax.hline(0.5).hline(0.55, {.stroke = plt::rgb(0xcc3311), .dash = "3 3"});
    int i = 0;
    for (const auto& m : all_methods) {
      ++i;
      ax.text((static_cast<double>(i) - 0.5) / static_cast<double>(all_methods.size()), 0.04, m, "middle");
    }
    ax.xlim(0.5, static_cast<double>(all_methods.size()) + 0.5)
        .ylabel("closure AUC (held-out events)")
        .title("Closure: estimate vs true background")
        .legend(plt::legend_position::upper_left);
    save(f, "closure_auc");
    // ratio histograms (CR and SR rows, one column per feature)
    const auto& names = res.closure.front().histograms;
    plt::figure h({.width = 300, .height = 300, .font_size = 11, .rows = 2, .cols = static_cast<int>(names.size())});
    for (int row = 0; row < 2; ++row) {
      const std::string region = row == 0 ? "CR" : "SR";
      for (std::size_t k = 0; k < names.size(); ++k) {
        auto& ax2 = h.axes(row, static_cast<int>(k));
        for (const auto& c : res.closure) {
          if (c.region != region) continue;
          const auto& hc = c.histograms[k];
          std::vector<double> xc, y, e;
          for (std::size_t b = 0; b + 1 < hc.edges.size(); ++b) {
            if (std::isnan(hc.ratio[b]) || hc.reference[b] * (hc.edges[b + 1] - hc.edges[b]) < 1e-3) continue;
            xc.push_back(0.5 * (hc.edges[b] + hc.edges[b + 1]));
            y.push_back(hc.ratio[b]);
            e.push_back(hc.ratio_error[b]);
          }
          ax2.points(xc, y, e, e, {}, {.label = k == 0 ? c.method : "", .stroke = color_of(c.method), .marker = plt::marker::circle,
                                       .marker_size = 2.5, .cap_size = 0});
        }
        ax2.hline(1.0).ylim(0.7, 1.3).xlabel(names[k].name + " (scaled)").title(region + ": " + names[k].name);
        if (k == 0) ax2.ylabel("estimate / truth").legend(plt::legend_position::lower_left);
      }
    }
    save(h, "closure_ratios");
  }
  // reweight vs exact ratio
  if (res.truth) {
    plt::figure f;
    auto& ax = f.axes();
    auto hist = [](const std::vector<double>& v, std::vector<double>& edges) {
      edges.clear();
      for (int b = 0; b <= 60; ++b) edges.push_back(-0.6 + 0.02 * b);
      std::vector<double> c(60, 0.0);
      for (const double x : v) {
        const int b = static_cast<int>(std::floor((x + 0.6) / 0.02));
        if (b >= 0 && b < 60) c[static_cast<std::size_t>(b)] += 1.0 / (0.02 * static_cast<double>(v.size()));
      }
      return c;
    };
    std::vector<double> e1, e2;
    const auto c1 = hist(res.truth->log_ratio_cr, e1), c2 = hist(res.truth->log_ratio_sr, e2);
    ax.step(e1, c1, {}, {.label = "CR hold-out (rms " + fmt(res.truth->rms_log_ratio_cr) + ")", .stroke = plt::palette_color(0)});
    ax.step(e2, c2, {}, {.label = "SR, extrapolated (rms " + fmt(res.truth->rms_log_ratio_sr) + ")", .stroke = plt::palette_color(1)});
    ax.vline(0.0).xlabel("log(w / w*) − mean").ylabel("density").title("Reweight: learned vs exact density ratio");
    save(f, "reweight_vs_exact");
  }
  // per mass: SIC curves at the highest injection, max SIC / SIC@1e3 / SIC@1e4 vs S/B, Z vs S/B
  for (const double mass : o.masses) {
    const std::string tag = "m" + fmt(mass, 0) + "tev";
    const int top = o.sb_points.back();
    const baseline_record* base = nullptr;
    for (const auto& b : res.baselines)
      if (b.mass == mass) base = &b;
    {
      plt::figure f;
      auto& ax = f.axes();
      std::vector<double> grid = hepad::stats::log_grid(1e-5, 1.0, 100), rnd;
      for (const double t : grid) rnd.push_back(std::sqrt(t));
      ax.line(grid, rnd, {.label = "random", .stroke = plt::rgb(0x888888), .line_width = 1.2, .dash = "6 4"});
      for (const auto& m : all_methods) {
        const agg a = aggregate(res, mass, m, top);
        if (a.n == 0) continue;
        ax.band(a.sic_band.x, a.sic_band.lo, a.sic_band.hi, {.stroke = color_of(m)});
        ax.line(a.sic_band.x, a.sic_band.median, {.label = m, .stroke = color_of(m)});
      }
      if (base) {
        if (base->has_supervised)
          ax.line(base->supervised.curves.tpr_grid, base->supervised.curves.sic,
                  {.label = "fully supervised", .stroke = plt::rgb(0x000000)});
        ax.line(base->oracle.curves.tpr_grid, base->oracle.curves.sic,
                {.label = "optimal (exact LR)", .stroke = plt::rgb(0x000000), .dash = "2 3"});
      }
      ax.xscale(plt::scale::log).xlim(1e-4, 1).xlabel("signal efficiency ε_{S}").ylabel("SIC = ε_{S}/√ε_{B}").grid()
          .title(mass_label(mass) + ", highest injection").legend(plt::legend_position::upper_right);
      save(f, "sic_curves_" + tag);
    }
    {
      plt::figure f({.width = 460, .height = 400, .font_size = 12, .rows = 1, .cols = 3});
      const char* titles[] = {"max SIC", "SIC at R = 10^{3}", "SIC at R = 10^{4}"};
      double nb = 0;
      for (const auto& r : res.runs)
        if (r.mass == mass) nb = static_cast<double>(r.n_background_sr);
      for (int k = 0; k < 3; ++k) {
        auto& ax = f.axes(0, k);
        for (const auto& m : all_methods) {
          std::vector<double> x, y, lo, hi;
          for (const int sb : o.sb_points) {
            const agg a = aggregate(res, mass, m, sb);
            if (a.n == 0) continue;
            const auto& sm = k == 0 ? a.max_sic : k == 1 ? a.sic3 : a.sic4;
            x.push_back(a.s_over_b * 100.0);
            y.push_back(sm.median);
            lo.push_back(sm.lo);
            hi.push_back(sm.hi);
          }
          ax.band(x, lo, hi, {.stroke = color_of(m)});
          ax.line(x, y, {.label = k == 0 ? m : "", .stroke = color_of(m), .marker = plt::marker::circle});
        }
        if (base && base->has_supervised) {
          const double v = k == 0 ? base->supervised.max_sic : base->supervised.sic_at_rejection[static_cast<std::size_t>(k - 1)];
          if (std::isfinite(v)) ax.hline(v, {.label = k == 0 ? "fully supervised" : "", .stroke = plt::rgb(0x000000)});
        }
        if (base) {
          const double v = k == 0 ? base->oracle.max_sic : base->oracle.sic_at_rejection[static_cast<std::size_t>(k - 1)];
          if (std::isfinite(v)) ax.hline(v, {.label = k == 0 ? "optimal" : "", .stroke = plt::rgb(0x000000), .dash = "2 3"});
        }
        ax.hline(1.0, {.stroke = plt::rgb(0xaaaaaa), .dash = "1 3"});
        ax.xlabel("realized S/B (%)").ylabel(titles[k]).title(std::string(titles[k]) + ", " + mass_label(mass));
        if (nb > 0) ax.secondary_x([nb](double x) { return x / 100.0 * std::sqrt(nb); }, "S/√B");
        if (k == 0) ax.legend(plt::legend_position::upper_left);
      }
      save(f, "sic_vs_sb_" + tag);
    }
    {
      plt::figure f;
      auto& ax = f.axes();
      for (const auto& m : all_methods) {
        std::vector<double> x, y, lo, hi;
        for (const int sb : o.sb_points) {
          const agg a = aggregate(res, mass, m, sb);
          if (a.n == 0 || a.z_signed2.count == 0) continue;
          x.push_back(a.s_over_b * 100.0);
          y.push_back(a.z_signed2.median);
          lo.push_back(a.z_signed2.lo);
          hi.push_back(a.z_signed2.hi);
        }
        ax.band(x, lo, hi, {.stroke = color_of(m)});
        ax.line(x, y, {.label = m, .stroke = color_of(m), .marker = plt::marker::circle});
      }
      ax.hline(0.0).xlabel("realized S/B (%)").ylabel("significance Z (cut at ε_{template} = 10^{-2})")
          .title("Discovery significance, " + mass_label(mass)).legend(plt::legend_position::upper_left);
      save(f, "significance_" + tag);
    }
  }
  // ---- results.md ------------------------------------------------------------------------------
  std::string md;
  md += "# Background extrapolation (S0) on the SVJ-like generator — results\n\n";
  md += "hepad " + std::string(hepad::version_string) + ", scale `" + o.scale + "`, runtime " + fmt(runtime, 1) +
        " s, threads " + std::to_string(o.threads > 0 ? o.threads : hepad::default_threads()) + ".\n\n";
  md += "Samples: " + std::to_string(o.sizes.n_data) + " data / " + std::to_string(o.sizes.n_mc) + " MC / " +
        std::to_string(o.sizes.n_ideal) + " ideal background events (CR models trained on the first " +
        std::to_string(o.sizes.n_cr_keep) + " events of each, minus a " + std::to_string(o.holdout) +
        "-event CR hold-out); test set " + std::to_string(o.sizes.n_test_background) + " SR background + " +
        std::to_string(o.sizes.n_test_signal) + " SR signal. Injection seeds 1.." + std::to_string(o.seeds) +
        "; CWoLa ensembles of " + std::to_string(o.ensemble) + " (" + std::to_string(o.folds) +
        "-fold cross-prediction); closure " + std::to_string(o.closure_runs) + " runs; CR models " +
        (o.cr_per_injection ? "retrained for every injection" : "trained once per seed on the background-only CR") +
        "; flows: MADE width " + std::to_string(o.flow_hidden) + ", <= " + std::to_string(o.flow_epochs) + " epochs.\n\n";
  if (!res.closure.empty()) {
    md += "## Closure (held-out events; AUC 0.5 = closure)\n\n| method | CR AUC (16–84 %) | SR AUC (16–84 %) | null σ |\n|---|---|---|---|\n";
    for (const auto& m : all_methods) {
      std::string cr = "–", sr = "–", sig = "–";
      for (const auto& c : res.closure) {
        if (c.method != m) continue;
        const std::string v = fmt(c.result.summary.median) + " (" + fmt(c.result.summary.lo) + "–" + fmt(c.result.summary.hi) + ")";
        (c.region == "CR" ? cr : sr) = v;
        sig = fmt(c.result.null_sigma);
      }
      md += "| " + m + " | " + cr + " | " + sr + " | " + sig + " |\n";
    }
    md += "\n";
  }
  if (res.truth) {
    const auto [c1, n1] = ad::total_chi2(res.truth->chi2_cr);
    const auto [c0, n0] = ad::total_chi2(res.truth->chi2_cr_exact);
    const auto [c3, n3] = ad::total_chi2(res.truth->chi2_sr);
    const auto [c2, n2] = ad::total_chi2(res.truth->chi2_sr_exact);
    md += "## Reweight against the exact density ratio\n\n| region | χ²/ndf learned w | χ²/ndf exact w* | rms log(w/w*) |\n|---|---|---|---|\n";
    md += "| CR hold-out | " + fmt(c1 / static_cast<double>(n1), 2) + " (ndf " + std::to_string(n1) + ") | " +
          fmt(c0 / static_cast<double>(n0), 2) + " | " + fmt(res.truth->rms_log_ratio_cr) + " |\n";
    md += "| SR (extrapolated) | " + fmt(c3 / static_cast<double>(n3), 2) + " (ndf " + std::to_string(n3) + ") | " +
          fmt(c2 / static_cast<double>(n2), 2) + " | " + fmt(res.truth->rms_log_ratio_sr) + " |\n\n";
    md += "χ²: 7 columns × 20 equal-population bins, MC weighted vs data (hold-out / SR background); the columns are "
          "correlated, so the sum is a summary. SR normalisation of the learned weights relative to the exact one: " +
          fmt(std::exp(res.truth->mean_log_ratio_sr), 3) + ".\n\n";
  }
  for (const double mass : o.masses) {
    const baseline_record* base = nullptr;
    for (const auto& b : res.baselines)
      if (b.mass == mass) base = &b;
    md += "## " + mass_label(mass) + ": SR search (median over seeds, 16–84 %)\n\n";
    if (base) {
      md += "Optimal (exact likelihood ratio): max SIC " + fmt(base->oracle.max_sic, 2) + ", SIC@10³ " +
            fmt(base->oracle.sic_at_rejection[0], 2) + ", SIC@10⁴ " + fmt(base->oracle.sic_at_rejection[1], 2) + ".";
      if (base->has_supervised)
        md += " Fully supervised: max SIC " + fmt(base->supervised.max_sic, 2) + ", SIC@10³ " +
              fmt(base->supervised.sic_at_rejection[0], 2) + ", SIC@10⁴ " + fmt(base->supervised.sic_at_rejection[1], 2) + ".";
      if (base->ideal_spec)
        md += " Ideal at the spec's SR statistics (N_b,SR = " + std::to_string(base->ideal_spec_nb) + ", S/B " +
              fmt(100 * base->ideal_spec_s_over_b, 2) + " %, S/√B " + fmt(base->ideal_spec_s_over_sqrt_b, 2) +
              ", one seed): max SIC " + fmt(base->ideal_spec->max_sic, 2) + ", SIC@10³ " +
              fmt(base->ideal_spec->sic_at_rejection[0], 2) + ", SIC@10⁴ " + fmt(base->ideal_spec->sic_at_rejection[1], 2) + ".";
      md += "\n\n";
    }
    md += "| s (nominal) | S/B | S/√B | method | max SIC | SIC@10³ | SIC@10⁴ | Z (ε=10⁻²), stat. only | CR syst. (ε=10⁻²) | Z with CR syst. |\n"
          "|---|---|---|---|---|---|---|---|---|---|\n";
    for (const int sb : o.sb_points)
      for (const auto& m : all_methods) {
        const agg a = aggregate(res, mass, m, sb);
        if (a.n == 0) continue;
        auto cell = [](const hepad::stats::summary& s, int prec) {
          return fmt(s.median, prec) + " (" + fmt(s.lo, prec) + "–" + fmt(s.hi, prec) + ")";
        };
        md += "| " + fmt(a.s_nominal, 3) + " | " + fmt(a.s_over_b * 100, 2) + " % | " + fmt(a.s_over_sqrt_b, 2) + " | " + m +
              " | " + cell(a.max_sic, 2) + " | " + cell(a.sic3, 2) + " | " + cell(a.sic4, 2) + " | " + cell(a.z_signed2, 1) +
              " | " + cell(a.syst2, 3) + " | " + cell(a.z_syst2, 1) + " |\n";
      }
    md += "\nZ: signed closed-form discovery significance of the data passing a cut at template efficiency 10⁻² "
          "(score-sideband normalisation). Stat. only: the template's statistical uncertainty; with CR syst.: plus the "
          "template's relative non-closure on the CR hold-out under the same score at the same template efficiency "
          "(|N_data/N_template − 1| and its statistical error in quadrature; ad/validation.hpp).\n\n";
  }
  md += "## Qualitative checks\n\n| check | result | numbers |\n|---|---|---|\n";
  for (const auto& c : checks)
    md += "| " + c.name + " | " + (c.pass ? "PASS" : "FAIL") + (c.asserted ? "" : " (reported)") + " | " + c.detail + " |\n";
  md += "\n## Plots\n\n";
  for (const auto& pl : plots) md += "- " + pl + "\n";
  hepad::write_file_atomically(o.out / "results.md", md);
  // ---- results.json ----------------------------------------------------------------------------
  cfgv::value j(cfgv::value::object{});
  j.set("hepad_version", cfgv::value(std::string(hepad::version_string)));
  j.set("scale", cfgv::value(o.scale));
  j.set("runtime_s", cfgv::value(runtime));
  {
    cfgv::value c(cfgv::value::object{});
    c.set("seed", cfgv::value(static_cast<double>(o.seed)));
    c.set("injection_seeds", cfgv::value(static_cast<double>(o.seeds)));
    cfgv::value::array ms;
    for (const auto& m : o.methods) ms.emplace_back(m);
    c.set("methods", cfgv::value(std::move(ms)));
    c.set("masses_tev", num_array(o.masses));
    std::vector<double> sbp(o.sb_points.begin(), o.sb_points.end());
    c.set("sb_indices", num_array(sbp));
    c.set("cr_models_per_injection", cfgv::value(o.cr_per_injection));
    c.set("generator", cfgv::to_value(svj_like{.delta = o.delta, .mod_mc = o.mod_mc}));
    c.set("sizes", cfgv::to_value(o.sizes));
    c.set("samples", cfgv::to_value(p.samples));
    c.set("context_weights", cfgv::to_value(p.context));
    c.set("reweight", cfgv::to_value(p.reweight));
    c.set("generate", cfgv::to_value(p.generate));
    c.set("morph", cfgv::to_value(p.morph));
    c.set("cwola", cfgv::to_value(p.cwola));
    c.set("fully_supervised", cfgv::to_value(p.supervised));
    c.set("closure", cfgv::to_value(p.closure));
    c.set("evaluation", cfgv::to_value(p.evaluation));
    c.set("significance", cfgv::to_value(p.significance));
    c.set("oracle_contexts", cfgv::value(static_cast<double>(o.oracle_contexts)));
    j.set("config", std::move(c));
  }
  {
    cfgv::value::array runs;
    for (const auto& r : res.runs) {
      cfgv::value v(cfgv::value::object{});
      v.set("mass_tev", cfgv::value(r.mass));
      v.set("seed", cfgv::value(static_cast<double>(r.seed)));
      v.set("method", cfgv::value(r.method));
      v.set("s_nominal", cfgv::value(r.s_nominal));
      v.set("s_over_b", cfgv::value(r.s_over_b));
      v.set("s_over_sqrt_b", cfgv::value(r.s_over_sqrt_b));
      v.set("cr_signal_fraction", cfgv::value(r.cr_fraction));
      v.set("auc", cfgv::value(r.metrics.auc));
      v.set("max_sic", cfgv::value(r.metrics.max_sic));
      v.set("sic_1e3", cfgv::value(r.metrics.sic_at_rejection[0]));
      v.set("sic_1e4", cfgv::value(r.metrics.sic_at_rejection[1]));
      v.set("mean_best_epoch", cfgv::value(r.mean_best_epoch));
      v.set("n_cropped", cfgv::value(static_cast<double>(r.n_cropped)));
      v.set("significance", cfgv::to_value(r.significance));
      v.set("cr_validation", cfgv::to_value(r.validation));
      runs.push_back(std::move(v));
    }
    j.set("runs", cfgv::value(std::move(runs)));
  }
  {
    cfgv::value::array cl;
    for (const auto& c : res.closure) {
      cfgv::value v(cfgv::value::object{});
      v.set("method", cfgv::value(c.method));
      v.set("region", cfgv::value(c.region));
      v.set("auc", num_array(c.result.auc));
      v.set("median", cfgv::value(c.result.summary.median));
      v.set("p16", cfgv::value(c.result.summary.lo));
      v.set("p84", cfgv::value(c.result.summary.hi));
      v.set("null_sigma", cfgv::value(c.result.null_sigma));
      cl.push_back(std::move(v));
    }
    j.set("closure", cfgv::value(std::move(cl)));
  }
  {
    cfgv::value::array bl;
    for (const auto& b : res.baselines) {
      cfgv::value v(cfgv::value::object{});
      v.set("mass_tev", cfgv::value(b.mass));
      v.set("optimal_max_sic", cfgv::value(b.oracle.max_sic));
      v.set("optimal_sic_1e3", cfgv::value(b.oracle.sic_at_rejection[0]));
      v.set("optimal_sic_1e4", cfgv::value(b.oracle.sic_at_rejection[1]));
      if (b.ideal_spec) {
        v.set("ideal_spec_max_sic", cfgv::value(b.ideal_spec->max_sic));
        v.set("ideal_spec_n_background_sr", cfgv::value(static_cast<double>(b.ideal_spec_nb)));
        v.set("ideal_spec_s_over_b", cfgv::value(b.ideal_spec_s_over_b));
      }
      if (b.has_supervised) {
        v.set("supervised_max_sic", cfgv::value(b.supervised.max_sic));
        v.set("supervised_sic_1e3", cfgv::value(b.supervised.sic_at_rejection[0]));
        v.set("supervised_sic_1e4", cfgv::value(b.supervised.sic_at_rejection[1]));
      }
      bl.push_back(std::move(v));
    }
    j.set("baselines", cfgv::value(std::move(bl)));
  }
  {
    cfgv::value::array ch;
    for (const auto& c : checks) {
      cfgv::value v(cfgv::value::object{});
      v.set("check", cfgv::value(c.name));
      v.set("pass", cfgv::value(c.pass));
      v.set("detail", cfgv::value(c.detail));
      v.set("asserted", cfgv::value(c.asserted));
      ch.push_back(std::move(v));
    }
    j.set("checks", cfgv::value(std::move(ch)));
  }
  {
    cfgv::value t(cfgv::value::object{});
    for (const auto& [k, v] : res.timings) t.set(k, cfgv::value(v));
    j.set("timings_s", std::move(t));
  }
  std::string js;
  dump(j, js);
  js += "\n";
  hepad::write_file_atomically(o.out / "results.json", js);
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  try {
    parse(argc, argv, o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "background_extrapolation: %s\n%s", e.what(), usage);
    return 2;
  }
  try {
    const policies p = make_policies(o);
    const svj_like g{.delta = o.delta, .mod_mc = o.mod_mc};
    const rng base(o.seed);
    hepad::thread_pool pool(o.threads > 0 ? o.threads : hepad::default_threads());
    results res;
    say("hepad %s background_extrapolation (%s): methods %zu, masses %zu, S/B points %zu, seeds %d, ensemble %d",
        hepad::version_string, o.scale.c_str(), o.methods.size(), o.masses.size(), o.sb_points.size(), o.seeds,
        o.ensemble);

    // 1. Samples ----------------------------------------------------------------------------------
    const auto backgrounds = ad::make_svj_backgrounds<S>(g, o.sizes, base.split(1), &pool);
    say("generated backgrounds: data %lld kept of %lld (SR %lld), MC %lld kept (SR %lld), test SR %lld",
        static_cast<long long>(backgrounds.data.events.size()), static_cast<long long>(o.sizes.n_data),
        static_cast<long long>(p.samples.signal_region().count(backgrounds.data.events)),
        static_cast<long long>(backgrounds.mc.events.size()),
        static_cast<long long>(p.samples.signal_region().count(backgrounds.mc.events)),
        static_cast<long long>(backgrounds.test_background.size()));
    res.timings["generate_backgrounds"] = elapsed();
    std::map<double, ad::sample_inputs<S>> inputs;
    for (const double m : o.masses) {
      inputs.emplace(m, ad::make_svj_inputs<S>(g, backgrounds, m * 1000.0, o.sizes, base.split(2), &pool));
      // baselines: the exact likelihood ratio (Bayes-optimal) on the test set
      const auto& in = inputs.at(m);
      const hepad::data::synthetic::svj_oracle oracle(g, m * 1000.0, o.oracle_contexts, base.split(3));
      const matrix<S> xt = in.test.features();
      const vector<double> llr = oracle.log_likelihood_ratio<S>(xt, &pool);
      baseline_record b;
      b.mass = m;
      b.oracle = ad::evaluate_scores<double>(llr, in.test.labels(), p.evaluation);
      say("%s: optimal max SIC %.2f, SIC@1e3 %.2f, SIC@1e4 %.2f", mass_label(m).c_str(), b.oracle.max_sic,
          b.oracle.sic_at_rejection[0], b.oracle.sic_at_rejection[1]);
      res.baselines.push_back(std::move(b));
    }
    res.timings["samples_and_oracle"] = elapsed();

    // Fully supervised baseline per mass (independent of S/B and seed).
    if (o.supervised)
      for (auto& b : res.baselines) {
        rng r0(o.seed);
        rng ri = r0.split(4);
        auto s = ad::prepare_samples(p.samples, inputs.at(b.mass), 0.0, ri);
        rng rs = base.split(5).split(static_cast<std::uint64_t>(b.mass * 10));
        const auto fs = p.supervised.run(s.supervised, rs);
        const vector<S> sc = fs.predict_score(s.test.features());
        b.supervised = ad::evaluate_scores<S>(sc, s.test.labels(), p.evaluation);
        b.has_supervised = true;
        say("%s: fully supervised max SIC %.2f, SIC@1e3 %.2f, SIC@1e4 %.2f", mass_label(b.mass).c_str(),
            b.supervised.max_sic, b.supervised.sic_at_rejection[0], b.supervised.sic_at_rejection[1]);
      }
    res.timings["supervised"] = elapsed();

    // The optimum check: Ideal CWoLa at the spec's SR statistics and highest injection (only the
    // SR of large data and ideal samples is needed, so it is cheap), against the exact LR.
    if (o.optimum_n > 0 && has_method(o, "ideal"))
      for (auto& b : res.baselines) {
        ad::svj_sample_sizes big = o.sizes;
        big.n_data = o.optimum_n;
        big.n_ideal = o.optimum_n;
        big.n_mc = 0;
        big.n_cr_keep = 2 * o.holdout;
        big.n_test_background = 0;
        big.n_supervised_background = 0;
        const auto bg = ad::make_svj_backgrounds<S>(g, big, base.split(6), &pool);
        ad::sample_inputs<S> in = inputs.at(b.mass);
        in.data = bg.data;
        in.ideal = bg.ideal;
        rng ri = base.split(7);
        const double s_top = injection_list(b.mass).back();
        auto s = std::make_shared<const ad::extrapolation_samples<S>>(ad::prepare_samples(p.samples, in, s_top, ri));
        rng rc = base.split(8);
        // test-set metric only: every member trains on all events (no folds), as in the paper
        policies pi = p;
        pi.cwola.ensemble.folds = 0;
        pi.cwola.ensemble.n_models = (std::max)(o.ensemble, 4);
        pi.significance.efficiencies.clear();
        const auto rec = search(pi, s, ad::ideal{}.run(*s, rc), b.mass, 0, 6, rc);
        b.ideal_spec = rec.metrics;
        b.ideal_spec_s_over_b = rec.s_over_b;
        b.ideal_spec_s_over_sqrt_b = rec.s_over_sqrt_b;
        b.ideal_spec_nb = rec.n_background_sr;
        say("%s: Ideal at the spec's SR statistics (N_b,SR %lld, S/B %.2f %%, S/sqrt(B) %.2f): max SIC %.2f (optimal %.2f)",
            mass_label(b.mass).c_str(), static_cast<long long>(rec.n_background_sr), 100 * rec.s_over_b, rec.s_over_sqrt_b,
            rec.metrics.max_sic, b.oracle.max_sic);
      }
    res.timings["optimum_check"] = elapsed();

    // 2-5. Per injection seed: templates (CR models), closure (seed 1, s = 0), the search.
    const std::size_t total = static_cast<std::size_t>(o.seeds) * o.masses.size() * o.sb_points.size();
    std::size_t done = 0;
    for (int seed = 1; seed <= o.seeds; ++seed) {
      const rng rseed = base.split(100 + static_cast<std::uint64_t>(seed));
      std::optional<templates> shared;
      if (!o.cr_per_injection) {
        // CR models on the background-only CR of this seed (mass independent)
        rng ri = rseed.split(0);
        auto s0 = ad::prepare_samples(p.samples, inputs.begin()->second, 0.0, ri);
        say("seed %d: training CR models (background-only CR: %lld data, %lld MC events)", seed,
            static_cast<long long>(s0.data_cr.size()), static_cast<long long>(s0.mc_cr.size()));
        shared = estimate_backgrounds(o, p, s0, rseed.split(1), res, true);
        if (seed == 1) {
          say("closure (seed 1, s = 0)");
          check_closure(o, p, g, s0, *shared, rseed.split(2), res);
          res.timings["closure"] = elapsed();
        }
      }
      for (std::size_t mi = 0; mi < o.masses.size(); ++mi) {
        const double mass = o.masses[mi];
        const auto list = injection_list(mass);
        for (const int sb : o.sb_points) {
          // one injection stream per (mass, seed, s) so that any subset of the scan reproduces the full one
          rng inj = rseed.split(10).split(mi).split(static_cast<std::uint64_t>(sb));
          auto s = std::make_shared<const ad::extrapolation_samples<S>>(
              ad::prepare_samples(p.samples, inputs.at(mass), list[static_cast<std::size_t>(sb)], inj));
          templates own;
          const templates* t = shared ? &*shared : nullptr;
          if (!t) {
            own = estimate_backgrounds(o, p, *s, rseed.split(20).split(mi).split(static_cast<std::uint64_t>(sb)), res,
                                       false);
            t = &own;
            if (seed == 1 && sb == 0 && mi == 0) {
              say("closure (seed 1, s = 0)");
              check_closure(o, p, g, *s, own, rseed.split(2), res);
            }
          }
          ++done;
          std::string line;
          for (const auto& m : o.methods) {
            rng rc = rseed.split(30).split(mi).split(static_cast<std::uint64_t>(sb)).split(std::hash<std::string>{}(m));
            res.runs.push_back(search(p, s, t->by_method.at(m), mass, seed, sb, rc));
            const auto& rr = res.runs.back();
            const bool has_z = rr.significance.size() > 1;
            line += " " + m + " " + fmt(rr.metrics.max_sic, 2) + " (Z " + fmt(has_z ? rr.significance[1].z_stat : 0, 1) + ", with CR syst. " +
                    fmt(has_z ? rr.significance[1].relative_systematic : 0, 3) + ": " + fmt(has_z ? rr.significance[1].z_signed : 0, 1) + ")";
          }
          say("[%zu/%zu] %s seed %d s=%.3f (S/B %.2f %%, S/sqrt(B) %.2f): max SIC%s", done, total,
              mass_label(mass).c_str(), seed, s->injection.nominal_fraction, 100 * s->injection.realized_s_over_b(),
              s->injection.significance(), line.c_str());
        }
      }
    }
    res.timings["search"] = elapsed();
    const auto checks = qualitative_checks(o, res);
    const double runtime = elapsed();
    write_reports(o, p, res, checks, runtime);
    bool ok = true;
    std::printf("\nqualitative checks:\n");
    for (const auto& c : checks) {
      std::printf("  %s%s  %s: %s\n", c.pass ? "PASS" : "FAIL", c.asserted ? "" : " (reported)", c.name.c_str(),
                  c.detail.c_str());
      ok = ok && (c.pass || !c.asserted);
    }
    std::printf("\nwrote %s/results.md, results.json and plots (%.1f s)\n", o.out.c_str(), elapsed());
    return o.check && !ok ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "background_extrapolation: error: %s\n", e.what());
    return 1;
  }
}
