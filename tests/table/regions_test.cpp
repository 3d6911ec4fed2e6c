// SPDX-License-Identifier: BSL-1.0
// Regions (boxes, unions, exact complements), windows with sidebands, the sideband labeler stage,
// signal injection, splits, k-fold, batching and chunked sources.
#include <doctest/doctest.h>

#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/batching.hpp>
#include <hepad/data/chunked.hpp>
#include <hepad/data/injection.hpp>
#include <hepad/data/region.hpp>
#include <hepad/data/sideband_labeler.hpp>
#include <hepad/data/split.hpp>
#include <hepad/data/table.hpp>
#include <hepad/data/window.hpp>
#include <hepad/pipeline/pipeline.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <vector>

namespace {
using hepad::data::table;

// A grid of (HT, MET) points that includes the cut values themselves.
table<double> grid() {
  std::vector<double> ht{700, 799.9, 800, 800.1, 900}, met{50, 75, 75.5, 100};
  hepad::matrix<double> v(static_cast<Eigen::Index>(ht.size() * met.size()), 2);
  Eigen::Index k = 0;
  for (double h : ht)
    for (double m : met) v.row(k++) << h, m;
  return table<double>({"HT", "MET"}, v);
}
}  // namespace

TEST_CASE("region: the S0 signal region, its exact L-shaped complement, and NaN rows") {
  using namespace hepad::data;
  const region sr = above("HT", 800) & above("MET", 75);
  const region cr = ~sr;
  const auto t = grid();
  const auto in_sr = sr.mask(t), in_cr = cr.mask(t);
  for (std::int64_t i = 0; i < t.size(); ++i) {
    const double h = t.values()(i, 0), m = t.values()(i, 1);
    const bool expect = h > 800 && m > 75;  // strict inequalities (S0 §2.3)
    CHECK(in_sr[i] == expect);
    CHECK(in_cr[i] == !expect);
  }
  CHECK(sr.describe() == "(HT > 800 and MET > 75)");
  CHECK(cr.describe() == "(HT <= 800) or (HT > 800 and MET <= 75)");
  CHECK(cr.boxes().size() == 2);
  // Complement of the complement is the region again (as a set).
  CHECK((~cr).mask(t) == in_sr);
  // Union, difference, half-open windows.
  const region both = sr | (within("HT", 700, 800) & at_most("MET", 75));
  CHECK(sr.count(t) == 4);  // HT in {800.1, 900} x MET in {75.5, 100}
  CHECK(both.count(t) == sr.count(t) + 4);  // + HT in {700, 799.9} x MET in {50, 75}
  CHECK((both - sr).count(t) == 4);
  CHECK((sr & cr).mask(t).count() == 0);
  CHECK(region::everything().count(t) == t.size());
  CHECK(region::nothing().count(t) == 0);
  CHECK((~region::everything()).is_empty());
  // NaN belongs to neither side.
  hepad::matrix<double> nanrow(1, 2);
  nanrow << std::nan(""), 100.0;
  const std::vector<std::string> names{"HT", "MET"};
  CHECK(sr.mask<double>(nanrow, names).count() == 0);
  CHECK(cr.mask<double>(nanrow, names).count() == 0);
  CHECK_THROWS_AS((void)above("HT2", 1).mask(t), hepad::out_of_range);
  const auto [inside, outside] = partition(t, sr);
  CHECK(inside.size() + outside.size() == t.size());
  CHECK(inside.size() == 4);
}

TEST_CASE("region: complement of a union of random boxes is exact on random points") {
  using namespace hepad::data;
  hepad::rng r(5);
  for (int trial = 0; trial < 20; ++trial) {
    region u;
    for (int b = 0; b < 3; ++b) {
      region bx = region::everything();
      for (const char* c : {"x", "y", "z"}) {
        const double a = std::round(r.uniform(-2.0, 2.0)), w = std::round(r.uniform(0.0, 3.0));
        bx = bx & in_interval(c, interval{a, a + w, r.bernoulli(0.5), r.bernoulli(0.5)});
      }
      u = u | bx;
    }
    const region c = ~u;
    // Integer-valued points hit the (integer) edges often.
    hepad::matrix<double> pts(400, 3);
    for (Eigen::Index i = 0; i < pts.rows(); ++i)
      for (Eigen::Index j = 0; j < 3; ++j) pts(i, j) = std::round(r.uniform(-3.0, 5.0) * 2.0) / 2.0;
    const std::vector<std::string> names{"x", "y", "z"};
    const auto mu = u.mask<double>(pts, names), mc = c.mask<double>(pts, names);
    CHECK(mc == ~mu);
    // Complement boxes are pairwise disjoint.
    for (std::size_t a = 0; a < c.boxes().size(); ++a)
      for (std::size_t b = 0; b < a; ++b)
        CHECK((region(c.boxes()[a]) & region(c.boxes()[b])).mask<double>(pts, names).count() == 0);
  }
}

