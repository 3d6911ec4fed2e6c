// SPDX-License-Identifier: BSL-1.0
/// @file hepad/version.hpp
/// @brief The library version: the single place it is stated (CMake, Conan and vcpkg parse it).
#ifndef HEPAD_VERSION_HPP
#define HEPAD_VERSION_HPP

#define HEPAD_VERSION_MAJOR 0
#define HEPAD_VERSION_MINOR 1
#define HEPAD_VERSION_PATCH 0
#define HEPAD_VERSION (HEPAD_VERSION_MAJOR * 10000 + HEPAD_VERSION_MINOR * 100 + HEPAD_VERSION_PATCH)

namespace hepad {
/// Version of the headers in use, as a semantic-versioning triple.
struct version_info {
  int major, minor, patch;
};
inline constexpr version_info version{HEPAD_VERSION_MAJOR, HEPAD_VERSION_MINOR, HEPAD_VERSION_PATCH};
/// "MAJOR.MINOR.PATCH", recorded with every saved result.
inline constexpr const char* version_string = "0.1.0";
}  // namespace hepad

#endif  // HEPAD_VERSION_HPP
