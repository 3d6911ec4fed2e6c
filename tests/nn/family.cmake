# SPDX-License-Identifier: BSL-1.0
# GCC 12 reports a false -Wmaybe-uninitialized inside its own AVX-512 intrinsics
# (`__m256d __Y = __Y;` in _mm512_extractf64x4_pd) when Eigen's double-precision reductions and
# products are inlined with -march=native (GCC PR 105593, fixed in 12.3); it is not about hepad
# code. Silence it for this family (same flags as tests/autodiff).
if(NOT TARGET hepad_nn_test_flags)
  add_library(hepad_nn_test_flags INTERFACE)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(hepad_nn_test_flags INTERFACE -Wno-maybe-uninitialized -Wno-uninitialized)
  endif()
endif()
set(HEPAD_FAMILY_LIBS hepad_nn_test_flags)
