// SPDX-License-Identifier: BSL-1.0
// quickstart: the smallest hepad program. It builds one pipeline twice, at compile time with
// hepad::make_pipeline and at run time from a configuration, runs both on the same seeded input,
// checks that they agree bit for bit, and saves the resolved configuration with the result.
//
// Usage: quickstart [--output-dir DIR] [--seed N]
#include <hepad/hepad.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

namespace {
using values = std::vector<double>;

/// Subtracts the mean learned in fit().
struct center {
  double mean = 0;
  static constexpr std::string_view name = "center";
  static constexpr auto fields() { return std::tuple{hepad::config::field{"mean", &center::mean}}; }
  values fit(values v) {
    mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    return run(std::move(v));
  }
  values run(values v) const {
    for (auto& x : v) x -= mean;
    return v;
  }
};
/// Adds Gaussian noise from the stage's own random stream.
struct smear {
  double sigma = 0.1;
  static constexpr std::string_view name = "smear";
  static constexpr auto fields() { return std::tuple{hepad::config::field{"sigma", &smear::sigma}}; }
  values run(values v, hepad::rng& r) const {
    for (auto& x : v) x += sigma * r.normal();
    return v;
  }
};
/// Reduces to the sum of squares.
struct sum_of_squares {
  static constexpr std::string_view name = "sum_of_squares";
  static constexpr auto fields() { return std::tuple{}; }
  double run(const values& v) const {
    return std::accumulate(v.begin(), v.end(), 0.0, [](double a, double x) { return a + x * x; });
  }
};
}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path out = "out";
  std::uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--output-dir" && i + 1 < argc) out = argv[++i];
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else {
      std::fprintf(stderr, "usage: quickstart [--output-dir DIR] [--seed N]\n");
      return 2;
    }
  }
  hepad::rng data_rng(seed);
  values x(1000);
  for (auto& v : x) v = data_rng.normal(3.0, 1.0);

  auto static_pipeline = hepad::make_pipeline(center{}, smear{.sigma = 0.5}, sum_of_squares{});
  using payload = std::variant<values, double>;
  hepad::config::value spec(hepad::config::value::array{
      hepad::config::value(hepad::config::value::object{{"stage", "center"}}),
      hepad::config::value(hepad::config::value::object{{"stage", "smear"}, {"sigma", 0.5}}),
      hepad::config::value(hepad::config::value::object{{"stage", "sum_of_squares"}})});
  auto runtime_pipeline = hepad::registry<center, smear, sum_of_squares>::build<payload>(spec);

  hepad::rng r1(seed + 1), r2(seed + 1);
  const double a = static_pipeline.fit(x, r1);
  const double b = std::get<double>(runtime_pipeline.fit(payload(x), r2));
  std::printf("hepad %s quickstart\n", hepad::version_string);
  std::printf("  static pipeline : %.17g\n  runtime pipeline: %.17g\n  identical: %s\n", a, b,
              a == b ? "yes" : "NO");
  // Expected value: sum of (x - mean)^2 + n sigma^2 ~ n (1 + 0.25) = 1250.
  std::printf("  sum of squares / n = %.4f (expected about 1.25)\n", a / 1000.0);

  std::filesystem::create_directories(out);
  std::string json = hepad::detail::concat("{\"hepad_version\": \"", hepad::version_string,
                                           "\", \"seed\": ", seed, ", \"result\": ", a, "}\n");
  hepad::write_file_atomically(out / "quickstart.json", json);
  std::printf("  wrote %s\n", (out / "quickstart.json").c_str());
  return a == b ? 0 : 1;
}
