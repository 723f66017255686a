#!/usr/bin/python3
"""Writes reference values for the noncentral distributions, exact effect-size intervals,
equivalence tests and rank tests of src/core/stats to test/golden/stats/*.json.

Run with the system Python that has SciPy 1.10, statsmodels 0.13, numpy and mpmath:

    /usr/bin/python3 scripts/golden/intervals.py

Data are seeded numpy draws, so rerunning gives the same files. Each fixture names where every
expected value comes from. The TypeScript tests read these files; they never run Python.
"""
import json
import os
import sys
import warnings

import mpmath as mp
import numpy as np
import scipy
import statsmodels
from scipy import optimize, stats
from statsmodels.stats.weightstats import ttost_ind, ttost_paired

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'golden', 'stats')
VERSIONS = f'scipy {scipy.__version__}, statsmodels {statsmodels.__version__}, numpy {np.__version__}, mpmath {mp.__version__}'


def write(name, fixture):
    fixture = {'name': name, 'generatedBy': 'scripts/golden/intervals.py', 'versions': VERSIONS, **fixture}
    path = os.path.join(OUT, f'{name}.json')
    with open(path, 'w') as f:
        json.dump(fixture, f, indent=1, allow_nan=False)
        f.write('\n')
    print('wrote', os.path.relpath(path))


def fl(x):
    return [float(v) for v in np.asarray(x).ravel()]


# ---------------------------------------------------------------- noncentral t and F

mp.mp.dps = 50


def nct_cdf_mp(t, df, nc):
    """P(T ≤ t) by the Poisson–beta series at 50 digits (cancellation is harmless at that precision)."""
    def pos(t, df, nc):
        t, df, nc = mp.mpf(t), mp.mpf(df), mp.mpf(nc)
        x = t * t / (t * t + df)
        lam = nc * nc / 2
        total = mp.ncdf(-nc)
        acc = mp.mpf(0)
        for j in range(int(lam + 30 * mp.sqrt(lam) + 60)):
            p = mp.e ** (-lam) * lam ** j / mp.factorial(j)
            q = nc * mp.e ** (-lam) * lam ** j / (mp.sqrt(2) * mp.gamma(j + mp.mpf(3) / 2))
            acc += p * mp.betainc(j + mp.mpf(1) / 2, df / 2, 0, x, regularized=True) + q * mp.betainc(j + 1, df / 2, 0, x, regularized=True)
        return total + acc / 2
    return pos(t, df, nc) if t >= 0 else 1 - pos(-t, df, -nc)


def noncentral_fixture():
    t_cases = [
        (1.5, 10, 1.0), (-2.0, 5, 3.0), (30.0, 13, 25.0), (0.5, 3, -2.0), (3.0, 564, 1.0), (10.0, 4, 2.0),
        (-8.0, 7, 1.0), (40.0, 13, 30.0), (2.2, 1, 0.5), (-0.7, 2, -1.5), (5.0, 29, 5.0), (28.8, 5, 12.0),
        (0.0, 9, 2.5), (4.0, 100000, 4.1), (-3.0, 30, 0.0), (60.0, 40, 50.0), (12.0, 6, 2.0), (1.0, 1.5, 8.0),
    ]
    # Deep tails where scipy's Boost routines return 0: the reference is the same series at 50 digits.
    deep = [(5.0, 100, 40.0), (-1.0, 20, 10.0), (2.0, 30, 25.0), (-6.0, 12, 6.0)]
    t_rows = []
    for t, df, nc in t_cases:
        t_rows.append({'t': t, 'df': df, 'nc': nc, 'cdf': float(stats.nct.cdf(t, df, nc)), 'sf': float(stats.nct.sf(t, df, nc)), 'source': 'scipy.stats.nct'})
    for t, df, nc in deep:
        m = nct_cdf_mp(t, df, nc)
        t_rows.append({'t': t, 'df': df, 'nc': nc, 'cdf': float(m), 'sf': float(1 - m), 'source': 'mpmath series, 50 digits (scipy gives 0)'})
    f_cases = [(3.2, 2, 30, 5.0), (283.6, 2, 564, 500.0), (1.1, 1, 10, 0.5), (10.0, 3, 20, 2.0), (50.0, 2, 100, 20.0),
               (0.3, 4, 40, 1.0), (4.45, 3, 42, 0.0), (2.0, 1.86, 27.8, 3.5), (15.0, 6, 600, 80.0), (0.05, 2, 12, 6.0)]
    f_rows = [{'f': f, 'df1': a, 'df2': b, 'lambda': lam, 'cdf': float(stats.ncf.cdf(f, a, b, lam)) if lam > 0 else float(stats.f.cdf(f, a, b)),
               'sf': float(stats.ncf.sf(f, a, b, lam)) if lam > 0 else float(stats.f.sf(f, a, b))} for f, a, b, lam in f_cases]
    write('noncentral', {
        'source': 'scipy.stats.nct and ncf (Boost), central F at λ = 0; deep t tails from an mpmath series (see note)',
        'note': 'cdf and sf are both compared, each relative to itself; sf values far below 1e-16 check that the upper tail is computed directly',
        't': t_rows,
        'F': f_rows,
    })


