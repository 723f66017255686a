#!/usr/bin/python3
"""Writes reference values for the linear mixed models of src/core/stats (lmm.ts) to
test/golden/stats/mixed-*.json.

Run with the system Python that has statsmodels 0.13, numpy and pandas:

    /usr/bin/python3 scripts/golden/mixed.py

The model is rating ~ factors (all interactions, sum-to-zero coding) + random intercepts (and
optionally slopes) for items. The fixed and random design matrices are built here exactly as the
TypeScript code builds them (levels in order of first appearance, the last level coded −1), and
handed to statsmodels MixedLM as arrays, so coefficients, standard errors and log-likelihoods are
compared one to one. Each fit is checked to have converged.

References:
- REML and ML fits, fixed effects, standard errors (bse_fe), variance components (cov_re, scale)
  and log-likelihoods: statsmodels MixedLM.
- Likelihood-ratio tests of fixed terms: ML refits with and without the term's columns in
  statsmodels, χ² = 2(ℓ_full − ℓ_reduced), p from scipy.stats.chi2.
- Conditional standard errors, √diag(σ²(X'V⁻¹X)⁻¹) at statsmodels' estimates (what lme4 and
  Satterthwaite's method use): numpy.
- Satterthwaite F and df where they are known exactly (balanced data): the classical ANOVA with
  items as blocks (statsmodels anova_lm on OLS), and the between-items ANOVA on item means.
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
from statsmodels.regression.mixed_linear_model import MixedLM
from statsmodels.stats.anova import anova_lm
from statsmodels.tools.sm_exceptions import ConvergenceWarning

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'golden', 'stats')
VERSIONS = f'scipy {scipy.__version__}, statsmodels {statsmodels.__version__}, numpy {np.__version__}'


def write(name, fixture):
    fixture = {'name': name, 'generatedBy': 'scripts/golden/mixed.py', 'versions': VERSIONS, **fixture}
    path = os.path.join(OUT, f'{name}.json')
    with open(path, 'w') as f:
        json.dump(fixture, f, indent=1, allow_nan=False)
        f.write('\n')
    print('wrote', os.path.relpath(path))


def fl(x):
    return [float(v) for v in np.asarray(x).ravel()]


def levels(values):
    out = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def sum_columns(values):
    lv = levels(values)
    cols = []
    for j in range(len(lv) - 1):
        cols.append(np.array([1.0 if v == lv[j] else (-1.0 if v == lv[-1] else 0.0) for v in values]))
    return cols, [f'{lv[j]}' for j in range(len(lv) - 1)]


def terms(k):
    out = []
    for mask in range(1, 1 << k):
        out.append([i for i in range(k) if mask & (1 << i)])
    return sorted(out, key=lambda t: (len(t), ','.join(map(str, t))))


def design(df, factors):
    """Intercept plus every term's sum-coded columns, as lmm.ts builds them."""
    n = len(df)
    cols = [np.ones(n)]
    names = ['(Intercept)']
    term_cols = {}
    coded = {f: sum_columns(list(df[f])) for f in factors}
    for t in terms(len(factors)):
        prods = [(np.ones(n), '')]
        for i in t:
            f = factors[i]
            fc, fl_ = coded[f]
            prods = [(a * c, f'{name}:{f}[{lab}]' if name else f'{f}[{lab}]') for a, name in prods for c, lab in zip(fc, fl_)]
        tname = ' × '.join(factors[i] for i in t)
        term_cols[tname] = list(range(len(cols), len(cols) + len(prods)))
        for c, name in prods:
            cols.append(c)
            names.append(name)
    return np.column_stack(cols), names, term_cols


def random_design(df, slopes):
    n = len(df)
    cols = [np.ones(n)]
    for f in slopes:
        cols.extend(sum_columns(list(df[f]))[0])
    return np.column_stack(cols)


def fit(y, X, groups, Z, reml):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        warnings.simplefilter('ignore', FutureWarning)
        m = MixedLM(y, X, groups=groups, exog_re=Z)
        r = m.fit(reml=reml, method=['bfgs', 'lbfgs', 'powell'], gtol=1e-10, maxiter=2000)
    if not r.converged:
        raise SystemExit('statsmodels did not converge')
    return m, r


