#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""fit_compare.py - hepad's fit_toys against iminuit on the very toys of ../shared/peers/peer_fit.py.

1. Makes the toys exactly as peer_fit.py does (numpy default_rng(seed): n_i ~ Poisson(nu0), then
   g ~ N(0,1)^6, toy after toy), fits each with iminuit exactly as the peer (migrad, hesse,
   minos("mu"), numerical gradients, errordef 0.5, start mu=1, t=0, no limits) and writes the toys,
   the templates and iminuit's per-toy results to files.
2. Runs hepad's example `fit_toys --toys-file ... --results ...` on the same toys.
3. Compares per toy: mu_hat, its HESSE error, the MINOS errors (relative differences), validity,
   coverage, mean width.
4. Timing: runs the unmodified peer (peer_fit.py --threads 1) and fit_toys --threads 1 on the same
   toys one after the other, `--rounds` times alternating (fit_toys reports the median of 5 passes
   over the toys), and reports the ratio of the medians of fits/s.

Usage: /usr/bin/python3 tools/peers/fit_compare.py --exe build/<dir>/examples/fit_toys/fit_toys
           [--toys 200] [--seed 1] [--rounds 3] [--workdir /tmp/fit_compare] [--json out.json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--exe", required=True, help="path to hepad's fit_toys")
ap.add_argument("--toys", type=int, default=200)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--rounds", type=int, default=3, help="alternating timing rounds (peer, hepad)")
ap.add_argument("--workdir", default="/tmp/hepad_fit_compare")
ap.add_argument("--peer", default=os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "peers", "peer_fit.py"))
ap.add_argument("--json", default="", help="write the summary here too")
ap.add_argument("--skip-timing", action="store_true")
args = ap.parse_args()
os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import iminuit  # noqa: E402
from iminuit import Minuit  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_fit_model import DN, NAMES, UP, b0, expected, s0  # noqa: E402


def fit(toy, tight=False):
    n, gobs = toy

    def nll(p):
        nu = np.maximum(expected(p), 1e-12)
        return np.sum(nu - n * np.log(nu)) + 0.5 * np.sum((np.asarray(p[1:]) - gobs) ** 2)

    m = Minuit(nll, np.r_[1.0, np.zeros(6)], name=NAMES)
    m.errordef = Minuit.LIKELIHOOD
    if tight:  # iminuit converged as far as its numerical derivatives allow (diagnostic reference)
        m.strategy = 2
        m.tol = 1e-5
    m.migrad()
    m.hesse()
    migrad_valid = m.valid
    if tight and not migrad_valid:  # (kinked minima defeat a tight EDM goal with numerical gradients)
        return {"migrad_valid": False, "valid": False, "minos_valid": False, "mu": m.values["mu"], "err": m.errors["mu"],
                "lower": float("nan"), "upper": float("nan"), "nfcn": m.nfcn, "fval": m.fval, "edm": m.fmin.edm,
                "values": list(m.values)}
    m.minos("mu")
    me = m.merrors["mu"]
    return {"migrad_valid": bool(migrad_valid), "valid": bool(m.valid and me.is_valid), "minos_valid": bool(me.is_valid),
            "mu": m.values["mu"], "err": m.errors["mu"], "lower": me.lower, "upper": me.upper, "nfcn": m.nfcn,
            "fval": m.fval, "edm": m.fmin.edm, "values": list(m.values)}


