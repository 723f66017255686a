// Shared pieces of the study tests: temporary folders, small planted pairs, notebooks built from
// cell texts, and reading a written notebook back.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellOutput, RatingsResult, SweepResult } from '../../../src/common/results.js';
import { parse } from '../../../src/core/format/parser.js';
import { cellByName, knobeCells, wordText } from '../../../src/core/format/nodes.js';
import { generateDemoPair, type DemoEdit, type DemoPair } from '../../../src/core/models/demo/index.js';
import type { CellRun } from '../../../src/core/study/study.js';

export const tmp = (tag: string) => mkdtempSync(join(tmpdir(), `knobe-study-${tag}-`));

/** A small planted pair (4 layers unless asked), fast enough for many runs on two cores. */
export function smallPair(dir: string, edits: DemoEdit[], opts: { seed?: number; layers?: number; hidden?: number } = {}): DemoPair {
  return generateDemoPair(dir, {
    seed: opts.seed ?? 5,
    shape: { layers: opts.layers ?? 4, hidden: opts.hidden ?? 32, heads: 2, intermediate: 32 },
    edits,
    strength: 1,
  });
}

/** Four paired templates in the demo vocabulary; every story contains "do not care". */
export function scenarios(name: string, opts: { question?: string; skip?: string } = {}): string {
  const items = [
    ['paint', 'A manager tells the chairman: "The new formula will raise sales, and it will also {harm|help} the river." The chairman answers: "I do not care about the river." The river is {harmed|helped}.'],
    ['road', 'A planner tells the mayor: "The new road will bring shoppers, and it will also {harm|help} the park." The mayor answers: "I do not care about the park." The park is {harmed|helped}.'],
    ['market', 'A clerk tells the owner: "Opening on Sundays will bring in money, and it will also {hurt|help} the small shops." The owner answers: "I do not care about the small shops." The shops are {hurt|helped}.'],
    ['harbour', 'A sailor tells the captain: "The south harbour will save time, and the boats will {disturb|protect} the seals." The captain answers: "I do not care about the seals." The seals are {disturbed|protected}.'],
  ].filter(([item]) => item !== opts.skip);
  const question = opts.question === undefined ? 'question: How intentionally did the decision maker bring about the {harmful|helpful} side effect?\n' : opts.question;
  return `::: scenarios ${name}\n${question}scale: 0..10\n\n${items.map(([item, text]) => `item ${item}\n  ${text}`).join('\n\n')}\n:::\n`;
}

export const pairCell = (name: string, pretrained: string, finetuned: string) => `::: pair ${name}\npretrained: ${pretrained}\nfinetuned: ${finetuned}\nprompt: raw\n:::\n`;

/** A notebook from cell texts, prose between them. */
export const notebook = (...cells: string[]) => `%knobe 2\n\n# Study\n\n${cells.join('\nSome prose.\n\n')}`;

export const cell = (kind: string, name: string, ...lines: string[]) => `::: ${kind} ${name}\n${lines.join('\n')}\n:::\n`;

export const byName = (runs: CellRun[]) => new Map(runs.map((r) => [r.name, r]));

export const statuses = (runs: CellRun[]) => Object.fromEntries(runs.map((r) => [r.name, r.status]));

/** The outputs a notebook file holds, by cell name. */
export function outputsIn(text: string): Map<string, CellOutput | undefined> {
  const doc = parse(text);
  return new Map(knobeCells(doc).map((c) => [wordText(c.name) ?? '', cellByName(doc, wordText(c.name) ?? '')?.output?.output]));
}

export const ratingsOf = (run: CellRun | undefined) => run?.output?.result as RatingsResult;
export const sweepOf = (run: CellRun | undefined) => run?.output?.result as SweepResult;

/** Layer of the patch that removes the most of the effect at a site. */
export function topLayer(sweep: SweepResult, site: string): number[] {
  const rows = sweep.rows.filter((r) => r.site === site);
  return [...rows].sort((a, b) => b.fractionRemoved - a.fractionRemoved)[0].layers;
}

/** Every file under a folder, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

export const read = (file: string) => readFileSync(file, 'utf8');

/** A notebook's text with every output block cut out, to compare what a run must not touch. */
export const withoutOutputs = (text: string) => text.replace(/\n::: output [^\n]*\n[\s\S]*?^:::\n/gm, '');
