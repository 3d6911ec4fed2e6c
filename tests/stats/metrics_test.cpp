// SPDX-License-Identifier: BSL-1.0
// AD metrics: ROC/AUC against scikit-learn (committed fixture from tools/stats/make_sklearn_fixture.py,
// inputs regenerated here bit for bit), SIC figures, interpolation, percentiles and bands.
#include <hepad/core/concepts/metric.hpp>
#include <hepad/stats/curves.hpp>
#include <hepad/stats/metrics.hpp>
#include <hepad/stats/roc.hpp>
#include <hepad/stats/histogram.hpp>
#include <hepad/stats/optimal.hpp>
#include <hepad/stats/sic.hpp>
#include <hepad/stats/two_sample.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

// The fixture's generator: x <- 6364136223846793005 x + 1442695040888963407 (mod 2^64).
struct lcg {
  std::uint64_t x;
  double uniform() {
    x = 6364136223846793005ULL * x + 1442695040888963407ULL;
    return static_cast<double>(x >> 11) * (1.0 / 9007199254740992.0);
  }
};

struct data {
  std::vector<double> s, w;
  std::vector<std::int32_t> y;
};

data make(const std::string& c) {
  const std::map<std::string, std::uint64_t> seeds{{"weighted", 1}, {"ties", 2}, {"large", 3}, {"plain", 4}};
  const std::map<std::string, int> sizes{{"weighted", 400}, {"ties", 400}, {"large", 3000}, {"plain", 800}};
  lcg r{seeds.at(c)};
  data d;
  for (int i = 0; i < sizes.at(c); ++i) {
    const double u1 = r.uniform(), u2 = r.uniform(), u3 = r.uniform();
    const int lab = u1 < 0.4 ? 1 : 0;
    double sc, wt;
    if (c == "ties") {
      sc = std::floor((0.3 * lab + u2) * 10.0) / 10.0;
      wt = 1.0;
    } else if (c == "weighted") {
      sc = std::floor((0.8 * lab + u2) * 1000.0 + 0.5) / 1000.0;
      wt = lab == 0 ? 0.5 + u3 : 1.5 * u3 - 0.3;
    } else if (c == "plain") {
      sc = 0.7 * lab + u2;
      wt = 1.0;
    } else {
      sc = 1.5 * lab * u3 + u2;
      wt = 0.25 + u3;
    }
    d.s.push_back(sc);
    d.y.push_back(lab);
    d.w.push_back(wt);
  }
  return d;
}

using fixture_case = std::map<std::string, std::vector<double>>;

std::map<std::string, fixture_case> read_fixture() {
  std::ifstream in(std::string(HEPAD_TEST_DATA_DIR) + "/stats/sklearn_roc.txt");
  REQUIRE(in.good());
  std::map<std::string, fixture_case> out;
  std::string line, current;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string key;
    ls >> key;
    if (key == "case") {
      ls >> current;
      continue;
    }
    std::vector<double> v;
    std::string tok;
    while (ls >> tok) v.push_back(tok == "nan" ? std::nan("") : std::stod(tok));
    out[current][key] = v;
  }
  return out;
}

// Weighted Mann-Whitney statistic, O(n^2): P(s_sig > s_bkg) + P(=)/2 with weights.
double mann_whitney(const data& d) {
  double num = 0, ws = 0, wb = 0;
  for (std::size_t i = 0; i < d.s.size(); ++i) (d.y[i] ? ws : wb) += d.w[i];
  for (std::size_t i = 0; i < d.s.size(); ++i) {
    if (!d.y[i]) continue;
    for (std::size_t j = 0; j < d.s.size(); ++j) {
      if (d.y[j]) continue;
      const double k = d.s[i] > d.s[j] ? 1.0 : (d.s[i] == d.s[j] ? 0.5 : 0.0);
      num += d.w[i] * d.w[j] * k;
    }
  }
  return num / (ws * wb);
}

}  // namespace

