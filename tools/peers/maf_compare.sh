#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Side-by-side run of the conditional-MAF peer (../shared/peers/peer_maf.py, PyTorch) and hepad's
# replica (benchmarks/flows.cpp, benchmark "maf_peer"), both at 1 thread, one after the other.
# hepad trains and validates on the peer's exact arrays (tools/peers/maf_data.py, same numpy seed).
# Prints both JSON records, the ratios, and the machine load. Each side is timed twice: by the wall
# clock (as the peer does) and by the CPU time of the computing thread (robust on a shared
# machine; the peer's clock is swapped by tools/peers/thread_clock.py, its code is unchanged).
#
# Usage: tools/peers/maf_compare.sh BUILD_DIR   (BUILD_DIR configured with -DHEPAD_BUILD_BENCHMARKS=ON
#        and bench_flows built)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:?usage: maf_compare.sh BUILD_DIR}"
peer="$root/../shared/peers/peer_maf.py"
py=/usr/bin/python3
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) load before: $(cut -d' ' -f1-3 /proc/loadavg)"
peer_wall=$("$py" "$peer" --threads 1)
echo "peer (wall clock):      $peer_wall"
peer_cpu=$("$py" "$here/thread_clock.py" "$peer" --threads 1)
echo "peer (thread CPU time): $peer_cpu"
"$py" "$here/maf_data.py" "$build/maf_peer_data" > /dev/null   # the peer's exact data for hepad
ours=$(HEPAD_MAF_PEER_DATA="$build/maf_peer_data" HEPAD_THREADS=1 "$build/benchmarks/bench_flows" --benchmark_filter='^maf_peer' --benchmark_format=json 2>/dev/null)
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$py" - "$peer_wall" "$peer_cpu" "$ours" <<'PY'
import json, sys
pw, pc, ours = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
b = [x for x in ours["benchmarks"] if x["name"].startswith("maf_peer")][0]
print(json.dumps({"hepad": {k: round(b[k], 4) for k in ("sec_per_epoch", "cpu_sec_per_epoch", "sample_sec",
                                                           "sample_cpu_sec", "val_nll", "true_nll", "peer_data")}}))
if b.get("peer_data") != 1:
    print("WARNING: hepad did not read the peer's arrays (its own draws of the same formula were used)")
print(f"training s/epoch   wall: peer {pw['sec_per_epoch']:.3f}  hepad {b['sec_per_epoch']:.3f}  "
      f"ratio hepad/peer {b['sec_per_epoch'] / pw['sec_per_epoch']:.3f}")
print(f"training s/epoch   cpu:  peer {pc['sec_per_epoch']:.3f}  hepad {b['cpu_sec_per_epoch']:.3f}  "
      f"ratio hepad/peer {b['cpu_sec_per_epoch'] / pc['sec_per_epoch']:.3f}")
print(f"sampling 1M s      wall: peer {pw['sample_sec']:.3f}  hepad {b['sample_sec']:.3f}  "
      f"speed-up {pw['sample_sec'] / b['sample_sec']:.2f}x")
print(f"sampling 1M s      cpu:  peer {pc['sample_sec']:.3f}  hepad {b['sample_cpu_sec']:.3f}  "
      f"speed-up {pc['sample_sec'] / b['sample_cpu_sec']:.2f}x")
print(f"validation NLL: peer {pw['val_nll']:.4f} (true {pw['true_nll']:.4f}, excess {pw['val_nll'] - pw['true_nll']:.4f}); "
      f"hepad {b['val_nll']:.4f} (true {b['true_nll']:.4f}, excess {b['val_nll'] - b['true_nll']:.4f})")
PY
