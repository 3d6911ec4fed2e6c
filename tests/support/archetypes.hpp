// SPDX-License-Identifier: BSL-1.0
// Archetypes: the smallest types that model each concept, with nothing extra. Generic algorithms
// are instantiated on them in the tests, which proves they use only what the concept promises.
#ifndef HEPAD_TESTS_SUPPORT_ARCHETYPES_HPP
#define HEPAD_TESTS_SUPPORT_ARCHETYPES_HPP

#include <hepad/core/concepts.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/random.hpp>

#include <cstdint>
#include <span>

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

}  // namespace hepad_test::archetype

#endif  // HEPAD_TESTS_SUPPORT_ARCHETYPES_HPP
