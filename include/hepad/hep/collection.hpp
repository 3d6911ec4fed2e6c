// SPDX-License-Identifier: BSL-1.0
/// @file hepad/hep/collection.hpp
/// @brief `hepad::hep::collection<Source>`: a NanoAOD object collection ("Muon": fields
/// `Muon_pt`, `Muon_eta`, ... counted by `nMuon`) over the jagged columns of a chunk, with the
/// subset of selected objects per event (`index_lists`), typed field access, four-vectors and
/// selection by a per-object predicate. `Source` is anything with
/// `src.template jagged<T>(name)` returning a `jagged_view<T>` (e.g. processing::event_chunk).
/// Not here: cross-collection matching (use delta_r from lorentz_vector.hpp).
#ifndef HEPAD_HEP_COLLECTION_HPP
#define HEPAD_HEP_COLLECTION_HPP

#include <hepad/hep/jagged.hpp>
#include <hepad/hep/lorentz_vector.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace hepad::hep {

/// Objects of one NanoAOD collection, optionally restricted to a selection.
template <class Source>
class collection {
 public:
  /// All objects of collection `name` (e.g. "Muon"); offsets come from `<name>_pt`'s column.
  collection(const Source& src, std::string name, std::string_view offsets_field = "pt")
      : src_(&src), name_(std::move(name)) {
    sel_ = index_lists::all(src_->template jagged<float>(field_name(offsets_field)).offsets());
  }

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// Number of events.
  [[nodiscard]] std::size_t size() const noexcept { return sel_.size(); }
  /// Number of (selected) objects in event `ev`.
  [[nodiscard]] std::size_t count(std::size_t ev) const noexcept { return sel_.count(ev); }
  /// Indices (within the event) of the selected objects of event `ev`.
  [[nodiscard]] std::span<const std::int32_t> indices(std::size_t ev) const noexcept { return sel_[ev]; }
  [[nodiscard]] const index_lists& selection() const noexcept { return sel_; }
  /// "Muon" + "_" + field.
  [[nodiscard]] std::string field_name(std::string_view f) const { return name_ + "_" + std::string(f); }
  /// The jagged column of a field (all objects, not only selected ones).
  template <class T>
  [[nodiscard]] jagged_view<T> field(std::string_view f) const {
    return src_->template jagged<T>(field_name(f));
  }
  /// Field value of the k-th selected object of event ev.
  template <class T>
  [[nodiscard]] T get(std::string_view f, std::size_t ev, std::size_t k) const {
    return field<T>(f)[ev][static_cast<std::size_t>(sel_[ev][k])];
  }
  /// Four-vector of the k-th selected object of event ev (pt, eta, phi, mass fields, float).
  [[nodiscard]] lorentz_vector p4(std::size_t ev, std::size_t k) const {
    const auto i = static_cast<std::size_t>(sel_[ev][k]);
    return lorentz_vector::from_pt_eta_phi_m(field<float>("pt")[ev][i], field<float>("eta")[ev][i],
                                             field<float>("phi")[ev][i], field<float>("mass")[ev][i]);
  }
  /// The objects for which `keep(ev, i)` is true (i = index within the event), among the selected.
  template <class Pred>
  [[nodiscard]] collection select(Pred&& keep) const {
    collection out = *this;
    index_lists s;
    std::vector<std::int32_t> row;
    for (std::size_t ev = 0; ev < sel_.size(); ++ev) {
      row.clear();
      for (auto i : sel_[ev])
        if (keep(ev, static_cast<std::size_t>(i))) row.push_back(i);
      s.push_row(row);
    }
    out.sel_ = std::move(s);
    return out;
  }
  /// Restricts to a flat per-object mask over all objects (mask[offset(ev) + i]).
  [[nodiscard]] collection select_mask(std::span<const char> mask, std::span<const std::int64_t> offsets) const {
    return select([&](std::size_t ev, std::size_t i) {
      return mask[static_cast<std::size_t>(offsets[ev] - offsets[0]) + i] != 0;
    });
  }

 private:
  const Source* src_;
  std::string name_;
  index_lists sel_;
};

}  // namespace hepad::hep

#endif  // HEPAD_HEP_COLLECTION_HPP
