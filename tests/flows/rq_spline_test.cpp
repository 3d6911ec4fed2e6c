// SPDX-License-Identifier: BSL-1.0
// The rational-quadratic spline as pure functions: inverse(forward(x)) == x, log|dy/dx| against
// finite differences, the hand-written adjoint against finite differences in every parameter,
// monotonicity and C^1 continuity at the tail bound, finite values at +-1e6 and for extreme
// parameters.
#include <doctest/doctest.h>

#include <hepad/core/random.hpp>
#include <hepad/flows/rq_spline.hpp>

#include <cmath>
#include <limits>
#include <vector>

namespace hf = hepad::flows;

namespace {
struct spline_params {
  std::vector<double> uw, uh, ud;
  explicit spline_params(int K, hepad::rng& r, double scale = 1.0) : uw(K), uh(K), ud(K - 1) {
    for (auto& v : uw) v = scale * r.normal<double>();
    for (auto& v : uh) v = scale * r.normal<double>();
    for (auto& v : ud) v = scale * r.normal<double>();
  }
};
double fwd(double x, const spline_params& p, const hf::rq_spline_config& c, double* ld) {
  return hf::rq_spline_forward(x, p.uw.data(), p.uh.data(), p.ud.data(), c, ld);
}
}  // namespace

TEST_CASE("rq_spline: inverse(forward(x)) == x, log-determinant matches finite differences") {
  hepad::rng r(1);
  for (int K : {2, 5, 8, 16}) {
    const hf::rq_spline_config c{.n_bins = K, .tail_bound = 2.5};
    c.validate("test");
    for (int rep = 0; rep < 20; ++rep) {
      const spline_params p(K, r, 1.5);
      for (double x = -4.0; x <= 4.0; x += 0.0371) {
        double ld = 0, ldi = 0;
        const double y = fwd(x, p, c, &ld);
        const double xb = hf::rq_spline_inverse(y, p.uw.data(), p.uh.data(), p.ud.data(), c, &ldi);
        CHECK(std::abs(xb - x) < 1e-9);
        CHECK(std::abs(ld + ldi) < 1e-8);
        const double h = 1e-6;
        double dummy;
        const double fd = (fwd(x + h, p, c, &dummy) - fwd(x - h, p, c, &dummy)) / (2 * h);
        CHECK(std::abs(std::log(fd) - ld) < 1e-6);
      }
    }
  }
}

TEST_CASE("rq_spline: float precision round trip") {
  hepad::rng r(2);
  const hf::rq_spline_config c{.n_bins = 10, .tail_bound = 3.0};
  std::vector<float> uw(10), uh(10), ud(9);
  for (auto& v : uw) v = r.normal<float>();
  for (auto& v : uh) v = r.normal<float>();
  for (auto& v : ud) v = r.normal<float>();
  for (float x = -3.5f; x <= 3.5f; x += 0.01f) {
    float ld, ldi;
    const float y = hf::rq_spline_forward(x, uw.data(), uh.data(), ud.data(), c, &ld);
    const float xb = hf::rq_spline_inverse(y, uw.data(), uh.data(), ud.data(), c, &ldi);
    CHECK(std::abs(xb - x) < 2e-5f);
    CHECK(std::abs(ld + ldi) < 1e-3f);
  }
}

TEST_CASE("rq_spline: monotone, identity tails, C^1 at the tail bound") {
  hepad::rng r(3);
  const hf::rq_spline_config c{.n_bins = 6, .tail_bound = 1.0};
  const spline_params p(6, r, 2.0);
  double prev = -std::numeric_limits<double>::infinity(), ld;
  for (double x = -1.5; x <= 1.5; x += 1e-3) {
    const double y = fwd(x, p, c, &ld);
    CHECK(y > prev);
    prev = y;
  }
  for (double B : {-1.0, 1.0}) {
    CHECK(fwd(B, p, c, &ld) == doctest::Approx(B).epsilon(1e-12));
    CHECK(std::abs(ld) < 1e-12);  // boundary derivative is exactly 1
    CHECK(std::abs(fwd(B * (1 - 1e-12), p, c, &ld) - B * (1 - 1e-12)) < 1e-10);
    CHECK(std::abs(ld) < 1e-6);
  }
  CHECK(fwd(1.7, p, c, &ld) == 1.7);
  CHECK(ld == 0.0);
}

