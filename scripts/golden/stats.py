#!/usr/bin/python3
"""Writes the reference values for src/core/stats to test/golden/stats/*.json.

Run with the system Python that has SciPy 1.10, statsmodels 0.13, numpy and pandas:

    /usr/bin/python3 scripts/golden/stats.py

Every fixture records its data (seeded numpy draws, so rerunning gives the same files) and names
the software or textbook formula each expected value comes from. The TypeScript tests read these
files; they never run Python.
"""
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
import scipy
import statsmodels
import statsmodels.formula.api as smf
from scipy import stats
from scipy.stats import _resampling
from statsmodels.stats.anova import AnovaRM, anova_lm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ttest_ind

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'golden', 'stats')
VERSIONS = f'scipy {scipy.__version__}, statsmodels {statsmodels.__version__}, numpy {np.__version__}'


def write(name, fixture):
    fixture = {'name': name, 'generatedBy': 'scripts/golden/stats.py', 'versions': VERSIONS, **fixture}
    path = os.path.join(OUT, f'{name}.json')
    with open(path, 'w') as f:
        json.dump(fixture, f, indent=1, allow_nan=False)
        f.write('\n')
    print('wrote', os.path.relpath(path))


def fl(x):
    return [float(v) for v in np.asarray(x).ravel()]


# ---------------------------------------------------------------- descriptives, t-tests, effects

def descriptives(x):
    d = DescrStatsW(np.asarray(x, float))
    lo, hi = d.tconfint_mean(alpha=0.05)
    return {'n': int(d.nobs), 'mean': float(d.mean), 'sd': float(d.std_mean * np.sqrt(d.nobs)),
            'se': float(d.std_mean), 'ci': [float(lo), float(hi)]}


def hedges_olkin_d(x, y):
    """Cohen's d with the Hedges & Olkin (1985) normal-approximation CI; Hedges' g = J·d."""
    n1, n2 = len(x), len(y)
    sp = np.sqrt(((n1 - 1) * np.var(x, ddof=1) + (n2 - 1) * np.var(y, ddof=1)) / (n1 + n2 - 2))
    d = (np.mean(x) - np.mean(y)) / sp
    se = np.sqrt((n1 + n2) / (n1 * n2) + d ** 2 / (2 * (n1 + n2)))
    z = stats.norm.ppf(0.975)
    j = 1 - 3 / (4 * (n1 + n2) - 9)
    return ({'value': float(d), 'ci': [float(d - z * se), float(d + z * se)]},
            {'value': float(j * d), 'ci': [float(j * (d - z * se)), float(j * (d + z * se))]})


def two_group(x, y):
    cm = CompareMeans(DescrStatsW(np.asarray(x, float)), DescrStatsW(np.asarray(y, float)))
    out = {}
    for key, equal, usevar in (('welch', False, 'unequal'), ('student', True, 'pooled')):
        t, p = stats.ttest_ind(x, y, equal_var=equal)
        _, _, df = ttest_ind(x, y, usevar=usevar)
        lo, hi = cm.tconfint_diff(alpha=0.05, usevar=usevar)
        out[key] = {'t': float(t), 'df': float(df), 'p': float(p), 'estimate': float(np.mean(x) - np.mean(y)),
                    'ci': [float(lo), float(hi)]}
    d, g = hedges_olkin_d(np.asarray(x, float), np.asarray(y, float))
    out['d'] = d
    out['g'] = g
    return out


def independent_fixture(name, note, groups):
    names = list(groups)
    x, y = groups[names[0]], groups[names[1]]
    F, p = stats.f_oneway(*groups.values())
    n = sum(len(v) for v in groups.values())
    write(name, {
        'source': ('descriptives: statsmodels DescrStatsW.tconfint_mean; t, p: scipy.stats.ttest_ind; '
                   'df: statsmodels ttest_ind; CI of the difference: statsmodels CompareMeans.tconfint_diff; '
                   'd and g CIs: Hedges & Olkin (1985) normal approximation in numpy; '
                   'one-way F: scipy.stats.f_oneway'),
        'note': note,
        'data': {k: fl(v) for k, v in groups.items()},
        'expected': {
            'descriptives': {k: descriptives(v) for k, v in groups.items()},
            **two_group(x, y),
            'oneway': {'F': float(F), 'df': [len(groups) - 1, n - len(groups)], 'p': float(p)},
        },
    })


