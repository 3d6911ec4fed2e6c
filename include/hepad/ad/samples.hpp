// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/samples.hpp
/// @brief The inputs of a background-extrapolation study (S0 §2): `sample_config` (the signal
/// region HT > 800 and MET > 75 on raw values, the control-region hold-out, the min-max range),
/// `background_sample` (a raw sample, possibly stored sparsely: every SR event but only part of
/// the CR), `extrapolation_samples` (data/MC/ideal split into CR training, CR hold-out and SR,
/// test and fully supervised sets, the scaler, the injection summary, event counts for the
/// normalisation) and `prepare_samples` (inject, split, hold out, scale).
///
/// One SR definition is used for every sample, the test set included (S0 §11 item 1). Not here:
/// building the raw samples from the SVJ-like generator (ad/svj_samples.hpp).
#ifndef HEPAD_AD_SAMPLES_HPP
#define HEPAD_AD_SAMPLES_HPP

#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/injection.hpp>
#include <hepad/data/region.hpp>
#include <hepad/data/split.hpp>
#include <hepad/data/table.hpp>
#include <hepad/pre/log.hpp>
#include <hepad/pre/minmax.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace hepad::ad {

/// Regions, hold-out and scaling of the study.
struct sample_config {
  std::string ht_column = "HT";    ///< first context column
  std::string met_column = "MET";  ///< second context column
  double ht_cut = 800.0;           ///< SR: HT > ht_cut (raw GeV, strict)
  double met_cut = 75.0;           ///< SR: MET > met_cut (raw GeV, strict)
  std::int64_t holdout = 10000;    ///< last CR rows of data and MC kept out of all CR training
  double scale_lo = -2.5;          ///< min-max target range (fitted on MC)
  double scale_hi = 2.5;
  /// Columns mapped to log(1 + x) before the min-max scaling (empty: the S0 original, min-max on
  /// raw values). For steeply falling positive columns (HT, MET, m_jj) this spreads the bulk of
  /// the events over the scaled range instead of a few per cent of it.
  std::vector<std::int64_t> log_columns{};

  static constexpr std::string_view name = "samples";
  static constexpr auto fields() {
    return std::tuple{config::field{"ht_column", &sample_config::ht_column},
                      config::field{"met_column", &sample_config::met_column},
                      config::field{"ht_cut", &sample_config::ht_cut}, config::field{"met_cut", &sample_config::met_cut},
                      config::field{"holdout", &sample_config::holdout},
                      config::field{"scale_lo", &sample_config::scale_lo},
                      config::field{"scale_hi", &sample_config::scale_hi},
                      config::field{"log_columns", &sample_config::log_columns}};
  }
  /// The signal region (the high-HT, high-MET corner).
  [[nodiscard]] data::region signal_region() const {
    return data::above(ht_column, ht_cut) & data::above(met_column, met_cut);
  }
  /// The L-shaped control region.
  [[nodiscard]] data::region control_region() const { return ~signal_region(); }
};

/// A raw (unscaled) background sample. It stands for `n_generated` events; `events` holds all of
/// them, or (sparse storage) all SR events but only some CR events, `n_cr_not_kept` being the CR
/// events generated and dropped. The kept CR events must be a random subset (e.g. the first
/// ones generated), so that CR-trained classifiers see an unbiased CR sample.
template <class S>
struct background_sample {
  data::table<S> events;
  std::int64_t n_generated = 0;   ///< 0: events.size()
  std::int64_t n_cr_not_kept = 0;

  [[nodiscard]] std::int64_t size() const noexcept { return n_generated > 0 ? n_generated : events.size(); }
};

