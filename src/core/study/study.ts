// Executes a parsed notebook's Knobe cells against its model pairs: the one place the CLI and the
// VS Code controller both call. Cells run in document order; a cell's dependencies (the cells it
// names) run first when they have no valid result. Results are reused when their hash — the
// cell's text, what it reads, the models' content, the results it reads — matches a result stored
// in the notebook or in the on-disk cache whose checksum shows it is as a run computed it.
import type { CellOutput, Integrity, KnobeResult, Provenance, RatingsResult, SweepResult } from '../../common/results.js';
import { outputIntegrity, resultDigest, withChecksum } from '../format/checksum.js';
import { FormatError, localizeSpec, pairSpec, ratingsSpec, scenarioSet, statsSpec, sweepSpec } from '../format/specs.js';
import { cellByName, duplicateCells, knobeCells, wordText, type KnobeCell, type KnobeDocument } from '../format/nodes.js';
import { isCancelled, PatchError } from '../patching/errors.js';
import { ResultCache } from './cache.js';
import { isCancellation, StudyError } from './errors.js';
import { cellHash, referencesOf } from './hash.js';
import { runLocalize } from './localize.js';
import { ModelPool, type ModelHost, type ResolvedPair } from './models.js';
import { CellProgress, type StudyProgress } from './progress.js';
import { promptProvenance } from './prompts.js';
import { isPaired, runRatings } from './ratings.js';
import { runStats, type StatsInput, type SweepInput } from './statistics.js';
import { runSweepCell } from './sweep.js';
import { TOOL_VERSION } from './version.js';
import { CellUnits, MemoryLedger, ShardPending, type Shard, type UnitLedger } from './ledger.js';
import { describeDevice } from '../models/device.js';

/** `pending`: a shard computed its share of the cell's units; the result needs the other shards. */
export type CellStatus = 'ok' | 'cached' | 'error' | 'cancelled' | 'pending';

export interface CellRun {
  name: string;
  kind: string;
  status: CellStatus;
  /** The result, for ratings, localize, sweep and stats cells that succeeded. */
  output?: CellOutput;
  /** A short Markdown note for cells without a result (pair, scenarios). */
  note?: string;
  error?: StudyError;
  seconds: number;
  /**
   * The notebook held a result for this cell's exact inputs that was not used, because it was
   * edited by hand or carries no checksum to show it was not: the cell was computed (or taken
   * from the cache) instead.
   */
  setAside?: Exclude<Integrity, 'verified'>;
}

/** A result the notebook or the cache holds for a cell, and a stored one not used. */
interface Reuse {
  hit?: CellOutput;
  setAside?: Exclude<Integrity, 'verified'>;
}

export interface RunOptions {
  /** Cells to run (with what they need); default every Knobe cell. */
  cells?: string[];
  /** Recompute even when a valid result exists. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: StudyProgress) => void;
  onCellStart?: (name: string) => void;
  onCellDone?: (run: CellRun) => void;
  /** Clock for provenance dates (tests pin it). */
  now?: () => Date;
  /** Where finished units of long cells are recorded (resume); default: in memory for this run. */
  ledger?: UnitLedger;
  /** Compute only this share of the units of each cell (no cell is finalized unless all its units are recorded). */
  shard?: Shard;
}

export class Study {
  readonly pool: ModelPool;
  private readonly cache: ResultCache;

  constructor(readonly host: ModelHost) {
    this.pool = new ModelPool(host);
    this.cache = new ResultCache(host.cacheDir);
  }

  async run(doc: KnobeDocument, opts: RunOptions = {}): Promise<CellRun[]> {
    const all = knobeCells(doc);
    const dup = duplicateCells(doc)[0];
    if (dup) {
      const name = wordText(dup.name)!;
      const at = (c: KnobeCell) => {
        const p = doc.lines.position(c.name.start);
        return `line ${p.line}, column ${p.column}`;
      };
      throw new StudyError('duplicate-name', `two cells are named \`${name}\` (${at(cellByName(doc, name)!)} and ${at(dup)}), so a reference to it is ambiguous; nothing was run`, 'give every Knobe cell a name of its own');
    }
    const names = opts.cells ?? all.map((c) => wordText(c.name)).filter((n): n is string => !!n);
    for (const n of names) {
      if (!cellByName(doc, n)) throw new StudyError('unknown-reference', `there is no cell named \`${n}\``, `cells are ${all.map((c) => wordText(c.name)).join(', ')}`);
    }
    opts = { ...opts, ledger: opts.ledger ?? new MemoryLedger() };
    const runs = new Map<string, Promise<CellRun>>();
    const pairs = new Map<string, Promise<ResolvedPair>>();
    const order: string[] = [];

    const pairOf = (name: string): Promise<ResolvedPair> => {
      let p = pairs.get(name);
      if (!p) {
        const cell = cellByName(doc, name)!;
        p = this.pool.resolvePair(pairSpec(doc, cell), opts.signal);
        pairs.set(name, p);
      }
      return p;
    };

    const ensure = (name: string): Promise<CellRun> => {
      let r = runs.get(name);
      if (!r) {
        r = this.execute(doc, cellByName(doc, name)!, opts, ensure, pairOf);
        runs.set(name, r);
        order.push(name);
        void r.then((run) => opts.onCellDone?.(run));
      }
      return r;
    };

    for (const n of names) {
      await ensure(n);
      if (opts.signal?.aborted) break;
    }
    const done = await Promise.all(order.map((n) => runs.get(n)!));
    // Document order, whatever order dependencies ran in.
    const pos = new Map(all.map((c, i) => [wordText(c.name), i]));
    return done.sort((a, b) => (pos.get(a.name) ?? 0) - (pos.get(b.name) ?? 0));
  }

