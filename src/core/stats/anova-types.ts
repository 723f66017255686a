import type { AnovaRow } from '../../common/results.js';

/** Mauchly's test of sphericity for one within-subject effect. */
export interface Mauchly {
  W: number;
  chiSquare: number;
  df: number;
  p: number;
}

/**
 * An ANOVA row with its own error term. `AnovaRow` in the shared results assumes one residual df
 * for the table; repeated-measures and mixed designs test each effect against its own error, so
 * the row carries `dfError` and `ssError`.
 */
export interface AnovaEffectRow extends AnovaRow {
  dfError: number;
  ssError: number;
  /**
   * Greenhouse–Geisser ε̂ and Huynh–Feldt ε̃ (Lecoutre's correction, as R's car; pHF uses min(1, ε̃)),
   * for within effects with more than 1 df. ε̃ and Mauchly's test are left out when there are too
   * few subjects for them to be defined (error df ≤ p·ε̂, resp. < p).
   */
  epsilonGG?: number;
  epsilonHF?: number;
  mauchly?: Mauchly;
  /** Uncorrected APA line. */
  apa: string;
  /** APA line with Greenhouse–Geisser-corrected df and p: "F(1.6, 37.4) = 4.45, p = .019, η²p = .24". */
  apaGG?: string;
}

export interface AnovaTable {
  /** Human-readable design, e.g. "between: condition (2) × model (3), type III". */
  design: string;
  rows: AnovaEffectRow[];
  /** Residual df of the between-subjects model (for mixed designs: of the between stratum). */
  residualDf: number;
}