def conditional_se(X, Z, groups, cov_re, scale):
    A = 0
    for g in levels(list(groups)):
        idx = np.asarray(groups) == g
        Zi = Z[idx]
        V = scale * np.eye(idx.sum()) + Zi @ cov_re @ Zi.T
        A = A + X[idx].T @ np.linalg.solve(V, X[idx])
    return np.sqrt(np.diag(np.linalg.inv(A)))


def reference(name, note, df, factors, slopes=(), classical=None):
    y = df['y'].to_numpy(float)
    X, names, term_cols = design(df, factors)
    Z = random_design(df, slopes)
    groups = df['item'].to_numpy()
    _, reml = fit(y, X, groups, Z, True)
    cov_re = np.atleast_2d(reml.cov_re)
    _, ml = fit(y, X, groups, Z, False)
    lrt = {}
    for t, cols in term_cols.items():
        keep = [j for j in range(X.shape[1]) if j not in cols]
        _, reduced = fit(y, X[:, keep], groups, Z, False)
        chi = 2 * (ml.llf - reduced.llf)
        lrt[t] = {'chiSquare': float(chi), 'df': len(cols), 'p': float(stats.chi2.sf(chi, len(cols)))}
    out = {
        'note': note,
        'factors': list(factors),
        'slopes': list(slopes),
        'data': {'y': fl(y), 'item': [str(v) for v in groups], **{f: [str(v) for v in df[f]] for f in factors}},
        'expected': {
            'names': names,
            'fixed': fl(reml.fe_params),
            'se': fl(reml.bse_fe),
            'seConditional': fl(conditional_se(X, Z, groups, cov_re, reml.scale)),
            'covRe': [fl(row) for row in cov_re],
            'scale': float(reml.scale),
            'logLik': float(reml.llf),
            'logLikML': float(ml.llf),
            'fixedML': fl(ml.fe_params),
            'lrt': lrt,
        },
    }
    if slopes:
        # REML comparison of the random parts with the same fixed effects.
        _, no_slope = fit(y, X, groups, Z[:, :1], True)
        chi = 2 * (reml.llf - no_slope.llf)
        k = Z.shape[1]
        dfk = k * (k + 1) // 2 - 1
        out['expected']['slopeTest'] = {'chiSquare': float(chi), 'df': dfk, 'p': float(stats.chi2.sf(chi, dfk))}
    if classical is not None:
        out['expected']['classical'] = classical(df)
    write(name, {'source': __doc__.split('References:')[1].strip(), **out})


def within_classical(factors):
    """Balanced data, every factor within items, random intercepts: the randomized-block ANOVA."""
    def run(df):
        formula = 'y ~ C(item, Sum) + ' + ' * '.join(f'C({f}, Sum)' for f in factors)
        t = anova_lm(smf.ols(formula, data=df).fit(), typ=3)
        out = {}
        resid_df = float(t.loc['Residual', 'df'])
        for idx, r in t.iterrows():
            if idx in ('Intercept', 'Residual') or 'item' in idx:
                continue
            name = ' × '.join(part.split(',')[0][2:] for part in idx.split(':'))
            out[name] = {'F': float(r['F']), 'df1': float(r['df']), 'df2': resid_df, 'p': float(r['PR(>F)'])}
        return out
    return run


def split_plot_classical(df):
    """Balanced data, condition between items and version within: F of condition from the item
    means, F of version and version × condition against the version × item error."""
    means = df.groupby('item').agg(y=('y', 'mean'), condition=('condition', 'first')).reset_index()
    t1 = anova_lm(smf.ols('y ~ C(condition, Sum)', data=means).fit(), typ=3)
    diffs = df.pivot_table(index='item', columns='version', values='y')
    cond = means.set_index('item')['condition']
    lv = levels(list(df['version']))
    d = pd.DataFrame({'d': diffs[lv[0]] - diffs[lv[1]], 'condition': cond})
    t2 = anova_lm(smf.ols('d ~ C(condition, Sum)', data=d).fit(), typ=3)
    n_items = len(means)
    return {
        'condition': {'F': float(t1.loc['C(condition, Sum)', 'F']), 'df1': 1.0, 'df2': float(n_items - 2), 'p': float(t1.loc['C(condition, Sum)', 'PR(>F)'])},
        'version': {'F': float(t2.loc['Intercept', 'F']), 'df1': 1.0, 'df2': float(n_items - 2), 'p': float(t2.loc['Intercept', 'PR(>F)'])},
        'condition × version': {'F': float(t2.loc['C(condition, Sum)', 'F']), 'df1': 1.0, 'df2': float(n_items - 2), 'p': float(t2.loc['C(condition, Sum)', 'PR(>F)'])},
    }


