# SPDX-License-Identifier: BSL-1.0
"""The model of ../shared/peers/peer_fit.py (verbatim in meaning), shared by fit_compare.py and
fit_exact.py: 50 bins on [0, 1], a Gaussian signal and an exponential background, mu times the
signal, six nuisance parameters with unit Gaussian constraints (t1, t2 normalisations; t3..t6
shape variations with piecewise-linear interpolation, code 0)."""
import numpy as np
from scipy.special import ndtr

e = np.linspace(0, 1, 51)
xc = 0.5 * (e[1:] + e[:-1])
gauss = lambda m, s: 100 * np.diff(ndtr((e - m) / s))  # noqa: E731
expo = lambda lam: 1000 * -np.diff(np.exp(-lam * e)) / (1 - np.exp(-lam))  # noqa: E731
s0, b0 = gauss(0.5, 0.05), expo(3.0)
UP = np.array([expo(2.7), gauss(0.51, 0.05), gauss(0.5, 0.055), b0 * (1 + 0.1 * xc ** 2)])
DN = np.array([expo(3.3), gauss(0.49, 0.05), gauss(0.5, 0.045), b0 * (1 - 0.05 * xc ** 2)])
NOM = np.array([b0, s0, s0, b0])
NAMES = ["mu", "t1_sig_norm", "t2_bkg_norm", "t3_bkg_slope", "t4_sig_mean", "t5_sig_width", "t6_bkg_shape"]


def expected(p):
    mu, t = p[0], np.asarray(p[1:])
    ts = t[2:, None]
    d = np.where(ts >= 0, ts * (UP - NOM), ts * (NOM - DN))
    return mu * (1 + 0.10 * t[0]) * (s0 + d[1] + d[2]) + (1 + 0.05 * t[1]) * (b0 + d[0] + d[3])
