// The one-line summaries `knobe run` prints per cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellOutput, SweepResult } from '../../../src/common/results.js';
import { StudyError } from '../../../src/core/study/errors.js';
import type { CellRun } from '../../../src/core/study/study.js';
import { summaryLine } from '../../../src/core/study/summary.js';

const row = (layer: number, fractionRemoved: number) => ({ site: 'resid_post', layers: [layer], label: String(layer), positions: 'last', delta: 1 - fractionRemoved, ci: [0, 1] as [number, number], fractionRemoved, fractionCi: [0, 1] as [number, number] });
const sweep = (smallest?: SweepResult['smallest']): CellRun => ({
  name: 's', kind: 'sweep', status: 'ok', seconds: 1.25,
  output: { hash: '0', provenance: { tool: '0', date: '', models: [] }, result: { kind: 'sweep', direction: 'pretrained->finetuned', mix: 1, baseline: { pretrained: 0, finetuned: 1 }, rows: [row(0, 0.1), row(1, 0.8), row(2, 0.3)], smallest } } as CellOutput,
});
const line = (run: CellRun, expected: string) => assert.equal(summaryLine(run), expected);

test('summary lines', () => {
  line(sweep(), 's (sweep, ok, 1.3s): strongest patch resid_post 1 removes 80%');
  line(sweep({ site: 'resid_post', layers: [1, 2], fractionRemoved: 0.95, target: 0.9 }), 's (sweep, ok, 1.3s): strongest patch resid_post 1 removes 80%; smallest set resid_post 1+2 removes 95%');
  line(sweep({ site: 'resid_post', layers: [0, 1, 2], fractionRemoved: 0.85, target: 0.9 }), 's (sweep, ok, 1.3s): strongest patch resid_post 1 removes 80%; no resid_post layer set removes 90% (all 3 together: 85%)');
  line(sweep({ site: 'resid_post', layers: [0, 1, 2], fractionRemoved: Number.NaN, target: 0.9 }), 's (sweep, ok, 1.3s): strongest patch resid_post 1 removes 80%; no resid_post layer set removes 90% (all 3 together: –)');
  line({ name: 'r', kind: 'ratings', status: 'error', seconds: 0, error: new StudyError('dependency-failed', 'cell `r` needs `p`, which failed', 'fix `p` first', 'r') }, 'r (ratings, error): cell `r` needs `p`, which failed — fix `p` first');
  line({ name: 'r', kind: 'ratings', status: 'cancelled', seconds: 0, error: new StudyError('cancelled', 'the run was cancelled', undefined, 'r') }, 'r (ratings, cancelled): the run was cancelled');
  line({ name: 'p', kind: 'pair', status: 'ok', seconds: 0.04, note: '**p**: llama, 4 layers.' }, 'p (pair, ok, 0.0s): p: llama, 4 layers.');
});