  dispose(): Promise<void> {
    return this.pool.dispose();
  }

  private async execute(
    doc: KnobeDocument,
    cell: KnobeCell,
    opts: RunOptions,
    ensure: (name: string) => Promise<CellRun>,
    pairOf: (name: string) => Promise<ResolvedPair>,
  ): Promise<CellRun> {
    const name = wordText(cell.name) ?? '';
    const kind = cell.kind ?? wordText(cell.kindWord) ?? 'unknown';
    const started = Date.now();
    const finish = (status: CellStatus, extra: Partial<CellRun> = {}): CellRun => ({ name, kind, status, seconds: (Date.now() - started) / 1000, ...extra });
    try {
      if (opts.signal?.aborted) throw new StudyError('cancelled', 'the run was cancelled');
      // Dependencies first, so a failure there is reported as such.
      for (const ref of referencesOf(doc, cell)) {
        const dep = cellByName(doc, ref);
        if (!dep) continue; // the spec accessor reports the unknown reference with its position
        const run = await ensure(ref);
        if (run.status === 'cancelled') throw new StudyError('cancelled', 'the run was cancelled');
        if (run.status === 'error') {
          throw new StudyError('dependency-failed', `cell \`${name}\` needs \`${ref}\`, which failed: ${run.error?.message}`, `fix \`${ref}\` first`, name);
        }
      }
      opts.onCellStart?.(name);
      const progress = new CellProgress(name, opts.onProgress);
      switch (cell.kind) {
        case 'pair': {
          const pair = await pairOf(name);
          const cfg = pair.finetuned.checkpoint.config;
          const planted = pair.demo?.manifest.edits.map((e) => `${e.site} ${e.layer}`).join(', ');
          const synthetic = pair.demo ? ` — a synthetic demo pair (bias planted at ${planted}, seed ${pair.demo.manifest.seed}), a positive control` : '';
          const held = pair.weightBytes * 2 <= this.pool.budget ? 'both can stay loaded' : 'loaded one at a time';
          const precision = `Precision ${pair.precisionReason}; the two models are ${held} on ${describeDevice(this.pool.deviceChoice)}.`;
          const warnings = [pair.pretrained, pair.finetuned].flatMap((side) =>
            side.checkpoint.warnings.map((w) => ` **warning** (the ${side.role} model \`${side.provenance.source}\`): ${w}`),
          );
          return finish('ok', { note: `**${name}**: ${cfg.architecture}, ${cfg.numLayers} layers, hidden ${cfg.hiddenSize}, vocabulary ${cfg.vocabSize}${synthetic}. ${precision}${warnings.join('')}` });
        }
        case 'scenarios': {
          const set = scenarioSet(doc, cell);
          const neg = set.vignettes.filter((v) => v.condition === 'negative').length;
          return finish('ok', { note: `**${name}**: ${set.vignettes.length} vignettes (${neg} negative, ${set.vignettes.length - neg} positive), ${isPaired(set) ? 'paired templates' : 'independent items'}, scale ${set.scale[0]}…${set.scale[set.scale.length - 1]}.` });
        }
        case 'ratings': {
          const spec = ratingsSpec(doc, cell);
          const pair = await pairOf(spec.pair);
          const set = scenarioSet(doc, cellByName(doc, spec.scenarios)!);
          return await this.cached(doc, cell, pair, opts, finish, { seed: spec.seed, protocol: spec.protocol, ...promptProvenance(pair, set) }, (units) =>
            runRatings(spec, { pool: this.pool, pair, set, signal: opts.signal, progress, units }),
          );
        }
        case 'localize': {
          const spec = localizeSpec(doc, cell);
          const pair = await pairOf(spec.pair);
          const set = scenarioSet(doc, cellByName(doc, spec.scenarios)!);
          return await this.cached(doc, cell, pair, opts, finish, promptProvenance(pair, set), (units) => runLocalize(spec, { pool: this.pool, pair, set, signal: opts.signal, progress, units }));
        }
        case 'sweep': {
          const spec = sweepSpec(doc, cell);
          const ratings = ratingsSpec(doc, cellByName(doc, spec.ratings)!);
          const pair = await pairOf(ratings.pair);
          const set = scenarioSet(doc, cellByName(doc, ratings.scenarios)!);
          let topOf: SweepResult | undefined;
          if (spec.top) {
            const run = await ensure(spec.top.cell);
            topOf = run.output?.result as SweepResult | undefined;
          }
          const prov = { protocol: 'expected', ...promptProvenance(pair, set), ...(topOf && spec.top ? { inputs: inputDigests([{ name: spec.top.cell, result: topOf }]) } : {}) };
          return await this.cached(doc, cell, pair, opts, finish, prov, (units) =>
            runSweepCell(spec, { pool: this.pool, pair, set, topOf, signal: opts.signal, progress, units, spillDir: this.host.cacheDir, donorMemory: this.donorMemory(pair), bootstrap: { replicates: spec.bootstrap, seed: spec.seed } }),
          );
        }
        case 'stats': {
          const spec = statsSpec(doc, cell);
          const inputs: StatsInput[] = [];
          const sweeps: SweepInput[] = [];
          const models = new Set<string>();
          for (const r of spec.ratings) {
            const run = await ensure(r);
            const ratings = ratingsSpec(doc, cellByName(doc, r)!);
            inputs.push({ name: r, result: run.output!.result as RatingsResult, pair: ratings.pair, scenarios: ratings.scenarios });
            for (const m of run.output!.provenance.models) models.add(JSON.stringify(m));
          }
          for (const s of spec.sweeps) {
            const run = await ensure(s);
            const ratings = ratingsSpec(doc, cellByName(doc, sweepSpec(doc, cellByName(doc, s)!).ratings)!);
            sweeps.push({ name: s, result: run.output!.result as SweepResult, pair: ratings.pair });
            for (const m of run.output!.provenance.models) models.add(JSON.stringify(m));
          }
          // The sweeps' results are inputs too: a changed sweep changes the layer effects shown here.
          const digests = inputDigests([...inputs, ...sweeps]);
          const hash = cellHash(doc, cell, [...models].map((m) => (JSON.parse(m) as { sha256: string }).sha256), digests.map((d) => d.digest));
          const { hit, setAside } = this.reuse(cell, hash, opts);
          if (hit) return finish('cached', { output: hit, setAside });
          const result = runStats(spec, inputs, sweeps);
          const provenance: Provenance = { tool: TOOL_VERSION, date: (opts.now?.() ?? new Date()).toISOString(), seed: spec.seed, models: [...models].map((m) => JSON.parse(m)), inputs: digests };
          return finish('ok', { output: this.store({ result: compact(result), provenance, hash, seconds: (Date.now() - started) / 1000 }), setAside });
        }
        default:
          throw new StudyError('bad-cell', `cell \`${name}\` has an unknown kind \`${kind}\``, 'cell kinds are pair, scenarios, ratings, localize, sweep, stats', name);
      }
    } catch (e) {
      if (e instanceof ShardPending) return finish('pending', { note: `**${name}**: this shard's units are computed; ${e.missing} belong to other shards.` });
      if (isCancellation(e) || isCancelled(e)) return finish('cancelled', { error: new StudyError('cancelled', 'the run was cancelled', undefined, name) });
      return finish('error', { error: toStudyError(e, name) });
    }
  }

