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
# The first compile reads every header from disk (on a fresh machine that alone costs seconds);
# the budget is about the compiler's work: the second, warm compile, as wall time and as CPU time
# (user + system; the number that does not depend on what else the machine is running).
timed() {
  local t start end
  if [[ -x /usr/bin/time ]]; then
    t=$( { /usr/bin/time -f "%e %U %S" g++ $flags -c "$tu" -o /dev/null; } 2>&1 | tail -1)
    awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%.2f %.2f", a[1], a[2] + a[3] }'
  else  # no GNU time: wall clock only (CPU reported as "n/a")
    start=$(date +%s%N)
    g++ $flags -c "$tu" -o /dev/null
    end=$(date +%s%N)
    awk -v d=$((end - start)) 'BEGIN { printf "%.2f n/a", d / 1e9 }'
  fi
}
read -r cold_wall cold_cpu <<< "$(timed)"
read -r warm_wall warm_cpu <<< "$(timed)"
rm -f "$tu"
echo "hepad: compile time of a TU including <hepad/hepad.hpp>: ${warm_cpu} s CPU, ${warm_wall} s wall (budget 10 s; first, cold-cache compile ${cold_wall} s wall)"
