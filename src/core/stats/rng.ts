// A seeded generator for the bootstrap. Math.random cannot be seeded, and a published CI must be
// reproducible from the seed recorded with the result. xoshiro128** (Blackman & Vigna 2018) is a
// few lines of 32-bit integer arithmetic, passes BigCrush, and is exactly reproducible across
// platforms; its 128-bit state is filled from the seed by splitmix32 as its authors recommend.
// Written here rather than taken from npm: the well-kept generators (@stdlib/random-base-*) expose
// 32-bit Mersenne Twister or LCGs through a much larger API than the two functions needed.
import { StatsError } from './errors.js';

/** Largest seed: seeds are 32-bit, and a larger one is refused rather than wrapped onto a smaller. */
export const MAX_SEED = 0xffffffff;

export interface Rng {
  /** Uniform double in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** The raw 32-bit output of xoshiro128**, for checking the generator against its reference. */
  u32(): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED)) {
    throw new StatsError('invalid-argument', `seed ${seed} is not a whole number from 0 to ${MAX_SEED} (32 bits)`);
  }
  const init = splitmix32(seed);
  return fromState([init(), init(), init(), init()]);
}

/** A generator started from an explicit xoshiro128** state (four 32-bit words, not all zero). */
export function fromState(state: readonly [number, number, number, number]): Rng {
  let [a, b, c, d] = state.map((x) => x >>> 0);
  const u32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const next = (): number => {
    // 53 random bits: two draws, so every double in [0, 1) on the 2^-53 grid is reachable.
    const hi = u32() >>> 5;
    const lo = u32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  return { next, int: (n: number) => Math.floor(next() * n), u32 };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