def paired_fixture(rng):
    n = 30
    base = rng.normal(5, 1.5, n)
    neg = np.round(base + 1.1 + rng.normal(0, 1.0, n), 3)
    pos = np.round(base + rng.normal(0, 1.0, n), 3)
    diff = neg - pos
    t, p = stats.ttest_rel(neg, pos)
    lo, hi = DescrStatsW(diff).tconfint_mean(alpha=0.05)
    dz = np.mean(diff) / np.std(diff, ddof=1)
    se = np.sqrt(1 / n + dz ** 2 / (2 * n))
    z = stats.norm.ppf(0.975)
    write('paired', {
        'source': ('t, p: scipy.stats.ttest_rel; CI of the mean difference: statsmodels DescrStatsW.tconfint_mean '
                   'on the differences; d_z CI: Hedges & Olkin normal approximation sqrt(1/n + dz^2/(2n))'),
        'note': 'paired templates: 30 items rated in both conditions, items listed in the same order',
        'data': {'items': [f'item{i + 1}' for i in range(n)], 'negative': fl(neg), 'positive': fl(pos)},
        'expected': {
            'paired': {'t': float(t), 'df': n - 1, 'p': float(p), 'estimate': float(np.mean(diff)),
                       'ci': [float(lo), float(hi)]},
            'dz': {'value': float(dz), 'ci': [float(dz - z * se), float(dz + z * se)]},
            'descriptives': {'negative': descriptives(neg), 'positive': descriptives(pos)},
        },
    })


# ---------------------------------------------------------------- between-subjects ANOVA

def two_way_fixture(rng):
    sizes = {('a1', 'b1'): 5, ('a1', 'b2'): 8, ('a2', 'b1'): 6, ('a2', 'b2'): 4, ('a3', 'b1'): 9, ('a3', 'b2'): 7}
    shift = {'a1': 0.0, 'a2': 0.8, 'a3': 1.5, 'b1': 0.0, 'b2': 0.6}
    rows = []
    for (a, b), k in sizes.items():
        inter = 0.9 if (a, b) == ('a3', 'b2') else 0.0
        for _ in range(k):
            rows.append({'a': a, 'b': b, 'y': round(float(4 + shift[a] + shift[b] + inter + rng.normal(0, 1)), 4)})
    df = pd.DataFrame(rows)
    model = smf.ols('y ~ C(a, Sum) * C(b, Sum)', data=df).fit()
    names = {'C(a, Sum)': 'a', 'C(b, Sum)': 'b', 'C(a, Sum):C(b, Sum)': 'a × b', 'Residual': 'Residual'}

    def table(typ):
        t = anova_lm(model, typ=typ)
        out = {}
        for idx, r in t.iterrows():
            if idx == 'Intercept':
                continue
            out[names[idx]] = {'ss': float(r['sum_sq']), 'df': float(r['df']),
                               **({} if idx == 'Residual' else {'F': float(r['F']), 'p': float(r['PR(>F)'])})}
        return out

    write('two-way-unbalanced', {
        'source': 'statsmodels ols("y ~ C(a, Sum) * C(b, Sum)") with anova_lm(typ=2) and anova_lm(typ=3)',
        'note': '3 × 2 between-subjects design with unequal cell sizes (5 to 9 per cell)',
        'data': {'y': [r['y'] for r in rows], 'a': [r['a'] for r in rows], 'b': [r['b'] for r in rows]},
        'expected': {'type2': table(2), 'type3': table(3)},
    })


