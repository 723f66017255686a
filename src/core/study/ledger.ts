// Work units of long cells. A ratings, localize or sweep cell computes its result from a list of
// units (a batch of prompts for one model, one site, one search round...), each with a stable key
// and an ordinal. A finished unit's data is recorded in a ledger under the cell's result hash:
//  - a run that finds a unit recorded skips its work (an interrupted run resumes where it stopped);
//  - a shard `I/N` computes only the units whose ordinal falls to it, records them, and does not
//    finalize the cell; merging shards fills one ledger, after which a normal run finalizes.
// The unit data must be plain data (numbers, arrays, typed arrays, objects); NaN must survive.

/** Where finished units are kept. The study's default keeps them in memory for one run. */
export interface UnitLedger {
  get(cell: string, unit: string): unknown | undefined;
  put(cell: string, unit: string, data: unknown): void;
  /** Forgets a cell's units once its result is stored. */
  clear?(cell: string): void;
}

/** A share of the work: shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** Whether `shard` computes the unit with this ordinal (every unit when there is no shard). */
export function ownsUnit(shard: Shard | undefined, ordinal: number): boolean {
  return !shard || ordinal % shard.count === shard.index - 1;
}

/** Thrown by a cell whose units are not all available because they belong to other shards. */
export class ShardPending extends Error {
  override readonly name = 'ShardPending';
  constructor(readonly cell: string, readonly missing: number) {
    super(`cell \`${cell}\`: ${missing} unit(s) belong to other shards`);
  }
}

export class MemoryLedger implements UnitLedger {
  private readonly units = new Map<string, unknown>();
  get(cell: string, unit: string): unknown | undefined {
    return this.units.get(`${cell}\u0000${unit}`);
  }
  put(cell: string, unit: string, data: unknown): void {
    this.units.set(`${cell}\u0000${unit}`, data);
  }
  clear(cell: string): void {
    for (const k of [...this.units.keys()]) if (k.startsWith(`${cell}\u0000`)) this.units.delete(k);
  }
}

/**
 * One cell's view of the ledger: `run(key, ordinal, compute)` returns the unit's data, computing
 * and recording it when it is not recorded yet and the shard owns it; undefined when another shard
 * owns it (the cell then counts it as pending and must not finalize).
 */
export class CellUnits {
  private pendingCount = 0;
  private ordinal = 0;
  /** How many units were found recorded (resumed) in this run. */
  reused = 0;
  computed = 0;

  constructor(
    readonly cell: string,
    private readonly ledger: UnitLedger,
    private readonly shard?: Shard,
  ) {}

  /** Ordinal the next unit gets when none is given: units are numbered in the order they are asked for. */
  nextOrdinal(): number {
    return this.ordinal++;
  }

  async run<T>(key: string, compute: () => Promise<T>, ordinal = this.nextOrdinal()): Promise<T | undefined> {
    const got = this.recorded<T>(key);
    if (got !== undefined) return got;
    if (!this.owns(ordinal)) {
      this.pendingCount++;
      return undefined;
    }
    const data = await compute();
    this.record(key, data);
    return data;
  }

  /** The recorded data of `key` (counted as reused), if any. */
  recorded<T>(key: string): T | undefined {
    const got = this.ledger.get(this.cell, key);
    if (got !== undefined) this.reused++;
    return got as T | undefined;
  }

  /** Whether this process computes the unit with this ordinal; counts it pending when not. */
  owns(ordinal: number): boolean {
    const mine = ownsUnit(this.shard, ordinal);
    if (!mine) this.pendingCount++;
    return mine;
  }

  /** Whether this process computes the unit with this ordinal, without counting it. */
  isMine(ordinal: number): boolean {
    return ownsUnit(this.shard, ordinal);
  }

  /** Counts units left to other shards by a caller that checked them with isMine. */
  addPending(n: number): void {
    this.pendingCount += n;
  }

  record(key: string, data: unknown): void {
    this.ledger.put(this.cell, key, data);
    this.computed++;
  }

  get pending(): number {
    return this.pendingCount;
  }

  /** Throws ShardPending when units of other shards are missing. */
  finish(): void {
    if (this.pendingCount > 0) throw new ShardPending(this.cell, this.pendingCount);
  }
}
