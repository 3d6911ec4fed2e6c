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

TEST_CASE("table: construction errors name the function and the argument") {
  using hepad::matrix;
  CHECK_THROWS_AS(table<double>({"a", "a"}, 3), hepad::invalid_argument);
  CHECK_THROWS_AS(table<double>({"a", ""}, 3), hepad::invalid_argument);
  CHECK_THROWS_AS(table<double>({"a", "b"}, matrix<double>::Zero(3, 3)), hepad::invalid_argument);
  table<double> t({"a", "b"}, 3);
  CHECK_THROWS_AS(t.set_weights(hepad::vector<double>::Ones(2)), hepad::invalid_argument);
  CHECK_THROWS_AS(t.set_features(1, 2), hepad::out_of_range);
  try {
    (void)t.column("c");
    FAIL("no throw");
  } catch (const hepad::out_of_range& e) {
    CHECK(std::string(e.what()).find("no column 'c' (columns: a, b)") != std::string::npos);
  }
}

TEST_CASE("table: set_roles keeps adjacent runs in place and permutes otherwise") {
  auto t = svj_like_toy(3);
  const auto* before = t.values().data();
  t.set_roles({"HT", "MET"}, {"m_jj", "tau21_j1", "tau21_j2", "tau32_j1", "tau32_j2"});
  CHECK(t.values().data() == before);
  CHECK(t.context_begin() == 0);
  CHECK(t.feature_begin() == 2);
  // Non-adjacent request: columns move to [context, features, rest].
  t.set_roles({"MET"}, {"tau32_j2", "HT"});
  CHECK(t.column_names() ==
        std::vector<std::string>{"MET", "tau32_j2", "HT", "m_jj", "tau21_j1", "tau21_j2", "tau32_j1"});
  CHECK(t.n_context() == 1);
  CHECK(t.n_features() == 2);
  CHECK(t.features()(2, 0) == 26.0);  // tau32_j2 of event 2
  CHECK(t.features()(2, 1) == 20.0);  // HT of event 2
  CHECK(t.context()(1, 0) == 11.0);   // MET of event 1
  CHECK(t.column("m_jj")(1) == 12.0);
  CHECK_THROWS_AS(t.set_roles({"MET"}, {"nope"}), hepad::out_of_range);
  CHECK_THROWS_AS(t.set_roles({"MET", "MET"}, {}), hepad::invalid_argument);
}

TEST_CASE("table: select, masks, views and concatenation keep weights, labels, roles and jagged") {
  auto t = svj_like_toy(5);
  hepad::vector<double> w(5);
  w << 1.0, -0.5, 2.0, 0.25, 3.0;
  hepad::label_vector y(5);
  y << 0, 1, 0, 1, 1;
  t.set_weights(w).set_labels(y);
  hepad::data::jagged<double> jets({"pt", "eta"});
  for (int i = 0; i < 5; ++i) {
    hepad::matrix<double> obj(i % 3, 2);
    for (int k = 0; k < i % 3; ++k) obj.row(k) << 100.0 * i + k, 0.25 * k;
    jets.push_back(obj);
  }
  t.set_jagged("jets", jets);

  const auto s = t.select({4, 1, 1});
  CHECK(s.size() == 3);
  CHECK(s.values()(0, 0) == 40.0);
  CHECK(s.values()(2, 6) == 16.0);
  CHECK(s.weights()(1) == -0.5);
  CHECK(s.labels()(0) == 1);
  CHECK(s.n_context() == 2);
  CHECK(s.feature_begin() == 2);
  CHECK(s.jagged_column("jets").count(0) == 1);
  CHECK(s.jagged_column("jets").count(1) == 1);
  CHECK(s.jagged_column("jets")[0](0, 0) == 400.0);
  CHECK_THROWS_AS(t.select({5}), hepad::out_of_range);

  hepad::data::row_mask m(5);
  m.set(0);
  m.set(3);
  const auto sm = t.select(m);
  CHECK(sm.size() == 2);
  CHECK(sm.values()(1, 0) == 30.0);
  CHECK((~m).count() == 3);
  CHECK((m | ~m).count() == 5);
  CHECK((m & ~m).count() == 0);
  CHECK(m.indices() == std::vector<std::int64_t>{0, 3});
  CHECK_THROWS_AS(t.select(hepad::data::row_mask(4)), hepad::invalid_argument);

  const auto v = t.rows(1, 3);
  CHECK(v.size() == 3);
  CHECK(v.features().data() == t.features().data() + 7);
  CHECK(v.weights()(0) == -0.5);
  CHECK(v.labels()(2) == 1);
  CHECK(v.column("MET")(2) == 31.0);
  CHECK(v.to_table() == t.select({1, 2, 3}));
  CHECK_THROWS_AS((void)t.rows(3, 3), hepad::out_of_range);

  // Concatenation with a column-permuted second part: matched by name.
  auto other = t.select({0, 2});
  other.set_roles({"m_jj"}, {"HT"});  // permutes the columns of `other`
  const auto c = hepad::data::concat(t, other);
  CHECK(c.size() == 7);
  CHECK(c.column_names() == t.column_names());
  CHECK(c.values().bottomRows(2) == t.select({0, 2}).values());
  CHECK(c.weights()(6) == 2.0);
  CHECK(c.jagged_column("jets").size() == 7);
  CHECK(c.jagged_column("jets").n_objects() == t.jagged_column("jets").n_objects() + 0 + 2);
  const std::vector<table<double>> parts{t.rows(0, 2).to_table(), t.rows(2, 3).to_table()};
  CHECK(hepad::data::concat(parts) == t);
  CHECK_THROWS_AS((void)hepad::data::concat(t, t.select_columns({"HT"})), hepad::invalid_argument);

  const auto sc = t.select_columns({"HT", "MET", "m_jj"});
  CHECK(sc.n_columns() == 3);
  CHECK(sc.n_context() == 2);
  CHECK(sc.n_features() == 3);  // feature block not fully kept -> all kept columns
  CHECK(t.cast<float>().cast<double>() == t);
}

