// A checkpoint whose weights hold more than its config.json uses still runs, but the pair cell says
// so — in the notebook's note and in the CLI's line for the cell — instead of staying silent.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../../src/cli/main.js';
import { byName, cell, notebook, pairCell, scenarios, smallPair, tmp } from './support.js';

const dir = tmp('checkpoint-warnings');
after(() => rmSync(dir, { recursive: true, force: true }));

test('extra layers in the weights are a warning on the pair cell', async () => {
  smallPair(join(dir, 'pair'), [{ layer: 1, site: 'attn' }]);
  // Four layers of weights, a config that reads three.
  for (const role of ['pretrained', 'finetuned']) {
    const config = join(dir, 'pair', role, 'config.json');
    writeFileSync(config, readFileSync(config, 'utf8').replace('"num_hidden_layers": 4', '"num_hidden_layers": 3'));
  }
  const file = join(dir, 'nb.knobe');
  writeFileSync(file, notebook(pairCell('p', './pair/pretrained', './pair/finetuned'), scenarios('set'), cell('ratings', 'rate', 'scenarios: set')));
  const lines: string[] = [];
  const { code, runs } = await runCommand({ command: 'run', file, json: false, force: false, cache: join(dir, 'cache') }, (s) => lines.push(s));
  assert.equal(code, 0, runs.map((r) => r.error?.message).join(' '));
  const note = byName(runs).get('p')!.note ?? '';
  assert.match(note, /warning.*pretrained.*9 tensors that config\.json does not use: layer 3 \(num_hidden_layers is 3\)/s);
  assert.match(note, /finetuned.*layer 3/s);
  assert.ok(lines.some((l) => /^p \(pair, ok.*warning.*layer 3/.test(l)), lines.join('\n'));
});
