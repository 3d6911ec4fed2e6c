// SPDX-License-Identifier: BSL-1.0
// ad_metrics: the AD metrics and plots of hepad on a known-truth toy (S0 §7 conventions).
// Background x ~ N(0, I_2), signal x ~ N((delta, 0), I_2); a "classifier" per seed is the true log
// likelihood ratio plus noise (a stand-in for a trained network). For every seed: ROC, AUC, max SIC
// with the FPR floor 1/(0.16 N_bkg), SIC at rejection 100, FPR at TPR 0.5; curves interpolated on
// the standard grids and aggregated to median and 16-84 % bands over seeds; the optimal curve from
// the true likelihood ratio and the Gaussian closed form. Also a closure check (weighted estimate
// vs truth histogram with ratio panel, chi2 and KS). Writes SVG (and PNG) figures.
//
// Usage: ad_metrics [--seeds N] [--events N] [--output-dir DIR]
#include <hepad/core/random.hpp>
#include <hepad/plot/curves.hpp>
#include <hepad/plot/figure.hpp>
#include <hepad/stats/curves.hpp>
#include <hepad/stats/histogram.hpp>
#include <hepad/stats/optimal.hpp>
#include <hepad/stats/roc.hpp>
#include <hepad/stats/sic.hpp>
#include <hepad/stats/two_sample.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace st = hepad::stats;
namespace plt = hepad::plot;

