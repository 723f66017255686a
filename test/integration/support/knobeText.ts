// What a notebook opened from a `.knobe` file must contain, read straight from the text with the
// few rules of docs/format.md that fix the cell structure. Deliberately independent of the
// project's parser: the suite checks the editor's view of a file against the file itself.

export const KNOBE_KINDS = ['pair', 'scenarios', 'ratings', 'localize', 'sweep', 'stats'] as const;
export type KnobeKind = (typeof KNOBE_KINDS)[number];

export interface ExpectedCodeCell {
  kind: KnobeKind;
  name: string;
  /** The whole fenced block, `::: kind name` through the closing `:::`, without the line break after it. */
  text: string;
  /** The `output` block stored below the cell, if any. */
  output?: string;
}

export interface ExpectedNotebook {
  header: string | undefined;
  code: ExpectedCodeCell[];
  /** Stretches of prose with something other than blank lines in them, in file order. */
  prose: string[];
}

const FENCE_OPEN = /^:::[ \t]+([A-Za-z]+)[ \t]+(\S+)[ \t]*$/;
const FENCE_CLOSE = /^:::[ \t]*$/;

export function expectedNotebook(source: string): ExpectedNotebook {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const code: ExpectedCodeCell[] = [];
  const prose: string[] = [];
  let header: string | undefined;
  let i = 0;
  if (lines[0]?.startsWith('%knobe')) header = lines[i++];
  let stretch: string[] = [];
  const endStretch = () => {
    if (stretch.some((l) => l.trim() !== '')) prose.push(stretch.join('\n').trim());
    stretch = [];
  };
  while (i < lines.length) {
    const open = FENCE_OPEN.exec(lines[i]);
    if (!open) {
      if (lines[i].trim() === '%%') endStretch();
      else stretch.push(lines[i]);
      i++;
      continue;
    }
    let end = i + 1;
    while (end < lines.length && !FENCE_CLOSE.test(lines[end])) end++;
    if (end === lines.length) throw new Error(`line ${i + 1}: cell "${lines[i]}" is never closed`);
    const text = lines.slice(i, end + 1).join('\n');
    const [, kind, name] = open;
    if (kind === 'output' || kind === 'result') {
      const owner = code[code.length - 1];
      if (!owner || stretch.some((l) => l.trim() !== '')) throw new Error(`line ${i + 1}: output block "${name}" does not follow its cell`);
      owner.output = text;
    } else {
      if (!(KNOBE_KINDS as readonly string[]).includes(kind)) throw new Error(`line ${i + 1}: unknown cell kind "${kind}"`);
      endStretch();
      code.push({ kind: kind as KnobeKind, name, text });
    }
    stretch = [];
    i = end + 1;
  }
  endStretch();
  return { header, code, prose };
}

/** Result kind written by a cell of the given kind, or undefined for cells that only declare. */
export function resultKindOf(kind: KnobeKind): 'ratings' | 'localization' | 'sweep' | 'stats' | undefined {
  switch (kind) {
    case 'ratings':
    case 'sweep':
    case 'stats':
      return kind;
    case 'localize':
      return 'localization';
    default:
      return undefined;
  }
}
