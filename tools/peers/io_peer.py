#!/usr/bin/python3
# SPDX-License-Identifier: BSL-1.0
"""Python peer for hepad's I/O benchmark (benchmarks/io.cpp): reading a 10^6-event table.

Makes (once) the benchmark table as a pandas "fixed"-format HDF5 file (the LHC Olympics layout):
8 float64 columns, an int64 label and a uint64 event number, N rows, values from numpy's
PCG64(seed). Then times (median wall and CPU time of --reps runs) reading it whole with
  - pandas.read_hdf(path, "df")                     (DataFrame, all columns)
  - h5py: every block*_values dataset read with [:] (raw arrays, no DataFrame)
and prints one JSON line. hepad's benchmark reads the same file (HEPAD_IO_BENCH_DIR).
Run: /usr/bin/python3 tools/peers/io_peer.py [--n 1000000] [--dir /tmp/hepad_io_bench] [--reps 5]
Needs Debian's python3-numpy, python3-pandas, python3-tables, python3-h5py."""
import argparse, json, os, time
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=1_000_000)
ap.add_argument("--dir", default=os.environ.get("HEPAD_IO_BENCH_DIR", "/tmp/hepad_io_bench"))
ap.add_argument("--reps", type=int, default=5)
ap.add_argument("--seed", type=int, default=1234)
a = ap.parse_args()

import pandas as pd
import h5py

os.makedirs(a.dir, exist_ok=True)
path = os.path.join(a.dir, "table.h5")
names = ["mjj", "mj1", "mj2", "tau21_1", "tau21_2", "tau32_1", "tau32_2", "pt"]
if not os.path.exists(path) or h5py.File(path)["df/axis1"].shape[0] != a.n:
    rng = np.random.Generator(np.random.PCG64(a.seed))
    cols = {n: rng.normal(size=a.n) for n in names}
    cols["label"] = rng.integers(0, 2, size=a.n).astype(np.int64)
    cols["event"] = np.arange(a.n, dtype=np.uint64) + np.uint64(2**40)
    pd.DataFrame(cols).to_hdf(path, key="df", mode="w", format="fixed")

def median(fn):
    """Median wall time and median CPU time (user + system of this process) over --reps runs."""
    ts, cs = [], []
    for _ in range(a.reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        ts.append(time.perf_counter() - t0)
        cs.append(time.process_time() - c0)
    return sorted(ts)[len(ts) // 2], sorted(cs)[len(cs) // 2]

def with_h5py():
    with h5py.File(path, "r") as f:
        g = f["df"]
        return [g["block%d_values" % b][:] for b in range(int(g.attrs["nblocks"]))]

t_pd = median(lambda: pd.read_hdf(path, "df"))
t_h5 = median(with_h5py)
print(json.dumps({"peer": "io", "file": path, "rows": a.n, "pandas_read_hdf_s": t_pd[0], "pandas_read_hdf_cpu_s": t_pd[1],
                  "h5py_blocks_s": t_h5[0], "h5py_blocks_cpu_s": t_h5[1],
                  "pandas": pd.__version__, "h5py": h5py.__version__, "numpy": np.__version__}))
