// SPDX-License-Identifier: BSL-1.0
/// @file hepad/core/random.hpp
/// @brief `hepad::rng`: a seeded, counter-based random number generator (Philox4x32-10) with
/// independent, splittable streams, and the distributions hepad uses.
///
/// Reproducibility policy: every random draw in hepad comes from an `rng&` passed explicitly. Work
/// that may run on several threads draws from `r.split(i)`, where `i` is the *work item* (event
/// chunk, toy, ensemble member), never the thread. Results are therefore identical for any thread
/// count. The distributions below are implemented here (not `<random>`'s, whose algorithms differ
/// between standard libraries), so a seed gives the same numbers with any compiler.
#ifndef HEPAD_CORE_RANDOM_HPP
#define HEPAD_CORE_RANDOM_HPP

#include <hepad/core/check.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <numeric>
#include <vector>

namespace hepad {

/// SplitMix64 finaliser: a bijective 64-bit mixer used to derive stream identifiers.
inline constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Counter-based generator: Philox4x32 with 10 rounds (Salmon et al., SC'11).
///
/// State = (key = seed, stream id, block counter). Each block yields 128 random bits. It models
/// `std::uniform_random_bit_generator` with 64-bit results. Copying an `rng` copies its position.
class rng {
 public:
  using result_type = std::uint64_t;

  /// @param seed user seed (the key); @param stream stream identifier (use `split` to derive).
  explicit constexpr rng(std::uint64_t seed = 0, std::uint64_t stream = 0) noexcept
      : seed_(seed), stream_(stream) {}

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  /// Next 64 random bits.
  result_type operator()() noexcept {
    if (have_ == 0) {
      refill();
      have_ = 2;
    }
    --have_;
    return buf_[have_];
  }

  /// An independent generator for work item `i` (same seed, derived stream). Splitting is
  /// hierarchical: `r.split(i).split(j)` is again independent of all others with overwhelming
  /// probability. The parent's position is not used, so `split` does not depend on how many
  /// numbers were drawn before.
  [[nodiscard]] constexpr rng split(std::uint64_t i) const noexcept {
    return rng(seed_, mix64(stream_ ^ mix64(i + 0x632be59bd9b4e019ULL)));
  }

  /// Skips `n` 128-bit blocks.
  constexpr void discard_blocks(std::uint64_t n) noexcept {
    counter_ += n;
    have_ = 0;
  }

  [[nodiscard]] constexpr std::uint64_t seed() const noexcept { return seed_; }
  [[nodiscard]] constexpr std::uint64_t stream() const noexcept { return stream_; }
  /// Number of 128-bit blocks consumed (for checkpointing together with `seed`/`stream`).
  [[nodiscard]] constexpr std::uint64_t counter() const noexcept { return counter_; }
  /// Full state for checkpoints: (seed, stream, counter, buffered words, cached normal).
  struct state_type {
    std::uint64_t seed, stream, counter;
    std::array<std::uint64_t, 2> buf;
    int have;
    bool has_normal;
    double normal;
  };
  [[nodiscard]] state_type state() const noexcept {
    return {seed_, stream_, counter_, buf_, have_, has_normal_, cached_normal_};
  }
  void set_state(const state_type& s) noexcept {
    seed_ = s.seed;
    stream_ = s.stream;
    counter_ = s.counter;
    buf_ = s.buf;
    have_ = s.have;
    has_normal_ = s.has_normal;
    cached_normal_ = s.normal;
  }

  // --- distributions ------------------------------------------------------------------------

  /// Uniform on [0, 1) with full mantissa resolution of `T` (24 bits for float, 53 for double).
  template <class T = double>
  T uniform() noexcept {
    if constexpr (std::is_same_v<T, float>)
      return static_cast<float>((*this)() >> 40) * 0x1.0p-24f;
    else
      return static_cast<T>(static_cast<double>((*this)() >> 11) * 0x1.0p-53);
  }
  /// Uniform on [lo, hi).
  template <class T = double>
  T uniform(T lo, T hi) noexcept {
    return lo + (hi - lo) * uniform<T>();
  }
  /// Uniform on (0, 1]: safe for logarithms.
  double uniform_open0() noexcept { return 1.0 - uniform<double>(); }

  /// Uniform integer in [0, n) without modulo bias (Lemire's method). `n` must be > 0.
  std::uint64_t uniform_int(std::uint64_t n) noexcept {
    __uint128_t m = static_cast<__uint128_t>((*this)()) * n;
    auto low = static_cast<std::uint64_t>(m);
    if (low < n) {
      const std::uint64_t t = (0 - n) % n;
      while (low < t) {
        m = static_cast<__uint128_t>((*this)()) * n;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  /// Standard normal N(0, 1) (Box-Muller; the second value is cached).
  template <class T = double>
  T normal() noexcept {
    if (has_normal_) {
      has_normal_ = false;
      return static_cast<T>(cached_normal_);
    }
    const double r = std::sqrt(-2.0 * std::log(uniform_open0()));
    const double phi = 2.0 * std::numbers::pi * uniform<double>();
    cached_normal_ = r * std::sin(phi);
    has_normal_ = true;
    return static_cast<T>(r * std::cos(phi));
  }
  /// N(mean, sd^2).
  template <class T = double>
  T normal(T mean, T sd) noexcept {
    return mean + sd * normal<T>();
  }
  /// Exponential with the given mean.
  double exponential(double mean = 1.0) noexcept { return -mean * std::log(uniform_open0()); }
  /// Bernoulli(p).
  bool bernoulli(double p) noexcept { return uniform<double>() < p; }

  /// Gamma(shape k, scale 1) by Marsaglia & Tsang (2000); k < 1 via the u^(1/k) boost.
  double gamma(double k) {
    check_positive("rng::gamma", "shape", k);
    if (k < 1.0) return gamma(k + 1.0) * std::pow(uniform_open0(), 1.0 / k);
    const double d = k - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x, v;
      do {
        x = normal<double>();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform_open0();
      if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
    }
  }

  /// Poisson(mean): inversion for mean < 10, PTRS (Hoermann 1993) otherwise.
  std::int64_t poisson(double mean) {
    check_nonnegative("rng::poisson", "mean", mean);
    check_finite("rng::poisson", "mean", mean);
    if (mean == 0.0) return 0;
    if (mean < 10.0) {
      const double l = std::exp(-mean);
      std::int64_t k = 0;
      double p = l, cdf = l;
      const double u = uniform<double>();
      while (u > cdf && k < 1000) {
        ++k;
        p *= mean / static_cast<double>(k);
        cdf += p;
      }
      return k;
    }
    const double slam = std::sqrt(mean), loglam = std::log(mean);
    const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    const double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
      const double u = uniform<double>() - 0.5, v = uniform_open0();
      const double us = 0.5 - std::abs(u);
      const double kd = std::floor((2.0 * a / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return static_cast<std::int64_t>(kd);
      if (kd < 0.0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
          -mean + kd * loglam - std::lgamma(kd + 1.0))
        return static_cast<std::int64_t>(kd);
    }
  }

  /// A uniformly random permutation of 0..n-1 (Fisher-Yates).
  std::vector<std::int64_t> permutation(std::int64_t n) {
    check_nonnegative("rng::permutation", "n", n);
    std::vector<std::int64_t> p(static_cast<std::size_t>(n));
    std::iota(p.begin(), p.end(), std::int64_t{0});
    shuffle(p);
    return p;
  }
  /// Shuffles a random-access range in place (Fisher-Yates).
  template <class Range>
  void shuffle(Range& r) noexcept {
    const auto n = static_cast<std::uint64_t>(std::size(r));
    for (std::uint64_t i = n; i > 1; --i) {
      const auto j = uniform_int(i);
      using std::swap;
      swap(r[i - 1], r[j]);
    }
  }
  /// `k` distinct indices from 0..n-1 drawn without replacement, in draw order.
  std::vector<std::int64_t> choose(std::int64_t n, std::int64_t k) {
    check_nonnegative("rng::choose", "k", k);
    if (k > n)
      throw_invalid_argument("rng::choose", detail::concat("k must be <= n = ", n, ", got ", k));
    std::vector<std::int64_t> p(static_cast<std::size_t>(n));
    std::iota(p.begin(), p.end(), std::int64_t{0});
    for (std::int64_t i = 0; i < k; ++i) {
      const auto j = i + static_cast<std::int64_t>(uniform_int(static_cast<std::uint64_t>(n - i)));
      std::swap(p[static_cast<std::size_t>(i)], p[static_cast<std::size_t>(j)]);
    }
    p.resize(static_cast<std::size_t>(k));
    return p;
  }

 private:
  void refill() noexcept {
    const auto out = philox4x32_10(
        {static_cast<std::uint32_t>(counter_), static_cast<std::uint32_t>(counter_ >> 32),
         static_cast<std::uint32_t>(stream_), static_cast<std::uint32_t>(stream_ >> 32)},
        {static_cast<std::uint32_t>(seed_), static_cast<std::uint32_t>(seed_ >> 32)});
    buf_[0] = (static_cast<std::uint64_t>(out[1]) << 32) | out[0];
    buf_[1] = (static_cast<std::uint64_t>(out[3]) << 32) | out[2];
    ++counter_;
  }

 public:
  /// The Philox4x32-10 block function (exposed for known-answer tests).
  static constexpr std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> c,
                                                              std::array<std::uint32_t, 2> k) noexcept {
    constexpr std::uint32_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
    constexpr std::uint32_t w0 = 0x9E3779B9u, w1 = 0xBB67AE85u;
    for (int round = 0; round < 10; ++round) {
      const std::uint64_t p0 = static_cast<std::uint64_t>(m0) * c[0];
      const std::uint64_t p1 = static_cast<std::uint64_t>(m1) * c[2];
      c = {static_cast<std::uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<std::uint32_t>(p1),
           static_cast<std::uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<std::uint32_t>(p0)};
      k[0] += w0;
      k[1] += w1;
    }
    return c;
  }

 private:
  std::uint64_t seed_;
  std::uint64_t stream_;
  std::uint64_t counter_ = 0;
  std::array<std::uint64_t, 2> buf_{};
  int have_ = 0;
  bool has_normal_ = false;
  double cached_normal_ = 0.0;
};

}  // namespace hepad

#endif  // HEPAD_CORE_RANDOM_HPP