def main():
    os.makedirs(args.workdir, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    nu0 = expected(np.r_[1.0, np.zeros(6)])
    toys = [(rng.poisson(nu0), rng.standard_normal(6)) for _ in range(args.toys)]
    toys_path = os.path.join(args.workdir, "toys.txt")
    with open(toys_path, "w") as fh:
        fh.write("# toys of peer_fit.py (seed %d): toy index, 50 counts, 6 global observables\n" % args.seed)
        for name, arr in [("s0", s0), ("b0", b0)] + [("up%d" % (k + 3), UP[k]) for k in range(4)] + \
                         [("dn%d" % (k + 3), DN[k]) for k in range(4)]:
            fh.write("template %s %s\n" % (name, " ".join(repr(float(v)) for v in arr)))
        for i, (n, g) in enumerate(toys):
            fh.write("toy %d %s %s\n" % (i, " ".join(str(int(v)) for v in n), " ".join(repr(float(v)) for v in g)))

    t0 = time.perf_counter()
    ref = [fit(t) for t in toys]
    t_ref = time.perf_counter() - t0
    tight = [fit(t, tight=True) for t in toys]

    res_path = os.path.join(args.workdir, "hepad_results.txt")
    out = subprocess.run([args.exe, "--toys-file", toys_path, "--results", res_path, "--threads", "1"],
                         check=True, capture_output=True, text=True)
    hep_summary = json.loads(out.stdout.strip().splitlines()[-1])
    hep = []
    with open(res_path) as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            f = line.split()
            hep.append({"migrad_valid": f[1] == "1", "minos_valid": f[2] == "1", "mu": float(f[3]), "err": float(f[4]),
                        "lower": float(f[5]), "upper": float(f[6]), "fval": float(f[7]), "calls": int(f[9])})

    def rel(a, b):
        return abs(a - b) / max(abs(b), 1e-300)

    rows = []
    for i, (r, h, t) in enumerate(zip(ref, hep, tight)):
        rows.append({"toy": i, "ref_valid": r["valid"], "hep_valid": h["migrad_valid"] and h["minos_valid"],
                     "tight_valid": t["valid"],
                     "d_mu": rel(h["mu"], r["mu"]), "d_mu_sigma": abs(h["mu"] - r["mu"]) / r["err"],
                     "d_err": rel(h["err"], r["err"]), "d_lower": rel(h["lower"], r["lower"]),
                     "d_upper": rel(h["upper"], r["upper"]), "d_fval": h["fval"] - r["fval"],
                     "d_end_lo": rel(h["mu"] + h["lower"], r["mu"] + r["lower"]), "d_end_hi": rel(h["mu"] + h["upper"], r["mu"] + r["upper"]),
                     "edm_iminuit": r["edm"],
                     "t_mu": rel(h["mu"], t["mu"]), "t_err": rel(h["err"], t["err"]), "t_lower": rel(h["lower"], t["lower"]),
                     "t_upper": rel(h["upper"], t["upper"]), "t_fval": h["fval"] - t["fval"],
                     "t_end_lo": rel(h["mu"] + h["lower"], t["mu"] + t["lower"]), "t_end_hi": rel(h["mu"] + h["upper"], t["mu"] + t["upper"])})
    both = [x for x in rows if x["ref_valid"] and x["hep_valid"]]
    both_t = [x for x in rows if x["tight_valid"] and x["hep_valid"]]

    def q(xs, key):
        v = np.array([x[key] for x in xs])
        return {"median": float(np.median(v)), "p90": float(np.percentile(v, 90)), "max": float(v.max()),
                "n_over_1e-3": int((v > 1e-3).sum())}

    def worst(key):
        return max(both, key=lambda x: x[key]) if both else None

    cov_ref = float(np.mean([r["valid"] and r["mu"] + r["lower"] <= 1 <= r["mu"] + r["upper"] for r in ref]))
    cov_hep = float(np.mean([(h["migrad_valid"] and h["minos_valid"]) and h["mu"] + h["lower"] <= 1 <= h["mu"] + h["upper"]
                             for h in hep]))
    width_ref = float(np.mean([r["upper"] - r["lower"] for r in ref if r["valid"]]))
    width_hep = float(np.mean([h["upper"] - h["lower"] for h in hep if h["migrad_valid"] and h["minos_valid"]]))
    summary = {
        "toys": args.toys, "seed": args.seed, "iminuit": iminuit.__version__,
        "valid_iminuit": sum(r["valid"] for r in ref), "valid_hepad": sum(x["hep_valid"] for x in rows),
        "compared": len(both),
        "max_rel_mu": max(x["d_mu"] for x in both), "max_mu_in_sigma": max(x["d_mu_sigma"] for x in both),
        "max_rel_hesse_err": max(x["d_err"] for x in both),
        "max_rel_minos_lower": max(x["d_lower"] for x in both), "max_rel_minos_upper": max(x["d_upper"] for x in both),
        "toys_over_1e-3": sorted({x["toy"] for x in both if max(x["d_mu"], x["d_err"], x["d_lower"], x["d_upper"]) > 1e-3}),
        "min_fval_diff": min(x["d_fval"] for x in both), "max_fval_diff": max(x["d_fval"] for x in both),
        "coverage_iminuit": cov_ref, "coverage_hepad": cov_hep, "width_iminuit": width_ref, "width_hepad": width_hep,
        "mean_nfcn_iminuit": float(np.mean([r["nfcn"] for r in ref])), "mean_calls_hepad": hep_summary["mean_calls"],
        "worst_mu": worst("d_mu")["toy"], "worst_err": worst("d_err")["toy"],
        "invalid_iminuit": [i for i, r in enumerate(ref) if not r["valid"]],
        "invalid_hepad": [x["toy"] for x in rows if not x["hep_valid"]],
        "compare_fit_sec_iminuit": round(t_ref, 3),
        "vs_default": {k: q(both, k) for k in ["d_mu", "d_err", "d_lower", "d_upper", "d_end_lo", "d_end_hi"]},
        "vs_tight": {k: q(both_t, k) for k in ["t_mu", "t_err", "t_lower", "t_upper", "t_end_lo", "t_end_hi"]},
        "tight_valid": sum(x["tight_valid"] for x in rows),
        "tight_fval_diff_range": [min(x["t_fval"] for x in both_t), max(x["t_fval"] for x in both_t)],
        "tight_toys_over_1e-3": sorted({x["toy"] for x in both_t if max(x["t_mu"], x["t_err"], x["t_lower"], x["t_upper"]) > 1e-3}),
        "coverage_common_valid": [float(np.mean([ref[x["toy"]]["mu"] + ref[x["toy"]]["lower"] <= 1 <= ref[x["toy"]]["mu"] + ref[x["toy"]]["upper"] for x in both])),
                                  float(np.mean([hep[x["toy"]]["mu"] + hep[x["toy"]]["lower"] <= 1 <= hep[x["toy"]]["mu"] + hep[x["toy"]]["upper"] for x in both]))],
        "coverage_iminuit_tight": float(np.mean([t["valid"] and t["mu"] + t["lower"] <= 1 <= t["mu"] + t["upper"] for t in tight])),
    }
    with open(os.path.join(args.workdir, "per_toy.json"), "w") as fh:
        json.dump({"rows": rows, "iminuit": ref, "iminuit_tight": tight}, fh)

    if not args.skip_timing:
        peer_fps, hep_fps, loads = [], [], []
        for _ in range(args.rounds):
            loads.append(os.getloadavg()[0])
            p = subprocess.run([sys.executable, args.peer, "--threads", "1", "--toys", str(args.toys), "--seed", str(args.seed)],
                               check=True, capture_output=True, text=True)
            peer_fps.append(json.loads(p.stdout.strip().splitlines()[-1])["fits_per_s"])
            h = subprocess.run([args.exe, "--toys-file", toys_path, "--threads", "1", "--repeat", "5"],
                               check=True, capture_output=True, text=True)
            hep_fps.append(json.loads(h.stdout.strip().splitlines()[-1])["fits_per_s"])
        summary.update({"peer_fits_per_s": peer_fps, "hepad_fits_per_s": hep_fps, "load1": loads,
                        "median_ratio": statistics.median(hep_fps) / statistics.median(peer_fps)})
    print(json.dumps(summary))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(summary, fh, indent=1)


main()