def three_way_fixture(rng):
    rows = []
    for a in ('a1', 'a2'):
        for b in ('b1', 'b2'):
            for c in ('c1', 'c2', 'c3'):
                k = int(rng.integers(3, 8))
                eff = (0.6 if a == 'a2' else 0) + (0.4 if c == 'c3' else 0) + (0.8 if (a, b) == ('a2', 'b2') else 0)
                for _ in range(k):
                    rows.append({'a': a, 'b': b, 'c': c, 'y': round(float(3 + eff + rng.normal(0, 1)), 4)})
    df = pd.DataFrame(rows)
    model = smf.ols('y ~ C(a, Sum) * C(b, Sum) * C(c, Sum)', data=df).fit()

    def name(idx):
        if idx == 'Residual':
            return idx
        return ' × '.join(part[2] for part in idx.split(':'))

    def table(typ):
        t = anova_lm(model, typ=typ)
        return {name(idx): {'ss': float(r['sum_sq']), 'df': float(r['df']),
                            **({} if idx == 'Residual' else {'F': float(r['F']), 'p': float(r['PR(>F)'])})}
                for idx, r in t.iterrows() if idx != 'Intercept'}

    write('three-way-unbalanced', {
        'source': 'statsmodels ols("y ~ C(a, Sum) * C(b, Sum) * C(c, Sum)") with anova_lm(typ=2) and anova_lm(typ=3)',
        'note': '2 × 2 × 3 between-subjects design, 3 to 7 observations per cell',
        'data': {k: [r[k] for r in rows] for k in ('y', 'a', 'b', 'c')},
        'expected': {'type2': table(2), 'type3': table(3)},
    })


# ---------------------------------------------------------------- repeated measures and mixed

def effect_projection(levels, effect):
    """Projection onto the effect's subspace of the cell vector: (I − J/l) for factors in the
    effect, J/l for the others, Kronecker in factor order (first factor slowest)."""
    P = np.ones((1, 1))
    for j, l in enumerate(levels):
        J = np.full((l, l), 1.0 / l)
        P = np.kron(P, np.eye(l) - J if j in effect else J)
    return P


def sphericity(cov, levels, effect, nu):
    """GG, HF and Mauchly from the eigenvalues of the covariance projected on the effect subspace.
    Greenhouse & Geisser (1959) / Box (1954): eps = (sum lam)^2 / (p sum lam^2).
    Huynh & Feldt (1976) with Lecoutre's (1991) correction, as R's car: ((nu+1) p eps - 2) / (p (nu - p eps)).
    Mauchly (1940): W = prod lam / (mean lam)^p, chi2 = -(nu - (2p^2+p+2)/(6p)) ln W, df = p(p+1)/2 - 1."""
    P = effect_projection(levels, effect)
    p = int(round(np.trace(P)))
    lam = np.sort(np.linalg.eigvalsh(P @ cov @ P))[::-1][:p]
    gg = lam.sum() ** 2 / (p * (lam ** 2).sum())
    hf = ((nu + 1) * p * gg - 2) / (p * (nu - p * gg))
    W = np.prod(lam) / lam.mean() ** p
    chi = -(nu - (2 * p * p + p + 2) / (6 * p)) * np.log(W)
    mdf = p * (p + 1) / 2 - 1
    return p, {'epsilonGG': float(gg), 'epsilonHF': float(hf),
               'mauchly': {'W': float(W), 'chiSquare': float(chi), 'df': float(mdf), 'p': float(stats.chi2.sf(chi, mdf))}}


