# SPDX-License-Identifier: BSL-1.0
# Install rules: headers, one export set per component, hepadConfig.cmake (re-finds the
# dependencies through the same hepad_dependencies.cmake as the build), an architecture-independent
# version file, and a build-tree export().
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(HEPAD_CMAKE_DIR "${CMAKE_INSTALL_DATADIR}/cmake/hepad")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/hepad" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.hpp")

install(TARGETS hepad EXPORT hepad_targets)
install(EXPORT hepad_targets NAMESPACE hepad:: FILE hepad_targets.cmake DESTINATION "${HEPAD_CMAKE_DIR}")
export(EXPORT hepad_targets NAMESPACE hepad:: FILE "${PROJECT_BINARY_DIR}/hepad_targets.cmake")

foreach(_c IN LISTS HEPAD_COMPONENTS)
  install(TARGETS hepad_${_c} EXPORT hepad_${_c}_targets)
  install(EXPORT hepad_${_c}_targets NAMESPACE hepad:: FILE hepad_${_c}_targets.cmake
          DESTINATION "${HEPAD_CMAKE_DIR}")
  export(EXPORT hepad_${_c}_targets NAMESPACE hepad::
         FILE "${PROJECT_BINARY_DIR}/hepad_${_c}_targets.cmake")
endforeach()

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/hepadConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/hepadConfig.cmake"
                              INSTALL_DESTINATION "${HEPAD_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/hepadConfigVersion.cmake"
                                 COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/hepadConfig.cmake" "${PROJECT_BINARY_DIR}/hepadConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/hepad_dependencies.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/FindLZ4.cmake" "${PROJECT_SOURCE_DIR}/cmake/FindxxHash.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/FindFastJet.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/Findhepad_HDF5.cmake"
        DESTINATION "${HEPAD_CMAKE_DIR}")