  private async cached(
    doc: KnobeDocument,
    cell: KnobeCell,
    pair: ResolvedPair,
    opts: RunOptions,
    finish: (status: CellStatus, extra?: Partial<CellRun>) => CellRun,
    prov: Pick<Provenance, 'seed' | 'protocol' | 'inputs' | 'template' | 'prompts'>,
    compute: (units: CellUnits) => Promise<KnobeResult>,
  ): Promise<CellRun> {
    // The precision is part of what a result is: an int8 result never serves an fp32 request.
    const hash = cellHash(doc, cell, [pair.pretrained.checkpoint.sha256, pair.finetuned.checkpoint.sha256, `precision ${pair.precision}`], prov.inputs?.map((i) => i.digest));
    const { hit, setAside } = this.reuse(cell, hash, opts);
    if (hit) return finish('cached', { output: hit, setAside });
    const started = Date.now();
    const units = new CellUnits(hash, opts.ledger!, opts.shard);
    const result = await compute(units);
    const provenance: Provenance = {
      tool: TOOL_VERSION,
      date: (opts.now?.() ?? new Date()).toISOString(),
      ...prov,
      prompt: pair.spec.prompt,
      precision: pair.precision,
      device: await this.pool.deviceOf(pair),
      models: [pair.pretrained.provenance, pair.finetuned.provenance],
    };
    const output = this.store({ result: compact(result), provenance, hash, seconds: Math.round((Date.now() - started) / 10) / 100 });
    opts.ledger!.clear?.(hash);
    return finish('ok', { output, setAside });
  }

