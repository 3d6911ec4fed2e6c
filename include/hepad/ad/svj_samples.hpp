// SPDX-License-Identifier: BSL-1.0
/// @file hepad/ad/svj_samples.hpp
/// @brief The S0 study's raw samples from the SVJ-like known-truth generator (S0 §12.3):
/// `svj_background` (a background sample of N events stored sparsely: the first `n_full` events
/// entirely, later events only if they fall in the SR), `svj_region_events` (the first n events
/// of a sample inside a region, for test and fully supervised sets) and `svj_sample_sizes` /
/// `make_svj_inputs` (everything `prepare_samples` needs for one signal mass).
///
/// Event i of sample s is drawn from `r.split(s).split(i)`, exactly as
/// `data::synthetic::svj_like::background_range` draws it, so a sparse sample holds the same
/// events as the full one (tested). Generating the context first and the features only for kept
/// events makes samples of 10^6-10^7 events cheap. Not here: the generator and its truth
/// (data/synthetic/svj_like.hpp).
#ifndef HEPAD_AD_SVJ_SAMPLES_HPP
#define HEPAD_AD_SVJ_SAMPLES_HPP

#include <hepad/ad/samples.hpp>
#include <hepad/config/fields.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/synthetic/svj_like.hpp>
#include <hepad/data/table.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <vector>

