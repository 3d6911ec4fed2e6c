# SPDX-License-Identifier: BSL-1.0
# Finds hepad's dependencies. Used both by the build (CMakeLists.txt) and by the installed
# hepadConfig.cmake, so that the two can never disagree. Expects HEPAD_FIND to be either
# "find_package" (build) or "find_dependency" (installed config); optional components always use
# find_package(... QUIET), since find_dependency would return from the config file when one is missing.
#
# hepad_find_component(<component>) finds what one optional component needs and sets
# HEPAD_<COMPONENT>_DEPS_FOUND.

macro(hepad_find_core)
  cmake_language(CALL ${HEPAD_FIND} Eigen3 3.4 NO_MODULE ${HEPAD_REQUIRED})
  cmake_language(CALL ${HEPAD_FIND} Boost 1.74 ${HEPAD_REQUIRED})
endmacro()

macro(hepad_find_component _c)
  set(HEPAD_${_c}_DEPS_FOUND FALSE)
  if("${_c}" STREQUAL "json")
    find_package(nlohmann_json 3.10 QUIET)
    if(nlohmann_json_FOUND)
      set(HEPAD_${_c}_DEPS_FOUND TRUE)
    endif()
  elseif("${_c}" STREQUAL "codecs")
    find_package(ZLIB QUIET)
    find_package(LibLZMA QUIET)
    find_package(LZ4 QUIET)
    find_package(zstd QUIET)
    find_package(xxHash QUIET)
    find_package(Snappy QUIET)
    if(ZLIB_FOUND AND LIBLZMA_FOUND AND LZ4_FOUND AND zstd_FOUND AND xxHash_FOUND AND Snappy_FOUND)
      set(HEPAD_${_c}_DEPS_FOUND TRUE)
    endif()
  elseif("${_c}" STREQUAL "hdf5")
    find_package(hepad_HDF5 QUIET)
    if(hepad_HDF5_FOUND)
      set(HEPAD_${_c}_DEPS_FOUND TRUE)
    endif()
  elseif("${_c}" STREQUAL "mpi")
    find_package(MPI COMPONENTS CXX QUIET)
    if(MPI_CXX_FOUND)
      set(HEPAD_${_c}_DEPS_FOUND TRUE)
    endif()
  elseif("${_c}" STREQUAL "fastjet")
    find_package(FastJet QUIET)
    if(FastJet_FOUND)
      set(HEPAD_${_c}_DEPS_FOUND TRUE)
    endif()
  elseif("${_c}" STREQUAL "xtensor")
    find_package(xtensor QUIET)
    if(xtensor_FOUND)
      set(HEPAD_${_c}_DEPS_FOUND TRUE)
    endif()
  endif()
endmacro()
