// Paired templates: `{harm|help}` carries the negative and the positive alternative of one text.
// Hand-written because the syntax is two characters deep; a template engine would accept far more
// than the format allows and report errors in its own terms.
import type { Condition } from '../../common/results.js';

export interface TemplateProblem {
  message: string;
  /** Offsets relative to the template text. */
  start: number;
  end: number;
}

export interface Template {
  /** Number of `{…|…}` alternatives. */
  alternatives: number;
  problems: TemplateProblem[];
  /** The text with every alternative resolved for a condition (well-formed parts only). */
  expand(condition: Condition): string;
}

export function template(text: string): Template {
  const pieces: (string | [string, string])[] = [];
  const problems: TemplateProblem[] = [];
  let alternatives = 0;
  let i = 0;
  let lit = '';
  // Next `}` and `{` after the current position, searched again only once passed, so a text full
  // of unmatched braces stays linear.
  let close = -2;
  let nextOpen = -2;
  while (i < text.length) {
    const c = text[i];
    if (c === '{') {
      if (close !== -1 && close <= i) close = text.indexOf('}', i + 1);
      if (nextOpen !== -1 && nextOpen <= i) nextOpen = text.indexOf('{', i + 1);
      if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
        problems.push({ message: '`{` has no matching `}`', start: i, end: i + 1 });
        lit += c;
        i++;
        continue;
      }
      const parts = text.slice(i + 1, close).split('|');
      if (parts.length !== 2) {
        problems.push({ message: `\`${text.slice(i, close + 1)}\` should have exactly two alternatives, \`{negative|positive}\`, not ${parts.length}`, start: i, end: close + 1 });
        lit += text.slice(i, close + 1);
      } else {
        pieces.push(lit, [parts[0], parts[1]]);
        lit = '';
        alternatives++;
      }
      i = close + 1;
    } else {
      if (c === '}') problems.push({ message: '`}` has no matching `{`', start: i, end: i + 1 });
      lit += c;
      i++;
    }
  }
  pieces.push(lit);
  return {
    alternatives,
    problems,
    expand: (condition) => pieces.map((p) => (typeof p === 'string' ? p : p[condition === 'negative' ? 0 : 1])).join(''),
  };
}