def long_ols_ss(df, subject, within, between=None):
    """SS of each within effect (and its interaction with the between factor) and its error, by
    least squares on the long data with one dummy per subject: SS = RSS(model without the effect's
    columns) − RSS(model), columns sum-coded; the error of effect E is the E × subject residual,
    fitted as RSS(subject + every within and between × within term + E × subject) contrasts."""
    subj = pd.Categorical(df[subject]).codes
    N = subj.max() + 1

    def sumcode(col):
        levels = list(dict.fromkeys(df[col]))
        X = np.zeros((len(df), len(levels) - 1))
        for i, v in enumerate(df[col]):
            k = levels.index(v)
            if k == len(levels) - 1:
                X[i, :] = -1
            else:
                X[i, k] = 1
        return X

    def prod(*mats):
        out = np.ones((len(df), 1))
        for M in mats:
            out = np.einsum('ni,nj->nij', out, M).reshape(len(df), -1)
        return out

    S = np.eye(N)[subj]
    W = [sumcode(w) for w in within]
    G = sumcode(between) if between else None
    effects = [[0], [1], [0, 1]] if len(within) == 2 else [[0]]
    cols = {}
    for e in effects:
        cols[tuple(e)] = prod(*[W[j] for j in e])
        if G is not None:
            cols[('g',) + tuple(e)] = prod(G, *[W[j] for j in e])

    def rss(X):
        beta, *_ = np.linalg.lstsq(X, df['y'].to_numpy(), rcond=None)
        r = df['y'].to_numpy() - X @ beta
        return float(r @ r)

    out = {}
    for e in effects:
        # Every subject has every cell, so each within effect's contrast space is orthogonal to the
        # subject dummies and to the other effects. Its error (E × subject, within groups) is what
        # subject-specific E columns add to the fixed model; its SS (type III, sum coding) is what
        # the model loses when the effect's own columns are dropped.
        fixed = [S] + list(cols.values())
        base = np.hstack(fixed)
        err = rss(base) - rss(np.hstack(fixed + [prod(S, cols[tuple(e)])]))
        for key in [tuple(e)] + ([('g',) + tuple(e)] if G is not None else []):
            drop = np.hstack([S] + [c for k, c in cols.items() if k != key])
            out[key] = {'ss': rss(drop) - rss(base), 'ssError': err}
    return out


def rm_fixture(name, note, df, within, levels, between=None):
    """df: long data with columns subject, y, the within factors and optionally the between factor."""
    subjects = list(dict.fromkeys(df['subject']))
    N = len(subjects)
    cells = df.sort_values('order').groupby('subject', sort=False)['y'].apply(list)
    Y = np.array([cells[s] for s in subjects])
    groups = None
    if between:
        g = df.drop_duplicates('subject').set_index('subject')[between]
        groups = [g[s] for s in subjects]
        glev = list(dict.fromkeys(groups))
        resid = np.vstack([Y[[k for k, x in enumerate(groups) if x == lv]] - Y[[k for k, x in enumerate(groups) if x == lv]].mean(0) for lv in glev])
        nu = N - len(glev)
    else:
        resid = Y - Y.mean(0)
        nu = N - 1
    cov = resid.T @ resid / nu
    ss = long_ols_ss(df, 'subject', within, between)
    effects = [[0], [1], [0, 1]] if len(within) == 2 else [[0]]
    expected = []
    if between:
        # Between stratum: one-way ANOVA on subject means (type III with sum coding). SS on the
        # subject-total scale: L × SS of the means, L = number of within cells.
        L = Y.shape[1]
        sm = pd.DataFrame({'m': Y.mean(1), 'g': groups})
        t = anova_lm(smf.ols('m ~ C(g, Sum)', data=sm).fit(), typ=3)
        expected.append({'effect': between, 'ss': float(L * t.loc['C(g, Sum)', 'sum_sq']), 'df': float(t.loc['C(g, Sum)', 'df']),
                         'F': float(t.loc['C(g, Sum)', 'F']), 'p': float(t.loc['C(g, Sum)', 'PR(>F)']),
                         'dfError': float(t.loc['Residual', 'df']), 'ssError': float(L * t.loc['Residual', 'sum_sq']),
                         'partialEta2': float(t.loc['C(g, Sum)', 'sum_sq'] / (t.loc['C(g, Sum)', 'sum_sq'] + t.loc['Residual', 'sum_sq']))})
    aov = None
    if not between:
        aov = AnovaRM(df, 'y', 'subject', within=within).fit().anova_table
    for e in effects:
        keys = [tuple(e)] + ([('g',) + tuple(e)] if between else [])
        for key in keys:
            wname = ' × '.join(within[j] for j in e)
            label = f'{between} × {wname}' if key[0] == 'g' else wname
            p_e = int(np.prod([levels[j] - 1 for j in e]))
            df1 = p_e * (len(set(groups)) - 1) if key[0] == 'g' else p_e
            df2 = p_e * nu
            s = ss[key]
            F = (s['ss'] / df1) / (s['ssError'] / df2)
            row = {'effect': label, 'ss': s['ss'], 'df': float(df1), 'dfError': float(df2), 'ssError': s['ssError'],
                   'F': float(F), 'p': float(stats.f.sf(F, df1, df2)), 'partialEta2': s['ss'] / (s['ss'] + s['ssError'])}
            if aov is not None:
                # The F, df and p that the tests compare come from statsmodels AnovaRM; the SS-based
                # F above must agree with it (checked here, so a wrong fixture is never written).
                a = aov.loc[':'.join(within[j] for j in e)]
                assert abs(a['F Value'] / F - 1) < 1e-9, (label, a['F Value'], F)
                row.update({'F': float(a['F Value']), 'df': float(a['Num DF']), 'dfError': float(a['Den DF']), 'p': float(a['Pr > F'])})
            if p_e > 1:
                _, sph = sphericity(cov, levels, e, nu)
                row.update(sph)
                gg, hf = sph['epsilonGG'], min(1.0, sph['epsilonHF'])
                row['pGG'] = float(stats.f.sf(row['F'], df1 * gg, df2 * gg))
                row['pHF'] = float(stats.f.sf(row['F'], df1 * hf, df2 * hf))
            expected.append(row)
    data = {'y': fl(df['y']), 'subject': list(df['subject'])}
    for w in within:
        data[w] = list(df[w])
    if between:
        data[between] = list(df[between])
    write(name, {
        'source': ('F, df, p of fully within designs: statsmodels AnovaRM; SS: least squares on the long data with '
                   'subject dummies and sum-coded effects (numpy lstsq); between stratum of mixed designs: statsmodels '
                   'anova_lm(typ=3) on subject means; epsilons and Mauchly: eigenvalues of the (pooled within-group) '
                   'covariance projected on each effect (Greenhouse & Geisser 1959; Huynh & Feldt 1976 with '
                   "Lecoutre's 1991 correction as R car; Mauchly 1940 with the first-order chi-square); corrected "
                   'p: scipy.stats.f.sf with epsilon-scaled df'),
        'note': note,
        'data': data,
        'within': within,
        'between': between,
        'expected': expected,
    })


