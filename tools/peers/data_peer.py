#!/usr/bin/python3
# SPDX-License-Identifier: BSL-1.0
"""Python peer of benchmarks/data.cpp: the SVJ-like generator of S0 §12.3 (numpy, vectorised), its
exact data/MC log-density ratio, the signal-region mask, selecting a random half of the rows, and
scikit-learn's MinMaxScaler / StandardScaler fit_transform on 10^6 x 7 float32 events.
Prints one JSON line with the median wall time and the median CPU time (ms, process_time) of each
step over --reps repetitions; on a busy machine compare CPU times."""
import argparse, json, math, time
import numpy as np
from sklearn.preprocessing import MinMaxScaler, StandardScaler

POP = {"data": dict(mu=math.log(230), sig=0.50, s0=20.0, r0=math.log(0.90), m21=0.85, s21=0.55, m32=1.45),
       "mc": dict(mu=math.log(240), sig=0.56, s0=21.5, r0=math.log(0.92), m21=0.90, s21=0.5775, m32=1.48)}


def generate(rng, n, p):
    ht = 250 + np.exp(rng.normal(p["mu"], p["sig"], n))
    met = p["s0"] * (ht / 500) ** 0.8 * rng.gamma(2.0, 1.0, n)
    mjj = ht * np.exp(rng.normal(p["r0"] + 0.3 * met / ht, 0.18))
    u = rng.normal(size=n)
    m21 = p["m21"] - 0.25 * np.log(ht / 500) - 0.5 * met / ht
    m32 = p["m32"] - 0.10 * np.log(ht / 500)
    sig = lambda z: 1 / (1 + np.exp(-z))
    t21 = [sig(m21 + p["s21"] * (0.4 * u + math.sqrt(0.84) * rng.normal(size=n))) for _ in range(2)]
    t32 = [sig(m32 + 0.45 * (0.3 * u + math.sqrt(0.91) * rng.normal(size=n))) for _ in range(2)]
    return np.column_stack([ht, met, mjj, t21[0], t21[1], t32[0], t32[1]]).astype(np.float32)


def log_prob(x, p):
    x = x.astype(np.float64)
    ht, met, mjj, taus = x[:, 0], x[:, 1], x[:, 2], x[:, 3:7]
    h = ht - 250
    lp = -(np.log(h) - p["mu"]) ** 2 / (2 * p["sig"] ** 2) - np.log(h * p["sig"] * math.sqrt(2 * math.pi))
    th = p["s0"] * (ht / 500) ** 0.8
    lp += np.log(met) - 2 * np.log(th) - met / th
    r = np.log(mjj / ht)
    lp += -(r - p["r0"] - 0.3 * met / ht) ** 2 / (2 * 0.18 ** 2) - math.log(0.18 * math.sqrt(2 * math.pi)) - np.log(mjj)
    v21, v32, c = p["s21"] ** 2, 0.2025, 0.054 * p["s21"]
    C = np.array([[v21, .16 * v21, c, c], [.16 * v21, v21, c, c], [c, c, v32, .09 * v32], [c, c, .09 * v32, v32]])
    P = np.linalg.inv(C)
    mu = np.column_stack([p["m21"] - 0.25 * np.log(ht / 500) - 0.5 * met / ht] * 2 + [p["m32"] - 0.10 * np.log(ht / 500)] * 2)
    z = np.log(taus) - np.log1p(-taus) - mu
    lp += -0.5 * np.einsum("ij,jk,ik->i", z, P, z) - 0.5 * math.log(np.linalg.det(C)) - 2 * math.log(2 * math.pi)
    lp -= np.sum(np.log(taus) + np.log1p(-taus), axis=1)
    return lp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    mc = generate(np.random.default_rng(1), a.n, POP["mc"])
    mask = np.random.default_rng(3).random(a.n) < 0.5
    steps = {
        "generate_1e6": lambda: generate(np.random.default_rng(2), a.n, POP["data"]),
        "log_density_ratio_1e6": lambda: log_prob(mc, POP["data"]) - log_prob(mc, POP["mc"]),
        "sr_mask_1e6": lambda: (mc[:, 0] > 800) & (mc[:, 1] > 75),
        "select_half_1e6x7": lambda: mc[mask],
        "minmax_fit_transform_1e6x7": lambda: MinMaxScaler((0, 1)).fit_transform(mc),
        "standardize_fit_transform_1e6x7": lambda: StandardScaler().fit_transform(mc),
    }
    out = {"peer": "data_peer", "n": a.n, "numpy": np.__version__}
    for name, f in steps.items():
        ts, cs = [], []
        for _ in range(a.reps):
            t0, c0 = time.perf_counter(), time.process_time()
            f()
            ts.append(1e3 * (time.perf_counter() - t0))
            cs.append(1e3 * (time.process_time() - c0))
        out[name + "_ms"] = round(sorted(ts)[len(ts) // 2], 2)
        out[name + "_cpu_ms"] = round(sorted(cs)[len(cs) // 2], 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
