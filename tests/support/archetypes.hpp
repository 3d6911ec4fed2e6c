// SPDX-License-Identifier: BSL-1.0
// Archetypes: the smallest types that model each concept, with nothing extra. Generic algorithms
// are instantiated on them in the tests, which proves they use only what the concept promises.
#ifndef HEPAD_TESTS_SUPPORT_ARCHETYPES_HPP
#define HEPAD_TESTS_SUPPORT_ARCHETYPES_HPP

#include <hepad/core/concepts.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>

namespace hepad_test::archetype {

/// dataset (+ labeled, weighted, conditional, sliceable).
template <class S>
struct dataset {
  using scalar_type = S;
  hepad::matrix<S> x, c;
  hepad::label_vector y;
  hepad::vector<S> w;
  std::int64_t size() const { return x.rows(); }
  std::int64_t n_features() const { return x.cols(); }
  hepad::matrix_cref<S> features() const { return x; }
  hepad::label_cref labels() const { return y; }
  hepad::vector_cref<S> weights() const { return w; }
  hepad::matrix_cref<S> context() const { return c; }
  dataset select(std::span<const std::int64_t> rows) const {
    dataset d;
    d.x.resize(static_cast<hepad::index_t>(rows.size()), x.cols());
    for (std::size_t i = 0; i < rows.size(); ++i) d.x.row(static_cast<hepad::index_t>(i)) = x.row(rows[i]);
    return d;
  }
  dataset(const dataset&) = default;
  dataset() = default;
  dataset& operator=(const dataset&) = delete;  // algorithms must not need assignment
};

/// invertible, weighted preprocessor.
template <class S>
struct preprocessor {
  void fit(hepad::matrix_cref<S>) {}
  void fit(hepad::matrix_cref<S>, hepad::vector_cref<S>) {}
  hepad::matrix<S> transform(hepad::matrix_cref<S> x) const { return x; }
  hepad::matrix<S> inverse_transform(hepad::matrix_cref<S> x) const { return x; }
  hepad::vector<S> log_abs_det_jacobian(hepad::matrix_cref<S> x) const {
    return hepad::vector<S>::Zero(x.rows());
  }
};

/// sampleable, weighted density estimator that needs a generator to fit.
template <class S>
struct density {
  void fit(hepad::matrix_cref<S>, hepad::rng&) {}
  void fit(hepad::matrix_cref<S>, hepad::vector_cref<S>, hepad::rng&) {}
  hepad::vector<S> log_prob(hepad::matrix_cref<S> x) const { return hepad::vector<S>::Zero(x.rows()); }
  std::int64_t n_features() const { return 1; }
  hepad::matrix<S> sample(std::int64_t n, hepad::rng&) const { return hepad::matrix<S>::Zero(n, 1); }
};

/// conditional density.
template <class S>
struct conditional_density {
  void fit(hepad::matrix_cref<S>, hepad::matrix_cref<S>) {}
  hepad::vector<S> log_prob(hepad::matrix_cref<S> x, hepad::matrix_cref<S>) const {
    return hepad::vector<S>::Zero(x.rows());
  }
  hepad::matrix<S> sample(hepad::matrix_cref<S> c, hepad::rng&) const {
    return hepad::matrix<S>::Zero(c.rows(), 1);
  }
  std::int64_t n_features() const { return 1; }
  std::int64_t n_context() const { return 1; }
};

/// (conditional) bijector.
template <class S>
struct bijector {
  hepad::transform_result<S> forward(hepad::matrix_cref<S> x) const {
    return {x, hepad::vector<S>::Zero(x.rows())};
  }
  hepad::transform_result<S> inverse(hepad::matrix_cref<S> x) const {
    return {x, hepad::vector<S>::Zero(x.rows())};
  }
  hepad::transform_result<S> forward(hepad::matrix_cref<S> x, hepad::matrix_cref<S>) const { return forward(x); }
  hepad::transform_result<S> inverse(hepad::matrix_cref<S> x, hepad::matrix_cref<S>) const { return inverse(x); }
};

/// weighted, probabilistic classifier.
template <class S>
struct classifier {
  void fit(hepad::matrix_cref<S>, hepad::label_cref, hepad::rng&) {}
  void fit(hepad::matrix_cref<S>, hepad::label_cref, hepad::vector_cref<S>, hepad::rng&) {}
  hepad::vector<S> predict_score(hepad::matrix_cref<S> x) const { return hepad::vector<S>::Zero(x.rows()); }
  hepad::vector<S> predict_proba(hepad::matrix_cref<S> x) const {
    return hepad::vector<S>::Constant(x.rows(), S(0.5));
  }
  hepad::vector<S> predict_logit(hepad::matrix_cref<S> x) const { return hepad::vector<S>::Zero(x.rows()); }
};

/// A payload type that is movable only.
struct payload {
  int value = 0;
  payload() = default;
  explicit payload(int v) : value(v) {}
  payload(payload&&) = default;
  payload& operator=(payload&&) = default;
  payload(const payload&) = delete;
};

/// A named, fittable stage over `payload`.
struct stage {
  static constexpr std::string_view name = "archetype_stage";
  payload run(payload&& p) { return payload(p.value + 1); }
  payload fit(payload&& p, hepad::rng&) { return payload(p.value + 2); }
};

// ---- statistics: objective, likelihood_model (+ has_poi, differentiable, sampleable),
// test_statistic (+ asymptotic), metric. Each provides exactly the valid expressions of its
// concept; the ones algorithms only read are neither copyable nor movable.

/// objective (plain: no gradient): the correlated quadratic
/// f(p) = (p0 - 1)^2 + (p0 - 1)(p1 + 2) + 2 (p1 + 2)^2 + 3,
/// minimum 3 at (1, -2), Hessian [[2, 1], [1, 4]].
struct objective {
  double evaluate(std::span<const double> p) const {
    const double a = p[0] - 1.0, b = p[1] + 2.0;
    return a * a + a * b + 2.0 * b * b + 3.0;
  }
  objective() = default;
  objective(const objective&) = delete;
  objective& operator=(const objective&) = delete;
};

/// likelihood_model (no POI, no gradient): two unit-width Gaussian measurements, x of mu + nu
/// (signal region) and y of nu (control region), with parameters theta = (mu, nu), unbounded:
/// -ln L = ((x - mu - nu)^2 + (y - nu)^2) / 2.
class likelihood {
 public:
  likelihood(double x, double y) : x_(x), y_(y) {}
  likelihood(const likelihood&) = delete;
  likelihood& operator=(const likelihood&) = delete;
  double nll(std::span<const double> t) const {
    const double a = x_ - t[0] - t[1], b = y_ - t[1];
    return 0.5 * (a * a + b * b);
  }
  std::size_t n_parameters() const { return 2; }
  std::span<const std::string> parameter_names() const { return names_; }
  std::span<const hepad::parameter_bounds> bounds() const { return bounds_; }

