# SPDX-License-Identifier: BSL-1.0
# Consumer tests: hepad is installed into the build tree, then two tiny projects are configured,
# built and run: one finds hepad with find_package(hepad), the other adds the source tree with
# add_subdirectory().
set(_prefix ${CMAKE_BINARY_DIR}/install-tree)
add_test(NAME package.install
         COMMAND ${CMAKE_COMMAND} --install ${CMAKE_BINARY_DIR} --prefix ${_prefix})
set_tests_properties(package.install PROPERTIES LABELS "package" FIXTURES_SETUP hepad_installed)

set(_gen_args --build-generator ${CMAKE_GENERATOR})
if(CMAKE_CXX_COMPILER_LAUNCHER)
  set(_launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER})
endif()
add_test(NAME package.find_package
         COMMAND ${CMAKE_CTEST_COMMAND} --build-and-test ${CMAKE_CURRENT_LIST_DIR}/consumer
                 ${CMAKE_CURRENT_BINARY_DIR}/consumer_find_package ${_gen_args}
                 --build-options -DCMAKE_PREFIX_PATH=${_prefix} -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
                 ${_launcher}
                 --test-command consumer)
set_tests_properties(package.find_package PROPERTIES LABELS "package" FIXTURES_REQUIRED hepad_installed
                     TIMEOUT 600)
add_test(NAME package.add_subdirectory
         COMMAND ${CMAKE_CTEST_COMMAND} --build-and-test ${CMAKE_CURRENT_LIST_DIR}/subdirectory
                 ${CMAKE_CURRENT_BINARY_DIR}/consumer_add_subdirectory ${_gen_args}
                 --build-options -DHEPAD_SOURCE_DIR=${PROJECT_SOURCE_DIR}
                 -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER} ${_launcher}
                 --test-command consumer)
set_tests_properties(package.add_subdirectory PROPERTIES LABELS "package" TIMEOUT 600)
