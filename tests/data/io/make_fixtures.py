#!/usr/bin/python3
# SPDX-License-Identifier: BSL-1.0
"""Makes the small I/O fixtures of tests/io with the reference Python stack (numpy, h5py, pandas +
PyTables), so that hepad's readers are tested on files written by independent writers.
Run with Debian's interpreter: /usr/bin/python3 tests/data/io/make_fixtures.py
(needs python3-numpy python3-h5py python3-pandas python3-tables). Every value is a closed-form
function of the row index i, repeated in tests/io/io_test.cpp."""
import os
import numpy as np
import h5py
import pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
n = 50
i = np.arange(n)

# pandas "fixed" format with several blocks (float64, float32, int64, uint64), like the LHC Olympics files
df = pd.DataFrame({
    "a": i * 0.5,
    "b": (i.astype(np.float32) / np.float32(3)),
    "k": i * i - 100,
    "u": (np.uint64(2**63) + i.astype(np.uint64)),
    "c": -i * 0.25,
})
df.to_hdf(os.path.join(here, "pandas_fixed.h5"), key="df", mode="w", format="fixed")

# LHC Olympics layout: one float64 block with numeric column names "0".."6" (the real file has 2101)
lhco = pd.DataFrame(np.arange(20 * 7, dtype=np.float64).reshape(20, 7) / 8.0, columns=[str(c) for c in range(7)])
lhco.to_hdf(os.path.join(here, "lhco_like.h5"), key="df", mode="w", format="fixed")

# Higgs challenge layout: an (N, 30) float32 feature matrix, plus weights and labels
with h5py.File(os.path.join(here, "higgs_like.h5"), "w") as f:
    feats = (np.arange(n * 30, dtype=np.float32).reshape(n, 30) - 100) / np.float32(7)
    feats[::5, 0] = -999.0  # the challenge's missing-value marker
    f.create_dataset("features", data=feats)
    f.create_dataset("weights", data=1.0 + i / 10.0)
    f.create_dataset("labels", data=(i % 2).astype(np.int8))
    # a compound dataset (numpy structured array) and an h5py bool dataset
    rec = np.zeros(n, dtype=[("event", "<u8"), ("pt", "<f4"), ("q", "<i2"), ("tag", "S6")])
    rec["event"] = 10**12 + i
    rec["pt"] = i.astype(np.float32) * np.float32(1.5)
    rec["q"] = np.where(i % 2 == 1, -1, 1)
    rec["tag"] = [("t%d" % (k % 7)).encode() for k in range(n)]
    f.create_dataset("records", data=rec)
    f.create_dataset("flags", data=(i % 3 == 0))

# NumPy: structured array with a big-endian field and a bool, a Fortran-ordered 2-D int32 array,
# a big-endian plain array, and .npz archives (stored and deflated)
s = np.zeros(n, dtype=[("event", "<u8"), ("pt", "<f4"), ("flag", "?"), ("m", ">f8"), ("name", "S5")])
s["event"] = 2**63 + i.astype(np.uint64)
s["pt"] = i.astype(np.float32) / np.float32(3)
s["flag"] = i % 3 == 1
s["m"] = i * 1.25
s["name"] = [("n%d" % (k % 10)).encode() for k in range(n)]
np.save(os.path.join(here, "structured.npy"), s)
np.save(os.path.join(here, "fortran.npy"), np.asfortranarray((i.reshape(10, 5) * 3 - 7).astype(np.int32)))
np.save(os.path.join(here, "bigendian.npy"), (i * 0.75).astype(">f8"))
np.savez(os.path.join(here, "stored.npz"), x=(i * 0.5).astype(np.float32), y=i.astype(np.int64).reshape(10, 5))
np.savez_compressed(os.path.join(here, "deflated.npz"), x=(i * 0.5).astype(np.float32), y=i.astype(np.int64).reshape(10, 5))

# CSV from pandas: quoting of commas, quotes and line breaks; a float column and an int column
pd.DataFrame({
    "id": i[:6],
    "x": i[:6] / 4.0,
    "label": ["plain", "with,comma", 'with "quote"', "with\nnewline", "", "end"],
}).to_csv(os.path.join(here, "pandas.csv"), index=False)
print("fixtures written to", here)