  /** Bytes of donor activations a sweep keeps in memory: what the budget leaves beside one model, at most 512 MiB. */
  private donorMemory(pair: ResolvedPair): number {
    return Math.max(0, Math.min(512 * 1024 ** 2, (this.pool.budget - pair.weightBytes) / 4));
  }

  /**
   * A stored result with this hash, as a run computed it: the notebook's own output block first,
   * then the disk cache. A block edited by hand, or without a checksum to show it was not, is
   * never served as computed; it is reported as set aside and the cell is computed again.
   */
  private reuse(cell: KnobeCell, hash: string, opts: RunOptions): Reuse {
    const inFile = cell.output?.output;
    const integrity = inFile && inFile.hash === hash ? outputIntegrity(inFile) : undefined;
    const setAside = integrity === 'edited' || integrity === 'unverified' ? integrity : undefined;
    if (opts.force) return { setAside };
    if (integrity === 'verified') return { hit: inFile };
    return { hit: this.cache.get(hash), setAside };
  }

  /** Seals a fresh result with its checksum and keeps it in the disk cache. */
  private store(output: CellOutput): CellOutput {
    const sealed = withChecksum(output);
    try {
      this.cache.put(sealed);
    } catch {
      // A read-only cache only costs a recomputation next time.
    }
    return sealed;
  }
}

/** What a cell that reads these results depends on: each one's cell and content digest. */
function inputDigests(inputs: { name: string; result: KnobeResult }[]): NonNullable<Provenance['inputs']> {
  return inputs.map((i) => ({ cell: i.name, digest: resultDigest(i.result) }));
}

function toStudyError(e: unknown, cell: string): StudyError {
  if (e instanceof StudyError) return e.cell ? e : new StudyError(e.code, e.message, e.hint, cell, { cause: e });
  if (e instanceof FormatError) {
    const errors = e.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0 && errors.every((d) => d.code === 'unknown-reference')) {
      return new StudyError('unknown-reference', e.message, 'name an existing cell of the kind the key asks for', cell, { cause: e });
    }
    return new StudyError('bad-cell', e.message, 'fix the cell as the diagnostics say', cell, { cause: e });
  }
  if (e instanceof PatchError) return new StudyError('run-failed', `cell \`${cell}\`: ${e.message}`, PATCH_HINTS[e.code], cell, { cause: e });
  const err = e as Error;
  return new StudyError('run-failed', `cell \`${cell}\` failed: ${err?.message ?? String(e)}`, undefined, cell, { cause: e });
}

/** What to change in the notebook when a patch cannot be set up. */
const PATCH_HINTS: Partial<Record<PatchError['code'], string>> = {
  'phrase-not-found': 'positions can name only a phrase that every vignette contains, written as in the text',
  'bad-positions': 'positions are all, last, token indexes, or a quoted phrase that every vignette contains',
  'position-out-of-range': 'token indexes count from 0 (negative ones from the end) and must fall inside every prompt',
  'tokenization-mismatch': 'both models of a pair must tokenize every prompt identically',
  'model-mismatch': 'a pair must be one model before and after fine-tuning: same architecture, sizes and vocabulary',
  'bad-site': 'sites are resid_pre, resid_mid, resid_post, attn_out and mlp_out',
  'bad-layers': 'layers are all, a range 4..9 or a list 3, 5, 7 inside the model',
  'bad-mix': 'mix is a number from 0 to 1',
  'bad-sweep': 'fix the sweep cell as the message says',
};

/**
 * Fields kept at full precision: the per-vignette ratings. Every statistic is computed from them —
 * the ratings cell's own test and, read back from the file, a stats cell's — so rounding them would
 * make the two disagree (near-equal ratings differ in the digits rounding drops).
 */
const FULL_PRECISION: ReadonlySet<string> = new Set(['expected', 'sampledMean']);

/**
 * Rounds every number to 6 significant digits, except the ratings statistics are computed from:
 * results stay readable in the file and diff less.
 */
export function compact<T>(value: T): T {
  const round = (x: number) => (Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(6)) : x);
  const walk = (v: unknown, key?: string): unknown => {
    if (typeof v === 'number') return key !== undefined && FULL_PRECISION.has(key) ? v : round(v);
    if (Array.isArray(v)) return v.map((x) => walk(x));
    // Absent fields are left out, as they are when the result is read back from a file.
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value) as T;
}
