// SPDX-License-Identifier: BSL-1.0
// The error hierarchy, check_* helpers, HEPAD_ASSERT and result/status.
#include <doctest/doctest.h>

#include <hepad/core/assert.hpp>
#include <hepad/core/check.hpp>
#include <hepad/core/eigen.hpp>
#include <hepad/core/error.hpp>
#include <hepad/core/result.hpp>

#include <limits>
#include <string>
#include <type_traits>

TEST_CASE("check helpers name the function, the argument and the value") {
  try {
    hepad::check_positive("kde::fit", "bandwidth", -0.5);
    FAIL("no throw");
  } catch (const hepad::invalid_argument& e) {
    CHECK(std::string(e.what()) == "kde::fit: bandwidth must be positive, got -0.5");
    CHECK(e.code() == hepad::errc::invalid_argument);
  }
  CHECK_NOTHROW(hepad::check_positive("f", "x", 1));
  CHECK_THROWS_WITH_AS(hepad::check_in_range("f", "p", 2.0, 0.0, 1.0), "f: p must be in [0, 1], got 2",
                       hepad::invalid_argument);
  CHECK_THROWS_WITH_AS(hepad::check_size("f", "weights", 3, 4), "f: weights must have size 4, got 3",
                       hepad::invalid_argument);
  CHECK_THROWS_AS(hepad::check_finite("f", "x", std::numeric_limits<double>::quiet_NaN()),
                  hepad::error);
  CHECK_THROWS_AS(hepad::check_probability("f", "p", -0.1), hepad::error);
  CHECK_THROWS_AS(hepad::check_not_empty("f", "x", 0), hepad::error);
  CHECK_THROWS_AS(hepad::check_at_least("f", "n_bins", 1, 2), hepad::error);
  CHECK_NOTHROW(hepad::check_nonnegative("f", "x", 0.0));

  hepad::matrix<float> m = hepad::matrix<float>::Zero(3, 2);
  CHECK_NOTHROW(hepad::check_all_finite("f", "x", m));
  m(2, 1) = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH(hepad::check_all_finite("f", "x", m), "f: x must be finite, got inf at row 2, column 1");
}

TEST_CASE("format_error names file, item and byte offset") {
  hepad::format_error e("a.root", "Muon_pt", 1234, "bad compression header");
  CHECK(std::string(e.what()) == "file 'a.root', 'Muon_pt', byte offset 1234: bad compression header");
  CHECK(e.path() == "a.root");
  CHECK(e.item() == "Muon_pt");
  CHECK(e.offset() == 1234);
  CHECK(e.code() == hepad::errc::format);
  const hepad::io_error& base = e;
  CHECK(base.path() == "a.root");
  hepad::format_error whole("b.parquet", "", -1, "not a Parquet file");
  CHECK(std::string(whole.what()) == "file 'b.parquet': not a Parquet file");
}

TEST_CASE("error types have noexcept moves") {
  CHECK(std::is_nothrow_move_constructible_v<hepad::error>);
  CHECK(std::is_nothrow_move_constructible_v<hepad::format_error>);
  CHECK(std::is_nothrow_move_constructible_v<hepad::result<double>>);
}

#ifdef HEPAD_ENABLE_ASSERT
TEST_CASE("HEPAD_ASSERT throws an internal error when enabled") {
  CHECK_THROWS_AS(HEPAD_ASSERT(1 + 1 == 3, "arithmetic"), hepad::error);
  CHECK_NOTHROW(HEPAD_ASSERT(1 + 1 == 2, "arithmetic"));
}
#endif

TEST_CASE("result reports usable and unusable outcomes") {
  hepad::result<double> r{1.5, hepad::status::success, 10, ""};
  CHECK(r.ok());
  r.status = hepad::status::max_iterations;
  CHECK_FALSE(r.ok());
  CHECK(hepad::to_string(r.status) == "max_iterations");
  CHECK(hepad::usable(hepad::status::at_limit));
  CHECK_FALSE(hepad::usable(hepad::status::non_finite));
}
