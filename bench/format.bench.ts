// Parsing and printing a large notebook against the JSON baseline: the same cells and results as
// one JSON object, through JSON.parse(JSON.stringify(...)). Also the serializer's full path.
import type { CellOutput } from '../src/common/results.js';
import { parse } from '../src/core/format/parser.js';
import { print } from '../src/core/format/printer.js';
import { validate } from '../src/core/format/validation.js';
import { fromNotebook, toNotebook } from '../src/core/format/notebook.js';
import { renderOutputBlock } from '../src/core/format/output.js';
import { fmt, sideBySide } from './util.js';

function ratingsOutput(i: number, rows: number): CellOutput {
  return {
    hash: `h${i.toString(16)}`,
    provenance: { tool: '0.1.0', date: '2026-11-30T10:00:00Z', seed: i, protocol: 'expected', prompt: 'raw', models: [] },
    result: {
      kind: 'ratings', protocol: 'expected', scale: Array.from({ length: 11 }, (_, k) => String(k)), summary: [],
      rows: Array.from({ length: rows }, (_, r) => ({
        model: r % 2 ? 'finetuned' : 'pretrained', item: `item${r >> 1}`, condition: r % 4 < 2 ? 'negative' : 'positive',
        expected: Math.round(1e4 * Math.abs(Math.sin(i * 31 + r))) / 1e3,
        distribution: Array.from({ length: 11 }, (_, k) => Math.round(1e4 * Math.abs(Math.cos(i + r + k))) / 1e4),
      })),
    },
  } as CellOutput;
}

/** A notebook of about `mb` megabytes: prose, scenario sets and ratings cells with stored results. */
function generate(mb: number): { text: string; json: unknown } {
  const parts = ['%knobe 2\n\n::: pair main\npretrained: demo:pretrained\nfinetuned: demo:finetuned\n:::\n\n'];
  const cells: unknown[] = [];
  let size = parts[0].length;
  for (let i = 0; size < mb * 1024 * 1024; i++) {
    const prose = `## Study ${i}\n\nA paragraph of prose about study ${i}, with enough words to look like a notebook.\n`;
    const items = Array.from({ length: 20 }, (_, k) => `item s${k}\n  The chairman of company ${i} made a plan that would {harm|help} the river ${k}.\n  He said he did not care.\n`).join('\n');
    const scen = `::: scenarios set${i}\nquestion: How intentionally did he {harm|help} it?\nscale: 0..10\n\n${items}:::`;
    const rat = `::: ratings r${i}\nscenarios: set${i}\n:::`;
    const out = ratingsOutput(i, 80);
    const chunk = `${prose}\n${scen}\n\n${rat}\n\n${renderOutputBlock(`r${i}`, out)}\n\n`;
    parts.push(chunk);
    size += chunk.length;
    cells.push({ kind: 'markup', value: prose }, { kind: 'code', value: scen, outputs: [] }, { kind: 'code', value: rat, outputs: [out] });
  }
  return { text: parts.join(''), json: { metadata: { version: 2 }, cells } };
}

export async function run(): Promise<void> {
  const { text, json } = generate(5);
  const mb = text.length / (1024 * 1024);
  const jsonMb = JSON.stringify(json).length / (1024 * 1024);
  let check = '';
  const [a, b] = await sideBySide(() => (check = print(parse(text))), () => JSON.parse(JSON.stringify(json)), 7);
  if (check !== text) throw new Error('print(parse(text)) is not the input');
  console.log(`notebook: ${fmt(mb)} MB of .knobe text (${fmt(jsonMb)} MB as JSON), ${parse(text).cells.length} cells`);
  console.log(`parse+print            ${fmt(a, 1)} ms  ${fmt(mb / (a / 1000), 1)} MB/s`);
  console.log(`JSON.parse(stringify)  ${fmt(b, 1)} ms  ${fmt(jsonMb / (b / 1000), 1)} MB/s`);
  console.log(`ratio (format / JSON): ${fmt(a / b)}×`);
  const [c, d] = await sideBySide(() => fromNotebook(toNotebook(text)), () => validate(parse(text)), 5);
  console.log(`serializer round trip (toNotebook+fromNotebook) ${fmt(c, 1)} ms, ${fmt(mb / (c / 1000), 1)} MB/s; parse+validate ${fmt(d, 1)} ms; ratio to JSON ${fmt(c / b)}×, ${fmt(d / b)}×`);
}
