// Progress of one cell: units done of a total, with an ETA from the pace so far.
export interface StudyProgress {
  cell: string;
  done: number;
  total: number;
  etaSeconds?: number;
  message?: string;
}

export class CellProgress {
  private total = 0;
  private done = 0;
  private started = Date.now();

  constructor(readonly cell: string, private readonly report: (p: StudyProgress) => void = () => {}) {}

  start(total: number, message?: string): void {
    this.total = total;
    this.done = 0;
    this.started = Date.now();
    this.report({ cell: this.cell, done: 0, total, message });
  }

  /** Adds to the total (for work discovered on the way, like the rounds of a greedy search). */
  grow(more: number): void {
    this.total += more;
  }

  advance(n = 1, message?: string): void {
    this.done = Math.min(this.total, this.done + n);
    const elapsed = (Date.now() - this.started) / 1000;
    const etaSeconds = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : undefined;
    this.report({ cell: this.cell, done: this.done, total: this.total, etaSeconds, message });
  }
}

/** Splits one cell's progress over several steps of unknown size (e.g. one sweep per site). */
export class StepProgress {
  constructor(private readonly progress: CellProgress, private readonly steps: number, private readonly unitsPerStep = 1000) {
    progress.start(steps * unitsPerStep);
  }
  private reported = 0;
  /** Step `index` (0-based) has done `done` of `total`. */
  update(index: number, done: number, total: number, message?: string): void {
    const units = Math.round((index + (total > 0 ? done / total : 0)) * this.unitsPerStep);
    if (units > this.reported) {
      this.progress.advance(units - this.reported, message);
      this.reported = units;
    }
  }
}
