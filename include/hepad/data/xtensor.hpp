// SPDX-License-Identifier: BSL-1.0
/// @file hepad/data/xtensor.hpp
/// @brief xtensor views of the data layer (component hepad::xtensor): a table's float columns as a
/// zero-copy (events x columns) xtensor adaptor, and a jagged collection as the dense
/// (events x max_objects x fields) tensor that set/transformer models take (JetCLR: N x 100 x 3).
/// Not here: the table itself (data/table.hpp).
// HEPAD_COMPONENT: xtensor
#ifndef HEPAD_DATA_XTENSOR_HPP
#define HEPAD_DATA_XTENSOR_HPP

#include <hepad/core/check.hpp>
#include <hepad/data/jagged.hpp>
#include <hepad/data/table.hpp>

#if __has_include(<xtensor/xadapt.hpp>)
#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>
#else
#include <xtensor/containers/xadapt.hpp>
#include <xtensor/containers/xtensor.hpp>
#endif

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace hepad::data {

/// The float columns of `t` as a read-only, zero-copy row-major (size x n_columns) xtensor
/// adaptor. Valid while `t` lives and is not resized.
template <class S>
[[nodiscard]] inline auto as_xtensor(const table<S>& t) {
  const std::array<std::size_t, 2> shape{static_cast<std::size_t>(t.size()), static_cast<std::size_t>(t.n_columns())};
  return xt::adapt(t.values().data(), static_cast<std::size_t>(t.size() * t.n_columns()), xt::no_ownership(), shape);
}

/// The objects of every event as a dense (size x max_objects x n_fields) tensor: event i's first
/// `max_objects` objects in stored order, padded with `fill`. O(size * max_objects * n_fields).
template <class S>
[[nodiscard]] inline xt::xtensor<S, 3> padded_tensor(const jagged<S>& j, std::int64_t max_objects, S fill = S(0)) {
  check_nonnegative("data::padded_tensor", "max_objects", max_objects);
  xt::xtensor<S, 3> out(std::array<std::size_t, 3>{static_cast<std::size_t>(j.size()),
                                                   static_cast<std::size_t>(max_objects),
                                                   static_cast<std::size_t>(j.n_fields())},
                        fill);
  for (std::int64_t i = 0; i < j.size(); ++i) {
    const auto ev = j[i];
    const auto n = (std::min)(static_cast<std::int64_t>(ev.rows()), max_objects);
    std::copy(ev.data(), ev.data() + n * j.n_fields(), out.data() + i * max_objects * j.n_fields());
  }
  return out;
}

}  // namespace hepad::data

#endif  // HEPAD_DATA_XTENSOR_HPP
