// The donor's side of a sweep, kept between the donor pass and the recipient pass: per batch of
// prompts, its ratings and its activations at the patched site for the layers some patch uses.
// The donor runs first over every batch and can then be released, so a sweep holds one model's
// weights at a time. Activations stay in memory up to a cap and go to a temporary file beyond it
// (an 8B model's all-position activations over a real vignette set run to gigabytes).
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnswerScores } from '../scoring/expected.js';
import type { Act } from './model.js';

export interface DonorBatch {
  /** Activations at the patched site by layer, columns [from, S) of the batch's rows. */
  acts: Map<number, Act>;
  /** Unpatched ratings of the batch's prompts. */
  scores: AnswerScores[];
}

export interface DonorStoreOptions {
  /** Bytes of activations kept in memory before the rest goes to disk (default 512 MiB). */
  memoryCap?: number;
  /** Folder for the spill file (default the system's temporary folder). */
  spillDir?: string;
}

interface Spilled {
  scores: AnswerScores[];
  layers: { layer: number; dims: number[]; offset: number; length: number }[];
}

export class DonorStore {
  private readonly inMemory = new Map<number, DonorBatch>();
  private readonly spilled = new Map<number, Spilled>();
  private memory = 0;
  private fd: number | undefined;
  private dir: string | undefined;
  private fileEnd = 0;
  private readonly cap: number;

  constructor(private readonly opts: DonorStoreOptions = {}) {
    this.cap = opts.memoryCap ?? 512 * 1024 * 1024;
  }

  has(batch: number): boolean {
    return this.inMemory.has(batch) || this.spilled.has(batch);
  }

  /** Bytes of activations held in memory. */
  get memoryBytes(): number {
    return this.memory;
  }

  /** Bytes of activations written to disk. */
  get spilledBytes(): number {
    return this.fileEnd;
  }

  put(batch: number, d: DonorBatch): void {
    if (this.has(batch)) throw new Error(`internal: donor batch ${batch} stored twice`);
    const bytes = [...d.acts.values()].reduce((a, x) => a + x.data.byteLength, 0);
    if (this.memory + bytes <= this.cap) {
      this.inMemory.set(batch, d);
      this.memory += bytes;
      return;
    }
    this.fd ??= openSync(join((this.dir = mkdtempSync(join(this.opts.spillDir ?? tmpdir(), 'knobe-donor-'))), 'acts.f32'), 'w+');
    const layers: Spilled['layers'] = [];
    for (const [layer, a] of d.acts) {
      const bytesOf = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
      let done = 0;
      while (done < bytesOf.length) done += writeSync(this.fd, bytesOf, done, bytesOf.length - done, this.fileEnd + done);
      layers.push({ layer, dims: [...a.dims], offset: this.fileEnd, length: a.data.length });
      this.fileEnd += a.data.byteLength;
    }
    this.spilled.set(batch, { scores: d.scores, layers });
  }

  get(batch: number): DonorBatch {
    const m = this.inMemory.get(batch);
    if (m) return m;
    const s = this.spilled.get(batch);
    if (!s || this.fd === undefined) throw new Error(`internal: donor batch ${batch} was not computed`);
    const acts = new Map<number, Act>();
    for (const l of s.layers) {
      const data = new Float32Array(l.length);
      const bytes = new Uint8Array(data.buffer);
      let done = 0;
      while (done < bytes.length) {
        const got = readSync(this.fd, bytes, done, bytes.length - done, l.offset + done);
        if (got === 0) throw new Error('internal: the donor activation file ended early');
        done += got;
      }
      acts.set(l.layer, { data, dims: l.dims });
    }
    return { acts, scores: s.scores };
  }

  /** Frees the memory and deletes the spill file. */
  dispose(): void {
    this.inMemory.clear();
    this.spilled.clear();
    this.memory = 0;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.fileEnd = 0;
  }
}
