// SPDX-License-Identifier: BSL-1.0
// data::table, table_view, jagged, row_mask: construction, roles, zero-copy views, selection,
// concatenation, jagged collections, concept conformance.
#include <doctest/doctest.h>

#include <hepad/core/concepts/dataset.hpp>
#include <hepad/core/error.hpp>
#include <hepad/data/jagged.hpp>
#include <hepad/data/row_mask.hpp>
#include <hepad/data/table.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {
using hepad::data::table;

table<double> svj_like_toy(std::int64_t n) {
  hepad::matrix<double> v(n, 7);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = 0; j < 7; ++j) v(i, j) = 10.0 * static_cast<double>(i) + static_cast<double>(j);
  table<double> t({"HT", "MET", "m_jj", "tau21_j1", "tau21_j2", "tau32_j1", "tau32_j2"}, v);
  t.set_context(0, 2).set_features(2, 5);
  return t;
}
}  // namespace

static_assert(hepad::dataset<table<double>>);
static_assert(hepad::labeled_dataset<table<float>>);
static_assert(hepad::weighted_dataset<table<float>>);
static_assert(hepad::conditional_dataset<table<double>>);
static_assert(hepad::sliceable_dataset<table<double>>);
static_assert(hepad::dataset<hepad::data::table_view<double>>);
static_assert(hepad::labeled_dataset<hepad::data::table_view<double>>);
static_assert(hepad::weighted_dataset<hepad::data::table_view<float>>);
static_assert(hepad::conditional_dataset<hepad::data::table_view<float>>);
static_assert(std::is_nothrow_move_constructible_v<table<double>>);
static_assert(std::is_nothrow_move_assignable_v<table<float>>);

TEST_CASE("table: features and context are zero-copy blocks of the row-major storage") {
  auto t = svj_like_toy(4);
  CHECK(t.size() == 4);
  CHECK(t.n_features() == 5);
  CHECK(t.n_context() == 2);
  const hepad::matrix_cref<double> f = t.features();
  const hepad::matrix_cref<double> c = t.context();
  CHECK(f.data() == t.values().data() + 2);
  CHECK(c.data() == t.values().data());
  CHECK(f.outerStride() == 7);
  CHECK(f(3, 0) == 32.0);
  CHECK(c(2, 1) == 21.0);
  CHECK(t.column("MET").data() == t.values().data() + 1);
  CHECK(t.column("MET")(3) == 31.0);
  CHECK(t.columns(0, 7).data() == t.values().data());
  t.mutable_features()(1, 4) = -1.0;
  CHECK(t.values()(1, 6) == -1.0);
  CHECK(t.feature_names()[0] == "m_jj");
  CHECK(t.context_names()[1] == "MET");
  CHECK(t.weights().size() == 4);
  CHECK(t.weights()(0) == 1.0);
  CHECK(t.labels()(3) == 0);
}