namespace hepad::ad {

namespace detail {

inline constexpr std::int64_t svj_block = 1 << 15;

// Events [first, first + n) of background sample `s`; keeps event i if i < n_full or it is in the
// SR of `g`. Returns the kept rows (raw, row-major) and the number of CR events dropped.
template <class S>
inline std::pair<std::vector<S>, std::int64_t> svj_sparse_rows(const data::synthetic::svj_like& g,
                                                               data::synthetic::svj_sample s, std::int64_t first,
                                                               std::int64_t n, std::int64_t n_full, bool sr_only,
                                                               const rng& r, thread_pool* pool) {
  const data::synthetic::svj_population p = g.population(s);
  const rng rs = r.split(static_cast<std::uint64_t>(s));
  const std::int64_t tasks = (n + svj_block - 1) / svj_block;
  std::vector<std::vector<S>> rows(static_cast<std::size_t>(tasks));
  std::vector<std::int64_t> dropped(static_cast<std::size_t>(tasks), 0);
  auto task = [&](std::int64_t t) {
    auto& out = rows[static_cast<std::size_t>(t)];
    const std::int64_t b = first + t * svj_block, e = (std::min)(first + n, b + svj_block);
    std::array<double, 7> row{};
    for (std::int64_t i = b; i < e; ++i) {
      rng ev = rs.split(static_cast<std::uint64_t>(i));
      p.sample_context(ev, row[0], row[1]);
      // the SR cut is on observed values: apply the distortion to the context first (HT is unchanged)
      double met_obs = row[1];
      if (p.mod_mc) met_obs *= 1.0 + met_obs / 500.0;
      const bool in_sr = row[0] > g.ht_cut && met_obs > g.met_cut;
      const bool keep = in_sr || (!sr_only && i < n_full);
      if (!keep) {
        if (!in_sr) ++dropped[static_cast<std::size_t>(t)];
        continue;
      }
      p.sample_features(ev, row[0], row[1], row.data() + 2);
      p.distort(row.data());
      for (const double v : row) out.push_back(static_cast<S>(v));
    }
  };
  if (pool)
    pool->run(tasks, task);
  else
    for (std::int64_t t = 0; t < tasks; ++t) task(t);
  std::vector<S> all;
  std::int64_t d = 0;
  for (std::int64_t t = 0; t < tasks; ++t) {
    all.insert(all.end(), rows[static_cast<std::size_t>(t)].begin(), rows[static_cast<std::size_t>(t)].end());
    d += dropped[static_cast<std::size_t>(t)];
  }
  return {std::move(all), d};
}

template <class S>
inline data::table<S> svj_table(const std::vector<S>& flat, std::int32_t label) {
  const auto n = static_cast<index_t>(flat.size() / 7);
  matrix<S> v(n, 7);
  std::copy(flat.begin(), flat.begin() + n * 7, v.data());
  data::table<S> t(data::synthetic::svj_columns(), std::move(v));
  t.set_context(0, 2).set_features(2, 5);
  t.set_labels(label);
  return t;
}

}  // namespace detail

/// Background sample `s` of `n` events (label 0), stored sparsely: events 0 .. n_full - 1 in full,
/// later events only if they are in the SR of `g`. The SR cut uses observed values (after the
/// mod_mc distortion when enabled). With n_full >= n it equals `g.background<S>(s, n, r)` row for
/// row. Complexity: O(n) context draws, O(kept) feature draws; runs on `pool` if given (same
/// result for any thread count).
template <class S>
[[nodiscard]] inline background_sample<S> svj_background(const data::synthetic::svj_like& g,
                                                         data::synthetic::svj_sample s, std::int64_t n,
                                                         std::int64_t n_full, const rng& r, thread_pool* pool = nullptr) {
  check_nonnegative("ad::svj_background", "n", n);
  check_nonnegative("ad::svj_background", "n_full", n_full);
  auto [flat, dropped] = detail::svj_sparse_rows<S>(g, s, 0, n, n_full, false, r, pool);
  background_sample<S> b;
  b.events = detail::svj_table<S>(flat, 0);
  b.n_generated = n;
  b.n_cr_not_kept = dropped;
  return b;
}

/// The first `n` SR events of background sample `s` (label 0), scanning events in generation order
/// (an independent sample when `s` is not used elsewhere, e.g. `svj_sample::test`).
template <class S>
[[nodiscard]] inline data::table<S> svj_background_sr(const data::synthetic::svj_like& g,
                                                      data::synthetic::svj_sample s, std::int64_t n, const rng& r,
                                                      thread_pool* pool = nullptr) {
  check_nonnegative("ad::svj_background_sr", "n", n);
  std::vector<S> all;
  std::int64_t first = 0;
  const double p = (std::max)(1e-4, g.background_sr_probability(s));
  while (static_cast<std::int64_t>(all.size() / 7) < n) {
    const std::int64_t missing = n - static_cast<std::int64_t>(all.size() / 7);
    const auto chunk = static_cast<std::int64_t>(std::ceil(1.1 * static_cast<double>(missing) / p)) + detail::svj_block;
    auto [flat, d] = detail::svj_sparse_rows<S>(g, s, first, chunk, 0, true, r, pool);
    (void)d;
    all.insert(all.end(), flat.begin(), flat.end());
    first += chunk;
  }
  all.resize(static_cast<std::size_t>(n * 7));
  return detail::svj_table<S>(all, 0);
}

/// The first `n` signal events of mass `mass` from pool `pool_id` that fall in `sr` (label 1).
template <class S>
[[nodiscard]] inline data::table<S> svj_signal_sr(const data::synthetic::svj_like& g, double mass, std::int64_t n,
                                                  const rng& r, data::synthetic::svj_signal_pool pool_id,
                                                  thread_pool* pool = nullptr) {
  check_nonnegative("ad::svj_signal_sr", "n", n);
  const double eff = (std::max)(1e-3, g.signal_sr_efficiency(mass));
  const data::region sr = g.signal_region();
  data::table<S> out;
  std::int64_t first = 0;
  while (out.size() < n) {
    const auto chunk = static_cast<std::int64_t>(std::ceil(1.1 * static_cast<double>(n - out.size()) / eff)) + 1024;
    auto t = g.signal_range<S>(mass, first, chunk, r, pool_id, pool);
    auto in = t.select(sr.mask(t));
    if (out.size() == 0)
      out = std::move(in);
    else
      out.append(in);
    first += chunk;
  }
  return out.rows(0, n).to_table();
}

/// Sample sizes of one study on the SVJ-like generator.
struct svj_sample_sizes {
  std::int64_t n_data = 1'000'000;     ///< data background events (SR about 1.4 %)
  std::int64_t n_mc = 1'000'000;       ///< MC events (SR about 2.7 %)
  std::int64_t n_ideal = 1'000'000;    ///< ideal background events
  std::int64_t n_cr_keep = 200'000;    ///< events stored in full per sample (the CR training set + hold-out)
  std::int64_t n_signal_pool = 20'000; ///< injection pool (all regions)
  std::int64_t n_test_background = 200'000;  ///< SR test background
  std::int64_t n_test_signal = 50'000;       ///< SR test signal
  std::int64_t n_supervised_background = 50'000;  ///< SR fully supervised training background
  std::int64_t n_supervised_signal = 20'000;      ///< SR fully supervised training signal

