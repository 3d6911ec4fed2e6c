// SPDX-License-Identifier: BSL-1.0
// Shared main for hepad's benchmarks: adds the flag --hepad_smoke (tiny problem sizes, used by the
// CTest smoke run) to Google Benchmark's own flags.
#ifndef HEPAD_BENCHMARKS_SUPPORT_BENCH_MAIN_HPP
#define HEPAD_BENCHMARKS_SUPPORT_BENCH_MAIN_HPP

#include <benchmark/benchmark.h>

#include <cstring>

namespace hepad_bench {
/// True when run with --hepad_smoke: benchmarks should use their smallest sizes.
inline bool smoke = false;
/// Problem size: `full` normally, `small` in a smoke run.
inline long size(long full, long small) { return smoke ? small : full; }
}  // namespace hepad_bench

/// Defines main(): strips --hepad_smoke, calls `register_fn()` (which registers benchmarks whose
/// sizes depend on the mode), then runs Google Benchmark.
#define HEPAD_BENCHMARK_MAIN(register_fn)                                        \
  int main(int argc, char** argv) {                                              \
    int out = 1;                                                                 \
    for (int i = 1; i < argc; ++i) {                                             \
      if (std::strcmp(argv[i], "--hepad_smoke") == 0) hepad_bench::smoke = true; \
      else argv[out++] = argv[i];                                                \
    }                                                                            \
    argc = out;                                                                  \
    register_fn();                                                               \
    benchmark::Initialize(&argc, argv);                                          \
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;            \
    benchmark::RunSpecifiedBenchmarks();                                         \
    benchmark::Shutdown();                                                       \
    return 0;                                                                    \
  }

#endif  // HEPAD_BENCHMARKS_SUPPORT_BENCH_MAIN_HPP
