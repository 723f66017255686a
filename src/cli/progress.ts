// A one-line progress bar on stderr for long runs; falls back to plain lines when stderr is not a TTY
// (CI logs), where each cell prints a line when it starts and, if it runs for more than a few
// seconds, one per quarter after that.
import { formatSeconds } from '../common/time.js';

export { formatSeconds };
export interface ProgressEvent {
  cell: string;
  done: number;
  total: number;
  etaSeconds?: number;
  message?: string;
}

export class ProgressBar {
  private lastQuarter = new Map<string, number>();
  private started = new Map<string, number>();
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(p: ProgressEvent): void {
    const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const eta = p.etaSeconds !== undefined && p.done < p.total ? ` ETA ${formatSeconds(p.etaSeconds)}` : '';
    const msg = p.message ? ` ${p.message}` : '';
    if (this.stream.isTTY) {
      const width = 24;
      const filled = Math.round(frac * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      this.stream.write(`\r\x1b[K${p.cell} ${bar} ${p.done}/${p.total}${eta}${msg}`);
    } else {
      if (!this.started.has(p.cell)) {
        this.started.set(p.cell, Date.now());
        this.lastQuarter.set(p.cell, 0);
        this.stream.write(`${p.cell}: ${p.done}/${p.total}${msg}\n`);
        return;
      }
      if (Date.now() - this.started.get(p.cell)! < 3000) return;
      const quarter = Math.floor(frac * 4);
      if (this.lastQuarter.get(p.cell) === quarter) return;
      this.lastQuarter.set(p.cell, quarter);
      this.stream.write(`${p.cell}: ${p.done}/${p.total}${eta}${msg}\n`);
    }
  }

  /** Ends the current bar line (TTY only). */
  finish(line?: string): void {
    if (this.stream.isTTY) this.stream.write('\r\x1b[K');
    if (line) this.stream.write(line + '\n');
  }
}
