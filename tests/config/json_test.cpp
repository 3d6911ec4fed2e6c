// SPDX-License-Identifier: BSL-1.0
// The JSON adapter: text <-> config::value, configs read from JSON, runtime pipelines from JSON.
#include <doctest/doctest.h>

#include "../pipeline/stages.hpp"

#include <hepad/config/json.hpp>
#include <hepad/pipeline/pipeline.hpp>
#include <hepad/pipeline/registry.hpp>

#include <filesystem>

using namespace hepad_test;

namespace {
struct optimizer_config {
  double learning_rate = 1e-3;
  int epochs = 10;
  std::vector<int> layers{64, 64};
  bool shuffle = true;
  std::string name_of_run = "default";
  static constexpr auto fields() {
    using hepad::config::field;
    return std::tuple{field{"learning_rate", &optimizer_config::learning_rate},
                      field{"epochs", &optimizer_config::epochs},
                      field{"layers", &optimizer_config::layers},
                      field{"shuffle", &optimizer_config::shuffle},
                      field{"name_of_run", &optimizer_config::name_of_run}};
  }
};
}  // namespace

TEST_CASE("configs read from JSON keep defaults and reject bad settings by path") {
  auto v = hepad::config::parse_json(R"({"learning_rate": 0.01, "layers": [100, 100, 100]})");
  auto c = hepad::config::from_value<optimizer_config>(v, "reweight");
  CHECK(c.learning_rate == 0.01);
  CHECK(c.epochs == 10);
  CHECK(c.layers == std::vector<int>{100, 100, 100});
  CHECK_THROWS_WITH_AS(
      hepad::config::from_value<optimizer_config>(hepad::config::parse_json(R"({"epochs": 2.5})"), "cwola"),
      "cwola.epochs must be an integer in range, got 2.5", hepad::config_error);
  CHECK_THROWS_WITH_AS(hepad::config::from_value<optimizer_config>(
                           hepad::config::parse_json(R"({"layers": [1, "x"]})"), "cwola"),
                       "cwola.layers[1] must be an integer, got string", hepad::config_error);
  CHECK_THROWS_AS(hepad::config::parse_json("{\"a\": ", "cfg.json"), hepad::config_error);
  // to_value / dump / parse round trip
  optimizer_config c2;
  c2.epochs = 3;
  auto back = hepad::config::from_value<optimizer_config>(
      hepad::config::parse_json(hepad::config::dump_json(hepad::config::to_value(c2))));
  CHECK(back.epochs == 3);
  CHECK(back.layers == c2.layers);
}

TEST_CASE("a runtime pipeline built from a JSON file equals the static one") {
  const auto path = std::filesystem::temp_directory_path() / "hepad_pipeline_test.json";
  hepad::write_file_atomically(path, R"({"stages": [
      {"stage": "center"}, {"stage": "scale", "factor": 0.5},
      {"stage": "add_noise", "sigma": 2.0}, {"stage": "total"}]})");
  auto rt = hepad::registry<scale, add_noise, center, total>::build<payload>(
      hepad::config::read_json_file(path));
  auto st = hepad::make_pipeline(center{}, scale{.factor = 0.5}, add_noise{.sigma = 2.0}, total{});
  hepad::rng r1(77), r2(77);
  values v{1, 2, 3, 4, 5};
  CHECK(st.fit(v, r1) == std::get<double>(rt.fit(payload(v), r2)));
  std::filesystem::remove(path);
  CHECK_THROWS_AS(hepad::config::read_json_file(path), hepad::io_error);
}
