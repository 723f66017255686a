import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadCheckpoint, loadModel } from '../../../src/core/models/checkpoint.js';
import { CheckpointError, type CheckpointErrorCode } from '../../../src/core/models/errors.js';
import { downloadModel, parseHubSource, verifiedDigests, type DownloadProgress } from '../../../src/core/models/hub.js';
import { writeTestCheckpoint } from '../../support/checkpoints.js';
import { HubServer } from '../../support/hub-server.js';
import { checkpointError } from '../../support/errors.js';

let hub: HubServer;
const root = mkdtempSync(join(tmpdir(), 'knobe-hub-'));
let n = 0;
const freshCache = (): string => join(root, `cache${n++}`);

/** The files of a tiny checkpoint folder, as the Hub would hold them. */
function repoFiles(arch: 'llama' | 'qwen2', opts: Parameters<typeof writeTestCheckpoint>[2] = {}): Record<string, Buffer> {
  const dir = join(root, `src${n++}`);
  writeTestCheckpoint(dir, arch, opts);
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

async function expectError(p: Promise<unknown>, code: CheckpointErrorCode, ...mentions: string[]): Promise<CheckpointError> {
  let caught: CheckpointError | undefined;
  await assert.rejects(p, (e: unknown) => {
    checkpointError(code, ...mentions)(e);
    caught = e as CheckpointError;
    return true;
  });
  return caught as CheckpointError;
}

before(async () => {
  hub = await HubServer.start();
});
after(async () => {
  await hub.close();
});

test('Hub sources parse to repository and revision', () => {
  assert.deepEqual(parseHubSource('hf:meta-llama/Llama-3.1-8B'), { repo: 'meta-llama/Llama-3.1-8B', revision: 'main' });
  assert.deepEqual(parseHubSource('hf:org/m_1.0@v2'), { repo: 'org/m_1.0', revision: 'v2' });
  assert.deepEqual(parseHubSource('hf:gpt2@refs/pr/3'), { repo: 'gpt2', revision: 'refs/pr/3' });
  for (const bad of ['org/name', 'hf:', 'hf:a/b/c', 'hf:../x', 'hf:org/..', 'hf:org/name@', 'hf:org/name@a/../b', 'hf:org/na me']) {
    assert.throws(() => parseHubSource(bad), (e: unknown) => e instanceof CheckpointError && e.code === 'invalid-source' && e.message.includes(bad), bad);
  }
});

test('a download reports progress, pins the revision and a second load makes no request', async () => {
  const files = repoFiles('llama');
  const commit = hub.addCommit('lab/tiny-llama', { ...files, 'README.md': '# tiny', 'pytorch_model.bin': Buffer.alloc(5000) });
  const cacheDir = freshCache();
  const progress: DownloadProgress[] = [];
  const before = hub.requests.length;
  const got = await downloadModel('hf:lab/tiny-llama', { cacheDir, endpoint: hub.url, onProgress: (p) => progress.push(p) });
  assert.equal(got.commit, commit);
  assert.equal(got.dir, join(cacheDir, 'models--lab--tiny-llama', 'snapshots', commit));
  assert.deepEqual([...got.files].sort(), Object.keys(files).sort());
  for (const [name, data] of Object.entries(files)) assert.ok(readFileSync(join(got.dir, name)).equals(data), name);
  assert.equal(readFileSync(join(cacheDir, 'models--lab--tiny-llama', 'refs', 'main'), 'utf8'), commit);
  assert.equal(hub.requests.slice(before).filter((r) => r.path.includes('pytorch_model.bin') || r.path.includes('README')).length, 0);

  // Progress: per file it rises to the file's size; overall it rises to the sum.
  const weights = progress.filter((p) => p.file === 'model.safetensors');
  const size = files['model.safetensors'].length;
  assert.ok(weights.length >= 2);
  assert.equal(weights.at(-1)?.bytesDone, size);
  assert.ok(weights.every((p, i) => p.bytesTotal === size && (i === 0 || p.bytesDone >= weights[i - 1].bytesDone)));
  const total = Object.values(files).reduce((a, b) => a + b.length, 0);
  assert.equal(progress.at(-1)?.allBytesDone, total);
  assert.equal(progress.at(-1)?.allBytesTotal, total);

  const ck = await loadCheckpoint(got.dir);
  assert.equal(ck.config.architecture, 'llama');

  const count = hub.requests.length;
  const again = await downloadModel('hf:lab/tiny-llama', { cacheDir, endpoint: hub.url });
  const byCommit = await downloadModel(`hf:lab/tiny-llama@${commit}`, { cacheDir, endpoint: hub.url });
  assert.equal(hub.requests.length, count);
  assert.equal(again.dir, got.dir);
  assert.equal(byCommit.dir, got.dir);

  // The branch moves on the Hub; the pinned commit stays until a refresh.
  const next = hub.addCommit('lab/tiny-llama', repoFiles('llama', { seed: 2 }));
  assert.equal((await downloadModel('hf:lab/tiny-llama', { cacheDir, endpoint: hub.url })).commit, commit);
  assert.equal((await downloadModel('hf:lab/tiny-llama', { cacheDir, endpoint: hub.url, refresh: true })).commit, next);
  assert.equal(readFileSync(join(cacheDir, 'models--lab--tiny-llama', 'refs', 'main'), 'utf8'), next);
});

test('concurrent loads of one model share one download', async () => {
  hub.addCommit('lab/shared', repoFiles('llama', { seed: 31 }));
  const cacheDir = freshCache();
  const mark = hub.requests.length;
  const [a, b] = await Promise.all([
    downloadModel('hf:lab/shared', { cacheDir, endpoint: hub.url }),
    downloadModel('hf:lab/shared', { cacheDir, endpoint: hub.url }),
  ]);
  assert.equal(a.dir, b.dir);
  assert.equal(hub.requests.slice(mark).filter((r) => r.path.includes('/revision/')).length, 1);
  assert.equal(hub.requests.slice(mark).filter((r) => r.path.startsWith('/cdn/')).length, 1);
});

test('an interrupted transfer resumes with a Range request and ends byte-identical', async () => {
  const files = repoFiles('qwen2', { seed: 4 });
  hub.addCommit('lab/resume', files);
  const cacheDir = freshCache();
  hub.killAfter('model.safetensors', 3000);
  const err = await expectError(downloadModel('hf:lab/resume', { cacheDir, endpoint: hub.url }), 'download-failed', 'model.safetensors', 'resumes');
  assert.equal(err.culprit, 'model.safetensors');
  const snap = join(cacheDir, 'models--lab--resume', 'snapshots');
  const dir = join(snap, readdirSync(snap)[0]);
  assert.equal(existsSync(join(dir, 'model.safetensors')), false);
  assert.equal(existsSync(join(dir, '.knobe-complete.json')), false);
  assert.equal(statSync(join(dir, 'model.safetensors.part')).size, 3000);

  const mark = hub.requests.length;
  const progress: DownloadProgress[] = [];
  const got = await downloadModel('hf:lab/resume', { cacheDir, endpoint: hub.url, onProgress: (p) => progress.push(p) });
  const ranged = hub.requests.slice(mark).filter((r) => r.path.startsWith('/cdn/'));
  assert.deepEqual(ranged.map((r) => r.headers.range), ['bytes=3000-']);
  assert.ok(readFileSync(join(got.dir, 'model.safetensors')).equals(files['model.safetensors']));
  assert.equal(progress.find((p) => p.file === 'model.safetensors')?.bytesDone, 3000);
  assert.equal(existsSync(join(got.dir, 'model.safetensors.part')), false);
  // Files finished before the interruption are not fetched again.
  assert.equal(hub.requests.slice(mark).filter((r) => r.path.endsWith('/config.json')).length, 0);
});

test('a .part that already holds the whole file is checked and kept', async () => {
  const files = repoFiles('llama', { seed: 61 });
  const commit = hub.addCommit('lab/fullpart', files);
  const cacheDir = freshCache();
  const dir = join(cacheDir, 'models--lab--fullpart', 'snapshots', commit);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.safetensors.part'), files['model.safetensors']);
  const mark = hub.requests.length;
  const got = await downloadModel('hf:lab/fullpart', { cacheDir, endpoint: hub.url });
  const cdn = hub.requests.slice(mark).filter((r) => r.path.startsWith('/cdn/'));
  assert.deepEqual(cdn.map((r) => r.headers.range), [`bytes=${files['model.safetensors'].length}-`]);
  assert.ok(readFileSync(join(got.dir, 'model.safetensors')).equals(files['model.safetensors']));
});

test('a server that ignores Range restarts the file from zero', async () => {
  const files = repoFiles('llama', { seed: 8 });
  hub.addCommit('lab/norange', files);
  const cacheDir = freshCache();
  hub.killAfter('model.safetensors', 2000);
  await expectError(downloadModel('hf:lab/norange', { cacheDir, endpoint: hub.url }), 'download-failed');
  hub.ignoreRange = true;
  try {
    const got = await downloadModel('hf:lab/norange', { cacheDir, endpoint: hub.url });
    assert.ok(readFileSync(join(got.dir, 'model.safetensors')).equals(files['model.safetensors']));
  } finally {
    hub.resetFaults();
  }
});

test('checksum and size mismatches are errors and leave no file behind', async () => {
  const files = repoFiles('llama', { seed: 11 });
  hub.addCommit('lab/bad-sha', files);
  const flipped = Buffer.from(files['model.safetensors']);
  flipped[flipped.length - 1] ^= 0xff;
  hub.serveInstead('model.safetensors', flipped);
  const cacheDir = freshCache();
  try {
    await expectError(downloadModel('hf:lab/bad-sha', { cacheDir, endpoint: hub.url }), 'checksum-mismatch', 'model.safetensors', 'sha256');
    const snap = join(cacheDir, 'models--lab--bad-sha', 'snapshots');
    const dir = join(snap, readdirSync(snap)[0]);
    assert.ok(!readdirSync(dir).some((f) => f.startsWith('model.safetensors')));

    hub.serveInstead('model.safetensors', files['model.safetensors'].subarray(0, 1000));
    await expectError(downloadModel('hf:lab/bad-sha', { cacheDir, endpoint: hub.url }), 'size-mismatch', 'model.safetensors', `reports ${files['model.safetensors'].length}`);

    // A small (non-LFS) file is checked against its git object id.
    hub.resetFaults();
    hub.serveInstead('config.json', Buffer.from(files['config.json'].toString().replace('"hidden_size": 16', '"hidden_size": 61')));
    await expectError(downloadModel('hf:lab/bad-sha', { cacheDir: freshCache(), endpoint: hub.url }), 'checksum-mismatch', 'config.json', 'git object id');
  } finally {
    hub.resetFaults();
  }
  hub.addCommit('lab/bad-size', files);
  hub.advertiseSize('tokenizer.json', 10);
  try {
    await expectError(downloadModel('hf:lab/bad-size', { cacheDir, endpoint: hub.url }), 'size-mismatch', 'tokenizer.json', 'reports 10');
  } finally {
    hub.resetFaults();
  }
});

test('sharded repositories download the index and the shards it names, nothing else', async () => {
  const files = repoFiles('qwen2', { shards: 2 });
  hub.addCommit('lab/sharded', { ...files, 'consolidated.safetensors': Buffer.alloc(4096) });
  const cacheDir = freshCache();
  const mark = hub.requests.length;
  const progress: DownloadProgress[] = [];
  const got = await downloadModel('hf:lab/sharded', { cacheDir, endpoint: hub.url, onProgress: (p) => progress.push(p) });
  const total = Object.values(files).reduce((a, b) => a + b.length, 0);
  assert.ok(progress.every((p, i) => i === 0 || p.allBytesDone >= progress[i - 1].allBytesDone), 'overall progress never goes back');
  assert.deepEqual([progress.at(-1)?.allBytesDone, progress.at(-1)?.allBytesTotal], [total, total]);
  assert.deepEqual([...got.files].sort(), Object.keys(files).sort());
  assert.equal(hub.requests.slice(mark).filter((r) => r.path.includes('consolidated')).length, 0);
  const ck = await loadCheckpoint(got.dir);
  assert.equal(ck.files.length, 6);
});

test('the token is sent as a header and written nowhere', async () => {
  const token = 'hf_secretTOKEN1234567890';
  hub.addCommit('lab/gated', repoFiles('llama', { seed: 12 }));
  hub.requireToken = token;
  const saved = process.env.HF_TOKEN;
  try {
    delete process.env.HF_TOKEN;
    const cacheDir = freshCache();
    await expectError(downloadModel('hf:lab/gated', { cacheDir, endpoint: hub.url }), 'auth-required', 'HF_TOKEN', 'hf:lab/gated');
    const refused = await expectError(downloadModel('hf:lab/gated', { cacheDir, endpoint: hub.url, token: `${token}x` }), 'auth-required', 'refused');
    assert.ok(!refused.message.includes(token));

    const mark = hub.requests.length;
    const got = await downloadModel('hf:lab/gated', { cacheDir, endpoint: hub.url, token });
    const seen = hub.requests.slice(mark);
    assert.ok(seen.length >= 6);
    assert.ok(seen.every((r) => r.headers.authorization === `Bearer ${token}`));

    // A redirect to another origin (the Hub's CDN) does not carry the token along.
    hub.crossOriginCdn = true;
    const mark2 = hub.requests.length;
    await downloadModel('hf:lab/gated', { cacheDir: freshCache(), endpoint: hub.url, token });
    const cdn = hub.requests.slice(mark2).filter((r) => r.path.startsWith('/cdn/'));
    assert.equal(cdn.length, 1);
    assert.equal(cdn[0].headers.host?.startsWith('localhost:'), true);
    assert.equal(cdn[0].headers.authorization, undefined);
    for (const f of allFiles(cacheDir)) assert.ok(!readFileSync(f).includes(token), relative(cacheDir, f));
    assert.ok(!JSON.stringify(got).includes(token));

    // From the environment when no option is given.
    process.env.HF_TOKEN = token;
    const envCache = freshCache();
    await downloadModel('hf:lab/gated', { cacheDir: envCache, endpoint: hub.url });
    for (const f of allFiles(envCache)) assert.ok(!readFileSync(f).includes(token), relative(envCache, f));
  } finally {
    hub.resetFaults();
    if (saved === undefined) delete process.env.HF_TOKEN;
    else process.env.HF_TOKEN = saved;
  }
});

test('unknown repositories, revisions, missing files and unreachable servers are named', async () => {
  const cacheDir = freshCache();
  await expectError(downloadModel('hf:lab/nothing', { cacheDir, endpoint: hub.url }), 'not-found', 'hf:lab/nothing@main');
  hub.addCommit('lab/revs', repoFiles('llama'));
  await expectError(downloadModel('hf:lab/revs@v9', { cacheDir, endpoint: hub.url }), 'not-found', 'hf:lab/revs@v9', 'revision v9');
  const files = repoFiles('llama');
  delete (files as Record<string, Buffer | undefined>)['model.safetensors'];
  hub.addCommit('lab/noweights', { ...files, 'pytorch_model.bin': Buffer.alloc(10) });
  await expectError(downloadModel('hf:lab/noweights', { cacheDir, endpoint: hub.url }), 'missing-file', 'hf:lab/noweights', 'model.safetensors');
  const noTok = repoFiles('llama');
  delete (noTok as Record<string, Buffer | undefined>)['tokenizer.json'];
  hub.addCommit('lab/notok', noTok);
  await expectError(downloadModel('hf:lab/notok', { cacheDir, endpoint: hub.url }), 'missing-file', 'tokenizer.json');
  await expectError(downloadModel('hf:lab/revs', { cacheDir, endpoint: 'http://127.0.0.1:9' }), 'download-failed', 'hf:lab/revs', '127.0.0.1:9');
});

test('a cancelled download stops with an error and keeps its partial file for later', async () => {
  const files = repoFiles('llama', { seed: 21 });
  hub.addCommit('lab/cancel', files);
  const cacheDir = freshCache();
  const ctl = new AbortController();
  const p = downloadModel('hf:lab/cancel', {
    cacheDir, endpoint: hub.url, signal: ctl.signal,
    onProgress: (pr) => { if (pr.file === 'model.safetensors' && pr.bytesDone > 0) ctl.abort(); },
  });
  await expectError(p, 'download-failed', 'cancelled');
  const got = await downloadModel('hf:lab/cancel', { cacheDir, endpoint: hub.url });
  assert.ok(readFileSync(join(got.dir, 'model.safetensors')).equals(files['model.safetensors']));
  writeFileSync(join(root, 'unused'), '');
});

test('loadModel takes a Hub source or a folder and records where it came from', async () => {
  const commit = hub.addCommit('lab/source', repoFiles('qwen2', { seed: 41 }));
  const cacheDir = freshCache();
  const fromHub = await loadModel('hf:lab/source', { cacheDir, endpoint: hub.url });
  assert.deepEqual(fromHub.origin, { kind: 'hub', repo: 'lab/source', revision: 'main', commit, endpoint: hub.url });
  const local = await loadModel(fromHub.dir);
  assert.deepEqual(local.origin, { kind: 'local', path: fromHub.dir });
  assert.equal(local.sha256, fromHub.sha256);
  await expectError(loadModel('hf:lab/source', { endpoint: hub.url }), 'invalid-source', 'hf:lab/source', 'cache');
});

test('a snapshot\'s verified digests stand in for re-hashing until a file changes', async () => {
  const files = repoFiles('llama', { seed: 51 });
  hub.addCommit('lab/digests', files);
  const got = await downloadModel('hf:lab/digests', { cacheDir: freshCache(), endpoint: hub.url });
  const copy = join(root, `copy${n++}`);
  mkdirSync(copy);
  for (const [name, data] of Object.entries(files)) writeFileSync(join(copy, name), data);
  const fromSnapshot = await loadCheckpoint(got.dir);
  assert.equal(fromSnapshot.sha256, (await loadCheckpoint(copy)).sha256);

  const verified = verifiedDigests(got.dir);
  const weightsSha = createHash('sha256').update(files['model.safetensors']).digest('hex');
  assert.equal(verified.get('model.safetensors'), weightsSha);
  // The recorded digest is what the hash uses: the weights are not read again.
  const marker = join(got.dir, '.knobe-complete.json');
  const original = readFileSync(marker, 'utf8');
  writeFileSync(marker, original.replace(weightsSha, 'f'.repeat(64)));
  assert.notEqual((await loadCheckpoint(got.dir)).sha256, fromSnapshot.sha256);
  writeFileSync(marker, original);
  assert.equal((await loadCheckpoint(got.dir)).sha256, fromSnapshot.sha256);
  // Same size, new content, later mtime: the recorded digest no longer applies.
  const cfg = join(got.dir, 'config.json');
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('"rms_norm_eps": 0.00001', '"rms_norm_eps": 0.00002'));
  const later = new Date(Date.now() + 10_000);
  utimesSync(cfg, later, later);
  assert.equal(verifiedDigests(got.dir).has('config.json'), false);
  assert.notEqual((await loadCheckpoint(got.dir)).sha256, fromSnapshot.sha256);
});