# ---------------------------------------------------------------- exact intervals of d, d_z, g and η²p

def nct_bounds(t, df, level=0.95):
    """δ_L, δ_U with P(T ≤ t | δ_L) = 1 − α/2 and P(T ≤ t | δ_U) = α/2 (scipy nct, brentq)."""
    a = (1 - level) / 2
    width = 10 + 2 * abs(t)
    lo = optimize.brentq(lambda d: stats.nct.sf(t, df, d) - a, t - width, t + width, xtol=1e-14, rtol=1e-15)
    hi = optimize.brentq(lambda d: stats.nct.cdf(t, df, d) - a, t - width, t + width, xtol=1e-14, rtol=1e-15)
    return lo, hi


def ncf_bounds(F, d1, d2, level=0.95):
    a = (1 - level) / 2

    def bound(target):
        g = lambda lam: stats.ncf.sf(F, d1, d2, lam) - target if lam > 0 else stats.f.sf(F, d1, d2) - target
        if g(0) >= 0:
            return 0.0
        hi = max(10.0, 4 * F * d1)
        while g(hi) < 0:
            hi *= 2
        return optimize.brentq(g, 0, hi, xtol=1e-12, rtol=1e-15)
    return bound(a), bound(1 - a)


def effect_intervals_fixture(rng):
    sets = {
        'balanced': (np.round(rng.normal(6.1, 1.4, 20), 3), np.round(rng.normal(4.9, 1.5, 20), 3)),
        'unbalanced': (np.round(rng.normal(7.0, 2.6, 12), 3), np.round(rng.normal(5.2, 0.9, 23), 3)),
        'ties': (np.clip(np.round(rng.normal(6.5, 1.8, 18)), 0, 10), np.clip(np.round(rng.normal(4.0, 1.8, 16)), 0, 10)),
        'large effect, small n': (np.round(rng.normal(8.0, 0.4, 6), 3), np.round(rng.normal(4.0, 0.5, 6), 3)),
    }
    two = {}
    for name, (x, y) in sets.items():
        n1, n2 = len(x), len(y)
        sp = np.sqrt(((n1 - 1) * np.var(x, ddof=1) + (n2 - 1) * np.var(y, ddof=1)) / (n1 + n2 - 2))
        d = (x.mean() - y.mean()) / sp
        scale = np.sqrt(1 / n1 + 1 / n2)
        out = {}
        for level in (0.95, 0.90):
            lo, hi = nct_bounds(d / scale, n1 + n2 - 2, level)
            j = 1 - 3 / (4 * (n1 + n2) - 9)
            out[str(level)] = {'d': [lo * scale, hi * scale], 'g': [j * lo * scale, j * hi * scale]}
        two[name] = {'x': fl(x), 'y': fl(y), 'd': float(d), 'ci': out}
    paired = {}
    for name, n, shift in (('paired 30', 30, 1.1), ('paired 6, large', 6, 4.0), ('paired 14, small effect', 14, 0.1)):
        base = rng.normal(5, 1.5, n)
        x = np.round(base + shift + rng.normal(0, 1.0, n), 3)
        y = np.round(base + rng.normal(0, 1.0, n), 3)
        diff = x - y
        dz = diff.mean() / np.std(diff, ddof=1)
        lo, hi = nct_bounds(dz * np.sqrt(n), n - 1)
        paired[name] = {'x': fl(x), 'y': fl(y), 'dz': float(dz), 'ci95': [lo / np.sqrt(n), hi / np.sqrt(n)]}
    f_cases = [(283.6, 2, 564), (4.45, 3, 42), (0.2, 3, 42), (93.8, 1, 23), (1.05, 2, 30), (12.0, 2, 26), (3.27, 1.86, 27.8)]
    eta = []
    for F, d1, d2 in f_cases:
        lo, hi = ncf_bounds(F, d1, d2)
        eta.append({'F': F, 'df1': d1, 'df2': d2, 'lambda': [lo, hi], 'ci95': [lo / (lo + d1 + d2 + 1), hi / (hi + d1 + d2 + 1)]})
    write('effect-intervals', {
        'source': ('noncentralities by scipy.optimize.brentq on scipy.stats.nct.cdf/sf and ncf.sf; '
                   'd CI = δ·√(1/n1 + 1/n2) with t = d/√(1/n1 + 1/n2), df = n1 + n2 − 2; g CI = J·(d CI), '
                   'J = 1 − 3/(4(n1 + n2) − 9); d_z CI = δ/√n with t = d_z√n, df = n − 1; '
                   'η²p CI = λ/(λ + df1 + df2 + 1) (Steiger 2004, as R effectsize)'),
        'twoGroups': two,
        'paired': paired,
        'partialEta2': eta,
    })