def long_frame(Y, subjects, within, levels, group=None, between=None):
    rows = []
    for s, row in zip(subjects, Y):
        for c, v in enumerate(row):
            idx = np.unravel_index(c, levels)
            r = {'subject': s, 'y': round(float(v), 4), 'order': c}
            for j, w in enumerate(within):
                r[w] = f'{w[0]}{idx[j] + 1}'
            if between:
                r[between] = group[s]
            rows.append(r)
    return pd.DataFrame(rows)


def rm_fixtures(rng):
    # 2 × 3 fully within, items as the repeated unit, like version × model in the paper.
    n = 24
    levels = [2, 3]
    mu = np.array([[3.0, 3.2, 2.9], [4.4, 5.6, 3.9]]).ravel()
    Y = mu + rng.normal(0, 1.0, (n, 1)) + rng.normal(0, 0.9, (n, 6))
    df = long_frame(Y, [f'item{i + 1}' for i in range(n)], ['version', 'model'], levels)
    rm_fixture('rm-2x3', '2 (version) × 3 (model) fully within design, 24 items', df, ['version', 'model'], levels)

    # One within factor with 4 levels whose differences have very unequal variances.
    n = 16
    cov = np.diag([0.2, 0.3, 3.0, 9.0]) + 0.1
    Y = np.array([2.0, 2.4, 3.1, 3.6]) + rng.multivariate_normal(np.zeros(4), cov, n)
    df = long_frame(Y, [f's{i + 1}' for i in range(n)], ['time'], [4])
    rm_fixture('rm-sphericity', 'one within factor (4 levels), 16 subjects, covariance far from spherical (Mauchly p < .05)', df, ['time'], [4])

    # Mixed: between group (unbalanced 10 / 14) × within condition (3 levels).
    n1, n2 = 10, 14
    subjects = [f'p{i + 1}' for i in range(n1 + n2)]
    group = {s: ('g1' if i < n1 else 'g2') for i, s in enumerate(subjects)}
    mu = {'g1': np.array([4.0, 4.5, 5.5]), 'g2': np.array([4.2, 4.4, 4.6])}
    Y = np.array([mu[group[s]] + rng.normal(0, 1.2) + rng.normal(0, [0.5, 0.8, 1.4]) for s in subjects])
    df = long_frame(Y, subjects, ['condition'], [3], group, 'group')
    rm_fixture('mixed', 'mixed design: group (2, between; 10 and 14 subjects) × condition (3, within)', df, ['condition'], [3], 'group')

    # Balanced mixed with three groups and four within levels.
    subjects = [f'q{i + 1}' for i in range(18)]
    group = {s: f'g{i // 6 + 1}' for i, s in enumerate(subjects)}
    Y = np.array([np.array([1.0, 1.5, 2.5, 2.0]) * (1 + 0.3 * int(group[s][1])) + rng.normal(0, 0.7) + rng.normal(0, 0.6, 4) for s in subjects])
    df = long_frame(Y, subjects, ['block'], [4], group, 'group')
    rm_fixture('mixed-balanced', 'mixed design: group (3 × 6 subjects, between) × block (4, within)', df, ['block'], [4], 'group')