TEST_CASE("roc_curve and roc_auc match scikit-learn on the committed fixture") {
  const auto fx = read_fixture();
  REQUIRE(fx.size() == 5);
  for (const std::string c : {"weighted", "ties", "large", "plain"}) {
    CAPTURE(c);
    const data d = make(c);
    const bool unweighted = (c == "ties" || c == "plain");
    const hepad::stats::roc r = unweighted ? hepad::stats::roc_curve(d.s, d.y) : hepad::stats::roc_curve(d.s, d.y, d.w);
    const auto& f = fx.at(c);
    CHECK(hepad::stats::auc(r) == doctest::Approx(f.at("auc")[0]).epsilon(1e-12));
    CHECK(std::abs(hepad::stats::auc(r) - f.at("auc")[0]) < 1e-9);
    REQUIRE(r.size() == static_cast<std::size_t>(f.at("points")[0]));
    if (f.count("fpr")) {
      for (std::size_t i = 0; i < r.size(); ++i) {
        CHECK(r.fpr[i] == doctest::Approx(f.at("fpr")[i]).epsilon(1e-12));
        CHECK(r.tpr[i] == doctest::Approx(f.at("tpr")[i]).epsilon(1e-12));
        if (i > 0) CHECK(r.thresholds[i] == f.at("thresholds")[i - 1]);
      }
      CHECK(std::isinf(r.thresholds[0]));
    }
    const auto all = unweighted ? hepad::stats::roc_curve(d.s, d.y, {.drop_intermediate = false})
                                : hepad::stats::roc_curve(d.s, d.y, d.w, {.drop_intermediate = false});
    CHECK(all.size() == static_cast<std::size_t>(f.at("points_all")[0]));
    // dropping collinear points does not change the area
    CHECK(hepad::stats::auc(all) == doctest::Approx(hepad::stats::auc(r)).epsilon(1e-13));

    // S0 figures computed from the scikit-learn curve by the generator script
    const double floor = 1.0 / (0.16 * 150.0);
    const auto m = hepad::stats::max_sic(r, floor);
    REQUIRE(m.ok());
    CHECK(m.value.value == doctest::Approx(f.at("max_sic")[0]).epsilon(1e-12));
    for (const auto& [rs, key] : std::vector<std::pair<double, std::string>>{
             {2.0, "sic_at_2"}, {10.0, "sic_at_10"}, {50.0, "sic_at_50"}, {1e6, "sic_at_1e+06"}}) {
      CAPTURE(key);
      const auto v = hepad::stats::sic_at_rejection(r, rs);
      const double want = f.at(key)[0];
      if (std::isnan(want)) {
        CHECK(v.status == hepad::status::undefined);
        CHECK(!v.ok());
      } else {
        REQUIRE(v.ok());
        CHECK(v.value.value == doctest::Approx(want).epsilon(1e-12));
      }
    }
    const auto ft = hepad::stats::fpr_at_tpr(r, 0.5);
    REQUIRE(ft.ok());
    CHECK(ft.value.value == doctest::Approx(f.at("fpr_at_tpr_0.5")[0]).epsilon(1e-12));
  }
}

TEST_CASE("weighted AUC equals the weighted Mann-Whitney statistic (ties count one half)") {
  for (const std::string c : {"weighted", "ties"}) {
    CAPTURE(c);
    const data d = make(c);
    CHECK(hepad::stats::roc_auc(d.s, d.y, d.w) == doctest::Approx(mann_whitney(d)).epsilon(1e-12));
  }
}

TEST_CASE("roc_curve: separate signal/background arrays, float scores, Eigen input") {
  const data d = make("plain");
  std::vector<float> sig, bkg;
  Eigen::VectorXd s(static_cast<Eigen::Index>(d.s.size()));
  Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1> y(s.size());
  for (std::size_t i = 0; i < d.s.size(); ++i) {
    (d.y[i] ? sig : bkg).push_back(static_cast<float>(d.s[i]));
    s[static_cast<Eigen::Index>(i)] = d.s[i];
    y[static_cast<Eigen::Index>(i)] = d.y[i];
  }
  const double a = hepad::stats::roc_auc(d.s, d.y);
  CHECK(hepad::stats::roc_auc(s, y) == a);
  const auto r = hepad::stats::roc_curve_sb<float>(sig, bkg);
  CHECK(hepad::stats::auc(r) == doctest::Approx(a).epsilon(1e-6));  // float rounding of scores
}

