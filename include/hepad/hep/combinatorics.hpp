// SPDX-License-Identifier: BSL-1.0
/// @file hepad/hep/combinatorics.hpp
/// @brief Object combinatorics: unordered pairs (i < j, index order), pair filters (opposite
/// charge, same flavour), and Z-candidate building (opposite-charge same-flavour lepton pairs with
/// invariant mass in an open window, default 12 < m < 120 GeV as in cms-anomfinder).
/// Not here: triplets and quadruplets beyond `pairs` composition.
#ifndef HEPAD_HEP_COMBINATORICS_HPP
#define HEPAD_HEP_COMBINATORICS_HPP

#include <hepad/config/fields.hpp>
#include <hepad/hep/collection.hpp>
#include <hepad/hep/lorentz_vector.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace hepad::hep {

/// All unordered pairs (i, j), i < j < n, in the order (0,1), (0,2), ..., (1,2), ...: n(n-1)/2.
[[nodiscard]] inline std::vector<std::pair<std::size_t, std::size_t>> pairs(std::size_t n) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  if (n >= 2) out.reserve(n * (n - 1) / 2);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) out.emplace_back(i, j);
  return out;
}

/// True if the charges have opposite sign.
[[nodiscard]] inline bool opposite_charge(int q1, int q2) noexcept { return q1 * q2 < 0; }
/// True if the PDG ids have the same absolute value (same lepton flavour).
[[nodiscard]] inline bool same_flavour(int pdg1, int pdg2) noexcept { return std::abs(pdg1) == std::abs(pdg2); }

/// Configuration of Z-candidate building.
struct z_candidate_config {
  double mass_min = 12.0;   ///< m > mass_min (GeV)
  double mass_max = 120.0;  ///< m < mass_max (GeV)
  bool opposite_charge = true;
  bool same_flavour = true;  ///< needs a pdgId field; within one collection it always holds
  static constexpr std::string_view name = "z_candidate_config";
  static constexpr auto fields() {
    return std::tuple{config::field{"mass_min", &z_candidate_config::mass_min},
                           config::field{"mass_max", &z_candidate_config::mass_max},
                           config::field{"opposite_charge", &z_candidate_config::opposite_charge},
                           config::field{"same_flavour", &z_candidate_config::same_flavour}};
  }
};

/// A Z candidate: positions k1 < k2 among the event's selected leptons, and the pair's mass.
struct z_candidate {
  std::size_t k1 = 0, k2 = 0;
  double mass = 0;
};

/// Z candidates of event `ev` among the selected objects of `leptons` (fields pt, eta, phi,
/// mass, charge; pdgId only if cfg.same_flavour), pairs in (k1, k2) index order.
template <class Source>
[[nodiscard]] inline std::vector<z_candidate> z_candidates(const collection<Source>& leptons, std::size_t ev,
                                                           const z_candidate_config& cfg = {}) {
  std::vector<z_candidate> out;
  const std::size_t n = leptons.count(ev);
  if (n < 2) return out;
  const auto q = leptons.template field<std::int32_t>("charge");
  jagged_view<std::int32_t> pdg;
  if (cfg.same_flavour) pdg = leptons.template field<std::int32_t>("pdgId");
  const auto idx = leptons.indices(ev);
  for (auto [a, b] : pairs(n)) {
    const auto i = static_cast<std::size_t>(idx[a]), j = static_cast<std::size_t>(idx[b]);
    if (cfg.opposite_charge && !opposite_charge(q[ev][i], q[ev][j])) continue;
    if (cfg.same_flavour && !same_flavour(pdg[ev][i], pdg[ev][j])) continue;
    const double m = (leptons.p4(ev, a) + leptons.p4(ev, b)).mass();
    if (m > cfg.mass_min && m < cfg.mass_max) out.push_back({a, b, m});
  }
  return out;
}

}  // namespace hepad::hep

#endif  // HEPAD_HEP_COMBINATORICS_HPP