TEST_CASE("window and sideband_labeler: half-open SR, sidebands, labels, pipeline stage") {
  using namespace hepad::data;
  hepad::matrix<double> v(8, 2);
  v << 2900, 0, 3000, 1, 3299, 2, 3300, 3, 3500, 4, 3699.9, 5, 3700, 6, 4200, 7;
  table<double> t({"m_jj", "f"}, v);
  const window w{"m_jj", 3300, 3700, 3000, 4100};
  CHECK(w.signal_region().count(t) == 3);
  CHECK(w.sidebands().count(t) == 3);  // 3000, 3299, 3700
  const window bad{"m_jj", 3700, 3300};
  CHECK_THROWS_AS(bad.validate(), hepad::invalid_argument);

  const sideband_labeler lab{.signal_region = {3300, 3700}, .sidebands = {3000, 4100}};
  const auto out = lab.run(t);
  CHECK(out.size() == 6);
  CHECK(out.column("f")(0) == 1.0);
  std::vector<int> labels(out.labels().data(), out.labels().data() + out.size());
  CHECK(labels == std::vector<int>{0, 0, 1, 1, 1, 0});
  // Unbounded sidebands by default.
  CHECK(sideband_labeler{.signal_region = {3300, 3700}}.run(t).size() == 8);
  // As a pipeline stage.
  auto p = hepad::make_pipeline(lab);
  hepad::rng r(1);
  CHECK(p.run(t, r) == out);
}

TEST_CASE("inject_signal: n_sig = floor(s * N_bkg,SR), without replacement, signal first, seeded") {
  using namespace hepad::data;
  hepad::rng gen(11);
  auto make = [&](std::int64_t n, double ht_mean, int label) {
    hepad::matrix<double> v(n, 3);
    for (std::int64_t i = 0; i < n; ++i) v.row(i) << gen.normal(ht_mean, 300.0), gen.exponential(60.0), double(i);
    table<double> t({"HT", "MET", "id"}, v);
    t.set_context(0, 2).set_features(2, 1).set_labels(label);
    return t;
  };
  const auto bkg = make(20000, 500, 0), pool = make(3000, 1100, 1);
  const region sr = above("HT", 800) & above("MET", 75);
  const auto n_b = sr.count(bkg);
  for (const double s : {0.0, 0.004, 0.02, 0.05}) {
    hepad::rng r(3);
    const auto inj = inject_signal(bkg, pool, s, sr, r);
    const auto n_sig = static_cast<std::int64_t>(std::floor(s * static_cast<double>(n_b)));
    CHECK(inj.summary.n_signal == n_sig);
    CHECK(inj.summary.n_background_in_region == n_b);
    CHECK(inj.events.size() == bkg.size() + n_sig);
    CHECK(inj.events.labels().head(n_sig).sum() == n_sig);
    CHECK(inj.events.labels().tail(bkg.size()).sum() == 0);
    CHECK(inj.events.column_names() == bkg.column_names());
    CHECK(inj.events.n_context() == 2);
    // Without replacement: distinct pool ids.
    std::set<double> ids;
    for (std::int64_t i = 0; i < n_sig; ++i) ids.insert(inj.events.column("id")(i));
    CHECK(static_cast<std::int64_t>(ids.size()) == n_sig);
    CHECK(inj.summary.n_signal_in_region == sr.count(inj.events) - n_b);
    CHECK(inj.summary.realized_s_over_b() ==
          doctest::Approx(static_cast<double>(inj.summary.n_signal_in_region) / static_cast<double>(n_b)));
    // Same seed, same draw.
    hepad::rng r2(3);
    CHECK(inject_signal(bkg, pool, s, sr, r2).summary.signal_rows == inj.summary.signal_rows);
  }
  hepad::rng r(1);
  CHECK_THROWS_AS((void)inject_signal(bkg, pool, 10.0, sr, r), hepad::invalid_argument);
  CHECK_THROWS_AS((void)inject_signal(bkg, pool, -0.1, sr, r), hepad::invalid_argument);
}

