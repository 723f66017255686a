// Forward-pass throughput of a generated ~130M-parameter Llama-shaped model (12 layers, hidden 768,
// 12 heads, MLP 2048, vocabulary 32000) at batch 1 and 16 with 64-token prompts, logits at the
// last position; and, when /usr/bin/python3 has torch, the same forward in PyTorch on the same
// weights and thread count (bench/torch_forward.py, timed inside Python), run alternately with
// ours so that machine noise hits both alike, reported as the ratio ours ÷ PyTorch time.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../src/core/models/config.js';
import { LoadedModel, makeBatch } from '../src/core/models/model.js';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../src/core/models/safetensors.js';
import { fmt } from './util.js';

const PYTHON = '/usr/bin/python3';
const SEQ = 64;
const SIZES = [1, 16];
const RUNS: Record<number, number> = { 1: 7, 16: 3 };
const CONFIG = {
  architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 32000, hidden_size: 768,
  intermediate_size: 2048, num_hidden_layers: 12, num_attention_heads: 12, num_key_value_heads: 12,
  rms_norm_eps: 1e-5, rope_theta: 10000, max_position_embeddings: 2048, tie_word_embeddings: false,
  hidden_act: 'silu', bos_token_id: 1, eos_token_id: 2,
};

/** Seeded uniform weights with standard deviation `std` (xorshift: fast enough for 10^8 values). */
function weightsFor(c: typeof CONFIG): Record<string, TensorToWrite> {
  let s = 0x9e3779b9;
  const fill = (n: number, std: number) => {
    const a = new Float32Array(n);
    const k = (std * Math.sqrt(12)) / 4294967296;
    for (let i = 0; i < n; i++) {
      s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
      a[i] = ((s >>> 0) - 2147483648) * k;
    }
    return a;
  };
  const H = c.hidden_size, I = c.intermediate_size, V = c.vocab_size;
  const t: Record<string, TensorToWrite> = {};
  const mat = (name: string, r: number, cols: number) => (t[name] = { shape: [r, cols], data: fill(r * cols, 0.02) });
  const ones = (name: string) => (t[name] = { shape: [H], data: new Float32Array(H).fill(1) });
  t['model.embed_tokens.weight'] = { shape: [V, H], data: fill(V * H, 1) };
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = `model.layers.${l}.`;
    ones(`${p}input_layernorm.weight`);
    ones(`${p}post_attention_layernorm.weight`);
    for (const n of ['q', 'k', 'v', 'o']) mat(`${p}self_attn.${n}_proj.weight`, H, H);
    mat(`${p}mlp.gate_proj.weight`, I, H);
    mat(`${p}mlp.up_proj.weight`, I, H);
    mat(`${p}mlp.down_proj.weight`, H, I);
  }
  ones('model.norm.weight');
  mat('lm_head.weight', V, H);
  return t;
}

const prompts = (batch: number) =>
  Array.from({ length: batch }, (_, b) => Array.from({ length: SEQ }, (_, s) => (b * 131 + s * 17 + 7) % CONFIG.vocab_size));

/** The PyTorch peer as a line-oriented child process: ask it to run batch i, read back its ms. */
class TorchPeer {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }
  static async start(dir: string, threads: number, promptsFile: string): Promise<{ peer: TorchPeer; logits: number[] }> {
    const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_forward.py');
    // Passive OpenMP waiting, like our sessions' non-spinning thread pools: on a shared machine
    // spinning workers that get descheduled stall every parallel region.
    const child = spawn(PYTHON, [script, dir, String(threads), promptsFile], { env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const peer = new TorchPeer(child);
    const first = await peer.lines.next();
    if (first.done) throw new Error(`PyTorch peer exited: ${err.trim().split('\n').slice(-3).join(' | ')}`);
    return { peer, logits: (JSON.parse(first.value) as { logits: number[] }).logits };
  }
  async time(batchIndex: number): Promise<number> {
    this.child.stdin.write(`${batchIndex}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error('PyTorch peer exited');
    return Number(r.value);
  }
  stop(): void {
    this.child.stdin.end();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run(): Promise<void> {
  const threads = Math.min(availableParallelism(), 2);
  const dir = mkdtempSync(join(tmpdir(), 'knobe-forward-'));
  let peer: TorchPeer | undefined;
  const model = await (async () => {
    const tensors = weightsFor(CONFIG);
    const params = Object.values(tensors).reduce((n, t) => n + t.data.length, 0);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(CONFIG));
    writeSafetensors(join(dir, 'model.safetensors'), tensors);
    console.log(`model: Llama-shaped, ${(params / 1e6).toFixed(0)}M parameters; ${SEQ}-token prompts; ${threads} threads; logits at the last position`);
    const t0 = performance.now();
    const m = await LoadedModel.fromWeights(parseConfig(CONFIG), readSafetensors(join(dir, 'model.safetensors')), { threads });
    console.log(`graphs built and ${2 * CONFIG.num_hidden_layers + 3} sessions opened in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    return m;
  })();
  try {
    const firstLogits = (await model.run(makeBatch(prompts(1)))).logits.data;
    const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log(`PyTorch peer skipped: ${PYTHON} cannot import torch (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()})`);
    } else {
      const promptsFile = join(dir, 'prompts.json');
      writeFileSync(promptsFile, JSON.stringify(SIZES.map(prompts)));
      const started = await TorchPeer.start(dir, threads, promptsFile);
      peer = started.peer;
      let diff = 0;
      started.logits.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - firstLogits[i]))));
      console.log(`check: max |Δlogit| ours vs PyTorch on the first prompt = ${diff.toExponential(2)}`);
    }
    for (const [i, b] of SIZES.entries()) {
      const batch = makeBatch(prompts(b));
      const ours: number[] = [];
      const theirs: number[] = [];
      // One warm-up each, then alternate.
      await model.run(batch);
      await peer?.time(i);
      for (let r = 0; r < RUNS[b]; r++) {
        const t0 = performance.now();
        await model.run(batch);
        ours.push(performance.now() - t0);
        if (peer) theirs.push(await peer.time(i));
      }
      const o = median(ours);
      let line = `batch ${String(b).padStart(2)}: ours ${fmt(o, 1)} ms (${fmt((b * SEQ * 1000) / o, 0)} tokens/s)`;
      if (peer) {
        const t = median(theirs);
        line += `, PyTorch ${fmt(t, 1)} ms (${fmt((b * SEQ * 1000) / t, 0)} tokens/s), ratio ours/PyTorch time = ${fmt(o / t)}`;
      }
      console.log(line);
    }
  } finally {
    peer?.stop();
    await model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
