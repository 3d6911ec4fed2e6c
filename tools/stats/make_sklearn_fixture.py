#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Writes tests/data/stats/sklearn_roc.txt: scikit-learn's roc_curve / roc_auc_score (and the S0
SIC figures computed from that curve with numpy, and scipy's two-sample KS test) on small data sets that tests/stats/metrics_test.cpp
regenerates bit for bit from the same 64-bit LCG.

Run: /usr/bin/python3 tools/stats/make_sklearn_fixture.py [output]
"""
import math
import sys

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn.metrics import roc_auc_score, roc_curve

MASK = (1 << 64) - 1


class Lcg:
    """x <- 6364136223846793005 x + 1442695040888963407 (mod 2^64); u = (x >> 11) / 2^53."""

    def __init__(self, seed):
        self.x = seed & MASK

    def uniform(self):
        self.x = (6364136223846793005 * self.x + 1442695040888963407) & MASK
        return (self.x >> 11) * (1.0 / 9007199254740992.0)


def make(case):
    """The data of one case, exactly as metrics_test.cpp makes it."""
    r = Lcg({"weighted": 1, "ties": 2, "large": 3, "plain": 4}[case])
    n = {"weighted": 400, "ties": 400, "large": 3000, "plain": 800}[case]
    s, y, w = [], [], []
    for _ in range(n):
        u1, u2, u3 = r.uniform(), r.uniform(), r.uniform()
        lab = 1 if u1 < 0.4 else 0
        if case == "ties":
            sc = math.floor((0.3 * lab + u2) * 10.0) / 10.0  # 11-13 distinct values
            wt = 1.0
        elif case == "weighted":
            sc = math.floor((0.8 * lab + u2) * 1000.0 + 0.5) / 1000.0
            # background weights positive (FPR stays monotone, as scikit-learn requires);
            # signal weights include negative ones
            wt = 0.5 + u3 if lab == 0 else 1.5 * u3 - 0.3
        elif case == "plain":
            sc = 0.7 * lab + u2  # continuous scores, unit weights
            wt = 1.0
        else:
            sc = 1.5 * lab * u3 + u2  # continuous scores
            wt = 0.25 + u3
        s.append(sc)
        y.append(lab)
        w.append(wt)
    return np.array(s), np.array(y), np.array(w)


def s0_figures(fpr, tpr, min_fpr, rejections):
    keep = fpr > 0
    f, t = fpr[keep], tpr[keep]
    sic = t / np.sqrt(f)
    m = sic[f > min_fpr].max()
    out = {"max_sic": m}
    rej = 1.0 / f
    for rs in rejections:
        val = float("nan")
        for i in range(len(f) - 1):
            if rej[i] >= rs and rej[i + 1] < rs:
                val = sic[i]
        out["sic_at_%g" % rs] = val
    out["fpr_at_tpr_0.5"] = float(np.interp(0.5, tpr, fpr))
    return out


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else "tests/data/stats/sklearn_roc.txt"
    lines = ["# scikit-learn %s, numpy %s, scipy %s: tools/stats/make_sklearn_fixture.py"
             % (sklearn.__version__, np.__version__, scipy.__version__)]
    for case in ["weighted", "ties", "large", "plain"]:
        s, y, w = make(case)
        sw = None if case in ("ties", "plain") else w
        fpr, tpr, thr = roc_curve(y, s, sample_weight=sw)
        auc = roc_auc_score(y, s, sample_weight=sw)
        fpr_all, tpr_all, _ = roc_curve(y, s, sample_weight=sw, drop_intermediate=False)
        fig = s0_figures(fpr, tpr, 1.0 / (0.16 * 150.0), [2.0, 10.0, 50.0, 1e6])
        lines.append("case %s" % case)
        lines.append("auc %r" % float(auc))
        # threshold 0 is max+1 in scikit-learn 1.2 (inf in hepad and scikit-learn >= 1.3): skipped
        if case != "large":  # full curves only for the small cases (keeps the fixture small)
            lines.append("fpr " + " ".join(repr(float(v)) for v in fpr))
            lines.append("tpr " + " ".join(repr(float(v)) for v in tpr))
            lines.append("thresholds " + " ".join(repr(float(v)) for v in thr[1:]))
        lines.append("points %d" % len(fpr))
        lines.append("points_all %d" % len(fpr_all))
        for k, v in fig.items():
            lines.append("%s %r" % (k, float(v)))
        if case in ("plain", "ties"):
            # two-sample KS between the label-0 and label-1 scores (scipy, asymptotic p-value)
            ks = scipy.stats.ks_2samp(s[y == 0], s[y == 1], method="asymp")
            lines.append("ks_d %r" % float(ks.statistic))
            lines.append("ks_p %r" % float(ks.pvalue))
    lines.append("case kolmogorov")
    lam = [0.3, 0.8, 1.0, 1.5, 2.5]
    lines.append("lambda " + " ".join(repr(v) for v in lam))
    lines.append("sf " + " ".join(repr(float(v)) for v in scipy.stats.kstwobign.sf(lam)))
    with open(out_path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
