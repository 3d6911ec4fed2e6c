# SPDX-License-Identifier: BSL-1.0
# Findhepad_HDF5: finds the HDF5 C library (Debian: libhdf5-dev, serial build) without enabling the
# C language (CMake's FindHDF5 needs it). Defines the imported target hepad_HDF5::hdf5.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_HEPAD_HDF5 QUIET hdf5)
endif()
find_path(hepad_HDF5_INCLUDE_DIR NAMES hdf5.h
          HINTS ${PC_HEPAD_HDF5_INCLUDE_DIRS} PATH_SUFFIXES hdf5/serial)
find_library(hepad_HDF5_LIBRARY NAMES hdf5_serial hdf5
             HINTS ${PC_HEPAD_HDF5_LIBRARY_DIRS} PATH_SUFFIXES hdf5/serial)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(hepad_HDF5 REQUIRED_VARS hepad_HDF5_LIBRARY hepad_HDF5_INCLUDE_DIR)
if(hepad_HDF5_FOUND AND NOT TARGET hepad_HDF5::hdf5)
  add_library(hepad_HDF5::hdf5 UNKNOWN IMPORTED)
  set_target_properties(hepad_HDF5::hdf5 PROPERTIES IMPORTED_LOCATION "${hepad_HDF5_LIBRARY}"
                                                    INTERFACE_INCLUDE_DIRECTORIES "${hepad_HDF5_INCLUDE_DIR}")
endif()
mark_as_advanced(hepad_HDF5_INCLUDE_DIR hepad_HDF5_LIBRARY)