TEST_CASE("splits: train/validation/test sizes, disjointness, seeding, k-fold, last-n hold-out") {
  using namespace hepad::data;
  hepad::rng r(9);
  const auto s = train_validation_test{.validation = 0.33, .test = 0.1}.split(1000, r);
  CHECK(s.test.size() == 100);
  CHECK(s.validation.size() == 330);
  CHECK(s.train.size() == 570);
  std::vector<std::int64_t> all;
  for (const auto* v : {&s.train, &s.validation, &s.test}) all.insert(all.end(), v->begin(), v->end());
  std::sort(all.begin(), all.end());
  std::vector<std::int64_t> expect(1000);
  std::iota(expect.begin(), expect.end(), 0);
  CHECK(all == expect);
  hepad::rng r2(9);
  CHECK(train_validation_test{.validation = 0.33, .test = 0.1}.split(1000, r2).train == s.train);
  const auto ordered = train_validation_test{.validation = 0.2, .shuffle = false}.split(10, r);
  CHECK(ordered.train == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(ordered.validation == std::vector<std::int64_t>{8, 9});
  const train_validation_test too_much{.validation = 0.7, .test = 0.5};
  CHECK_THROWS_AS((void)too_much.split(10, r), hepad::invalid_argument);

  const kfold kf(103, 5, r);
  std::vector<int> sizes(5, 0);
  for (std::int64_t i = 0; i < 103; ++i) ++sizes[static_cast<std::size_t>(kf.fold_of(i))];
  CHECK(sizes == std::vector<int>{21, 21, 21, 20, 20});
  for (int f = 0; f < 5; ++f) CHECK(kf.train(f).size() + kf.test(f).size() == 103);
  CHECK_THROWS_AS(kfold(3, 5, r), hepad::invalid_argument);

  const auto [keep, held] = split_last(50, 10);
  CHECK(keep.size() == 40);
  CHECK(held.front() == 40);
  CHECK(held.back() == 49);
}

TEST_CASE("batching: every row once per epoch, shuffled differently per epoch, drop_last") {
  using namespace hepad::data;
  hepad::rng r(4);
  auto r0 = r.split(0);
  const auto p = shuffled_batches(103, 10, r0);
  CHECK(p.size() == 11);
  std::vector<std::int64_t> seen;
  for (auto b : p) seen.insert(seen.end(), b.begin(), b.end());
  CHECK(p[10].size() == 3);
  std::sort(seen.begin(), seen.end());
  std::vector<std::int64_t> expect(103);
  std::iota(expect.begin(), expect.end(), 0);
  CHECK(seen == expect);
  auto r1 = r.split(1);
  CHECK(shuffled_batches(103, 10, r1).order() != p.order());
  CHECK(shuffled_batches(103, 10, r1, true).size() == 10);
  CHECK(sequential_batches(5, 2)[2].size() == 1);
  hepad::matrix<double> x(4, 2);
  x << 0, 1, 2, 3, 4, 5, 6, 7;
  hepad::matrix<double> out;
  const std::vector<std::int64_t> rows{3, 1};
  gather_rows<double>(x, rows, out);
  CHECK(out(0, 1) == 7.0);
  CHECK(out(1, 0) == 2.0);
}

TEST_CASE("chunked sources: event and byte chunk sizes, mapping, collect") {
  using namespace hepad::data;
  hepad::matrix<float> v(1000, 4);
  for (Eigen::Index i = 0; i < v.rows(); ++i) v.row(i).setConstant(static_cast<float>(i));
  const table<float> t({"a", "b", "c", "d"}, v);
  table_chunks<float> src(t, chunk_size{.events = 300});
  static_assert(table_source<table_chunks<float>>);
  std::vector<std::int64_t> sizes;
  for (const auto& c : chunks(src)) sizes.push_back(c.size());
  CHECK(sizes == std::vector<std::int64_t>{300, 300, 300, 100});
  // Bytes: 4 floats + weight + label = 24 bytes per row -> 2400 bytes = 100 rows.
  table_chunks<float> by_bytes(t, chunk_size{.bytes = 2400});
  CHECK(for_each_chunk(by_bytes, [](const table<float>& c) { CHECK(c.size() == 100); }) == 10);
  table_chunks<float> again(t, chunk_size{.events = 333});
  CHECK(collect(again) == t);
  // Mapping another source's chunks (here: scaling), as a reader adapter would.
  table_chunks<float> base(t, chunk_size{.events = 250});
  auto mapped = map_chunks(base, [](table<float>&& c) {
    c.mutable_values() *= 2.0f;
    return std::move(c);
  });
  static_assert(table_source<decltype(mapped)>);
  const auto m = collect(mapped);
  CHECK(m.values()(999, 3) == 1998.0f);
  // A generated source: chunks equal one call.
  auto gen = [](std::int64_t first, std::int64_t n, hepad::rng& r) {
    hepad::matrix<double> x(n, 1);
    for (std::int64_t i = 0; i < n; ++i) {
      auto e = r.split(static_cast<std::uint64_t>(first + i));
      x(i, 0) = e.normal();
    }
    return table<double>({"x"}, x);
  };
  auto g = make_generated_source<double>(gen, 1000, chunk_size{.events = 64}, hepad::rng(2));
  hepad::rng r(2);
  CHECK(collect(g) == gen(0, 1000, r));
  const chunk_size in_bytes{.bytes = 10};
  CHECK_THROWS_AS((void)make_generated_source<double>(gen, 10, in_bytes, hepad::rng(2)), hepad::invalid_argument);
}