  static constexpr std::string_view name = "sizes";
  static constexpr auto fields() {
    return std::tuple{config::field{"n_data", &svj_sample_sizes::n_data}, config::field{"n_mc", &svj_sample_sizes::n_mc},
                      config::field{"n_ideal", &svj_sample_sizes::n_ideal},
                      config::field{"n_cr_keep", &svj_sample_sizes::n_cr_keep},
                      config::field{"n_signal_pool", &svj_sample_sizes::n_signal_pool},
                      config::field{"n_test_background", &svj_sample_sizes::n_test_background},
                      config::field{"n_test_signal", &svj_sample_sizes::n_test_signal},
                      config::field{"n_supervised_background", &svj_sample_sizes::n_supervised_background},
                      config::field{"n_supervised_signal", &svj_sample_sizes::n_supervised_signal}};
  }
};

/// Backgrounds that do not depend on the signal mass (data, MC, ideal, test and fully supervised
/// background), generated once and shared by all masses and injections.
template <class S>
struct svj_backgrounds {
  background_sample<S> data, mc, ideal;
  data::table<S> test_background, supervised_background;
};

/// Generates the mass-independent backgrounds. The test and fully supervised backgrounds are the
/// first SR events of the independent "test" sample (test first, then supervised).
template <class S>
[[nodiscard]] inline svj_backgrounds<S> make_svj_backgrounds(const data::synthetic::svj_like& g,
                                                             const svj_sample_sizes& n, const rng& r,
                                                             thread_pool* pool = nullptr) {
  using data::synthetic::svj_sample;
  svj_backgrounds<S> b;
  b.data = svj_background<S>(g, svj_sample::data, n.n_data, n.n_cr_keep, r, pool);
  b.mc = svj_background<S>(g, svj_sample::mc, n.n_mc, n.n_cr_keep, r, pool);
  if (n.n_ideal > 0) b.ideal = svj_background<S>(g, svj_sample::ideal, n.n_ideal, n.n_cr_keep, r, pool);
  const auto all = svj_background_sr<S>(g, svj_sample::test, n.n_test_background + n.n_supervised_background, r, pool);
  b.test_background = all.rows(0, n.n_test_background).to_table();
  b.supervised_background = all.rows(n.n_test_background, n.n_supervised_background).to_table();
  return b;
}

/// The inputs of `prepare_samples` for signal mass `mass`: the shared backgrounds, the injection
/// pool, and test / fully supervised sets (background label 0, signal label 1; the signal of both
/// comes from the independent test pool: the first SR events for the test set, the next ones for
/// the supervised set).
template <class S>
[[nodiscard]] inline sample_inputs<S> make_svj_inputs(const data::synthetic::svj_like& g, const svj_backgrounds<S>& b,
                                                      double mass, const svj_sample_sizes& n, const rng& r,
                                                      thread_pool* pool = nullptr) {
  using data::synthetic::svj_signal_pool;
  sample_inputs<S> in;
  in.data = b.data;
  in.mc = b.mc;
  in.ideal = b.ideal;
  in.signal_pool = g.signal<S>(mass, n.n_signal_pool, r, svj_signal_pool::injection, pool);
  const auto sig = svj_signal_sr<S>(g, mass, n.n_test_signal + n.n_supervised_signal, r, svj_signal_pool::test, pool);
  in.test = data::concat(b.test_background, sig.rows(0, n.n_test_signal).to_table());
  in.supervised = data::concat(b.supervised_background, sig.rows(n.n_test_signal, n.n_supervised_signal).to_table());
  return in;
}

}  // namespace hepad::ad

#endif  // HEPAD_AD_SVJ_SAMPLES_HPP