# ---------------------------------------------------------------- equivalence (TOST)

def tost_fixture(rng):
    cases = []

    def add(name, design, x, y, low, high, unit, usevar=None):
        if design == 'paired':
            diff = x - y
            scale = np.std(diff, ddof=1) if unit == 'd' else 1.0
            p, lower, upper = ttost_paired(x, y, low * scale, high * scale)
            df = len(x) - 1
        else:
            n1, n2 = len(x), len(y)
            sp = np.sqrt(((n1 - 1) * np.var(x, ddof=1) + (n2 - 1) * np.var(y, ddof=1)) / (n1 + n2 - 2))
            scale = sp if unit == 'd' else 1.0
            p, lower, upper = ttost_ind(x, y, low * scale, high * scale, usevar=usevar)
            df = lower[2]
        cases.append({'name': name, 'design': design, 'test': usevar, 'x': fl(x), 'y': fl(y),
                      'bounds': {'low': low, 'high': high, 'unit': unit},
                      'expected': {'p': float(p), 'lower': {'t': float(lower[0]), 'p': float(lower[1])},
                                   'upper': {'t': float(upper[0]), 'p': float(upper[1])}, 'df': float(df),
                                   'rawBounds': [float(low * scale), float(high * scale)]}})

    base = rng.normal(5, 1.2, 24)
    x = np.round(base + 0.05 + rng.normal(0, 0.4, 24), 3)
    y = np.round(base + rng.normal(0, 0.4, 24), 3)
    add('paired, equivalent in points', 'paired', x, y, -0.5, 0.5, 'raw')
    add('paired, bounds in d_z', 'paired', x, y, -0.3, 0.3, 'd')
    x2 = np.round(base + 1.0 + rng.normal(0, 0.8, 24), 3)
    add('paired, a real difference', 'paired', x2, y, -0.5, 0.5, 'raw')
    a = np.round(rng.normal(5.0, 1.0, 20), 3)
    b = np.round(rng.normal(5.1, 1.0, 20), 3)
    add('independent balanced, Student', 'independent', a, b, -0.8, 0.8, 'raw', 'pooled')
    add('independent balanced, Welch', 'independent', a, b, -0.8, 0.8, 'raw', 'unequal')
    c = np.round(rng.normal(5.0, 2.2, 11), 3)
    e = np.round(rng.normal(4.8, 0.7, 27), 3)
    add('independent unbalanced, Welch, d bounds', 'independent', c, e, -0.5, 0.5, 'd', 'unequal')
    add('independent unbalanced, Student, asymmetric', 'independent', c, e, -0.2, 1.5, 'raw', 'pooled')
    write('tost', {
        'source': 'statsmodels.stats.weightstats.ttost_paired and ttost_ind (usevar pooled = Student, unequal = Welch); d bounds converted in numpy (paired: SD of the differences, independent: pooled SD)',
        'alpha': 0.05,
        'cases': cases,
    })


# ---------------------------------------------------------------- rank tests

