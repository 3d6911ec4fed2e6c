// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/injection.hpp
/// @brief `hepad::data::inject_signal`: seeded signal injection relative to the background count in
/// a signal region (S0 §2.5): n_sig = floor(s * N_bkg,SR) events drawn without replacement from a
/// signal pool, placed before all background events. Not here: the region definitions
/// (data/region.hpp).
#ifndef HEPAD_DATA_INJECTION_HPP
#define HEPAD_DATA_INJECTION_HPP

#include <hepad/core/check.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/region.hpp>
#include <hepad/data/table.hpp>

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

namespace hepad::data {

/// What an injection did. "Realized" numbers count events in the signal region.
struct injection_summary {
  double nominal_fraction = 0.0;          ///< s
  std::int64_t n_signal = 0;              ///< injected signal events (everywhere)
  std::int64_t n_signal_in_region = 0;    ///< of which in the signal region
  std::int64_t n_background_in_region = 0;  ///< background events in the signal region
  std::vector<std::int64_t> signal_rows;  ///< pool rows drawn, in draw order
  /// Realized S/B in the signal region.
  [[nodiscard]] double realized_s_over_b() const noexcept {
    return n_background_in_region > 0
               ? static_cast<double>(n_signal_in_region) / static_cast<double>(n_background_in_region)
               : 0.0;
  }
  /// S/sqrt(B) in the signal region.
  [[nodiscard]] double significance() const noexcept {
    return n_background_in_region > 0
               ? static_cast<double>(n_signal_in_region) / std::sqrt(static_cast<double>(n_background_in_region))
               : 0.0;
  }
  /// Fraction of the injected signal outside the signal region (the CR contamination).
  [[nodiscard]] double fraction_outside_region() const noexcept {
    return n_signal > 0 ? 1.0 - static_cast<double>(n_signal_in_region) / static_cast<double>(n_signal) : 0.0;
  }
};

/// The events after injection and what was done.
template <class S>
struct injected {
  table<S> events;  ///< [selected signal (draw order) ; all background (in order)]
  injection_summary summary;
};

/// Injects exactly `n_signal` events drawn without replacement from `signal_pool`.
/// @throws hepad::invalid_argument if `n_signal` is negative or exceeds the pool, or if the pool
/// and the background have different columns.
template <class S>
[[nodiscard]] inline injected<S> inject_signal_count(const table<S>& background, const table<S>& signal_pool,
                                                     std::int64_t n_signal, const region& signal_region, rng& r) {
  check_nonnegative("data::inject_signal", "n_signal", n_signal);
  if (n_signal > signal_pool.size())
    throw_invalid_argument("data::inject_signal",
                           hepad::detail::concat("the signal pool has ", signal_pool.size(), " events, but ", n_signal,
                                                 " are to be injected"));
  injection_summary s;
  s.n_signal = n_signal;
  s.n_background_in_region = signal_region.count(background);
  s.signal_rows = r.choose(signal_pool.size(), n_signal);
  table<S> sig = signal_pool.select(std::span<const std::int64_t>(s.signal_rows));
  s.n_signal_in_region = signal_region.count(sig);
  sig.append(background);
  // append() matched columns by name into the pool's order; give the result the background's order.
  if (sig.column_names() != background.column_names()) sig = sig.select_columns(background.column_names());
  sig.set_context(background.context_begin(), background.n_context())
      .set_features(background.feature_begin(), background.n_features());
  return {std::move(sig), std::move(s)};
}

/// Injects n_sig = floor(s * N_bkg,SR) signal events, where N_bkg,SR is the number of background
/// events in `signal_region` (S0 §2.5). The draw consumes `r` (pass the same generator through a
/// list of fractions to reproduce "one stream per seed, consumed in list order").
/// @throws hepad::invalid_argument if `s` is negative or not finite, or the pool is too small.
template <class S>
[[nodiscard]] inline injected<S> inject_signal(const table<S>& background, const table<S>& signal_pool, double s,
                                               const region& signal_region, rng& r) {
  check_nonnegative("data::inject_signal", "s", s);
  check_finite("data::inject_signal", "s", s);
  const auto n_b = signal_region.count(background);
  const auto n_sig = static_cast<std::int64_t>(std::floor(s * static_cast<double>(n_b)));
  auto out = inject_signal_count(background, signal_pool, n_sig, signal_region, r);
  out.summary.nominal_fraction = s;
  return out;
}

}  // namespace hepad::data

#endif  // HEPAD_DATA_INJECTION_HPP
