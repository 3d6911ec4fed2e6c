# SPDX-License-Identifier: BSL-1.0
# Independent JavaScript readers for cross-checks (jsroot for ROOT, hyparquet(+compressors) and
# parquet-wasm for Parquet). The CTest fixture "js_readers" installs them once per build tree from
# the committed package-lock.json (npm ci --ignore-scripts; needs Node.js/npm and the npm registry)
# into ${HEPAD_JS_DIR}/node_modules. Tests that use them set FIXTURES_REQUIRED js_readers and find
# the scripts in tests/js/ and the modules through NODE_PATH=${HEPAD_JS_DIR}/node_modules.
set(HEPAD_JS_DIR ${CMAKE_BINARY_DIR}/js CACHE INTERNAL "where the JS cross-check readers are installed")
find_program(HEPAD_NODE node)
find_program(HEPAD_NPM npm)
if(HEPAD_NODE AND HEPAD_NPM)
  file(MAKE_DIRECTORY ${HEPAD_JS_DIR})
  configure_file(${CMAKE_CURRENT_LIST_DIR}/package.json ${HEPAD_JS_DIR}/package.json COPYONLY)
  configure_file(${CMAKE_CURRENT_LIST_DIR}/package-lock.json ${HEPAD_JS_DIR}/package-lock.json COPYONLY)
  add_test(NAME js.install_readers
           COMMAND ${HEPAD_NPM} ci --ignore-scripts --no-audit --no-fund --loglevel=error
           WORKING_DIRECTORY ${HEPAD_JS_DIR})
  set_tests_properties(js.install_readers PROPERTIES LABELS "js" FIXTURES_SETUP js_readers TIMEOUT 600)
  set(HEPAD_JS_AVAILABLE TRUE CACHE INTERNAL "")
else()
  message(WARNING "hepad: node/npm not found: the cross-checks against jsroot/hyparquet/parquet-wasm are not run")
  set(HEPAD_JS_AVAILABLE FALSE CACHE INTERNAL "")
endif()