def within_data(rng, items, families, drop):
    rows = []
    for i in range(items):
        u = rng.normal(0, 1.0)
        for fam in families:
            for version in ('pretrained', 'finetuned'):
                for condition in ('negative', 'positive'):
                    if rng.random() < drop:
                        continue
                    lift = {'llama': 1.5, 'mistral': 0.8, 'gemma': 2.4, '-': 1.5}[fam]
                    y = 5 + u + (lift if version == 'finetuned' and condition == 'negative' else 0) + 0.3 * (condition == 'negative') + rng.normal(0, 0.8)
                    row = {'item': f'i{i}', 'version': version, 'condition': condition, 'y': round(float(y), 3)}
                    if fam != '-':
                        row['family'] = fam
                    rows.append(row)
    return pd.DataFrame(rows)


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20260301)

    df = within_data(rng, 16, ['-'], 0.0)
    reference('mixed-lmm-balanced', '16 items, version × condition within items, complete and balanced',
              df, ['version', 'condition'], classical=within_classical(['version', 'condition']))

    df = within_data(rng, 16, ['-'], 0.2)
    reference('mixed-lmm-incomplete', 'as balanced, with about 20% of the ratings missing at random (unbalanced, incomplete items)',
              df, ['version', 'condition'])

    rows = []
    for i in range(14):
        condition = 'negative' if i < 7 else 'positive'
        u = rng.normal(0, 0.9)
        for version in ('pretrained', 'finetuned'):
            y = 5 + u + (1.4 if version == 'finetuned' and condition == 'negative' else 0) + rng.normal(0, 0.7)
            rows.append({'item': f'i{i}', 'condition': condition, 'version': version, 'y': round(float(y), 3)})
    reference('mixed-lmm-split-balanced', '14 independent items (7 per condition), condition between items, version within; balanced',
              pd.DataFrame(rows), ['condition', 'version'], classical=split_plot_classical)

    rows = []
    for i in range(19):
        condition = 'negative' if i < 11 else 'positive'
        u = rng.normal(0, 0.9)
        for version in ('pretrained', 'finetuned'):
            if i % 5 == 3 and version == 'finetuned':
                continue
            y = 5 + u + (1.4 if version == 'finetuned' and condition == 'negative' else 0) + rng.normal(0, 0.7)
            rows.append({'item': f'i{i}', 'condition': condition, 'version': version, 'y': round(float(y), 3)})
    reference('mixed-lmm-split-unbalanced', '19 independent items (11 negative, 8 positive), condition between items, version within; some fine-tuned ratings missing',
              pd.DataFrame(rows), ['condition', 'version'])

    df = within_data(rng, 12, ['llama', 'mistral', 'gemma'], 0.1)
    reference('mixed-lmm-families', 'three families × version × condition, all within 12 items, 10% missing',
              df, ['family', 'version', 'condition'])

    rows = []
    for i in range(18):
        u = rng.normal(0, 1.0)
        s = rng.normal(0, 0.6)
        for version in ('pretrained', 'finetuned'):
            for condition in ('negative', 'positive'):
                for rep in range(2):
                    if rng.random() < 0.15:
                        continue
                    y = 5 + u + (s if version == 'finetuned' else -s) + (1.5 if version == 'finetuned' and condition == 'negative' else 0) + rng.normal(0, 0.7)
                    rows.append({'item': f'i{i}', 'version': version, 'condition': condition, 'y': round(float(y), 3)})
    reference('mixed-lmm-slopes', '18 items, two ratings per cell, random intercepts and version slopes by item, 15% missing',
              pd.DataFrame(rows), ['version', 'condition'], slopes=['version'])


if __name__ == '__main__':
    sys.exit(main())
