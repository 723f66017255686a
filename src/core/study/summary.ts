// One line per cell run for terminals and logs: what ran and the number that matters.
import type { RatingsResult, SweepResult } from '../../common/results.js';
import type { CellRun } from './study.js';
import { pct } from '../../common/charts/common.js';

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

/** Why the result the notebook held was not used. */
const SET_ASIDE = {
  edited: 'the result stored in the notebook was edited by hand and was not used',
  unverified: 'the result stored in the notebook has no checksum (an older version wrote it) and was not used',
};

export function summaryLine(run: CellRun): string | undefined {
  const head = `${run.name} (${run.kind}, ${run.status}${run.status === 'ok' ? `, ${run.seconds.toFixed(1)}s` : ''})${run.setAside ? ` [${SET_ASIDE[run.setAside]}]` : ''}`;
  if (run.error) return `${head}: ${run.error.message}${run.error.hint ? ` — ${run.error.hint}` : ''}`;
  const r = run.output?.result;
  if (!r) return run.note ? `${head}: ${run.note.replace(/\*\*/g, '')}` : head;
  switch (r.kind) {
    case 'ratings': {
      const rr = r as RatingsResult;
      // The most words any model could not read: a warning worth a glance before reading Δ.
      const spelled = Math.max(0, ...(rr.tokenization ?? []).map((t) => t.spelled.length));
      const unknown = Math.max(0, ...(rr.tokenization ?? []).map((t) => t.unknown.length));
      const unread = [spelled && `${spelled} words spelled out`, unknown && `${unknown} words unknown`].filter(Boolean).join(', ');
      return `${head}: ${rr.summary.map((s) => `${s.model} Δ_Knobe = ${f(s.delta.estimate)} [${f(s.delta.ci[0])}, ${f(s.delta.ci[1])}]`).join('; ')}${unread ? ` (tokenizer warning: ${unread})` : ''}`;
    }
    case 'sweep': {
      const s = r as SweepResult;
      const best = [...s.rows].sort((a, b) => b.fractionRemoved - a.fractionRemoved)[0];
      // The greedy search ends with every layer when no set reaches the target; say so.
      const smallest = !s.smallest
        ? ''
        : s.smallest.fractionRemoved >= s.smallest.target
          ? `; smallest set ${s.smallest.site} ${s.smallest.layers.join('+')} removes ${pct(s.smallest.fractionRemoved)}`
          : `; no ${s.smallest.site} layer set removes ${pct(s.smallest.target)} (all ${s.smallest.layers.length} together: ${pct(s.smallest.fractionRemoved)})`;
      return `${head}: strongest patch ${best ? `${best.site} ${best.label} removes ${pct(best.fractionRemoved)}` : 'none'}${smallest}`;
    }
    case 'localization': {
      const top = [...r.rows].filter((x) => x.model === 'finetuned').sort((a, b) => b.l2 - a.l2)[0];
      return `${head}: fine-tuned conditions differ most at ${top ? `${top.site} layer ${top.layer}` : '–'}`;
    }
    case 'stats':
      return `${head}: ${r.tests.length} tests${r.anova ? ', ANOVA' : ''}${r.mixed ? ', mixed model' : ''}${r.deltas ? `, ${new Set(r.deltas.map((d) => d.family)).size} families` : ''}`;
  }
}