int main(int argc, char** argv) {
  int seeds = 10, n_bkg = 100000;
  std::string out = "ad_metrics_out";
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--seeds" && i + 1 < argc) seeds = std::stoi(argv[++i]);
    else if (a == "--events" && i + 1 < argc) n_bkg = std::stoi(argv[++i]);
    else if (a == "--output-dir" && i + 1 < argc) out = argv[++i];
    else {
      std::fprintf(stderr, "usage: ad_metrics [--seeds N] [--events N] [--output-dir DIR]\n");
      return 2;
    }
  }
  std::filesystem::create_directories(out);
  const double delta = 2.0, noise = 0.8;
  const int n_sig = n_bkg / 4;
  const hepad::rng root(2024);
  std::vector<std::vector<double>> sic_runs, rej_runs;
  std::vector<double> max_sic, sic100, fpr50, aucs;
  st::interpolated_curves grid_ref;
  st::roc optimal;
  for (int s = 0; s < seeds; ++s) {
    hepad::rng r = root.split(static_cast<std::uint64_t>(s));
    std::vector<double> score, truth_lr;
    std::vector<int> y;
    for (int i = 0; i < n_bkg + n_sig; ++i) {
      const int lab = i < n_sig ? 1 : 0;
      const double x0 = r.normal() + lab * delta;
      (void)r.normal();  // the second coordinate carries no information
      const double lr = delta * x0 - 0.5 * delta * delta;  // ln N(x0; delta, 1) - ln N(x0; 0, 1)
      truth_lr.push_back(lr);
      score.push_back(lr + noise * r.normal());
      y.push_back(lab);
    }
    const auto roc = st::roc_curve(score, y);
    aucs.push_back(st::auc(roc));
    const auto m = st::max_sic(roc, st::max_sic_min_fpr(n_bkg));
    max_sic.push_back(m.ok() ? m.value.value : NAN);
    const auto r100 = st::sic_at_rejection(roc, 100.0);
    sic100.push_back(r100.ok() ? r100.value.value : NAN);  // "undefined" stays NaN, not a stale value
    const auto f50 = st::fpr_at_tpr(roc, 0.5);
    fpr50.push_back(f50.ok() ? f50.value.value : NAN);
    const auto c = st::interpolate_curves(roc);
    sic_runs.push_back(c.sic);
    rej_runs.push_back(c.rejection);
    if (s == 0) {
      grid_ref = c;
      optimal = st::optimal_roc(truth_lr, y);
    }
  }
  const auto sic_band = st::band_over_runs(grid_ref.tpr_grid, sic_runs);
  const auto rej_band = st::band_over_runs(grid_ref.tpr_grid, rej_runs);
  const auto oc = st::interpolate_curves(optimal);
  std::vector<double> closed;
  for (double t : grid_ref.tpr_grid) {
    // invert TPR(FPR) of the closed form: FPR = 1 - Phi(Phi^-1(1 - TPR) + delta)
    const double f = t < 1 ? st::normal_sf(st::normal_quantile(1 - t) + delta) : 1.0;
    closed.push_back(f > 0 ? t / std::sqrt(f) : NAN);
  }

  // SIC figure: median and 16-84 % band over seeds, optimal from the true LR, closed form, random
  std::vector<plt::curve> sc(3);
  sc[0] = {.label = "classifier (median)", .x = grid_ref.tpr_grid, .y = sic_band.median, .lo = sic_band.lo, .hi = sic_band.hi};
  sc[1] = {.label = "optimal (true likelihood ratio)", .x = oc.tpr_grid, .y = oc.sic, .s = {.dash = "6 3"}};
  sc[2] = {.label = "optimal (closed form)", .x = grid_ref.tpr_grid, .y = closed, .s = {.line_width = 1.0}};
  auto sic_fig = plt::sic_figure(sc, {.title = "SIC, Gaussian toy (δ = 2)", .note = "band: 16–84 % over " + std::to_string(seeds) + " seeds"});
  // show the region where the ROC has statistics (FPR above the max-SIC floor for most seeds)
  sic_fig.axes().xlim(3e-3, 1.0);
  sic_fig.save_svg(std::filesystem::path(out) / "sic.svg");
  sic_fig.save_png(std::filesystem::path(out) / "sic.png");
  std::vector<plt::curve> rc(1);
  rc[0] = {.label = "classifier (median)", .x = grid_ref.tpr_grid, .y = rej_band.median, .lo = rej_band.lo, .hi = rej_band.hi};
  auto roc_fig = plt::roc_figure(rc, {.title = "Background rejection"});
  roc_fig.save_svg(std::filesystem::path(out) / "roc.svg");
  roc_fig.save_png(std::filesystem::path(out) / "roc.png");

  // closure: a weighted "estimate" of the background (importance-weighted draws from a wider
  // Gaussian) against the truth, 30 bins on [-3, 3], unit-normalised, ratio panel, chi2 and KS
  hepad::rng rc2 = root.split(1000);
  std::vector<double> xt, xe, we;
  for (int i = 0; i < 30000; ++i) xt.push_back(rc2.normal());
  for (int i = 0; i < 30000; ++i) {
    const double x = 1.3 * rc2.normal();
    xe.push_back(x);
    we.push_back(1.3 * std::exp(-0.5 * x * x + 0.5 * x * x / (1.3 * 1.3)));  // N(0,1)/N(0,1.3^2)
  }
  auto ht = st::make_weighted_histogram(30, -3, 3), he = st::make_weighted_histogram(30, -3, 3);
  st::fill_weighted(ht, xt);
  st::fill_weighted(he, xe, we);
  const auto chi2 = st::chi2_weighted(he, ht);
  const auto ks = st::ks_weighted(xe, we, xt, {});
  const auto at = st::to_arrays(ht).normalized(), ae = st::to_arrays(he).normalized();
  std::vector<double> ratio, rerr;
  for (std::size_t i = 0; i < at.sum_w.size(); ++i) {
    ratio.push_back(ae.sum_w[i] / at.sum_w[i]);
    rerr.push_back(ratio.back() * std::sqrt(ae.sum_w2[i] / (ae.sum_w[i] * ae.sum_w[i]) + at.sum_w2[i] / (at.sum_w[i] * at.sum_w[i])));
  }
  plt::figure cf;
  cf.axes()
      .step(at.edges, at.sum_w, {}, {.label = "truth", .filled = true})
      .points(ae.centers, ae.sum_w, ae.errors(), {}, {}, {.label = "weighted estimate", .stroke = plt::rgb(0)})
      .ylabel("fraction / bin")
      .title("Closure: weighted estimate vs truth")
      .text(0.03, 0.9, "χ^{2}/ndf = " + std::to_string(chi2.statistic).substr(0, 5) + "/" + std::to_string(static_cast<int>(chi2.ndf)));
  cf.add_ratio_panel().points(ae.centers, ratio, rerr, {}, {}, {.stroke = plt::rgb(0)}).hline(1.0).ylabel("est./truth").xlabel("x").ylim(0.8, 1.2);
  cf.save_svg(std::filesystem::path(out) / "closure.svg");
  cf.save_png(std::filesystem::path(out) / "closure.png");

  const auto ms = st::summarize(max_sic), s100 = st::summarize(sic100), f = st::summarize(fpr50), au = st::summarize(aucs);
  std::printf("{\"seeds\": %d, \"n_bkg\": %d, \"auc\": [%.4f, %.4f, %.4f], \"auc_optimal_closed_form\": %.4f, "
              "\"max_sic\": [%.3f, %.3f, %.3f], \"sic_at_100\": [%.3f, %.3f, %.3f], \"fpr_at_tpr_0.5\": [%.4g, %.4g, %.4g], "
              "\"closure_chi2\": %.2f, \"closure_ndf\": %.0f, \"closure_chi2_p\": %.3f, \"closure_ks_p\": %.3f}\n",
              seeds, n_bkg, au.median, au.lo, au.hi, st::gaussian_optimal_auc(delta / std::sqrt(1 + 0.0)), ms.median, ms.lo, ms.hi,
              s100.median, s100.lo, s100.hi, f.median, f.lo, f.hi, chi2.statistic, chi2.ndf, chi2.p_value, ks.p_value);
  return 0;
}
