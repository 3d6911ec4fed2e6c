# SPDX-License-Identifier: BSL-1.0
# Compile-fail tests: every tests/compile_fail/*.cpp must FAIL to compile with a message matching
# the expectation on its first line ("// EXPECT: <regex>[ ... <regex>...]", parts in order; see
# check.cmake). Each file is an
# EXCLUDE_FROM_ALL target that CTest builds; the test passes only if the build output matches.
# A file's second line may name needed components: "// COMPONENTS: json".
file(GLOB _cf_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cpp)
foreach(_src IN LISTS _cf_sources)
  get_filename_component(_name ${_src} NAME_WE)
  file(STRINGS ${_src} _lines LIMIT_COUNT 2)
  list(GET _lines 0 _first)
  if(NOT _first MATCHES "^// EXPECT: (.+)$")
    message(FATAL_ERROR "${_src}: first line must be '// EXPECT: <regex>'")
  endif()
  set(_regex "${CMAKE_MATCH_1}")
  set(_components "")
  list(LENGTH _lines _n)
  if(_n GREATER 1)
    list(GET _lines 1 _second)
    if(_second MATCHES "^// COMPONENTS: (.+)$")
      string(REPLACE " " ";" _components "${CMAKE_MATCH_1}")
    endif()
  endif()
  hepad_components_available(_ok ${_components})
  if(NOT _ok)
    continue()
  endif()
  add_executable(compile_fail_${_name} EXCLUDE_FROM_ALL ${_src})
  set(_libs hepad::hepad)
  foreach(_c IN LISTS _components)
    list(APPEND _libs hepad::${_c})
  endforeach()
  target_link_libraries(compile_fail_${_name} PRIVATE ${_libs})
  # A control build of the same file with HEPAD_COMPILE_FAIL_CONTROL defined must succeed, so a
  # test cannot pass merely because of an unrelated error (typo, missing include).
  add_executable(compile_fail_${_name}_control EXCLUDE_FROM_ALL ${_src})
  target_link_libraries(compile_fail_${_name}_control PRIVATE ${_libs})
  target_compile_definitions(compile_fail_${_name}_control PRIVATE HEPAD_COMPILE_FAIL_CONTROL)
  add_test(NAME compile_fail.${_name}
           COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${CMAKE_BINARY_DIR} -DTARGET=compile_fail_${_name}
                   "-DEXPECT=${_regex}" -P ${CMAKE_CURRENT_LIST_DIR}/check.cmake)
  set_tests_properties(compile_fail.${_name} PROPERTIES LABELS "compile_fail" RESOURCE_LOCK hepad_build
                       TIMEOUT 300)
  add_test(NAME compile_fail.${_name}_control
           COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target compile_fail_${_name}_control)
  set_tests_properties(compile_fail.${_name}_control PROPERTIES LABELS "compile_fail"
                       RESOURCE_LOCK hepad_build TIMEOUT 300)
endforeach()
