// The installed package activates, and the onnxruntime-node it ships loads in the extension host
// and runs a model: the VSIX carries a working native binary for this platform.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { activateExtension, EXTENSION_ID, NOTEBOOK_TYPE } from '../support/workbench.js';

const { onnx } = onnxProto;

/** Z = X + Y over float[3]: the smallest model that proves the runtime computes. */
function addModel(): Uint8Array {
  const io = (name: string) => ({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 3 }] } } } });
  const model = onnx.ModelProto.create({
    irVersion: 10,
    opsetImport: [{ domain: '', version: 23 }],
    graph: { name: 'add', node: [{ opType: 'Add', input: ['X', 'Y'], output: ['Z'] }], input: [io('X'), io('Y')], output: [io('Z')] },
  });
  return onnx.ModelProto.encode(model).finish();
}

describe('the packaged extension', () => {
  it('activates', async () => {
    const ext = await activateExtension();
    assert.equal(ext.isActive, true);
    assert.equal(ext.id, EXTENSION_ID);
    const notebooks = ext.packageJSON.contributes.notebooks.map((n: { type: string }) => n.type);
    assert.deepEqual(notebooks, [NOTEBOOK_TYPE]);
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('knobe.newNotebook'), 'knobe.newNotebook is registered');
  });

  it('ships an onnxruntime-node that runs a model in the extension host', async () => {
    const ext = await activateExtension();
    // Resolved from the extension's folder, as its bundle resolves it.
    const ort = createRequire(join(ext.extensionPath, 'package.json'))('onnxruntime-node');
    const session = await ort.InferenceSession.create(addModel());
    try {
      const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3]);
      const y = new ort.Tensor('float32', Float32Array.from([0.5, -2, 10]), [3]);
      const { Z } = await session.run({ X: x, Y: y });
      assert.deepEqual(Array.from(Z.data as Float32Array), [1.5, 0, 13]);
    } finally {
      await session.release();
    }
  });
});