/// Everything the methods, the CWoLa step and the evaluation read. All tables are scaled with the
/// MC-fitted min-max map; context = the first two columns, features = the rest. Labels are the
/// generator's truth (0 background, 1 signal): the methods never read them, the diagnostics do.
template <class S>
struct extrapolation_samples {
  sample_config config{};
  data::table<S> data_cr, data_cr_holdout, data_sr;  ///< data (background + injected signal)
  data::table<S> mc_cr, mc_cr_holdout, mc_sr;        ///< simulation
  data::table<S> ideal_cr, ideal_sr;                 ///< independent data-like background (may be empty)
  data::table<S> test;                               ///< SR test set (truth labels)
  data::table<S> supervised;                         ///< SR fully supervised training set (truth labels)
  std::int64_t n_data_cr_all = 0;  ///< CR events of the whole data sample (kept or not, hold-out included)
  std::int64_t n_mc_cr_all = 0;    ///< the same for MC
  double ideal_weight = 1.0;       ///< weight of an ideal event: N_data / N_ideal
  data::injection_summary injection{};
  pre::log_transform log{};  ///< applied first to `config.log_columns` (identity if none)
  pre::minmax scaler{};      ///< then the min-max map fitted on MC

  /// Scaled values (all columns, in table order) of raw ones.
  [[nodiscard]] matrix<S> scale(matrix_cref<S> raw) const {
    return config.log_columns.empty() ? scaler.transform(raw) : scaler.transform(log.transform(raw));
  }
  /// Raw values of scaled ones (the inverse of `scale`).
  [[nodiscard]] matrix<S> unscale(matrix_cref<S> scaled) const {
    return config.log_columns.empty() ? scaler.inverse_transform(scaled)
                                      : log.inverse_transform(scaler.inverse_transform(scaled));
  }

  /// Factor turning a classifier's CR prior ratio into SR yields: a weight f/(1 - f) trained on
  /// the CR training sets estimates (N_D,CR,train / N_M,CR,train) p_D/p_M(. | CR); multiplied by
  /// kappa = (N_M,CR,train / N_M,CR,all) (N_D,CR,all / N_D,CR,train) its sum over MC-SR events
  /// estimates the data background count in the SR.
  [[nodiscard]] double cr_normalisation() const {
    if (data_cr.size() == 0 || mc_cr.size() == 0 || n_data_cr_all == 0 || n_mc_cr_all == 0) return 1.0;
    return (static_cast<double>(mc_cr.size()) / static_cast<double>(n_mc_cr_all)) *
           (static_cast<double>(n_data_cr_all) / static_cast<double>(data_cr.size()));
  }
  /// Rows of data_sr that are background by truth (the SR closure reference: "data at s = 0").
  [[nodiscard]] data::table<S> data_sr_background() const {
    std::vector<std::int64_t> rows;
    for (index_t i = 0; i < data_sr.size(); ++i)
      if (data_sr.labels()(i) == 0) rows.push_back(i);
    return data_sr.select(std::span<const std::int64_t>(rows));
  }
};

/// The raw inputs of `prepare_samples`.
template <class S>
struct sample_inputs {
  background_sample<S> data;    ///< data background (signal is injected into it)
  background_sample<S> mc;      ///< simulation
  background_sample<S> ideal;   ///< independent data-like background (optional: empty table)
  data::table<S> signal_pool;   ///< injection pool (raw)
  data::table<S> test;          ///< SR test events with truth labels (raw; optional)
  data::table<S> supervised;    ///< SR fully supervised training events (raw; optional)
};

namespace detail {
template <class S>
inline void scale_in_place(const extrapolation_samples<S>& s, data::table<S>& t) {
  if (t.size() == 0) return;
  const matrix<S> v = s.scale(t.values());
  t.mutable_values() = v;
}
// Splits a raw table into (SR, CR-training, CR-hold-out) with the hold-out the last n CR rows.
template <class S>
inline std::tuple<data::table<S>, data::table<S>, data::table<S>> split_regions(const data::table<S>& t,
                                                                              const data::region& sr,
                                                                              std::int64_t holdout,
                                                                              std::string_view what) {
  auto [in, out] = data::partition(t, sr);
  if (holdout > out.size())
    throw_invalid_argument("ad::prepare_samples",
                           hepad::detail::concat("the ", what, " CR has ", out.size(), " kept events, fewer than the hold-out of ",
                                                 holdout));
  auto [first, last] = data::split_last(out.size(), holdout);
  return {std::move(in), out.select(std::span<const std::int64_t>(first)), out.select(std::span<const std::int64_t>(last))};
}
}  // namespace detail

