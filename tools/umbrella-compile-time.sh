#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Prints the wall time to compile one translation unit that includes <hepad/hepad.hpp>, with the
# flags of the given build directory's tests (budget: 10 s). Usage: tools/umbrella-compile-time.sh BUILD_DIR
set -euo pipefail
build=${1:-build/ci}
root="$(cd "$(dirname "$0")/.." && pwd)"
tu=$(mktemp --suffix=.cpp)
printf '#include <hepad/hepad.hpp>\nint main() { hepad::rng r(1); return static_cast<int>(r.uniform() > 2.0); }\n' > "$tu"
flags="-std=c++20 -O2 -march=native -I$root/include -I/usr/include/eigen3"
start=$(date +%s%N)
g++ $flags -c "$tu" -o /dev/null
end=$(date +%s%N)
rm -f "$tu"
ms=$(((end - start) / 1000000))
printf 'hepad: compile time of a TU including <hepad/hepad.hpp>: %d.%02d s (budget 10 s)\n' $((ms / 1000)) $(((ms % 1000) / 10))
