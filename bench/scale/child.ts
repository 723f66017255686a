// One measurement of the scale bench, in a process of its own so that its peak resident memory
// (VmHWM) is its alone. Usage: node --import tsx bench/scale/child.ts '<task JSON>'. Progress goes
// to stderr; the last line of stdout is the result as JSON.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCommand } from '../../src/cli/main.js';
import { loadCheckpoint, type Checkpoint } from '../../src/core/models/checkpoint.js';
import { makeBatch, type LoadedModel } from '../../src/core/models/model.js';
import type { Precision } from '../../src/core/models/precision.js';
import { prepareModel } from '../../src/core/models/prepare.js';

export type Task =
  | { task: 'load'; dir: string; precision: Precision; cacheDir: string; fresh: boolean; threads: number }
  | { task: 'forward'; dir: string; precision: Precision; cacheDir: string; threads: number; prompt: number[]; runs: number; logitsFile: string }
  | { task: 'study'; notebook: string; cacheDir: string; threads: number; memory: number };

export interface ChildResult {
  task: string;
  /** Peak resident set of the process, bytes. */
  peakRss: number;
  [key: string]: unknown;
}

/** Peak resident set size of this process so far (Linux): VmHWM in /proc/self/status. */
export function peakRss(): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;
const log = (s: string) => process.stderr.write(`  ${s}\n`);

/** A model at a precision, through the converted-graph cache in `cacheDir`. */
function prepare(ck: Checkpoint, precision: Precision, cacheDir: string, threads: number): Promise<LoadedModel> {
  let last = '';
  return prepareModel(ck, {
    precision, device: 'cpu', cacheDir, threads,
    // Conversion steps only: opening each session is quick and would flood the log.
    onProgress: (p) => {
      if (p.stage === 'convert' && p.message && p.message !== last) log((last = p.message));
    },
  });
}

async function run(t: Task): Promise<Record<string, unknown>> {
  switch (t.task) {
    case 'load': {
      if (t.fresh) rmSync(join(t.cacheDir, 'graphs'), { recursive: true, force: true });
      let t0 = performance.now();
      const ck = await loadCheckpoint(t.dir);
      const hashSeconds = seconds(t0);
      t0 = performance.now();
      const model = await prepare(ck, t.precision, t.cacheDir, t.threads);
      const loadSeconds = seconds(t0);
      await model.dispose();
      return { hashSeconds, loadSeconds, cacheHit: model.graphCache?.hit, weightBytes: model.weightBytes, device: model.device };
    }
    case 'forward': {
      const ck = await loadCheckpoint(t.dir);
      const model = await prepare(ck, t.precision, t.cacheDir, t.threads);
      const batch = makeBatch([t.prompt]);
      const times: number[] = [];
      let logits: Float32Array | undefined;
      // One warm-up, then the timed runs.
      for (let i = 0; i <= t.runs; i++) {
        const t0 = performance.now();
        const r = await model.run(batch);
        if (i > 0) times.push(seconds(t0));
        logits = r.logits.data;
        log(`forward ${i === 0 ? 'warm-up' : `${i}/${t.runs}`}: ${seconds(t0).toFixed(2)} s`);
      }
      writeFileSync(t.logitsFile, logits!);
      await model.dispose();
      times.sort((a, b) => a - b);
      return { secondsPerForward: times[Math.floor(times.length / 2)], times };
    }
    case 'study': {
      const lines: string[] = [];
      const t0 = performance.now();
      const { code } = await runCommand(
        { command: 'run', file: t.notebook, json: true, force: true, threads: t.threads, cache: t.cacheDir, device: 'cpu', memory: t.memory },
        (s) => lines.push(s),
      );
      const wall = seconds(t0);
      const summary = JSON.parse(lines.join('\n')) as { cells: Array<{ name: string; status: string; seconds: number; error?: { message: string } }> };
      return { code, wall, cells: summary.cells.map((c) => ({ name: c.name, status: c.status, seconds: c.seconds, error: c.error?.message })) };
    }
  }
}

const task = JSON.parse(process.argv[2]) as Task;
try {
  const out = await run(task);
  console.log(JSON.stringify({ task: task.task, ...out, peakRss: peakRss() } satisfies ChildResult));
} catch (e) {
  console.log(JSON.stringify({ task: task.task, error: (e as Error).message, peakRss: peakRss() }));
  process.exitCode = 1;
}
