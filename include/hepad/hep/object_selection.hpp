// SPDX-License-Identifier: BSL-1.0
/// @file hepad/hep/object_selection.hpp
/// @brief `hepad::hep::object_selection`: the usual NanoAOD object cuts as one config (kinematics
/// pt > pt_min and |eta| < abs_eta_max, an ID flag or a minimum ID working point, an isolation
/// maximum; all strict as in the reference analysis), with presets for the cms-anomfinder muons
/// (pt > 5, |eta| < 2.4, mediumId, pfRelIso04_all < 0.25) and electrons (pt > 7, |eta| < 2.5,
/// cutBased >= 3), and `apply` on a collection. Not here: pairing (combinatorics.hpp).
#ifndef HEPAD_HEP_OBJECT_SELECTION_HPP
#define HEPAD_HEP_OBJECT_SELECTION_HPP

#include <hepad/config/fields.hpp>
#include <hepad/hep/collection.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <tuple>

namespace hepad::hep {

/// Cuts on the objects of one collection. Empty field names switch a cut off.
struct object_selection {
  std::string collection = "Muon";
  double pt_min = 5.0;                 ///< pt > pt_min
  double abs_eta_max = 2.4;            ///< |eta| < abs_eta_max
  std::string id_flag = "mediumId";    ///< bool field that must be true ("" = none)
  std::string id_level;                ///< integer field that must be >= id_min ("" = none)
  int id_min = 0;
  std::string isolation = "pfRelIso04_all";  ///< float field that must be < isolation_max ("" = none)
  double isolation_max = 0.25;

  static constexpr std::string_view name = "object_selection";
  static constexpr auto fields() {
    return std::tuple{config::field{"collection", &object_selection::collection},
                           config::field{"pt_min", &object_selection::pt_min},
                           config::field{"abs_eta_max", &object_selection::abs_eta_max},
                           config::field{"id_flag", &object_selection::id_flag},
                           config::field{"id_level", &object_selection::id_level},
                           config::field{"id_min", &object_selection::id_min},
                           config::field{"isolation", &object_selection::isolation},
                           config::field{"isolation_max", &object_selection::isolation_max}};
  }

  /// cms-anomfinder's muons: pt > 5, |eta| < 2.4, mediumId, pfRelIso04_all < 0.25.
  static object_selection muons() { return {}; }
  /// cms-anomfinder's (unused) electrons: pt > 7, |eta| < 2.5, cutBased >= 3 (medium).
  static object_selection electrons() {
    return {.collection = "Electron", .pt_min = 7.0, .abs_eta_max = 2.5, .id_flag = "", .id_level = "cutBased",
            .id_min = 3, .isolation = "", .isolation_max = std::numeric_limits<double>::infinity()};
  }
};

/// The objects of `c` that pass `s` (NanoAOD order kept, i.e. pt-descending).
/// @throws the source's error if a field named by `s` is missing.
template <class Source>
[[nodiscard]] inline collection<Source> apply(const object_selection& s, const collection<Source>& c) {
  const auto pt = c.template field<float>("pt");
  const auto eta = c.template field<float>("eta");
  jagged_view<bool> id;
  jagged_view<std::int32_t> level;
  jagged_view<float> iso;
  if (!s.id_flag.empty()) id = c.template field<bool>(s.id_flag);
  if (!s.id_level.empty()) level = c.template field<std::int32_t>(s.id_level);
  if (!s.isolation.empty()) iso = c.template field<float>(s.isolation);
  return c.select([&](std::size_t ev, std::size_t i) {
    if (!(pt[ev][i] > s.pt_min && std::abs(eta[ev][i]) < s.abs_eta_max)) return false;
    if (!s.id_flag.empty() && !id[ev][i]) return false;
    if (!s.id_level.empty() && !(level[ev][i] >= s.id_min)) return false;
    if (!s.isolation.empty() && !(iso[ev][i] < s.isolation_max)) return false;
    return true;
  });
}

}  // namespace hepad::hep

#endif  // HEPAD_HEP_OBJECT_SELECTION_HPP