TEST_CASE("jagged: offsets, zero-copy events, fields, padding, validation") {
  using hepad::data::jagged;
  jagged<float> j({"pt", "eta", "phi"}, {0, 2, 2, 5}, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  CHECK(j.size() == 3);
  CHECK(j.n_objects() == 5);
  CHECK(j.count(1) == 0);
  CHECK(j[0].rows() == 2);
  CHECK(j[2](2, 2) == 15.0f);
  CHECK(j[2].data() == j.content().data() + 6);
  CHECK(j.field("eta")(3) == 11.0f);
  CHECK(j.counts() == std::vector<std::int64_t>{2, 0, 3});
  const auto p = j.padded(2, -1.0f);
  CHECK(p.rows() == 3);
  CHECK(p.cols() == 6);
  CHECK(p(0, 5) == 6.0f);
  CHECK(p(1, 0) == -1.0f);
  CHECK(p(2, 3) == 10.0f);  // second object of event 2, field pt; third object cropped
  CHECK(j.slice(1, 2).n_objects() == 3);
  CHECK(j.slice(1, 2)[1](0, 0) == 7.0f);
  CHECK(j.select(std::vector<std::int64_t>{2, 0})[1](1, 1) == 5.0f);
  CHECK_THROWS_AS(jagged<float>({"a"}, {0, 2, 1}, std::vector<float>{1, 2}), hepad::invalid_argument);
  CHECK_THROWS_AS(jagged<float>({"a"}, {1, 2}, std::vector<float>{1}), hepad::invalid_argument);
  CHECK_THROWS_AS(jagged<float>({"a"}, {0, 3}, std::vector<float>{1, 2}), hepad::invalid_argument);
  CHECK_THROWS_AS((void)j[3], hepad::out_of_range);
  CHECK_THROWS_AS((void)j.field("m"), hepad::out_of_range);
  table<float> t({"x"}, 2);
  CHECK_THROWS_AS(t.set_jagged("j", j), hepad::invalid_argument);
}

#if __has_include(<xtensor/xadapt.hpp>) || __has_include(<xtensor/containers/xadapt.hpp>)
#include <hepad/data/xtensor.hpp>

TEST_CASE("xtensor views: zero-copy table adaptor and padded jagged tensor") {
  auto t = svj_like_toy(4);
  const auto x = hepad::data::as_xtensor(t);
  CHECK(x.data() == t.values().data());
  CHECK(x.shape()[0] == 4);
  CHECK(x.shape()[1] == 7);
  CHECK(x(3, 2) == 32.0);
  hepad::data::jagged<float> j({"pt", "eta", "phi"}, {0, 2, 2, 5}, std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  const auto p = hepad::data::padded_tensor(j, 2, -1.0f);
  CHECK(p.shape()[0] == 3);
  CHECK(p.shape()[1] == 2);
  CHECK(p.shape()[2] == 3);
  CHECK(p(0, 1, 2) == 6.0f);
  CHECK(p(1, 0, 0) == -1.0f);
  CHECK(p(2, 1, 0) == 10.0f);
  // Same layout as jagged::padded (object-major rows).
  const auto q = j.padded(2, -1.0f);
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 6; ++k) CHECK(p(i, k / 3, k % 3) == q(i, k));
}
#endif
