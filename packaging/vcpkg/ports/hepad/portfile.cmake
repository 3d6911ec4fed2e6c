# SPDX-License-Identifier: BSL-1.0
# vcpkg overlay port for hepad (header-only). Use: vcpkg install hepad --overlay-ports=packaging/vcpkg/ports
set(VCPKG_BUILD_TYPE release)

vcpkg_from_github(
  OUT_SOURCE_PATH SOURCE_PATH
  REPO hepad/hepad
  REF "v${VERSION}"
  SHA512 0  # set when a release is tagged
  HEAD_REF main)

vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES
    json HEPAD_WITH_JSON
    codecs HEPAD_WITH_CODECS
    hdf5 HEPAD_WITH_HDF5
    xtensor HEPAD_WITH_XTENSOR)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS ${FEATURE_OPTIONS}
    -DHEPAD_BUILD_TESTS=OFF -DHEPAD_BUILD_EXAMPLES=OFF -DHEPAD_BUILD_BENCHMARKS=OFF
    -DHEPAD_WITH_MPI=OFF -DHEPAD_WITH_FASTJET=OFF)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME hepad CONFIG_PATH share/cmake/hepad)
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/lib" "${CURRENT_PACKAGES_DIR}/debug")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
