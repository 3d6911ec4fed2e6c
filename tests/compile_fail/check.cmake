# SPDX-License-Identifier: BSL-1.0
# Runs one compile-fail build and checks its output: the build must fail, and every part of the
# expectation (parts separated by " ... ", each a CMake regular expression) must occur in the
# compiler output in order. Matching here, part by part, instead of with PASS_REGULAR_EXPRESSION
# keeps CTest linear on the megabytes of template diagnostics some of these builds print.
# Usage: cmake -DBUILD_DIR=... -DTARGET=... -DEXPECT=... -P check.cmake
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "compile-fail target ${TARGET} compiled; it must not")
endif()
string(REPLACE " ... " ";" parts "${EXPECT}")
set(rest "${out}")
foreach(part IN LISTS parts)
  string(REGEX MATCH "${part}" hit "${rest}")
  if(hit STREQUAL "")
    string(LENGTH "${out}" n)
    if(n GREATER 4000)
      string(SUBSTRING "${out}" 0 4000 out)
    endif()
    message(FATAL_ERROR "compile-fail target ${TARGET}: expected '${part}' not found in the output:\n${out}")
  endif()
  string(FIND "${rest}" "${hit}" pos)
  string(LENGTH "${hit}" len)
  math(EXPR pos "${pos} + ${len}")
  string(SUBSTRING "${rest}" ${pos} -1 rest)
endforeach()
message(STATUS "${TARGET}: failed to compile with the expected message")
