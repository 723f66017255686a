// Seeded normal draws for generated checkpoints, fast enough for an 8B model (8·10⁹ values):
// xoshiro128** (the study's generator, stats/rng.ts) inlined into Marsaglia's polar method, which
// needs no trigonometry. Each tensor has its own stream, seeded from the checkpoint's seed and the
// tensor's name, so its values do not depend on the order tensors are written in, on the shard
// they land in, or on the chunk size they are produced in.
import { sha256Of } from '../hash.js';
import { createRng } from '../../stats/rng.js';

/** A 32-bit seed for one named stream of a seeded whole (e.g. one tensor of a checkpoint). */
export function streamSeed(seed: number, name: string): number {
  return Number.parseInt(sha256Of(`${seed}\0${name}`).slice(0, 8), 16);
}

/** An endless stream of N(0, 1) values, drawn in chunks of any size with the same result. */
export class NormalStream {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** The second value of a polar pair not yet handed out. */
  private spare: number | undefined;

  constructor(seed: number) {
    // The state is four words of the study generator's splitmix-seeded output: never all zero.
    const init = createRng(seed);
    this.a = init.u32();
    this.b = init.u32();
    this.c = init.u32();
    this.d = init.u32();
  }

  /** Fills `out` with the next values of the stream, times `std`. */
  fill(out: Float32Array, std = 1): void {
    let i = 0;
    const n = out.length;
    if (n > 0 && this.spare !== undefined) {
      out[i++] = this.spare * std;
      this.spare = undefined;
    }
    let { a, b, c, d } = this;
    while (i < n) {
      // Two outputs of xoshiro128** (Blackman & Vigna), as in stats/rng.ts.
      let m = Math.imul(b, 5);
      const r1 = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      let t = b << 9;
      c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = (d << 11) | (d >>> 21);
      m = Math.imul(b, 5);
      const r2 = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      t = b << 9;
      c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = (d << 11) | (d >>> 21);
      // A point uniform in the square [-1, 1)², kept when it falls inside the unit disc.
      const x = r1 * 4.656612873077393e-10 - 1;
      const y = r2 * 4.656612873077393e-10 - 1;
      const s = x * x + y * y;
      if (s >= 1 || s === 0) continue;
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      out[i++] = x * f * std;
      if (i < n) out[i++] = y * f * std;
      else this.spare = y * f;
    }
    this.a = a; this.b = b; this.c = c; this.d = d;
  }
}
