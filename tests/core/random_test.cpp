// SPDX-License-Identifier: BSL-1.0
// hepad::rng: Philox known-answer vectors, stream independence, distribution moments.
#include <doctest/doctest.h>

#include <hepad/core/random.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

TEST_CASE("Philox4x32-10 matches the Random123 known-answer vectors") {
  using hepad::rng;
  // Random123 kat_vectors, philox4x32 with 10 rounds.
  CHECK(rng::philox4x32_10({0, 0, 0, 0}, {0, 0}) ==
        std::array<std::uint32_t, 4>{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u});
  CHECK(rng::philox4x32_10({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                           {0xffffffffu, 0xffffffffu}) ==
        std::array<std::uint32_t, 4>{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu});
  CHECK(rng::philox4x32_10({0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                           {0xa4093822u, 0x299f31d0u}) ==
        std::array<std::uint32_t, 4>{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u});
}

TEST_CASE("rng is reproducible, and split streams do not depend on draws made before") {
  hepad::rng a(7), b(7);
  for (int i = 0; i < 100; ++i) REQUIRE(a() == b());
  hepad::rng fresh(7);
  auto s1 = a.split(3), s2 = fresh.split(3);
  for (int i = 0; i < 100; ++i) REQUIRE(s1() == s2());
  // Different work items and different seeds give different streams.
  CHECK(hepad::rng(7).split(3)() != hepad::rng(7).split(4)());
  CHECK(hepad::rng(7).split(3)() != hepad::rng(8).split(3)());
  CHECK(hepad::rng(7).split(1).split(2)() != hepad::rng(7).split(2).split(1)());
}

TEST_CASE("rng state round-trips for checkpoints") {
  hepad::rng a(11);
  for (int i = 0; i < 5; ++i) a.normal();
  (void)a();
  const auto st = a.state();
  std::vector<double> x;
  for (int i = 0; i < 10; ++i) x.push_back(a.normal());
  hepad::rng b;
  b.set_state(st);
  for (int i = 0; i < 10; ++i) CHECK(b.normal() == x[static_cast<std::size_t>(i)]);
}

TEST_CASE("uniform, normal, exponential, gamma and poisson have the right moments") {
  hepad::rng r(2024);
  constexpr int n = 200000;
  auto moments = [&](auto draw) {
    double s = 0, s2 = 0;
    for (int i = 0; i < n; ++i) {
      const double x = draw();
      s += x;
      s2 += x * x;
    }
    const double m = s / n;
    return std::pair{m, s2 / n - m * m};
  };
  // Tolerances: 5 standard errors of the mean / variance estimates.
  auto [mu, vu] = moments([&] { return r.uniform(); });
  CHECK(std::abs(mu - 0.5) < 5 * std::sqrt(1.0 / 12 / n));
  CHECK(std::abs(vu - 1.0 / 12) < 5 * std::sqrt(1.0 / 180 / n));
  auto [mn, vn] = moments([&] { return r.normal(); });
  CHECK(std::abs(mn) < 5 / std::sqrt(double(n)));
  CHECK(std::abs(vn - 1) < 5 * std::sqrt(2.0 / n));
  auto [me, ve] = moments([&] { return r.exponential(2.0); });
  CHECK(std::abs(me - 2) < 5 * 2 / std::sqrt(double(n)));
  CHECK(std::abs(ve - 4) < 5 * std::sqrt(8.0 * 4 / n));  // Var of sample variance ~ (mu4 - s^4)/n = 8 s^4/n
  for (double k : {0.5, 2.0, 7.5}) {
    auto [mg, vg] = moments([&] { return r.gamma(k); });
    CHECK(std::abs(mg - k) < 5 * std::sqrt(k / n));
    CHECK(std::abs(vg - k) < 5 * std::sqrt((6 * k + 2 * k * k) / n) + 1e-9);
  }
  for (double lam : {0.3, 4.0, 25.0, 1000.0}) {
    auto [mp, vp] = moments([&] { return static_cast<double>(r.poisson(lam)); });
    CHECK(std::abs(mp - lam) < 5 * std::sqrt(lam / n));
    CHECK(std::abs(vp - lam) < 5 * std::sqrt((lam + 2 * lam * lam) / n));
  }
  float f = r.uniform<float>();
  CHECK((f >= 0.0f && f < 1.0f));
}

TEST_CASE("uniform_int is unbiased and permutation/choose are valid") {
  hepad::rng r(5);
  std::vector<int> counts(7, 0);
  constexpr int n = 70000;
  for (int i = 0; i < n; ++i) ++counts[r.uniform_int(7)];
  for (int c : counts) CHECK(std::abs(c - n / 7) < 5 * std::sqrt(n / 7.0));
  auto p = r.permutation(1000);
  auto sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (std::int64_t i = 0; i < 1000; ++i) CHECK(sorted[static_cast<std::size_t>(i)] == i);
  CHECK(p != sorted);
  auto c = r.choose(50, 20);
  CHECK(c.size() == 20);
  CHECK(std::set<std::int64_t>(c.begin(), c.end()).size() == 20);
  CHECK(*std::max_element(c.begin(), c.end()) < 50);
  CHECK_THROWS_AS(r.choose(5, 6), hepad::invalid_argument);
  CHECK_THROWS_AS(r.gamma(-1.0), hepad::invalid_argument);
}