# ---------------------------------------------------------------- multiple comparisons

def multiple_fixture():
    families = [
        [0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.9],
        [0.0001, 0.0002, 0.05, 0.5, 0.5, 1.0],
        [0.02],
        [0.3, 0.01, 0.01, 0.045],
    ]
    out = []
    for p in families:
        row = {'p': p}
        for key, method in (('holm', 'holm'), ('bonferroni', 'bonferroni'), ('bh', 'fdr_bh')):
            row[key] = fl(multipletests(p, method=method)[1])
        out.append(row)
    write('multiple', {'source': 'statsmodels.stats.multitest.multipletests (holm, bonferroni, fdr_bh)',
                       'note': 'families with ties and a single test', 'families': out})


# ---------------------------------------------------------------- bootstrap

def bootstrap_fixture(rng):
    # One sample, statistic = mean, skewed data so BCa differs from the percentile interval.
    x = np.round(rng.gamma(1.5, 2.0, 25), 3)
    B = 999
    idx = rng.integers(0, len(x), (B, len(x)))
    reps = x[idx].mean(axis=1)
    a1, a2, a_hat = _resampling._bca_interval((x,), lambda s, axis: np.mean(s, axis=axis), -1, 0.025, reps[None, :], None)
    one = {'data': fl(x), 'replicates': fl(reps), 'estimate': float(x.mean()), 'acceleration': float(a_hat),
           'percentile': [float(np.percentile(reps, 2.5)), float(np.percentile(reps, 97.5))],
           'bca': [float(np.percentile(reps, float(a1) * 100)), float(np.percentile(reps, float(a2) * 100))]}

    # Two strata (conditions), statistic = fraction of Δ_Knobe removed by a patch.
    nn, npos = 12, 10
    items = []
    for i in range(nn + npos):
        neg = i < nn
        donor = 5 + (0.3 if neg else 0) + rng.normal(0, 0.8)
        unp = donor + (2.0 if neg else 0.2) + rng.normal(0, 0.6)
        pat = unp - (1.2 if neg else 0.1) + rng.normal(0, 0.5)
        items.append({'condition': 'negative' if neg else 'positive', 'unpatched': round(float(unp), 3),
                      'patched': round(float(pat), 3), 'donor': round(float(donor), 3)})
    U = np.array([it['unpatched'] for it in items])
    P = np.array([it['patched'] for it in items])
    D = np.array([it['donor'] for it in items])
    ineg = np.arange(nn)
    ipos = np.arange(nn, nn + npos)

    def frac(a, b, axis=-1):
        du = U[a].mean(axis) - U[b].mean(axis)
        return (du - (P[a].mean(axis) - P[b].mean(axis))) / (du - (D[a].mean(axis) - D[b].mean(axis)))

    ra = ineg[rng.integers(0, nn, (B, nn))]
    rb = ipos[rng.integers(0, npos, (B, npos))]
    reps = frac(ra, rb)
    a1, a2, a_hat = _resampling._bca_interval((ineg, ipos), frac, -1, 0.025, reps[None, :], None)
    two = {'items': items, 'replicates': fl(reps), 'estimate': float(frac(ineg, ipos)), 'acceleration': float(a_hat),
           'percentile': [float(np.percentile(reps, 2.5)), float(np.percentile(reps, 97.5))],
           'bca': [float(np.percentile(reps, float(a1) * 100)), float(np.percentile(reps, float(a2) * 100))]}
    write('bootstrap', {
        'source': ('bootstrap replicates drawn with numpy; BCa alphas from scipy.stats._resampling._bca_interval '
                   '(the routine behind scipy.stats.bootstrap, method="BCa"), interval ends and percentile interval '
                   'by numpy.percentile (linear interpolation)'),
        'note': 'the tests feed these replicates to the interval code, so the resampling generator is not involved',
        'level': 0.95, 'oneSample': one, 'fractionRemoved': two})