TEST_CASE("roc_curve rejects bad input with the function and argument named") {
  const std::vector<double> s{0.1, 0.2, 0.3}, w{1, 1, 1};
  const std::vector<int> y{0, 1, 1};
  CHECK_THROWS_WITH_AS(hepad::stats::roc_curve(s, std::vector<int>{0, 1}), doctest::Contains("stats::roc_curve: labels must have size 3"),
                       hepad::invalid_argument);
  CHECK_THROWS_WITH_AS(hepad::stats::roc_curve(s, std::vector<int>{0, 2, 1}), doctest::Contains("labels must be 0 or 1"),
                       hepad::invalid_argument);
  CHECK_THROWS_WITH_AS(hepad::stats::roc_curve(std::vector<double>{0.1, NAN, 0.2}, y),
                       doctest::Contains("scores must be finite"), hepad::invalid_argument);
  CHECK_THROWS_WITH_AS(hepad::stats::roc_curve(s, std::vector<int>{1, 1, 1}),
                       doctest::Contains("positive total weight in both classes"), hepad::invalid_argument);
  CHECK_THROWS_AS(hepad::stats::roc_curve(s, y, std::vector<double>{1, INFINITY, 1}), hepad::invalid_argument);
  CHECK_THROWS_AS(hepad::stats::roc_curve(std::vector<double>{}, std::vector<int>{}), hepad::invalid_argument);
  // a column of a row-major matrix is strided: refused rather than misread
  hepad::matrix<double> m = hepad::matrix<double>::Ones(3, 2);
  CHECK_THROWS_WITH_AS(hepad::stats::roc_curve(m.col(0), y), doctest::Contains("contiguous"), hepad::invalid_argument);
}

TEST_CASE("SIC figures on a hand-made curve") {
  // scores: 3 signal above 1 background above 2 signal ... (unit weights)
  const std::vector<double> s{9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
  const std::vector<int> y{1, 1, 0, 1, 0, 0, 1, 0, 0, 0};
  const auto r = hepad::stats::roc_curve(s, y, {.drop_intermediate = false});
  // 4 signal, 6 background; points (fpr, tpr) after each event
  REQUIRE(r.size() == 11);
  const auto sc = hepad::stats::sic_curve(r);
  REQUIRE(sc.size() == 8);  // points with fpr > 0: after events 3..10
  CHECK(sc.fpr[0] == doctest::Approx(1.0 / 6));
  CHECK(sc.tpr[0] == doctest::Approx(0.5));
  CHECK(sc.sic[0] == doctest::Approx(0.5 / std::sqrt(1.0 / 6)));
  // without a floor the best point is (fpr 1/6, tpr 3/4); fpr > 0.2 leaves (3/6, 1) as the best
  CHECK(hepad::stats::max_sic(r, 0.0).value.value == doctest::Approx(0.75 / std::sqrt(1.0 / 6)));
  const auto m = hepad::stats::max_sic(r, 0.2);
  REQUIRE(m.ok());
  CHECK(m.value.value == doctest::Approx(1.0 / std::sqrt(0.5)));
  CHECK(m.value.threshold == 3);
  CHECK(hepad::stats::max_sic(r, 1.0).status == hepad::status::undefined);
  // rejection 6 = 1/fpr(first point): last point with R >= 6 whose next has R < 6 is that point
  const auto a = hepad::stats::sic_at_rejection(r, 6.0);
  REQUIRE(a.ok());
  CHECK(a.value.fpr == doctest::Approx(1.0 / 6));
  // rejection 4: points have R = 6, 6, 3, ... -> the second point (R=6, next R=3)
  const auto b = hepad::stats::sic_at_rejection(r, 4.0);
  REQUIRE(b.ok());
  CHECK(b.value.tpr == doctest::Approx(0.75));
  CHECK(hepad::stats::sic_at_rejection(r, 7.0).status == hepad::status::undefined);
  CHECK_THROWS_AS(hepad::stats::sic_at_rejection(r, 0.5), hepad::invalid_argument);
  // TPR 0.5 is first reached at (fpr 0, tpr 0.5); tpr 0.625 lies on the vertical (1/6,.5)-(1/6,.75)
  CHECK(hepad::stats::fpr_at_tpr(r, 0.5).value.value == 0.0);
  CHECK(hepad::stats::fpr_at_tpr(r, 0.875).value.value == doctest::Approx(0.5));
  CHECK(hepad::stats::fpr_at_tpr(r, 0.625).value.value == doctest::Approx(1.0 / 6));
  CHECK(hepad::stats::max_sic_min_fpr(200000) == doctest::Approx(3.125e-5));
}

TEST_CASE("interp follows numpy.interp; grids; percentiles follow numpy") {
  using hepad::stats::interp;
  const std::vector<double> xp{0, 0.5, 0.5, 1}, fp{0, 1, 2, 3};
  CHECK(interp(0.5, xp, fp) == 2.0);  // numpy: 2.0 (last of the duplicates)
  CHECK(interp(-1.0, xp, fp) == 0.0);
  CHECK(interp(2.0, xp, fp) == 3.0);
  CHECK(interp(0.25, xp, fp) == doctest::Approx(0.5));
  CHECK(interp(0.0, std::vector<double>{0, 0, 1}, std::vector<double>{5, 6, 7}) == 6.0);  // numpy: 6.0
  const auto g = hepad::stats::log_grid(1e-5, 1.0, 100);
  CHECK(g.size() == 100);
  CHECK(g.front() == 1e-5);
  CHECK(g.back() == 1.0);
  CHECK(g[50] == doctest::Approx(std::pow(10.0, -5.0 + 5.0 * 50 / 99)));
  const std::vector<double> v{3, 1, 4, 1, 5, 9, 2, 6, NAN};
  // numpy.nanpercentile(v, [16, 50, 84]) = [1.12, 3.5, 5.88]
  CHECK(hepad::stats::percentile(v, 50) == doctest::Approx(3.5));
  CHECK(hepad::stats::percentile(v, 16) == doctest::Approx(1.12));
  CHECK(hepad::stats::percentile(v, 84) == doctest::Approx(5.88));
  const auto s = hepad::stats::summarize(v);
  CHECK(s.count == 8);
  CHECK(std::isnan(hepad::stats::percentile(std::vector<double>{NAN}, 50)));
}

TEST_CASE("interpolated curves and bands over runs") {
  std::vector<std::vector<double>> sic_runs;
  hepad::stats::interpolated_curves c0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    lcg r{seed * 7919};
    std::vector<double> s;
    std::vector<int> y;
    for (int i = 0; i < 2000; ++i) {
      const int lab = r.uniform() < 0.3;
      s.push_back(lab + 1.2 * r.uniform());
      y.push_back(lab);
    }
    const auto roc = hepad::stats::roc_curve(s, y);
    const auto c = hepad::stats::interpolate_curves(roc);
    REQUIRE(c.sic.size() == 100);
    REQUIRE(c.roc_tpr.size() == 100);
    CHECK(c.roc_tpr.back() == 1.0);
    // SIC(TPR = 1) = 1 / sqrt(FPR at the first point reaching TPR = 1)
    sic_runs.push_back(c.sic);
    if (seed == 1) c0 = c;
  }
  const auto b = hepad::stats::band_over_runs(c0.tpr_grid, sic_runs);
  for (std::size_t i = 0; i < b.x.size(); ++i) {
    CHECK(b.lo[i] <= b.median[i]);
    CHECK(b.median[i] <= b.hi[i]);
    CHECK(b.count[i] == 5);
  }
}

