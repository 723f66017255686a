// Shared set-up of the patching tests on the real runtime: tiny seeded checkpoints of each
// architecture written to a temporary folder, loaded through the checkpoint loader and the ONNX
// runtime, with the byte-level BPE tokenizer in which " 10" is two tokens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTestCheckpoint, type TestCheckpointOptions } from '../../support/checkpoints.js';
import { loadCheckpoint } from '../../../src/core/models/checkpoint.js';
import { LoadedModel } from '../../../src/core/models/model.js';
import { loadTokenizer, type ModelTokenizer } from '../../../src/core/models/tokenizer.js';
import type { Architecture } from '../../../src/core/models/types.js';
import { asStepModel } from '../../../src/core/patching/adapter.js';
import type { PatchableModel } from '../../../src/core/patching/model.js';

export interface Loaded {
  loaded: LoadedModel;
  model: PatchableModel;
  tokenizer: ModelTokenizer;
}

const root = mkdtempSync(join(tmpdir(), 'knobe-patching-'));
let n = 0;
const opened: LoadedModel[] = [];

export async function tinyModel(arch: Architecture, opts: TestCheckpointOptions = {}): Promise<Loaded> {
  const dir = join(root, `${arch}-${n++}`);
  writeTestCheckpoint(dir, arch, opts);
  const ckpt = await loadCheckpoint(dir, { hash: false });
  const loaded = await LoadedModel.fromWeights(ckpt.config, ckpt.weights, { threads: 1 });
  opened.push(loaded);
  return { loaded, model: asStepModel(loaded), tokenizer: loadTokenizer(dir) };
}

export async function disposeAll(): Promise<void> {
  await Promise.all(opened.map((m) => m.dispose()));
  rmSync(root, { recursive: true, force: true });
}
