// Precisions side by side, as ratios measured in this one run:
// 1. The quantization grid that chose the int8/int4 settings (precision.ts): one 4096 × 4096
//    projection of Gaussian weights over 512 rows, MatMulNBits at 8 and 4 bits, blocks of 32 and
//    128, symmetric or not, activations multiplied in fp32 (accuracy_level 1) or int8 (4): time
//    against fp32 MatMul, and the output's relative rms error against fp32.
// 2. A forward pass of a generated Llama-shaped model (8 layers, hidden 512, MLP 1408, vocabulary
//    8000) at fp32, int8 and int4 on the CPU: time against fp32, and the logits' relative rms
//    error (the CPU provider does not offer fp16).
// 3. Opening that model through the converted-graph cache: the first open (conversion) against
//    the second (sessions from the files).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Checkpoint } from '../src/core/models/checkpoint.js';
import { hashFiles } from '../src/core/models/checkpoint.js';
import { parseConfig } from '../src/core/models/config.js';
import { GraphBuilder, MS_DOMAIN } from '../src/core/models/graph/builder.js';
import { LoadedModel, makeBatch, type Precision } from '../src/core/models/model.js';
import { prepareModel } from '../src/core/models/prepare.js';
import { MatrixQuantizer, type QuantBits } from '../src/core/models/quantize.js';
import { floatTensor, GraphSession } from '../src/core/models/runtime.js';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../src/core/models/safetensors.js';
import { fmt, sideBySide } from './util.js';

const threads = Math.min(availableParallelism(), 2);

/** Seeded standard normal draws (xorshift and Box–Muller). */
function normals(n: number, std: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = std * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return a;
}

function relativeRms(want: Float32Array, got: Float32Array): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < want.length; i++) {
    d += (want[i] - got[i]) ** 2;
    n += want[i] ** 2;
  }
  return Math.sqrt(d / n);
}

async function quantizationGrid(): Promise<void> {
  const N = 4096;
  const K = 4096;
  const M = 512;
  const w = normals(N * K, 0.02, 7); // [N, K], torch layout
  const x = normals(M * K, 1, 11);
  const wt = new Float32Array(K * N);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) wt[k * N + n] = w[n * K + k];
  const session = async (build: (g: GraphBuilder, x: string) => string) => {
    const g = new GraphBuilder('bench');
    g.output(build(g, g.input('x', 'float32', [M, K])), 'y', 'float32', [M, N]);
    return GraphSession.create('bench', g.toBytes(), { threads });
  };
  const feed = { x: floatTensor(x, [M, K]) };
  const fp32 = await session((g, xi) => g.op('MatMul', [xi, g.constant('w', wt, [K, N])]));
  const want = (await fp32.run(feed)).y.data as Float32Array;
  console.log(`one ${N} × ${K} projection of N(0, 0.02²) weights over ${M} rows, ${threads} threads; time ratio against fp32 MatMul (above 1: faster)`);
  for (const bits of [8, 4] as QuantBits[]) {
    for (const blockSize of [32, 128]) {
      for (const symmetric of [true, false]) {
        const q = new MatrixQuantizer(N, K, { bits, blockSize, symmetric });
        q.addRows(0, w);
        const m = q.finish();
        for (const level of [1, 4]) {
          const s = await session((g, xi) => {
            const inputs = [xi, g.tensor('b', 'uint8', m.data, [N, m.blocksPerRow, (blockSize * bits) / 8]), g.constant('s', m.scales, [N * m.blocksPerRow])];
            if (m.zeroPoints) inputs.push(g.tensor('z', 'uint8', m.zeroPoints, [m.zeroPoints.length]));
            return g.op('MatMulNBits', inputs, { K, N, bits, block_size: blockSize, accuracy_level: level }, MS_DOMAIN);
          });
          const got = (await s.run(feed)).y.data as Float32Array;
          const [tf, tq] = await sideBySide(() => fp32.run(feed), () => s.run(feed), 3);
          console.log(`int${bits} block ${String(blockSize).padStart(3)} ${symmetric ? 'symmetric ' : 'asymmetric'} accuracy_level ${level}: ×${fmt(tf / tq)} speed, error ${fmt(relativeRms(want, got) * 100, 3)}%`);
          await s.dispose();
        }
      }
    }
  }
  await fp32.dispose();
}

