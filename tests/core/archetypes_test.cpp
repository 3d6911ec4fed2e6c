// SPDX-License-Identifier: BSL-1.0
// The core concepts are modelled by the archetypes, and the generic core algorithms (fit,
// run_stage, fit_stage, make_pipeline) instantiate on them.
#include <doctest/doctest.h>

#include "support/archetypes.hpp"

#include <hepad/pipeline/pipeline.hpp>

namespace a = hepad_test::archetype;

static_assert(hepad::dataset<a::dataset<float>>);
static_assert(hepad::labeled_dataset<a::dataset<float>>);
static_assert(hepad::weighted_dataset<a::dataset<double>>);
static_assert(hepad::conditional_dataset<a::dataset<double>>);
static_assert(hepad::sliceable_dataset<a::dataset<double>>);
static_assert(hepad::invertible_preprocessor<a::preprocessor<float>, float>);
static_assert(hepad::weighted_preprocessor<a::preprocessor<float>, float>);
static_assert(hepad::sampleable_density<a::density<double>, double>);
static_assert(hepad::weighted_density<a::density<double>, double>);
static_assert(hepad::conditional_density<a::conditional_density<float>, float>);
static_assert(hepad::bijector<a::bijector<float>, float>);
static_assert(hepad::conditional_bijector<a::bijector<float>, float>);
static_assert(hepad::probabilistic_classifier<a::classifier<float>, float>);
static_assert(hepad::weighted_classifier<a::classifier<float>, float>);
static_assert(hepad::fittable_stage<a::stage, a::payload>);
static_assert(hepad::named_stage<a::stage>);
// Negative checks: a density is not a classifier, a preprocessor is not a density.
static_assert(!hepad::classifier<a::density<float>, float>);
static_assert(!hepad::density_estimator<a::preprocessor<float>, float>);
static_assert(!hepad::stage<a::stage, int>);

TEST_CASE("hepad::fit passes the generator only where it is accepted") {
  hepad::rng r(1);
  hepad::matrix<float> x = hepad::matrix<float>::Ones(4, 1);
  hepad::vector<float> w = hepad::vector<float>::Ones(4);
  hepad::label_vector y = hepad::label_vector::Zero(4);
  a::preprocessor<float> p;
  hepad::fit(p, r, hepad::matrix_cref<float>(x));
  hepad::fit(p, r, hepad::matrix_cref<float>(x), hepad::vector_cref<float>(w));
  a::density<float> d;
  hepad::fit(d, r, hepad::matrix_cref<float>(x));
  a::classifier<float> c;
  hepad::fit(c, r, hepad::matrix_cref<float>(x), hepad::label_cref(y), hepad::vector_cref<float>(w));
  CHECK(c.predict_score(x).size() == 4);
  CHECK(p.log_abs_det_jacobian(x).size() == 4);
}

TEST_CASE("a pipeline of archetype stages distinguishes fit from run") {
  hepad::rng r(1);
  auto p = hepad::make_pipeline(a::stage{}, a::stage{});
  CHECK(p.run(a::payload(0), r).value == 2);
  CHECK(p.fit(a::payload(0), r).value == 4);
}
