# SPDX-License-Identifier: BSL-1.0
# ODR test: two generated translation units each include every public header (those whose
# components are available), after defining hostile min/max macros; they are linked into one
# program, which must link (no duplicate non-inline definitions) and run.
set(_odr_dir ${CMAKE_CURRENT_BINARY_DIR}/odr)
set(_includes "")
foreach(_h IN LISTS HEPAD_CHECKED_HEADERS)
  string(APPEND _includes "#include <${_h}>\n")
endforeach()
foreach(_i 1 2)
  file(CONFIGURE OUTPUT ${_odr_dir}/odr_tu${_i}.cpp CONTENT
"// Generated: every public hepad header, after hostile macros.
#define min(a, b) hostile_min_macro
#define max(a, b) hostile_max_macro
${_includes}
int hepad_odr_tu${_i}() { return HEPAD_VERSION_MAJOR + ${_i}; }
")
endforeach()
add_executable(hepad_odr ${_odr_dir}/odr_tu1.cpp ${_odr_dir}/odr_tu2.cpp ${CMAKE_CURRENT_LIST_DIR}/odr_main.cpp)
set(_libs hepad::hepad)
foreach(_c IN LISTS HEPAD_ALL_TEST_COMPONENTS)
  list(APPEND _libs hepad::${_c})
endforeach()
target_link_libraries(hepad_odr PRIVATE ${_libs} hepad_dev_flags)
set_target_properties(hepad_odr PROPERTIES EXCLUDE_FROM_ALL TRUE)
add_test(NAME odr.build COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target hepad_odr)
set_tests_properties(odr.build PROPERTIES LABELS "odr" RESOURCE_LOCK hepad_build TIMEOUT 900
                     FIXTURES_SETUP hepad_odr_built)
add_test(NAME odr.run COMMAND hepad_odr)
set_tests_properties(odr.run PROPERTIES LABELS "odr" FIXTURES_REQUIRED hepad_odr_built)
