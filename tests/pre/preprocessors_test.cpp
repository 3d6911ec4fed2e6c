// SPDX-License-Identifier: BSL-1.0
// Preprocessors: concepts, inverse(transform(x)) == x, log|det J| against finite differences,
// weighted fits (negative weights), min-max without clipping, whitening, compile-time chains,
// table stages in static and runtime pipelines, saving fitted state.
#include <doctest/doctest.h>

#include <hepad/config/fields.hpp>
#include <hepad/core/concepts/preprocessor.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/random.hpp>
#include <hepad/data/table.hpp>
#include <hepad/pipeline/pipeline.hpp>
#include <hepad/pipeline/registry.hpp>
#include <hepad/pre/chain.hpp>
#include <hepad/pre/log.hpp>
#include <hepad/pre/logit.hpp>
#include <hepad/pre/minmax.hpp>
#include <hepad/pre/on.hpp>
#include <hepad/pre/sin_cos.hpp>
#include <hepad/pre/standardize.hpp>
#include <hepad/pre/whiten.hpp>

#include <Eigen/LU>

#include <cmath>
#include <numbers>
#include <string>
#include <variant>

namespace {
using hepad::matrix;
using hepad::vector;
namespace pre = hepad::pre;

template <class P, class S>
constexpr bool full_model = hepad::preprocessor<P, S> && hepad::weighted_preprocessor<P, S> &&
                            hepad::invertible_preprocessor<P, S>;
static_assert(full_model<pre::minmax, float> && full_model<pre::minmax, double>);
static_assert(full_model<pre::standardize, float> && full_model<pre::standardize, double>);
static_assert(full_model<pre::logit, float> && full_model<pre::log_transform, double>);
static_assert(full_model<pre::sin_cos, float> && full_model<pre::whiten, double>);
static_assert(full_model<pre::identity, float>);
using s0_like = pre::chain<pre::log_transform, pre::minmax, pre::logit, pre::whiten>;
static_assert(full_model<s0_like, float> && full_model<s0_like, double>);
static_assert(hepad::stateless_preprocessor<pre::logit> && hepad::stateless_preprocessor<pre::sin_cos>);
static_assert(!hepad::stateless_preprocessor<pre::standardize>);
static_assert(hepad::stateless_preprocessor<pre::chain<pre::logit, pre::log_transform>>);
static_assert(!hepad::stateless_preprocessor<s0_like>);
static_assert(hepad::fittable_stage<pre::standardize, hepad::data::table<float>&&>);
static_assert(hepad::fittable_stage<s0_like, hepad::data::table<double>&&>);
static_assert(hepad::fittable_stage<pre::on<pre::minmax>, hepad::data::table<double>&&>);

// Correlated positive sample in (0, 1) x (0, inf) x R with some structure.
template <class S>
matrix<S> sample(std::int64_t n, std::uint64_t seed) {
  hepad::rng r(seed);
  matrix<S> x(n, 3);
  for (std::int64_t i = 0; i < n; ++i) {
    const double z = r.normal();
    x(i, 0) = static_cast<S>(1.0 / (1.0 + std::exp(-(0.5 * z + 0.3 * r.normal()))));
    x(i, 1) = static_cast<S>(std::exp(1.0 + 0.4 * z + 0.2 * r.normal()));
    x(i, 2) = static_cast<S>(2.0 * z + r.normal());
  }
  return x;
}

// Numerical log|det J| (or log sqrt(det J^T J) for non-square maps) of p.transform at row x0,
// by central differences in double.
template <class P>
double numeric_log_det(const P& p, const matrix<double>& x0) {
  const auto d = x0.cols();
  const matrix<double> y0 = p.transform(x0);
  matrix<double> J(y0.cols(), d);
  for (Eigen::Index k = 0; k < d; ++k) {
    const double h = 1e-6 * (std::max)(1.0, std::abs(x0(0, k)));
    matrix<double> xp = x0, xm = x0;
    xp(0, k) += h;
    xm(0, k) -= h;
    J.col(k) = ((p.transform(xp) - p.transform(xm)) / (2.0 * h)).transpose();
  }
  if (J.rows() == J.cols()) return std::log(std::abs(J.determinant()));
  return 0.5 * std::log((J.transpose() * J).determinant());
}

// Fits p on x (double), then checks for 50 rows: analytic log|det J| vs finite differences. The
// central-difference error is O(h^2 f''') ~ 1e-10 relative for these smooth maps; 1e-6 absolute
// leaves room for the cancellation error eps/h ~ 1e-10 of each Jacobian entry.
template <class P>
void check_jacobian(P p, const matrix<double>& x) {
  p.fit(x);
  const vector<double> ldj = p.log_abs_det_jacobian(x);
  for (Eigen::Index i = 0; i < 50; ++i) {
    const matrix<double> row = x.row(i);
    CHECK(ldj(i) == doctest::Approx(numeric_log_det(p, row)).epsilon(1e-6).scale(1.0));
  }
}

// inverse(transform(x)) == x: relative 1e-6 for float (a few ulps of the float output through one
// forward and one inverse map computed in double), 1e-12 for double.
template <class S, class P>
void check_round_trip(P p, const matrix<S>& x) {
  p.fit(x);
  const matrix<S> y = p.transform(x);
  const matrix<S> back = p.inverse_transform(y);
  REQUIRE(back.rows() == x.rows());
  REQUIRE(back.cols() == x.cols());
  const double tol = std::is_same_v<S, float> ? 1e-6 : 1e-12;
  double worst = 0.0;
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    for (Eigen::Index j = 0; j < x.cols(); ++j)
      worst = (std::max)(worst, std::abs(static_cast<double>(back(i, j) - x(i, j))) /
                                    (std::max)(1.0, std::abs(static_cast<double>(x(i, j)))));
  CHECK(worst <= tol);
}
}  // namespace

