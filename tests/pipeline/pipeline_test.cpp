// SPDX-License-Identifier: BSL-1.0
// Static (make_pipeline) and runtime (registry) pipelines: identical results, fit vs run, errors.
#include <doctest/doctest.h>

#include "stages.hpp"

#include <hepad/pipeline/pipeline.hpp>
#include <hepad/pipeline/registry.hpp>

using namespace hepad_test;

namespace {
values ramp(int n) {
  values v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = 0.1 * i;
  return v;
}
using reg = hepad::registry<scale, add_noise, center, total>;

hepad::config::value spec_of(double factor, double sigma) {
  using hepad::config::value;
  return value(value::object{
      {"stages", value(value::array{
                     value(value::object{{"stage", value("center")}}),
                     value(value::object{{"stage", value("scale")}, {"factor", value(factor)}}),
                     value(value::object{{"stage", value("add_noise")}, {"sigma", value(sigma)}}),
                     value(value::object{{"stage", value("total")}})})}});
}
}  // namespace

TEST_CASE("the static pipeline checks types and chains payloads") {
  auto p = hepad::make_pipeline(center{}, scale{.factor = 3.0}, total{});
  static_assert(std::is_same_v<hepad::pipeline_output_t<values, center, scale, total>, double>);
  hepad::rng r(1);
  const double fitted = p.fit(ramp(11), r);
  CHECK(fitted == doctest::Approx(0.0).epsilon(1e-12));  // centred, then summed
  CHECK(p.get<0>().mean == doctest::Approx(0.5));
  // run applies the fitted mean without refitting
  const double applied = p.run(values{1.5, 1.5}, r);
  CHECK(applied == doctest::Approx(6.0));
}

TEST_CASE("static and runtime pipelines give bitwise identical results, random stages included") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    auto st = hepad::make_pipeline(center{}, scale{.factor = 1.5}, add_noise{.sigma = 0.25}, total{});
    auto rt = reg::build<payload>(spec_of(1.5, 0.25));
    REQUIRE(rt.size() == 4);
    hepad::rng r1(seed), r2(seed);
    const double a = st.fit(ramp(50), r1);
    const payload b = rt.fit(payload(ramp(50)), r2);
    REQUIRE(std::holds_alternative<double>(b));
    CHECK(a == std::get<double>(b));
    const double a2 = st.run(ramp(7), r1);
    const payload b2 = rt.run(payload(ramp(7)), r2);
    CHECK(a2 == std::get<double>(b2));
  }
}

TEST_CASE("the runtime pipeline reports configuration errors by path") {
  using hepad::config::value;
  auto bad_name = value(value::array{value(value::object{{"stage", value("scal")}})});
  CHECK_THROWS_WITH_AS(reg::build<payload>(bad_name),
                       "stages[0].stage: unknown stage 'scal' (known: scale, add_noise, center, total)",
                       hepad::config_error);
  auto bad_type = value(value::array{value(value::object{{"stage", value("scale")}, {"factor", value("x")}})});
  CHECK_THROWS_WITH_AS(reg::build<payload>(bad_type), "stages[0].factor must be a number, got string",
                       hepad::config_error);
  auto unknown_key = value(value::array{value(value::object{{"stage", value("scale")}, {"fator", value(1)}})});
  CHECK_THROWS_WITH_AS(reg::build<payload>(unknown_key), "stages[0].fator is not a known setting",
                       hepad::config_error);
  // A stage given a payload it cannot take is a clear runtime error.
  auto wrong_order = value(value::array{value(value::object{{"stage", value("total")}}),
                                        value(value::object{{"stage", value("scale")}})});
  auto p = reg::build<payload>(wrong_order);
  hepad::rng r(1);
  CHECK_THROWS_AS(p.run(payload(ramp(3)), r), hepad::config_error);
}

TEST_CASE("the runtime pipeline saves its resolved configuration") {
  auto p = reg::build<payload>(spec_of(2.5, 0.5));
  const auto cfg = p.config();
  const auto* stages = cfg.find("stages");
  REQUIRE(stages);
  const auto& a = std::get<hepad::config::value::array>(stages->raw());
  REQUIRE(a.size() == 4);
  CHECK(*a[1].find("factor") == hepad::config::value(2.5));
  CHECK(*a[1].find("name") == hepad::config::value("scale"));
  // Round trip: the saved configuration builds the same pipeline.
  auto again = reg::build<payload>(cfg);
  hepad::rng r1(4), r2(4);
  CHECK(std::get<double>(p.fit(payload(ramp(9)), r1)) == std::get<double>(again.fit(payload(ramp(9)), r2)));
}