const CONFIG = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 8000, hidden_size: 512, intermediate_size: 1408,
  num_hidden_layers: 8, num_attention_heads: 8, num_key_value_heads: 4, rms_norm_eps: 1e-5, rope_theta: 10000,
  max_position_embeddings: 2048, tie_word_embeddings: false, hidden_act: 'silu', bos_token_id: 1, eos_token_id: 2,
};

function llamaWeights(): Record<string, TensorToWrite> {
  const H = CONFIG.hidden_size;
  const I = CONFIG.intermediate_size;
  const kv = (CONFIG.num_key_value_heads * H) / CONFIG.num_attention_heads;
  let seed = 1;
  const t: Record<string, TensorToWrite> = {};
  const mat = (name: string, rows: number, cols: number) => (t[name] = { shape: [rows, cols], data: normals(rows * cols, 1 / Math.sqrt(cols), seed++), dtype: 'BF16' });
  const ones = (name: string) => (t[name] = { shape: [H], data: new Float32Array(H).fill(1), dtype: 'BF16' });
  mat('model.embed_tokens.weight', CONFIG.vocab_size, H);
  for (let l = 0; l < CONFIG.num_hidden_layers; l++) {
    const p = `model.layers.${l}.`;
    ones(`${p}input_layernorm.weight`);
    ones(`${p}post_attention_layernorm.weight`);
    mat(`${p}self_attn.q_proj.weight`, H, H);
    mat(`${p}self_attn.k_proj.weight`, kv, H);
    mat(`${p}self_attn.v_proj.weight`, kv, H);
    mat(`${p}self_attn.o_proj.weight`, H, H);
    mat(`${p}mlp.gate_proj.weight`, I, H);
    mat(`${p}mlp.up_proj.weight`, I, H);
    mat(`${p}mlp.down_proj.weight`, H, I);
  }
  ones('model.norm.weight');
  mat('lm_head.weight', CONFIG.vocab_size, H);
  return t;
}

async function forwardAndCache(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'knobe-precision-bench-'));
  try {
    writeSafetensors(join(dir, 'model.safetensors'), llamaWeights());
    const config = parseConfig(CONFIG);
    const weights = readSafetensors(join(dir, 'model.safetensors'));
    const batch = makeBatch(Array.from({ length: 4 }, (_, b) => Array.from({ length: 64 }, (_, s) => (b * 131 + s * 17 + 7) % CONFIG.vocab_size)));
    const fp32 = await LoadedModel.fromWeights(config, weights, { threads });
    const want = (await fp32.run(batch, { logitsAt: 'all' })).logits.data;
    console.log(`\nLlama-shaped model, 8 layers, hidden 512, ${fmt(fp32.weightBytes / 2 ** 20, 0)} MiB at fp32; batch 4 × 64 tokens; time ratio against fp32 (above 1: faster)`);
    for (const precision of ['int8', 'int4'] as Precision[]) {
      const m = await LoadedModel.fromWeights(config, weights, { threads, precision });
      const got = (await m.run(batch, { logitsAt: 'all' })).logits.data;
      const [tf, tp] = await sideBySide(() => fp32.run(batch), () => m.run(batch), 3);
      console.log(`${precision}: ×${fmt(tf / tp)} speed, weights ×${fmt(fp32.weightBytes / m.weightBytes)} smaller, logits error ${fmt(relativeRms(want, got) * 100, 3)}%`);
      await m.dispose();
    }
    await fp32.dispose();

    // prepareModel reads the config, the weights and the content hash; no tokenizer is needed here.
    const files = ['model.safetensors'];
    const checkpoint: Checkpoint = { dir, config, weights, files, sha256: await hashFiles(dir, files), tokenizerJson: {}, tokenizerConfig: {}, unusedTensors: [], warnings: [] };
    const cacheDir = join(dir, 'cache');
    for (const precision of ['fp32', 'int8', 'int4'] as Precision[]) {
      const times: number[] = [];
      for (let i = 0; i < 2; i++) {
        const t0 = performance.now();
        const m = await prepareModel(checkpoint, { precision, threads, cacheDir });
        times.push(performance.now() - t0);
        await m.dispose();
      }
      console.log(`${precision}: first open (converts) ${fmt(times[0] / 1000, 1)} s, cached open ${fmt(times[1] / 1000, 1)} s: cached/first = ${fmt(times[1] / times[0])}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await quantizationGrid();
  await forwardAndCache();
}
