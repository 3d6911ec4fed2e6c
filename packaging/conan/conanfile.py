# SPDX-License-Identifier: BSL-1.0
# Conan 2 recipe for hepad (header-only). The version is read from include/hepad/version.hpp.
# Components mirror the CMake targets hepad::hepad, hepad::json, hepad::root_io, hepad::parquet,
# hepad::hdf5, hepad::mpi, hepad::fastjet, hepad::xtensor.
import os
import re

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.cmake import CMake, CMakeToolchain, cmake_layout
from conan.tools.files import copy, load

required_conan_version = ">=2.0"


class HepadConan(ConanFile):
    name = "hepad"
    license = "BSL-1.0"
    description = "Header-only C++20 anomaly detection and statistical inference for high-energy physics"
    topics = ("physics", "anomaly-detection", "autodiff", "normalizing-flows", "statistics", "header-only")
    package_type = "header-library"
    settings = "os", "arch", "compiler", "build_type"
    options = {
        "with_json": [True, False],
        "with_codecs": [True, False],
        "with_hdf5": [True, False],
        "with_xtensor": [True, False],
    }
    default_options = {"with_json": False, "with_codecs": False, "with_hdf5": False, "with_xtensor": False}
    no_copy_source = True

    def export_sources(self):
        root = os.path.join(self.recipe_folder, "..", "..")
        for pattern in ("include/*", "cmake/*", "CMakeLists.txt", "LICENSE"):
            copy(self, pattern, root, self.export_sources_folder)

    def set_version(self):
        text = load(self, os.path.join(self.recipe_folder, "..", "..", "include", "hepad", "version.hpp"))
        parts = [re.search(rf"#define HEPAD_VERSION_{p} (\d+)", text).group(1) for p in ("MAJOR", "MINOR", "PATCH")]
        self.version = ".".join(parts)

    def validate(self):
        check_min_cppstd(self, 20)

    def requirements(self):
        self.requires("eigen/3.4.0")
        self.requires("boost/1.83.0", options={"header_only": True})
        if self.options.with_json:
            self.requires("nlohmann_json/3.11.3")
        if self.options.with_codecs:
            self.requires("zlib/[>=1.2.11 <2]")
            self.requires("xz_utils/[>=5.4]")
            self.requires("lz4/[>=1.9]")
            self.requires("zstd/[>=1.5]")
            self.requires("xxhash/[>=0.8]")
            self.requires("snappy/[>=1.1]")
        if self.options.with_hdf5:
            self.requires("hdf5/[>=1.10]")
        if self.options.with_xtensor:
            self.requires("xtensor/0.24.7")

    def layout(self):
        cmake_layout(self)

    def generate(self):
        tc = CMakeToolchain(self)
        tc.cache_variables["HEPAD_BUILD_TESTS"] = False
        tc.cache_variables["HEPAD_BUILD_EXAMPLES"] = False
        tc.cache_variables["HEPAD_WITH_JSON"] = bool(self.options.with_json)
        tc.cache_variables["HEPAD_WITH_CODECS"] = bool(self.options.with_codecs)
        tc.cache_variables["HEPAD_WITH_HDF5"] = bool(self.options.with_hdf5)
        tc.cache_variables["HEPAD_WITH_XTENSOR"] = bool(self.options.with_xtensor)
        tc.cache_variables["HEPAD_WITH_MPI"] = False
        tc.cache_variables["HEPAD_WITH_FASTJET"] = False
        tc.generate()

    def package(self):
        copy(self, "LICENSE", self.source_folder, os.path.join(self.package_folder, "licenses"))
        cmake = CMake(self)
        cmake.configure()
        cmake.install()

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "hepad")
        self.cpp_info.set_property("cmake_find_mode", "none")  # use the installed hepadConfig.cmake
        self.cpp_info.builddirs.append(os.path.join("share", "cmake", "hepad"))
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.components["hepad"].set_property("cmake_target_name", "hepad::hepad")
        self.cpp_info.components["hepad"].requires = ["eigen::eigen", "boost::headers"]
        if self.options.with_json:
            self.cpp_info.components["json"].set_property("cmake_target_name", "hepad::json")
            self.cpp_info.components["json"].requires = ["hepad", "nlohmann_json::nlohmann_json"]
            self.cpp_info.components["json"].defines = ["HEPAD_HAS_JSON=1"]

    def package_id(self):
        self.info.clear()
