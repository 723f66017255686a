// A one-line progress bar on stderr for long runs; falls back to plain lines when stderr is not a TTY
// (CI logs), printing at most one line per cell per 10% so logs stay readable.
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
  private lastDecile = new Map<string, number>();
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
      const decile = Math.floor(frac * 10);
      if (this.lastDecile.get(p.cell) === decile && p.done !== p.total) return;
      this.lastDecile.set(p.cell, decile);
      this.stream.write(`${p.cell}: ${p.done}/${p.total}${eta}${msg}\n`);
    }
  }

  /** Ends the current bar line (TTY only). */
  finish(line?: string): void {
    if (this.stream.isTTY) this.stream.write('\r\x1b[K');
    if (line) this.stream.write(line + '\n');
  }
}