 protected:
  double x_, y_;

 private:
  std::array<std::string, 2> names_{"mu", "nu"};
  std::array<hepad::parameter_bounds, 2> bounds_{
      {{-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()},
       {-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()}}};
};

/// has_poi: `likelihood` with mu (index 0) as the parameter of interest.
struct poi_likelihood : likelihood {
  using likelihood::likelihood;
  std::size_t poi() const { return 0; }
};

/// differentiable_likelihood with a POI: `poi_likelihood` plus its exact gradient
/// d/dmu = -(x - mu - nu), d/dnu = -(x - mu - nu) - (y - nu).
struct differentiable_likelihood : poi_likelihood {
  using poi_likelihood::poi_likelihood;
  double nll_gradient(std::span<const double> t, std::span<double> g) const {
    const double a = x_ - t[0] - t[1], b = y_ - t[1];
    g[0] = -a;
    g[1] = -a - b;
    return 0.5 * (a * a + b * b);
  }
};

/// sampleable_likelihood: one unit-width Gaussian measurement x of theta,
/// -ln L = (x - theta)^2 / 2; `sample(t, r)` is a copy with x ~ N(t[0], 1).
class sampleable_likelihood {
 public:
  explicit sampleable_likelihood(double x) : x_(x) {}
  double nll(std::span<const double> t) const { return 0.5 * (x_ - t[0]) * (x_ - t[0]); }
  std::size_t n_parameters() const { return 1; }
  std::span<const std::string> parameter_names() const { return names_; }
  std::span<const hepad::parameter_bounds> bounds() const { return bounds_; }
  sampleable_likelihood sample(std::span<const double> t, hepad::rng& r) const {
    return sampleable_likelihood(r.normal<double>(t[0], 1.0));
  }

 private:
  double x_;
  std::array<std::string, 1> names_{"theta"};
  std::array<hepad::parameter_bounds, 1> bounds_{
      {{-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()}}};
};

/// test_statistic on `sampleable_likelihood`: q = 2 (nll(theta0) - min nll) = 2 nll(theta0)
/// (the minimum of that nll is 0), i.e. q = (x - theta0)^2, chi^2 with 1 dof under theta0.
struct test_statistic {
  double theta0 = 0.0;
  hepad::test_result evaluate(const sampleable_likelihood& l) const {
    const std::array<double, 1> t{theta0};
    hepad::test_result r;
    r.statistic = "archetype_q";
    r.value = 2.0 * l.nll(t);
    r.poi_tested = theta0;
    return r;
  }
};

/// asymptotic_statistic: `test_statistic` plus P(chi^2_1 >= q) = erfc(sqrt(q / 2)).
struct asymptotic_statistic : test_statistic {
  double asymptotic_p_value(double q) const { return std::erfc(std::sqrt(0.5 * q)); }
};

/// metric: weighted signal efficiency of the cut score > 0 (unit weights when `w` is empty);
/// undefined when the signal weight total is not positive.
template <class S>
struct metric {
  hepad::result<double> evaluate(hepad::vector_cref<S> s, hepad::label_cref y, hepad::vector_cref<S> w) const {
    double pass = 0, total = 0;
    for (hepad::index_t i = 0; i < s.size(); ++i) {
      if (y(i) != 1) continue;
      const double wi = w.size() == 0 ? 1.0 : static_cast<double>(w(i));
      total += wi;
      if (s(i) > S(0)) pass += wi;
    }
    if (!(total > 0)) return {0.0, hepad::status::undefined, 0, "no signal weight"};
    return {pass / total};
  }
};

}  // namespace hepad_test::archetype

#endif  // HEPAD_TESTS_SUPPORT_ARCHETYPES_HPP