TEST_CASE_TEMPLATE("preprocessors: inverse(transform(x)) == x", S, float, double) {
  const auto x = sample<S>(2000, 1);
  check_round_trip<S>(pre::minmax{.lo = -2.5, .hi = 2.5}, x);
  check_round_trip<S>(pre::standardize{}, x);
  check_round_trip<S>(pre::logit{.margin = 1e-3, .columns = {0}}, x);
  check_round_trip<S>(pre::log_transform{.columns = {1}}, x);
  // (An offset much larger than |x| would make x = exp(y) - offset lose digits to cancellation in
  // float: that is the conditioning of the representation, not the implementation.)
  check_round_trip<S>(pre::log_transform{.offset = 1.0, .columns = {1}}, x);
  for (auto m : {pre::whiten_method::zca, pre::whiten_method::pca, pre::whiten_method::cholesky})
    check_round_trip<S>(pre::whiten{.method = m}, x);
  check_round_trip<S>(pre::make_chain(pre::log_transform{.columns = {1}}, pre::minmax{.lo = 0.0, .hi = 1.0},
                                      pre::logit{.margin = 1e-2}, pre::standardize{}),
                      x);
  // Angles in (-pi, pi).
  matrix<S> phi = x;
  phi.col(2) = (phi.col(2).array() / S(4)).tanh() * S(3.1);
  check_round_trip<S>(pre::sin_cos{.columns = {2}}, phi);
}