TEST_CASE("rq_spline: adjoint matches finite differences in x and every parameter") {
  hepad::rng r(4);
  for (int K : {3, 8}) {
    const hf::rq_spline_config c{.n_bins = K, .tail_bound = 2.0};
    for (int rep = 0; rep < 30; ++rep) {
      spline_params p(K, r, 1.2);
      const double x = r.uniform(-2.4, 2.4);  // some in the tails
      const double gy = r.normal<double>(), gl = r.normal<double>();
      std::vector<double> guw(K, 0.0), guh(K, 0.0), gud(K - 1, 0.0);
      const double gx = hf::rq_spline_backward(x, p.uw.data(), p.uh.data(), p.ud.data(), c, gy, gl,
                                               guw.data(), guh.data(), gud.data());
      auto loss = [&](double xx, const spline_params& q) {
        double ld;
        const double y = fwd(xx, q, c, &ld);
        return gy * y + gl * ld;
      };
      const double h = 1e-6;
      CHECK(std::abs((loss(x + h, p) - loss(x - h, p)) / (2 * h) - gx) < 1e-6 * (1 + std::abs(gx)));
      auto check_vec = [&](std::vector<double> spline_params::*v, const std::vector<double>& g) {
        for (std::size_t i = 0; i < g.size(); ++i) {
          spline_params a = p, b = p;
          (a.*v)[i] += h;
          (b.*v)[i] -= h;
          const double fd = (loss(x, a) - loss(x, b)) / (2 * h);
          CHECK(std::abs(fd - g[i]) < 1e-6 * (1 + std::abs(fd)));
        }
      };
      check_vec(&spline_params::uw, guw);
      check_vec(&spline_params::uh, guh);
      check_vec(&spline_params::ud, gud);
    }
  }
}

TEST_CASE("rq_spline: finite for inputs at +-1e6 and for extreme parameters") {
  const hf::rq_spline_config c{.n_bins = 8, .tail_bound = 3.0};
  for (double scale : {1.0, 1e3, 1e6, 1e12}) {
    hepad::rng r(5);
    spline_params p(8, r, scale);
    for (double x : {-1e6, -3.0, -2.999, -0.5, 0.0, 1e-7, 2.0, 3.0, 1e6}) {
      double ld = 0, ldi = 0;
      const double y = fwd(x, p, c, &ld);
      CHECK(std::isfinite(y));
      CHECK(std::isfinite(ld));
      const double xb = hf::rq_spline_inverse(y, p.uw.data(), p.uh.data(), p.ud.data(), c, &ldi);
      CHECK(std::isfinite(xb));
      CHECK(std::isfinite(ldi));
      std::vector<double> g(8, 0.0), gh(8, 0.0), gd(7, 0.0);
      const double gx = hf::rq_spline_backward(x, p.uw.data(), p.uh.data(), p.ud.data(), c, 1.0, 1.0,
                                               g.data(), gh.data(), gd.data());
      CHECK(std::isfinite(gx));
      for (double v : g) CHECK(std::isfinite(v));
      for (double v : gd) CHECK(std::isfinite(v));
    }
    float ldf;
    std::vector<float> fw(8), fh(8), fd(7);
    for (int i = 0; i < 8; ++i) fw[i] = float(p.uw[i]), fh[i] = float(p.uh[i]);
    for (int i = 0; i < 7; ++i) fd[i] = float(p.ud[i]);
    for (float x : {-1e6f, -1.0f, 0.3f, 1e6f}) {
      CHECK(std::isfinite(hf::rq_spline_forward(x, fw.data(), fh.data(), fd.data(), c, &ldf)));
      CHECK(std::isfinite(ldf));
    }
  }
  CHECK_THROWS_AS((hf::rq_spline_config{.n_bins = 1}.validate("f")), hepad::invalid_argument);
  CHECK_THROWS_AS((hf::rq_spline_config{.n_bins = 8, .min_bin_width = 0.2}.validate("f")), hepad::invalid_argument);
}
