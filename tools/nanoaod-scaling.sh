#!/bin/bash
# Thread and MPI scaling of examples/nanoaod_4mu (docs/performance.md, "Thread and MPI scaling"):
# one dataset of N copies (symlinks) of nano_dy.root, run with the sequential executor, threads
# (1 and 2 workers) and MPI (1 and 2 ranks), twice, each under /usr/bin/time; then the outputs are
# compared byte for byte. Usage: [N=400] [EXE=...] [DATA=...] tools/nanoaod-scaling.sh
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EXE=${EXE:-$ROOT/build/ci/examples/nanoaod_4mu/nanoaod_4mu}
DATA=${DATA:-$ROOT/../shared/data/nanoaod/nano_dy.root}
W=${W:-/tmp/hepad_scaling}
N=${N:-400}
D=$W/ds; rm -rf $D; mkdir -p $D/files
export DATA W
python3 - <<PY
import json, os
files = {}
for i in range($N):
    p = "$W/ds/files/dy_%04d.root" % i
    if not os.path.exists(p): os.symlink(os.environ["DATA"], p)
    files[p] = "Events"
json.dump({"dy400": {"files": files, "metadata": {"isMC": True, "XS": 1.0}}}, open("$W/ds/dy400.json", "w"))
PY
C=$ROOT/examples/nanoaod_4mu
common="--datasets dy400 --dataset-dir $D --config $C/relaxed.json --pileup $C/corrections/pileup_test.json --muon-sf $C/corrections/muon_sf_test.json"
run() { local name=$1; shift; rm -rf $W/out_$name; /usr/bin/time -f "$name wall %e s user %U s sys %S s" "$@" --output-dir $W/out_$name > $W/log_$name.txt 2>&1 || { echo "FAILED $name"; tail -5 $W/log_$name.txt; }; tail -1 $W/log_$name.txt; }
uptime
for rep in 1 2; do
run seq $EXE $common --executor sequential
run thr1 $EXE $common --executor threads --workers 1
run thr2 $EXE $common --executor threads --workers 2
if command -v mpirun >/dev/null; then
run mpi1 mpirun --allow-run-as-root --oversubscribe -np 1 $EXE $common --executor mpi
run mpi2 mpirun --allow-run-as-root -np 2 $EXE $common --executor mpi
fi
done
for n in thr1 thr2 mpi1 mpi2; do for f in $(cd $W/out_seq && find . -type f | sort); do cmp -s $W/out_seq/$f $W/out_$n/$f || echo "DIFFER $n $f"; done; done
echo compared
