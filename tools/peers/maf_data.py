#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Writes the exact training and validation data of ../shared/peers/peer_maf.py for hepad's replica.

Same numpy calls in the same order as the peer's make_data (default_rng(seed); n training events,
then n_val validation events), cast to float32 as the peer does. Output directory: x_train.f32
(n x 4), c_train.f32 (n x 1), x_val.f32, c_val.f32 (raw little-endian float32, row-major) and
meta.json (sizes and the true validation NLL). benchmarks/flows.cpp reads them when the environment
variable HEPAD_MAF_PEER_DATA names the directory.
Usage: maf_data.py OUT_DIR [--n 200000] [--n-val 100000] [--seed 1]
"""
import argparse, json, math, os
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--n", type=int, default=200_000)
ap.add_argument("--n-val", type=int, default=100_000)
ap.add_argument("--seed", type=int, default=1)
args = ap.parse_args()
LOG2PI = math.log(2 * math.pi)


def make_data(rng, n):  # verbatim from peer_maf.py, minus the torch conversion
    c = rng.uniform(-1, 1, n)
    z = rng.standard_normal((n, 4))
    x0 = c + z[:, 0]
    x1 = 0.5 * z[:, 0] ** 2 + 0.3 * c * z[:, 0] + 0.5 * z[:, 1]
    s2 = 0.75 + 0.25 * c
    x2 = np.tanh(x1 - 1) + s2 * z[:, 2]
    s3 = 0.5 * (1 + 0.5 * c)
    x3 = 0.5 * x2 + s3 * np.exp(0.5 * z[:, 3])
    y3 = (x3 - 0.5 * x2) / s3
    nll = (0.5 * (z[:, :3] ** 2).sum(1) + 1.5 * LOG2PI + np.log(0.5 * s2)
           + 0.5 * (2 * np.log(y3)) ** 2 + 0.5 * LOG2PI + np.log(0.5 * y3 * s3))
    x = np.stack([x0, x1, x2, x3], 1)
    return x.astype(np.float32), c[:, None].astype(np.float32), float(nll.mean())


rng = np.random.default_rng(args.seed)
X, C, _ = make_data(rng, args.n)
Xv, Cv, true_nll = make_data(rng, args.n_val)
os.makedirs(args.out, exist_ok=True)
for name, a in (("x_train", X), ("c_train", C), ("x_val", Xv), ("c_val", Cv)):
    np.ascontiguousarray(a, dtype="<f4").tofile(os.path.join(args.out, name + ".f32"))
with open(os.path.join(args.out, "meta.json"), "w") as f:
    json.dump({"n": args.n, "n_val": args.n_val, "seed": args.seed, "true_nll": true_nll}, f)
print(json.dumps({"out": args.out, "true_nll": round(true_nll, 4)}))