TEST_CASE("preprocessors: log|det J| matches finite differences") {
  const auto x = sample<double>(500, 2);
  check_jacobian(pre::minmax{.lo = -2.5, .hi = 2.5}, x);
  check_jacobian(pre::minmax{.columns = {0, 2}}, x);
  check_jacobian(pre::standardize{}, x);
  check_jacobian(pre::standardize{.with_mean = false}, x);
  check_jacobian(pre::logit{.columns = {0}}, x);
  check_jacobian(pre::logit{.margin = 0.05, .columns = {0}}, x);
  check_jacobian(pre::log_transform{.columns = {1}}, x);
  check_jacobian(pre::whiten{}, x);
  check_jacobian(pre::whiten{.method = pre::whiten_method::pca}, x);
  check_jacobian(pre::whiten{.method = pre::whiten_method::cholesky, .epsilon = 0.1}, x);
  check_jacobian(pre::make_chain(pre::log_transform{.columns = {1}}, pre::minmax{.lo = 0.0, .hi = 1.0},
                                 pre::logit{.margin = 1e-2}, pre::whiten{}),
                 x);
  // Non-square: the angle embedding's volume factor sqrt(det J^T J) = 1.
  matrix<double> phi = x;
  phi.col(2) = (phi.col(2).array() / 4.0).tanh() * 3.1;
  check_jacobian(pre::sin_cos{.columns = {2}}, phi);
  check_jacobian(pre::make_chain(pre::standardize{}, pre::sin_cos{.columns = {2}}), phi);
  // An embedding followed by a non-isometric map has no per-step log-Jacobian sum.
  auto bad = pre::make_chain(pre::sin_cos{.columns = {2}}, pre::standardize{});
  bad.fit(phi);
  CHECK_THROWS_AS((void)bad.log_abs_det_jacobian(phi), hepad::not_supported);
}

TEST_CASE("minmax (S0): maps the MC range onto (-2.5, 2.5) and does not clip other samples") {
  const auto mc = sample<double>(1000, 3);
  pre::minmax s{.lo = -2.5, .hi = 2.5};
  s.fit(mc);
  const matrix<double> y = s.transform(mc);
  for (Eigen::Index j = 0; j < 3; ++j) {
    CHECK(y.col(j).minCoeff() == doctest::Approx(-2.5).epsilon(1e-14));
    CHECK(y.col(j).maxCoeff() == doctest::Approx(2.5).epsilon(1e-14));
  }
  matrix<double> outside = mc.topRows(2);
  outside(0, 1) = mc.col(1).maxCoeff() * 3.0;  // e.g. a signal m_jj far above the MC range
  const matrix<double> yo = s.transform(outside);
  const double expect = -2.5 + 5.0 * (outside(0, 1) - mc.col(1).minCoeff()) / (mc.col(1).maxCoeff() - mc.col(1).minCoeff());
  CHECK(yo(0, 1) == doctest::Approx(expect).epsilon(1e-14));
  CHECK(yo(0, 1) > 2.5);
  CHECK_THROWS_AS((void)pre::minmax{}.transform(mc), hepad::invalid_argument);  // not fitted
  CHECK_THROWS_AS((void)s.transform(mc.leftCols(2)), hepad::invalid_argument);  // width differs
  pre::minmax bad{.lo = 1.0, .hi = 1.0};
  CHECK_THROWS_AS(bad.fit(mc), hepad::invalid_argument);
}