/// Builds the study's samples (S0 §2.3-2.6): injects n_sig = floor(s N_b,SR) signal events from
/// the pool into the data background (signal rows first, drawn with `r`), splits data, MC and
/// ideal into SR and CR on the raw context, holds out the last `holdout` CR rows of data and MC
/// (for data this is pure background, since signal rows come first), fits the min-max scaler on
/// all stored MC events (after log(1 + x) of `log_columns`, if any) and applies it to every table.
/// @throws invalid_argument if a CR is smaller than the hold-out or the inputs lack the region
/// columns; out_of_range for unknown columns.
template <class S>
[[nodiscard]] inline extrapolation_samples<S> prepare_samples(const sample_config& cfg, const sample_inputs<S>& in,
                                                              double s, rng& r) {
  constexpr std::string_view fn = "ad::prepare_samples";
  check_nonnegative(fn, "holdout", cfg.holdout);
  check_not_empty(fn, "data events", static_cast<std::size_t>(in.data.events.size()));
  check_not_empty(fn, "MC events", static_cast<std::size_t>(in.mc.events.size()));
  extrapolation_samples<S> out;
  out.config = cfg;
  const data::region sr = cfg.signal_region();
  auto inj = in.signal_pool.size() > 0 || s > 0
                 ? data::inject_signal(in.data.events, in.signal_pool, s, sr, r)
                 : data::injected<S>{in.data.events, data::injection_summary{0.0, 0, 0, sr.count(in.data.events), {}}};
  out.injection = std::move(inj.summary);
  std::tie(out.data_sr, out.data_cr, out.data_cr_holdout) = detail::split_regions(inj.events, sr, cfg.holdout, "data");
  std::tie(out.mc_sr, out.mc_cr, out.mc_cr_holdout) = detail::split_regions(in.mc.events, sr, cfg.holdout, "MC");
  out.n_data_cr_all = out.data_cr.size() + out.data_cr_holdout.size() + in.data.n_cr_not_kept;
  out.n_mc_cr_all = out.mc_cr.size() + out.mc_cr_holdout.size() + in.mc.n_cr_not_kept;
  if (in.ideal.events.size() > 0) {
    auto [isr, icr] = data::partition(in.ideal.events, sr);
    out.ideal_sr = std::move(isr);
    const std::int64_t k = (std::min)(icr.size(), (std::max)(cfg.holdout, std::int64_t{1}));
    out.ideal_cr = icr.rows(0, k).to_table();
    out.ideal_weight = static_cast<double>(in.data.size()) / static_cast<double>(in.ideal.size());
  }
  out.test = in.test;
  out.supervised = in.supervised;
  out.log = pre::log_transform{.offset = 1.0, .columns = cfg.log_columns};
  out.scaler = pre::minmax{.lo = cfg.scale_lo, .hi = cfg.scale_hi};
  if (cfg.log_columns.empty())
    out.scaler.fit(in.mc.events.values());
  else
    out.scaler.fit(out.log.transform(in.mc.events.values()));
  for (auto* t : {&out.data_cr, &out.data_cr_holdout, &out.data_sr, &out.mc_cr, &out.mc_cr_holdout, &out.mc_sr,
                  &out.ideal_cr, &out.ideal_sr, &out.test, &out.supervised})
    detail::scale_in_place(out, *t);
  return out;
}

}  // namespace hepad::ad

#endif  // HEPAD_AD_SAMPLES_HPP