TEST_CASE("metric policies model hepad::metric and agree with the free functions") {
  static_assert(hepad::metric<hepad::stats::roc_auc_metric, double>);
  static_assert(hepad::named_metric<hepad::stats::max_sic_metric, double>);
  static_assert(hepad::metric<hepad::stats::sic_at_rejection_metric, float>);
  static_assert(hepad::metric<hepad::stats::fpr_at_tpr_metric, double>);
  const data d = make("large");
  Eigen::VectorXd s = Eigen::Map<const Eigen::VectorXd>(d.s.data(), static_cast<Eigen::Index>(d.s.size()));
  Eigen::VectorXd w = Eigen::Map<const Eigen::VectorXd>(d.w.data(), static_cast<Eigen::Index>(d.w.size()));
  hepad::label_vector y = Eigen::Map<const hepad::label_vector>(d.y.data(), static_cast<Eigen::Index>(d.y.size()));
  const auto r = hepad::stats::roc_curve(d.s, d.y, d.w);
  CHECK(hepad::stats::roc_auc_metric{}.evaluate(s, y, w).value == hepad::stats::auc(r));
  const auto ms = hepad::stats::max_sic_metric{}.evaluate(s, y, w);
  CHECK(ms.value == hepad::stats::max_sic(r, 1.0 / (0.16 * r.background_total)).value.value);
  const auto und = hepad::stats::sic_at_rejection_metric{.rejection = 1e6}.evaluate(s, y, w);
  CHECK(und.status == hepad::status::undefined);
  CHECK(hepad::stats::fpr_at_tpr_metric{}.evaluate(s, y, hepad::vector<double>{}).ok());
}

