#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Known truth for the peer_fit.py comparison: the exact minimum, HESSE error and MINOS crossings
of every toy, computed independently of both hepad and iminuit, and how far each program is from them.

The peer's model is smooth except at t_k = 0 for the four piecewise-linearly interpolated shape
parameters (t3..t6, interpolation code 0). Restricted to one of the 16 sign orthants of
(t3, t4, t5, t6) it is smooth, so L-BFGS-B with those bounds finds that piece's minimum reliably;
the lowest of the 16 is the global (profile) minimum. The crossing mu with
min_theta NLL(mu, theta) = F_min + 1/2 is then found by a secant search on the exact profile,
started from the two programs' end points.

Run after tools/peers/fit_compare.py (it reads that script's per_toy.json, toys and hepad results):

    /usr/bin/python3 tools/peers/fit_exact.py [--workdir /tmp/hepad_fit_compare] [--json out.json]
"""
import argparse
import itertools
import json
import os
import sys

import numpy as np
from scipy.optimize import minimize

ap = argparse.ArgumentParser()
ap.add_argument("--workdir", default="/tmp/hepad_fit_compare")
ap.add_argument("--json", default="")
args = ap.parse_args()

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_fit_model import expected  # noqa: E402


def read_toys(path):
    toys = []
    with open(path) as fh:
        for line in fh:
            f = line.split()
            if f and f[0] == "toy":
                toys.append((np.array([float(v) for v in f[2:52]]), np.array([float(v) for v in f[52:58]])))
    return toys


ORTHANTS = list(itertools.product([-1.0, 1.0], repeat=4))


def piece_min(fun, x0, free_mu, signs):
    lo = [(None, None)] * (3 if free_mu else 2)
    bounds = lo + [((0.0, None) if s > 0 else (None, 0.0)) for s in signs]
    return minimize(fun, x0, method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-15, "gtol": 1e-11, "maxiter": 20000})


def exact_minimum(n, g, start):
    def nll(p):
        nu = np.maximum(expected(p), 1e-12)
        return np.sum(nu - n * np.log(nu)) + 0.5 * np.sum((p[1:] - g) ** 2)
    best = None
    for signs in ORTHANTS:
        x0 = np.r_[start[:3], [s * max(abs(v), 0.1) for s, v in zip(signs, start[3:])]]
        r = piece_min(nll, x0, True, signs)
        if best is None or r.fun < best.fun:
            best = r
    return best.fun, best.x


def exact_hesse_error(n, g, x, h=1e-4):
    """HESSE error of mu at the exact minimum x: sqrt((H^-1)_mu,mu) for errordef 1/2, H by central
    differences inside x's smooth piece; parameters sitting on a kink (|t_k| < 1e-7) are held
    fixed, as hepad does (the covariance is conditional on them)."""
    def nll(p):
        nu = np.maximum(expected(p), 1e-12)
        return np.sum(nu - n * np.log(nu)) + 0.5 * np.sum((p[1:] - g) ** 2)
    free = [i for i in range(7) if not (i >= 3 and abs(x[i]) < 1e-7)]
    H = np.zeros((len(free), len(free)))
    for a, i in enumerate(free):
        for b, j in enumerate(free):
            if b < a:
                continue
            def f(di, dj):
                p = x.copy()
                p[i] += di
                p[j] += dj
                return nll(p)
            # one-sided in a shape parameter next to its kink: stay inside the piece
            si = -1.0 if (i >= 3 and x[i] < 0) else 1.0
            sj = -1.0 if (j >= 3 and x[j] < 0) else 1.0
            hi, hj = si * min(h, abs(x[i]) / 4 if i >= 3 else h), sj * min(h, abs(x[j]) / 4 if j >= 3 else h)
            H[a, b] = H[b, a] = (f(hi, hj) - f(hi, -hj) - f(-hi, hj) + f(-hi, -hj)) / (4 * hi * hj)
    return float(np.sqrt(np.linalg.inv(H)[0, 0]))


def exact_profile(n, g, mu, start):
    def nll(t):
        p = np.r_[mu, t]
        nu = np.maximum(expected(p), 1e-12)
        return np.sum(nu - n * np.log(nu)) + 0.5 * np.sum((t - g) ** 2)
    best = None
    for signs in ORTHANTS:
        x0 = np.r_[start[1:3], [s * max(abs(v), 0.1) for s, v in zip(signs, start[3:])]]
        r = piece_min(nll, x0, False, signs)
        if best is None or r.fun < best.fun:
            best = r
    return best.fun


def crossing(n, g, fmin, xmin, a, b):
    """mu with profile(mu) = fmin + 0.5, by secant from the two guesses a, b (same side)."""
    qa = exact_profile(n, g, a, xmin) - fmin - 0.5
    qb = exact_profile(n, g, b, xmin) - fmin - 0.5
    for _ in range(30):
        if abs(qb) < 1e-10 or qb == qa:
            break
        c = b - qb * (b - a) / (qb - qa)
        a, qa = b, qb
        b, qb = c, exact_profile(n, g, c, xmin) - fmin - 0.5
    return b, qb


def main():
    toys = read_toys(os.path.join(args.workdir, "toys.txt"))
    per = json.load(open(os.path.join(args.workdir, "per_toy.json")))
    ref, tight = per["iminuit"], per["iminuit_tight"]
    hep = []
    with open(os.path.join(args.workdir, "hepad_results.txt")) as fh:
        for line in fh:
            if not line.startswith("#"):
                f = line.split()
                hep.append({"valid": f[1] == "1" and f[2] == "1", "mu": float(f[3]), "err": float(f[4]), "lower": float(f[5]),
                            "upper": float(f[6]), "fval": float(f[7])})
    rows = []
    for i, (n, g) in enumerate(toys):
        h = hep[i]
        start = np.array(ref[i]["values"])
        fmin, xmin = exact_minimum(n, g, start)
        mu0 = xmin[0]
        err0 = exact_hesse_error(n, g, xmin)
        row = {"toy": i, "fmin": fmin, "mu": mu0, "hesse_error": err0}
        for side in ("lower", "upper"):
            guesses = [h["mu"] + h[side], ref[i]["mu"] + ref[i][side]]
            c, resid = crossing(n, g, fmin, xmin, *guesses)
            row[side] = c - mu0
            row[side + "_resid"] = resid
        row["hepad"] = {"d_mu": abs(h["mu"] - mu0) / abs(mu0), "d_fval": h["fval"] - fmin, "d_err": abs(h["err"] - err0) / err0,
                        "d_lower": abs(h["lower"] - row["lower"]) / abs(row["lower"]),
                        "d_upper": abs(h["upper"] - row["upper"]) / abs(row["upper"]), "valid": h["valid"]}
        for name, r in (("iminuit", ref[i]), ("iminuit_tight", tight[i])):
            ok = r["valid"]
            row[name] = {"valid": ok, "d_mu": abs(r["mu"] - mu0) / abs(mu0), "d_fval": r["fval"] - fmin,
                         "d_err": abs(r["err"] - err0) / err0,
                         "d_lower": abs(r["lower"] - row["lower"]) / abs(row["lower"]) if ok else float("nan"),
                         "d_upper": abs(r["upper"] - row["upper"]) / abs(row["upper"]) if ok else float("nan")}
        rows.append(row)
        print(f"\rexact minimum and crossings: toy {i + 1}/{len(toys)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    def stats(name):
        rs = [r[name] for r in rows if r[name]["valid"]]
        out = {"valid": len(rs)}
        for k in ("d_mu", "d_err", "d_lower", "d_upper"):
            v = np.array([r[k] for r in rs])
            out[k] = {"median": float(np.median(v)), "max": float(v.max()), "n_over_1e-3": int((v > 1e-3).sum())}
        fv = np.array([r["d_fval"] for r in rs])
        out["fval_minus_exact"] = {"min": float(fv.min()), "max": float(fv.max())}
        return out

    summary = {"toys": len(rows), "max_crossing_residual": max(max(abs(r["lower_resid"]), abs(r["upper_resid"])) for r in rows),
               "hepad": stats("hepad"), "iminuit": stats("iminuit"), "iminuit_tight": stats("iminuit_tight")}
    print(json.dumps(summary))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"summary": summary, "rows": rows}, fh, indent=1)


main()
