# SPDX-License-Identifier: BSL-1.0
# GCC 12 reports false -W(maybe-)uninitialized warnings inside its own AVX-512 intrinsics when
# Eigen's products and reductions are inlined with -march=native (GCC bug 105593, fixed in GCC 13);
# they would fail -Werror builds. Silenced for this family only.
if(NOT TARGET hepad_stats_test_flags)
  add_library(hepad_stats_test_flags INTERFACE)
  target_compile_options(hepad_stats_test_flags INTERFACE
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-maybe-uninitialized -Wno-uninitialized>)
endif()
set(HEPAD_FAMILY_LIBS hepad_stats_test_flags)