TEST_CASE("weighted KS: unit weights equal scipy's ks_2samp (asymptotic); Kolmogorov's distribution") {
  const auto fx = read_fixture();
  for (const std::string c : {"plain", "ties"}) {
    CAPTURE(c);
    const data d = make(c);
    std::vector<double> a, b;
    for (std::size_t i = 0; i < d.s.size(); ++i) (d.y[i] ? b : a).push_back(d.s[i]);
    const auto r = hepad::stats::ks_weighted(a, {}, b, {});
    CHECK(r.statistic == doctest::Approx(fx.at(c).at("ks_d")[0]).epsilon(1e-14));
    CHECK(r.p_value == doctest::Approx(fx.at(c).at("ks_p")[0]).epsilon(1e-9));
  }
  const auto& k = fx.at("kolmogorov");
  for (std::size_t i = 0; i < k.at("lambda").size(); ++i)
    CHECK(hepad::stats::kolmogorov_sf(k.at("lambda")[i]) == doctest::Approx(k.at("sf")[i]).epsilon(1e-10));
  // weights: doubling every weight of one sample changes nothing; integer weights = repeated events
  std::vector<double> x1{0.1, 0.5, 0.9, 1.3}, w1{2, 1, 1, 3}, x2{0.2, 0.6, 1.0, 1.1, 1.4}, w2(5, 1.0);
  std::vector<double> rep;
  for (std::size_t i = 0; i < x1.size(); ++i)
    for (int j = 0; j < static_cast<int>(w1[i]); ++j) rep.push_back(x1[i]);
  const auto rw = hepad::stats::ks_weighted(x1, w1, x2, w2);
  CHECK(rw.statistic == doctest::Approx(hepad::stats::ks_weighted(rep, {}, x2, {}).statistic).epsilon(1e-15));
  std::vector<double> w1d = w1;
  for (auto& v : w1d) v *= 2;
  CHECK(hepad::stats::ks_weighted(x1, w1d, x2, w2).statistic == doctest::Approx(rw.statistic).epsilon(1e-15));
  CHECK_THROWS_AS(hepad::stats::ks_weighted(x1, std::vector<double>{1, 1}, x2, w2), hepad::invalid_argument);
}

TEST_CASE("chi2 between weighted histograms: formula, invariance, distribution under H0; Boost.Histogram helpers") {
  // hand example: W1 = 10, W2 = 20
  const std::vector<double> w1{4, 6}, s1{4, 6}, w2{10, 10}, s2{10, 10};
  const double want = std::pow(10 * 10 - 20 * 4, 2) / (100 * 10 + 400 * 4) + std::pow(10 * 10 - 20 * 6, 2) / (100 * 10 + 400 * 6);
  const auto r = hepad::stats::chi2_weighted(w1, s1, w2, s2);
  CHECK(r.statistic == doctest::Approx(want).epsilon(1e-14));
  CHECK(r.ndf == 1);
  CHECK(r.p_value == doctest::Approx(hepad::stats::chi2_sf(want, 1)).epsilon(1e-12));
  // scaling one histogram's weights (w by c, w^2 by c^2) leaves chi2 unchanged
  std::vector<double> w3{12, 18}, s3{36, 54};
  CHECK(hepad::stats::chi2_weighted(w3, s3, w2, s2).statistic == doctest::Approx(want).epsilon(1e-13));
  // under H0 with weighted events the statistic follows chi2_ndf: mean ndf, variance 2 ndf
  hepad::rng rr(99);
  const int n_exp = 400, bins = 10;
  double sum = 0, sum2 = 0;
  for (int e = 0; e < n_exp; ++e) {
    auto h1 = hepad::stats::make_weighted_histogram(bins, 0.0, 1.0), h2 = hepad::stats::make_weighted_histogram(bins, 0.0, 1.0);
    std::vector<double> xa, wa, xb;
    for (int i = 0; i < 3000; ++i) {
      xa.push_back(rr.uniform());
      wa.push_back(0.5 + rr.uniform());  // weighted sample
    }
    for (int i = 0; i < 2000; ++i) xb.push_back(rr.uniform());
    hepad::stats::fill_weighted(h1, xa, wa);
    hepad::stats::fill_weighted(h2, xb);
    const auto t = hepad::stats::chi2_weighted(h1, h2);
    REQUIRE(t.ndf == bins - 1);
    sum += t.statistic;
    sum2 += t.statistic * t.statistic;
  }
  const double mean = sum / n_exp, var = sum2 / n_exp - mean * mean;
  CHECK(std::abs(mean - (bins - 1)) < 4 * std::sqrt(2.0 * (bins - 1) / n_exp));
  CHECK(std::abs(var - 2 * (bins - 1)) < 6 * 2 * (bins - 1) * std::sqrt(2.0 / n_exp));
  // histogram arrays
  auto h = hepad::stats::make_weighted_histogram(4, 0.0, 2.0);
  hepad::stats::fill_weighted(h, std::vector<double>{0.1, 0.2, 1.7, 5.0}, std::vector<double>{1.0, -0.5, 2.0, 9.0});
  const auto a = hepad::stats::to_arrays(h);
  CHECK(a.edges == std::vector<double>{0.0, 0.5, 1.0, 1.5, 2.0});
  CHECK(a.sum_w == std::vector<double>{0.5, 0.0, 0.0, 2.0});
  CHECK(a.sum_w2 == std::vector<double>{1.25, 0.0, 0.0, 4.0});
  CHECK(a.total() == 2.5);  // the overflow event is not in range
  CHECK(a.normalized().sum_w[3] == doctest::Approx(0.8));
}

