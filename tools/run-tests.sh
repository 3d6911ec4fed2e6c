#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The README's test command: installs missing Debian packages, configures the "ci" preset, builds
# everything (tests, examples, suites) and runs the whole CTest suite. Prints the compile time of a
# translation unit that includes <hepad/hepad.hpp>, the build time and the test time.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-debian.sh
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export HEPAD_QUIET=1
jobs=$(nproc)
t0=$(date +%s)
cmake --preset ci > build-configure.log 2>&1 || { cat build-configure.log; exit 1; }
tools/umbrella-compile-time.sh build/ci
t1=$(date +%s)
cmake --build --preset ci -j "$jobs"
t2=$(date +%s)
status=0
ctest --preset ci -j "$jobs" || status=$?
t3=$(date +%s)
echo "hepad: configure $((t1 - t0)) s, build $((t2 - t1)) s, tests $((t3 - t2)) s, total $((t3 - t0)) s"
exit $status