# ---------------------------------------------------------------- activation difference

def activation_fixture(rng):
    dim = 16
    neg = rng.normal(0.2, 1.0, (7, dim)).astype(np.float32)
    pos = rng.normal(0.0, 1.0, (9, dim)).astype(np.float32)
    a = neg.astype(np.float64).mean(0)
    b = pos.astype(np.float64).mean(0)
    write('activation', {
        'source': 'numpy float64 means of float32 vectors; L2 norm by numpy.linalg.norm, cosine = a·b / (|a| |b|)',
        'data': {'negative': [fl(v) for v in neg], 'positive': [fl(v) for v in pos]},
        'expected': {'l2': float(np.linalg.norm(a - b)), 'cosine': float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))},
    })


def tails_fixture():
    t_cases = [(0.0, 10), (1.3, 7), (-2.2, 40), (4.1, 38.2), (12.5, 30), (40.0, 563.7), (2.0, 1)]
    f_cases = [(0.2, 3, 42), (1.0, 2, 46), (4.45, 3, 42), (283.6, 2, 564), (93.8, 1, 23), (3.27, 1.86, 27.8)]
    c_cases = [(0.5, 2), (9.93, 5), (22.07, 2), (300.0, 9)]
    write('tails', {
        'source': 'scipy.stats t.sf (two-sided: 2·sf(|t|)), f.sf, chi2.sf',
        'note': 'includes tails far below 1e-16, where 1 − cdf would round to 0',
        't': [{'t': t, 'df': df, 'p': float(2 * stats.t.sf(abs(t), df))} for t, df in t_cases],
        'F': [{'F': F, 'df1': a, 'df2': b, 'p': float(stats.f.sf(F, a, b))} for F, a, b in f_cases],
        'chiSquare': [{'x': x, 'df': k, 'p': float(stats.chi2.sf(x, k))} for x, k in c_cases],
    })


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20251014)
    warnings.simplefilter('error', RuntimeWarning)
    independent_fixture('ttest-balanced', 'two independent groups of 20, equal sizes',
                        {'negative': np.round(rng.normal(6.1, 1.4, 20), 3), 'positive': np.round(rng.normal(4.9, 1.5, 20), 3)})
    independent_fixture('ttest-unbalanced', 'independent groups of 12 and 23 with unequal spread (Welch and Student differ)',
                        {'negative': np.round(rng.normal(7.0, 2.6, 12), 3), 'positive': np.round(rng.normal(5.2, 0.9, 23), 3)})
    ties = {g: np.clip(np.round(rng.normal(m, 1.8, k)), 0, 10) for g, m, k in (('negative', 6.5, 18), ('positive', 4.0, 16), ('neutral', 5.0, 14))}
    independent_fixture('ttest-ties', 'integer ratings on the 0–10 scale with many ties; three groups for the one-way ANOVA', ties)
    paired_fixture(rng)
    two_way_fixture(rng)
    rm_fixtures(rng)
    multiple_fixture()
    bootstrap_fixture(rng)
    activation_fixture(rng)
    three_way_fixture(rng)
    tails_fixture()


if __name__ == '__main__':
    sys.exit(main())
