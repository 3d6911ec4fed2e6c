# SPDX-License-Identifier: BSL-1.0
# GCC 12 reports false -W(maybe-)uninitialized warnings inside its own AVX-512 intrinsics when Eigen's
# GEMM kernels are inlined with -march=native (GCC bug 105593, fixed in GCC 13), as in tests/flows.
if(NOT TARGET hepad_ad_test_flags)
  add_library(hepad_ad_test_flags INTERFACE)
  target_compile_options(hepad_ad_test_flags INTERFACE
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-maybe-uninitialized -Wno-uninitialized>)
endif()
set(HEPAD_FAMILY_LIBS hepad_ad_test_flags)
