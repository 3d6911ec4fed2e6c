# SPDX-License-Identifier: BSL-1.0
# Helpers for hepad's own tests, examples and benchmarks (not installed).

# hepad_component_available(<out> <component>...): TRUE if every hepad::<component> target exists.
function(hepad_components_available out)
  set(_ok TRUE)
  foreach(_c IN LISTS ARGN)
    if(NOT TARGET hepad::${_c})
      set(_ok FALSE)
    endif()
  endforeach()
  set(${out} ${_ok} PARENT_SCOPE)
endfunction()

# hepad_add_example(<name> SOURCES <src>... [COMPONENTS <c>...] [TEST_ARGS <arg>...]
#                   [LABELS <l>...] [TIMEOUT <s>])
# Builds an example program linked to the public targets only and registers a CTest test
# "example.<name>" that runs it with TEST_ARGS (a reduced, fast configuration).
function(hepad_add_example name)
  cmake_parse_arguments(E "" "TIMEOUT" "SOURCES;COMPONENTS;TEST_ARGS;LABELS" ${ARGN})
  hepad_components_available(_ok ${E_COMPONENTS})
  if(NOT _ok)
    message(STATUS "hepad: example ${name} skipped (needs components: ${E_COMPONENTS})")
    return()
  endif()
  add_executable(${name} ${E_SOURCES})
  set(_libs hepad::hepad)
  foreach(_c IN LISTS E_COMPONENTS)
    list(APPEND _libs hepad::${_c})
  endforeach()
  target_link_libraries(${name} PRIVATE ${_libs} hepad_dev_flags)
  if(NOT E_TIMEOUT)
    set(E_TIMEOUT 600)
  endif()
  add_test(NAME example.${name} COMMAND ${name} ${E_TEST_ARGS}
           WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(example.${name} PROPERTIES LABELS "example;${E_LABELS}" TIMEOUT ${E_TIMEOUT})
endfunction()