namespace {
// The smallest weighted classifier: projection on the difference of the weighted class means.
struct mean_difference {
  Eigen::RowVectorXd dir;
  void fit(hepad::matrix_cref<double> x, hepad::label_cref y, hepad::vector_cref<double> w) {
    Eigen::RowVectorXd m0 = Eigen::RowVectorXd::Zero(x.cols()), m1 = m0;
    double s0 = 0, s1 = 0;
    for (Eigen::Index i = 0; i < x.rows(); ++i) (y[i] ? m1 : m0) += w[i] * x.row(i), (y[i] ? s1 : s0) += w[i];
    dir = m1 / s1 - m0 / s0;
  }
  void fit(hepad::matrix_cref<double> x, hepad::label_cref y) { fit(x, y, hepad::vector<double>::Ones(x.rows())); }
  hepad::vector<double> predict_score(hepad::matrix_cref<double> x) const { return x * dir.transpose(); }
};
}  // namespace

TEST_CASE("classifier two-sample test and the Gaussian closed-form optimum") {
  static_assert(hepad::weighted_classifier<mean_difference, double>);
  hepad::rng r(4);
  const int n = 3000;
  hepad::matrix<double> a(n, 2), b(n, 2), c(n, 2);
  for (int i = 0; i < n; ++i) {
    a(i, 0) = r.normal(), a(i, 1) = r.normal();
    b(i, 0) = r.normal(), b(i, 1) = r.normal();
    c(i, 0) = r.normal() + 0.6, c(i, 1) = r.normal();  // shifted by delta = 0.6 along x
  }
  const hepad::vector<double> w = hepad::vector<double>::Ones(n);
  const auto same = hepad::stats::classifier_two_sample_test([] { return mean_difference{}; }, a, w, b, w, hepad::rng(1), {.runs = 8});
  REQUIRE(same.auc.size() == 8);
  // AUC of a random scorer on 2n events: sd sqrt((2n+1)/(12 n^2)) ~ 0.0075; folded to >= 0.5
  CHECK(same.spread.median - 0.5 < 3 * 0.0075);
  const auto diff = hepad::stats::classifier_two_sample_test([] { return mean_difference{}; }, a, w, c, w, hepad::rng(2), {.runs = 4});
  CHECK(std::abs(diff.spread.median - hepad::stats::gaussian_optimal_auc(0.6)) < 4 * 0.0075);

  // the optimal ROC from the true log likelihood ratio vs the closed form (delta = 1.5)
  const double delta = 1.5;
  std::vector<double> lr;
  std::vector<int> y;
  for (int i = 0; i < 20000; ++i) {
    const int lab = i % 2;
    const double x = r.normal() + lab * delta;
    lr.push_back(delta * x - 0.5 * delta * delta);  // ln N(x; delta, 1) - ln N(x; 0, 1)
    y.push_back(lab);
  }
  const auto roc = hepad::stats::optimal_roc(lr, y);
  CHECK(std::abs(hepad::stats::auc(roc) - hepad::stats::gaussian_optimal_auc(delta)) < 4 * 0.0025);
  for (double f : {0.01, 0.1, 0.5}) {
    const double t = hepad::stats::interp(f, roc.fpr, roc.tpr), want = hepad::stats::gaussian_optimal_tpr(f, delta);
    CHECK(std::abs(t - want) < 4 * std::sqrt(want * (1 - want) / 10000) + 0.005);
  }
  CHECK(hepad::stats::gaussian_optimal_sic(0.01, delta) == doctest::Approx(hepad::stats::gaussian_optimal_tpr(0.01, delta) / 0.1));
}