TEST_CASE("weighted fits: integer weights equal replication, +w and -w copies cancel, W <= 0 is rejected") {
  const auto x = sample<double>(300, 4);
  hepad::rng r(8);
  vector<double> w(300);
  std::vector<std::int64_t> rows;
  for (Eigen::Index i = 0; i < 300; ++i) {
    const auto k = static_cast<int>(r.uniform_int(4));
    w(i) = k;
    for (int c = 0; c < k; ++c) rows.push_back(i);
  }
  matrix<double> rep(static_cast<Eigen::Index>(rows.size()), 3);
  for (std::size_t i = 0; i < rows.size(); ++i) rep.row(static_cast<Eigen::Index>(i)) = x.row(rows[i]);
  pre::standardize a, b;
  a.fit(x, w);
  b.fit(rep);
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(a.mean[j] == doctest::Approx(b.mean[j]).epsilon(1e-12));
    CHECK(a.sd[j] == doctest::Approx(b.sd[j]).epsilon(1e-12));
  }
  pre::whiten wa, wb;
  wa.fit(x, w);
  wb.fit(rep);
  for (std::size_t k = 0; k < wa.w.size(); ++k) CHECK(wa.w[k] == doctest::Approx(wb.w[k]).epsilon(1e-9));
  // Negative weights: appending events with +1 and the same events with -1 changes nothing,
  // because the weighted moments are those of the signed measure (NLO-style cancellation).
  const auto extra = sample<double>(100, 5);
  matrix<double> xx(500, 3);
  xx << x, extra, extra;
  vector<double> ww(500);
  ww << vector<double>::Ones(300), vector<double>::Constant(100, 1.0), vector<double>::Constant(100, -1.0);
  pre::standardize c, d;
  c.fit(xx, ww);
  d.fit(x);
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(c.mean[j] == doctest::Approx(d.mean[j]).epsilon(1e-12));
    CHECK(c.sd[j] == doctest::Approx(d.sd[j]).epsilon(1e-12));
  }
  // Weighted whitening gives unit weighted covariance.
  pre::whiten wc;
  wc.fit(xx, ww);
  const matrix<double> y = wc.transform(xx);
  const vector<double> mu = (ww.asDiagonal() * y).colwise().sum().transpose() / ww.sum();
  const matrix<double> yc = y.rowwise() - mu.transpose();
  const matrix<double> cov = yc.transpose() * ww.asDiagonal() * yc / ww.sum();
  CHECK((cov - matrix<double>::Identity(3, 3)).cwiseAbs().maxCoeff() < 1e-10);
  CHECK(mu.cwiseAbs().maxCoeff() < 1e-10);
  // A non-positive total weight is an error that says so.
  pre::standardize e;
  try {
    e.fit(x, vector<double>::Constant(300, -1.0));
    FAIL("no throw");
  } catch (const hepad::invalid_argument& ex) {
    CHECK(std::string(ex.what()).find("total weight must be positive") != std::string::npos);
  }
  CHECK_THROWS_AS(e.fit(x, vector<double>::Ones(5)), hepad::invalid_argument);
}

TEST_CASE("whiten: identity covariance for every method, PCA by decreasing variance, Cholesky triangular") {
  const auto x = sample<double>(3000, 6);
  for (auto m : {pre::whiten_method::zca, pre::whiten_method::pca, pre::whiten_method::cholesky}) {
    pre::whiten w{.method = m};
    w.fit(x);
    const matrix<double> y = w.transform(x);
    const matrix<double> yc = y.rowwise() - y.colwise().mean();
    const matrix<double> cov = yc.transpose() * yc / static_cast<double>(y.rows());
    CHECK((cov - matrix<double>::Identity(3, 3)).cwiseAbs().maxCoeff() < 1e-10);
  }
  pre::whiten c{.method = pre::whiten_method::cholesky};
  c.fit(x);
  CHECK(c.w[1] == 0.0);  // W(0, 1)
  CHECK(c.w[2] == 0.0);  // W(0, 2)
  matrix<double> dup(10, 2);
  dup.col(0).setLinSpaced(10, 0.0, 1.0);
  dup.col(1) = dup.col(0);
  pre::whiten singular;
  CHECK_THROWS_AS(singular.fit(dup), hepad::invalid_argument);
}

TEST_CASE("domain errors name the row and the column") {
  matrix<double> x(3, 2);
  x << 0.5, 1.0, 0.2, 2.0, 1.5, 3.0;
  try {
    (void)pre::logit{.columns = {0}}.transform(x);
    FAIL("no throw");
  } catch (const hepad::invalid_argument& e) {
    CHECK(std::string(e.what()).find("at row 2, column 0") != std::string::npos);
  }
  CHECK_THROWS_AS((void)pre::log_transform{.offset = -1.5}.transform(x), hepad::invalid_argument);
  CHECK_THROWS_AS((void)pre::logit{.margin = 0.5}.transform(x), hepad::invalid_argument);
  CHECK_THROWS_AS((void)pre::standardize{.columns = {5}}.fit(x), hepad::out_of_range);
}

