// SPDX-License-Identifier: BSL-1.0
// thread_pool: every task runs once, results are identical for any thread count, errors propagate.
#include <doctest/doctest.h>

#include <hepad/core/parallel.hpp>
#include <hepad/core/random.hpp>

#include <atomic>
#include <cstdlib>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace {
// A reduction done the deterministic way: per-task slots, reduced in task order.
double deterministic_sum(int threads) {
  hepad::thread_pool pool(threads);
  constexpr int tasks = 37;
  std::vector<double> partial(tasks);
  hepad::rng base(99);
  pool.run(tasks, [&](std::int64_t t) {
    auto r = base.split(static_cast<std::uint64_t>(t));
    double s = 0;
    for (int i = 0; i < 1000; ++i) s += r.normal() * 1e-3;
    partial[static_cast<std::size_t>(t)] = s;
  });
  return std::accumulate(partial.begin(), partial.end(), 0.0);
}
}  // namespace

TEST_CASE("thread_pool runs every task exactly once") {
  for (int threads : {1, 2, 3}) {
    hepad::thread_pool pool(threads);
    CHECK(pool.size() == threads);
    std::vector<std::atomic<int>> hits(1000);
    for (int rep = 0; rep < 20; ++rep) pool.run(1000, [&](std::int64_t t) { ++hits[static_cast<std::size_t>(t)]; });
    for (auto& h : hits) CHECK(h.load() == 20);
  }
}

TEST_CASE("deterministic reductions are bitwise identical for 1, 2 and 4 threads") {
  const double one = deterministic_sum(1);
  CHECK(deterministic_sum(2) == one);
  CHECK(deterministic_sum(4) == one);
}

TEST_CASE("thread_pool rethrows the exception of the lowest failing task") {
  hepad::thread_pool pool(2);
  try {
    pool.run(100, [](std::int64_t t) {
      if (t == 17 || t == 60) throw std::runtime_error("task " + std::to_string(t));
    });
    FAIL("no throw");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "task 17");
  }
  // The pool is still usable afterwards, and nested runs execute serially.
  std::atomic<int> n{0};
  pool.run(4, [&](std::int64_t) { pool.run(3, [&](std::int64_t) { ++n; }); });
  CHECK(n.load() == 12);
}

TEST_CASE("HEPAD_THREADS is validated") {
  ::setenv("HEPAD_THREADS", "3", 1);
  CHECK(hepad::default_threads() == 3);
  ::setenv("HEPAD_THREADS", "zero", 1);
  CHECK_THROWS_AS(hepad::default_threads(), hepad::invalid_argument);
  ::unsetenv("HEPAD_THREADS");
  CHECK(hepad::default_threads() >= 1);
}
