# SPDX-License-Identifier: BSL-1.0
# FindFastJet: finds FastJet (Debian: libfastjet-dev) and defines the imported target FastJet::FastJet.
find_path(FastJet_INCLUDE_DIR NAMES fastjet/ClusterSequence.hh)
find_library(FastJet_LIBRARY NAMES fastjet)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(FastJet REQUIRED_VARS FastJet_LIBRARY FastJet_INCLUDE_DIR)
if(FastJet_FOUND AND NOT TARGET FastJet::FastJet)
  add_library(FastJet::FastJet UNKNOWN IMPORTED)
  set_target_properties(FastJet::FastJet PROPERTIES IMPORTED_LOCATION "${FastJet_LIBRARY}"
                                                    INTERFACE_INCLUDE_DIRECTORIES "${FastJet_INCLUDE_DIR}")
endif()
mark_as_advanced(FastJet_INCLUDE_DIR FastJet_LIBRARY)
