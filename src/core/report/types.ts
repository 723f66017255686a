// What the HTML report is made from: the notebook's cells in order, with the outputs they hold.
import type { CellOutput } from '../../common/results.js';

export type ReportCell =
  | { kind: 'markdown'; text: string }
  | {
      kind: 'knobe';
      /** The Knobe cell kind as written: `pair`, `scenarios`, `ratings`, `localize`, `sweep`, `stats`. */
      cellKind: string;
      name: string;
      /** The cell's text as written in the notebook. */
      source: string;
      output?: CellOutput;
      /** Why the cell has no output, when it failed. */
      error?: string;
    };

export interface ReportInput {
  title: string;
  cells: ReportCell[];
  /** Shown in the footer, e.g. `Knobe Lab 0.1.0`. */
  generator?: string;
}
