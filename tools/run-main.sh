#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The README's main-job command: installs missing Debian packages, builds the flagship example and
# runs it (S0 background extrapolation, --quick) on the embedded synthetic generator, printing results and writing plots
# to out/. Extra arguments are passed to the example (e.g. --full).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-debian.sh
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
example=${HEPAD_MAIN_EXAMPLE:-background_extrapolation}
cmake --preset bench > build-configure-main.log 2>&1 || { cat build-configure-main.log; exit 1; }
cmake --build --preset bench --target "$example" -j "$(nproc)"
mkdir -p out
exec "build/bench/examples/$example/$example" --output-dir out "$@"