TEST_CASE("chain: fit equals fitting the steps one after the other") {
  const auto x = sample<double>(400, 7);
  auto ch = pre::make_chain(pre::log_transform{.columns = {1}}, pre::standardize{});
  ch.fit(x);
  pre::standardize st;
  st.fit(pre::log_transform{.columns = {1}}.transform(x));
  CHECK(ch.get<1>().mean == st.mean);
  CHECK(ch.get<1>().sd == st.sd);
  CHECK(ch.fitted());
  const std::vector<std::string> in{"tau", "phi"};
  CHECK(pre::make_chain(pre::sin_cos{.columns = {1}}, pre::standardize{}).output_names(in) ==
        std::vector<std::string>{"tau", "phi_cos", "phi_sin"});
}

TEST_CASE("preprocessors as table stages: static and runtime pipelines agree, sin_cos renames columns") {
  using hepad::data::table;
  const matrix<double> x = sample<double>(500, 9);
  table<double> t({"c", "m", "z"}, x);
  t.set_context(0, 1).set_features(1, 2);
  hepad::rng r(1);
  auto p = hepad::make_pipeline(pre::log_transform{.columns = {0}}, pre::standardize{});
  const auto fitted = p.fit(t, r);
  CHECK(fitted.context() == t.context());  // context untouched
  CHECK(fitted.features().col(0).mean() == doctest::Approx(0.0).scale(1.0).epsilon(1e-12));
  const auto applied = p.run(t, r);
  CHECK(applied == fitted);

  using payload = std::variant<table<double>>;
  using reg = hepad::registry<pre::log_transform, pre::standardize, pre::minmax, pre::logit>;
  hepad::config::value spec(hepad::config::value::array{
      hepad::config::value(hepad::config::value::object{{"stage", hepad::config::value("log")},
                                                        {"columns", hepad::config::value(hepad::config::value::array{
                                                                        hepad::config::value(0.0)})}}),
      hepad::config::value(hepad::config::value::object{{"stage", hepad::config::value("standardize")}})});
  auto rp = reg::build<payload>(spec);
  const auto out = std::get<table<double>>(rp.fit(payload(t), r));
  CHECK(out == fitted);

  // sin_cos changes the feature count; the table is rebuilt with renamed columns, context kept.
  table<double> a({"phi", "c", "pt"}, x);
  a.mutable_values().col(0) = (x.col(2).array() / 4.0).tanh() * 3.0;
  a.set_features(0, 1).set_context(1, 2);
  const auto b = pre::sin_cos{}.run(a);
  CHECK(b.column_names() == std::vector<std::string>{"phi_cos", "phi_sin", "c", "pt"});
  CHECK(b.n_features() == 2);
  CHECK(b.context_names()[0] == "c");
  CHECK(b.column("phi_sin")(3) == doctest::Approx(std::sin(a.column("phi")(3))));

  // pre::on: S0-style scaling of all columns fitted on one sample, applied to another.
  pre::on<pre::minmax> scale{.pre = {.lo = -2.5, .hi = 2.5}, .block = pre::block::all};
  const auto ts = scale.fit(t);
  CHECK(ts.values().minCoeff() == doctest::Approx(-2.5));
  CHECK(ts.values().maxCoeff() == doctest::Approx(2.5));
  CHECK(scale.run(t) == ts);
}

TEST_CASE("fitted state round-trips through config values") {
  const auto x = sample<double>(200, 10);
  pre::standardize s;
  s.fit(x);
  const auto v = hepad::config::to_value(s);
  const auto s2 = hepad::config::from_value<pre::standardize>(v);
  CHECK(s2.transform(x) == s.transform(x));
  pre::whiten w{.method = pre::whiten_method::pca};
  w.fit(x);
  const auto w2 = hepad::config::from_value<pre::whiten>(hepad::config::to_value(w));
  CHECK(w2.transform(x) == w.transform(x));
}