def ranks_fixture(rng):
    def biserial_paired(d):
        d = d[d != 0]
        r = stats.rankdata(np.abs(d))
        rp, rm = r[d > 0].sum(), r[d < 0].sum()
        return float((rp - rm) / (rp + rm)), float(rp), float(rm)

    wil = []

    def wilcoxon(name, x, y, method):
        res = stats.wilcoxon(x, y, zero_method='wilcox', correction=True, method=method)
        r, rp, rm = biserial_paired(np.asarray(x) - np.asarray(y))
        row = {'name': name, 'x': fl(x), 'y': fl(y), 'method': 'exact' if method == 'exact' else 'normal',
               'expected': {'statistic': float(res.statistic), 'p': float(res.pvalue), 'rPlus': rp, 'rMinus': rm, 'r': r}}
        if method == 'approx':
            # zstatistic of scipy 1.10 is the continuity-corrected z
            row['expected']['z'] = float(res.zstatistic)
        wil.append(row)

    x = np.round(rng.normal(6, 1.5, 12), 3)
    y = np.round(x - 0.8 + rng.normal(0, 1.0, 12), 3)
    wilcoxon('12 pairs, no ties: exact', x, y, 'exact')
    x = np.round(rng.normal(6, 1.5, 60), 3)
    y = np.round(x - 0.3 + rng.normal(0, 1.0, 60), 3)
    wilcoxon('60 pairs: normal approximation', x, y, 'approx')
    x = np.clip(np.round(rng.normal(6, 2, 25)), 0, 10)
    y = np.clip(np.round(rng.normal(5, 2, 25)), 0, 10)
    wilcoxon('25 pairs of 0–10 integers: zeros and ties', x, y, 'approx')
    x = np.clip(np.round(rng.normal(5, 2, 16)), 0, 10)
    y = np.clip(x + np.array([1, -1, 2, 0, 1, 1, -2, 3, 1, 0, 2, 1, -1, 2, 1, 1]), 0, 10)
    wilcoxon('16 pairs with tied differences and zeros', x, y, 'approx')
    x = np.round(rng.normal(3, 1, 9), 3)
    y = np.round(x + 2 + rng.normal(0, 0.3, 9), 3)
    wilcoxon('9 pairs all in one direction: exact', x, y, 'exact')

    mwu = []

    def mann_whitney(name, x, y, method):
        res = stats.mannwhitneyu(x, y, use_continuity=True, alternative='two-sided', method=method)
        n1, n2 = len(x), len(y)
        mwu.append({'name': name, 'x': fl(x), 'y': fl(y), 'method': 'exact' if method == 'exact' else 'normal',
                    'expected': {'statistic': float(res.statistic), 'p': float(res.pvalue), 'r': float(2 * res.statistic / (n1 * n2) - 1)}})

    mann_whitney('6 and 7, no ties: exact', np.round(rng.normal(6, 1, 6), 3), np.round(rng.normal(5, 1, 7), 3), 'exact')
    mann_whitney('5 and 30, no ties: exact', np.round(rng.normal(6, 1, 5), 3), np.round(rng.normal(5, 1, 30), 3), 'exact')
    mann_whitney('20 and 20: normal', np.round(rng.normal(6, 1.5, 20), 3), np.round(rng.normal(5, 1.5, 20), 3), 'asymptotic')
    mann_whitney('14 and 23 integers 0–10, ties: normal', np.clip(np.round(rng.normal(6.5, 2, 14)), 0, 10),
                 np.clip(np.round(rng.normal(4.5, 2, 23)), 0, 10), 'asymptotic')
    mann_whitney('4 and 4 with ties: normal', np.array([3.0, 5.0, 5.0, 7.0]), np.array([1.0, 2.0, 3.0, 4.0]), 'asymptotic')
    # Tied |differences| without zeros: SciPy 1.10's "auto" would keep the exact distribution and
    # truncate the tied rank sum; the TypeScript code takes the normal approximation with the tie
    # correction, so the reference is SciPy's method="approx".
    x = np.array([5.0, 7.0, 6.0, 4.0, 8.0, 6.0, 7.0, 5.0, 9.0, 6.0, 7.0, 3.0])
    y = x - np.array([1.0, 2.0, -1.0, 1.0, 2.0, 1.0, 3.0, -2.0, 1.0, 2.0, 1.0, 1.0])
    wilcoxon('12 pairs with tied differences, no zeros: normal approximation', x, y, 'approx')
    write('ranks', {
        'source': ('scipy.stats.wilcoxon(zero_method="wilcox", correction=True, method as named) and '
                   'scipy.stats.mannwhitneyu(use_continuity=True, two-sided, method as named); '
                   'rank-biserial correlations from scipy.stats.rankdata in numpy'),
        'note': 'method is the one the TypeScript code must choose by itself for these data',
        'wilcoxon': wil,
        'mannWhitney': mwu,
    })


def main():
    os.makedirs(OUT, exist_ok=True)
    warnings.simplefilter('ignore', RuntimeWarning)
    rng = np.random.default_rng(20260214)
    noncentral_fixture()
    effect_intervals_fixture(rng)
    tost_fixture(rng)
    ranks_fixture(rng)


if __name__ == '__main__':
    sys.exit(main())
