// SPDX-License-Identifier: BSL-1.0
/// @file hepad/pre/on.hpp
/// @brief `hepad::pre::on<P>`: runs preprocessor `P` as a pipeline stage on a chosen block of a
/// `data::table` (its features, its context, or all float columns) instead of the features, which
/// is what a bare preprocessor stage transforms. Example (S0 §2.4: one min-max scaler on all 7
/// columns, fitted on MC):
/// @code
/// pre::on<pre::minmax> scale{.pre = {.lo = -2.5, .hi = 2.5}, .block = pre::block::all};
/// auto mc_scaled = scale.fit(mc);     // learns the MC ranges, transforms MC
/// auto data_scaled = scale.run(data); // same map, no clipping
/// @endcode
#ifndef HEPAD_PRE_ON_HPP
#define HEPAD_PRE_ON_HPP

#include <hepad/core/error.hpp>
#include <hepad/data/table.hpp>

#include <cstdint>
#include <string_view>
#include <utility>

namespace hepad::pre {

/// Which float columns of a table a stage transforms.
enum class block : int {
  features = 0,  ///< the feature block
  context = 1,   ///< the context block
  all = 2,       ///< every float column
};

/// `P` applied to `block` of a table. The block must keep its width (column-count-changing
/// preprocessors such as `sin_cos` only work on features, as bare stages).
template <class P>
struct on {
  P pre{};
  pre::block block = pre::block::features;

  static constexpr std::string_view name = "on";

  /// Fits `pre` on the block (with the table's weights) and transforms it.
  template <class S>
  data::table<S> fit(data::table<S> t) {
    const auto [first, n] = range(t);
    pre.fit(t.columns(first, n), t.weights());
    return apply(std::move(t), first, n);
  }
  /// Transforms the block.
  template <class S>
  data::table<S> run(data::table<S> t) const {
    const auto [first, n] = range(t);
    return apply(std::move(t), first, n);
  }

 private:
  template <class S>
  [[nodiscard]] std::pair<std::int64_t, std::int64_t> range(const data::table<S>& t) const {
    switch (block) {
      case pre::block::features: return {t.feature_begin(), t.n_features()};
      case pre::block::context: return {t.context_begin(), t.n_context()};
      case pre::block::all: return {0, t.n_columns()};
    }
    throw_invalid_argument("pre::on", "unknown block");
  }
  template <class S>
  data::table<S> apply(data::table<S> t, std::int64_t first, std::int64_t n) const {
    auto y = pre.transform(t.columns(first, n));
    if (y.cols() != n)
      hepad::detail::raise<not_supported>(
          "pre::on: the preprocessor changes the number of columns; use it as a bare stage on the features");
    t.mutable_values().middleCols(first, n) = y;
    return t;
  }
};

}  // namespace hepad::pre

#endif  // HEPAD_PRE_ON_HPP
