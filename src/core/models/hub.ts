// Downloads a model from the Hugging Face Hub (or any server laid out like it) into a cache:
//   <cache>/models--<org>--<name>/refs/<revision>          the commit a branch resolved to
//   <cache>/models--<org>--<name>/snapshots/<commit>/...   the checkpoint files
//   <cache>/models--<org>--<name>/snapshots/<commit>/.knobe-complete.json   written last
// A branch is resolved to a commit once and pinned; a complete snapshot is reused without any
// request. Files arrive as `<name>.part` and are renamed only after their size and checksum
// match, so an interrupted download never leaves a file that looks complete, and the next
// attempt resumes the .part with an HTTP Range request.
//
// Written on node's fetch rather than @huggingface/hub: its downloadFile returns a Blob with no
// progress events and no resume, and downloadFileToCacheDir restarts an interrupted file from
// zero, logs to the console and needs the paths-info API besides.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CheckpointError, type CheckpointErrorCode } from './errors.js';
import { rememberSha256, sha256File } from './hash.js';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

export interface HubSource {
  /** "org/name" (or a legacy single-segment name such as "gpt2"). */
  repo: string;
  /** A branch, tag or commit sha. */
  revision: string;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const COMMIT = /^[0-9a-f]{40}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** Parses "hf:org/name@revision" (revision defaults to "main"). */
export function parseHubSource(text: string): HubSource {
  const bad = (why: string): never => {
    throw new CheckpointError('invalid-source', `"${text}" is not a Hub model source (${why}); write hf:org/name or hf:org/name@revision`, { name: text });
  };
  if (!text.startsWith('hf:')) bad('it does not start with hf:');
  const body = text.slice(3);
  const at = body.indexOf('@');
  const repo = at < 0 ? body : body.slice(0, at);
  const revision = at < 0 ? 'main' : body.slice(at + 1);
  const parts = repo.split('/');
  if (parts.length > 2 || !parts.every((p) => SEGMENT.test(p) && !p.includes('..'))) bad(`"${repo}" is not a repository id`);
  if (!revision || /\s/.test(revision) || revision.split('/').some((p) => p === '' || p === '.' || p === '..')) bad(`"${revision}" is not a revision`);
  return { repo, revision };
}

export interface DownloadProgress {
  file: string;
  /** Bytes of this file on disk so far (a resumed file starts above zero). */
  bytesDone: number;
  bytesTotal: number;
  /** Over every file of this download. */
  allBytesDone: number;
  allBytesTotal: number;
}

export interface HubDownloadOptions {
  cacheDir: string;
  /** Default https://huggingface.co. */
  endpoint?: string;
  /** Access token for gated or private models; default the HF_TOKEN environment variable. */
  token?: string;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Resolve the branch again instead of using the pinned commit. */
  refresh?: boolean;
}

export interface HubDownload {
  /** The snapshot folder: a checkpoint folder for loadCheckpoint. */
  dir: string;
  repo: string;
  revision: string;
  commit: string;
  files: string[];
}

interface RemoteFile {
  name: string;
  size?: number;
  sha256?: string;
}

interface CompleteMarker {
  repo: string;
  commit: string;
  files: Array<{ name: string; size: number; sha256: string }>;
}

const MARKER = '.knobe-complete.json';
const WANTED = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'generation_config.json', 'special_tokens_map.json'];
const REQUIRED = ['config.json', 'tokenizer.json'];

export function repoCacheDir(cacheDir: string, repo: string): string {
  return join(cacheDir, `models--${repo.replace('/', '--')}`);
}

/** A complete cached snapshot of `source`, or undefined; makes no request. */
export function cachedSnapshot(cacheDir: string, source: HubSource): HubDownload | undefined {
  const root = repoCacheDir(cacheDir, source.repo);
  const commit = COMMIT.test(source.revision) ? source.revision : readRef(root, source.revision);
  if (!commit) return undefined;
  const dir = join(root, 'snapshots', commit);
  const marker = join(dir, MARKER);
  if (!existsSync(marker)) return undefined;
  try {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as CompleteMarker;
    if (!m.files.every((f) => existsSync(join(dir, f.name)) && statSync(join(dir, f.name)).size === f.size)) return undefined;
    return { dir, repo: source.repo, revision: source.revision, commit, files: m.files.map((f) => f.name) };
  } catch {
    return undefined;
  }
}

/**
 * The sha256 of each file of a downloaded snapshot, as verified on arrival, for files unchanged
 * since (same size, not modified after the snapshot was completed). Lets a checkpoint's content
 * hash skip re-reading gigabytes of weights.
 */
export function verifiedDigests(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const marker = join(dir, MARKER);
  if (!existsSync(marker)) return out;
  try {
    const completed = statSync(marker).mtimeMs;
    const m = JSON.parse(readFileSync(marker, 'utf8')) as CompleteMarker;
    for (const f of m.files) {
      const file = join(dir, f.name);
      if (!existsSync(file) || !SHA256.test(f.sha256)) continue;
      const st = statSync(file);
      if (st.size === f.size && st.mtimeMs <= completed) out.set(f.name, f.sha256);
    }
  } catch {
    // An unreadable marker only means the files get hashed again.
  }
  return out;
}

function refFile(root: string, revision: string): string {
  return join(root, 'refs', encodeURIComponent(revision));
}

function readRef(root: string, revision: string): string | undefined {
  const f = refFile(root, revision);
  if (!existsSync(f)) return undefined;
  const v = readFileSync(f, 'utf8').trim();
  return COMMIT.test(v) ? v : undefined;
}

const inflight = new Map<string, Promise<HubDownload>>();

/**
 * Downloads (or finds in the cache) the checkpoint files of `source`. Concurrent calls for the
 * same model and cache share one download (progress goes to the first caller's callback).
 */
export async function downloadModel(source: string | HubSource, options: HubDownloadOptions): Promise<HubDownload> {
  const src = typeof source === 'string' ? parseHubSource(source) : source;
  if (!options.refresh) {
    const cached = cachedSnapshot(options.cacheDir, src);
    if (cached) return cached;
  }
  const key = `${resolve(options.cacheDir)}\0${src.repo}\0${src.revision}`;
  const running = inflight.get(key);
  if (running) return running;
  const p = fetchModel(src, options).finally(() => inflight.delete(key));
  inflight.set(key, p);
  return p;
}

async function fetchModel(src: HubSource, options: HubDownloadOptions): Promise<HubDownload> {
  const client = new HubClient(options.endpoint ?? DEFAULT_HUB_ENDPOINT, options.token ?? process.env.HF_TOKEN, options.signal);
  const label = `hf:${src.repo}@${src.revision}`;
  const info = await client.revisionInfo(src, label);
  const commit = info.commit;
  const root = repoCacheDir(options.cacheDir, src.repo);
  const dir = join(root, 'snapshots', commit);
  mkdirSync(dir, { recursive: true });

  const byName = new Map(info.files.map((f) => [f.name, f]));
  for (const name of REQUIRED) {
    if (!byName.has(name)) throw new CheckpointError('missing-file', `${label}: the repository has no ${name}`, { path: label, name });
  }
  const plan: RemoteFile[] = WANTED.filter((n) => byName.has(n)).map((n) => byName.get(n) as RemoteFile);
  const indexName = 'model.safetensors.index.json';
  const done: CompleteMarker['files'] = [];
  const tally: Tally = { done: 0, total: 0 };
  let shardNames: string[];
  if (byName.has(indexName)) {
    // The index decides which shards to fetch: repositories often also hold a consolidated
    // copy or .bin weights that must not be downloaded.
    done.push(...(await downloadFiles(client, src.repo, commit, dir, [byName.get(indexName) as RemoteFile], options, label, tally)));
    shardNames = shardsOf(join(dir, indexName), label);
  } else if (byName.has('model.safetensors')) {
    shardNames = ['model.safetensors'];
  } else {
    throw new CheckpointError('missing-file', `${label}: the repository has no model.safetensors or ${indexName} (only safetensors weights can be read)`, { path: label, name: 'model.safetensors' });
  }
  for (const s of shardNames) {
    const f = byName.get(s);
    if (!f) throw new CheckpointError('missing-file', `${label}: ${indexName} names shard ${s}, which the repository does not have`, { path: label, name: s });
    plan.push(f);
  }
  done.push(...(await downloadFiles(client, src.repo, commit, dir, plan, options, label, tally)));

  const marker: CompleteMarker = { repo: src.repo, commit, files: done };
  writeAtomic(join(dir, MARKER), JSON.stringify(marker, null, 1));
  if (!COMMIT.test(src.revision)) {
    mkdirSync(join(root, 'refs'), { recursive: true });
    writeAtomic(refFile(root, src.revision), commit);
  }
  return { dir, repo: src.repo, revision: src.revision, commit, files: done.map((f) => f.name) };
}

function shardsOf(indexFile: string, label: string): string[] {
  let map: unknown;
  try {
    map = (JSON.parse(readFileSync(indexFile, 'utf8')) as { weight_map?: unknown }).weight_map;
  } catch (e) {
    throw new CheckpointError('corrupt-safetensors', `${label}: model.safetensors.index.json is not valid JSON`, { path: indexFile, cause: e });
  }
  if (!map || typeof map !== 'object') {
    throw new CheckpointError('corrupt-safetensors', `${label}: model.safetensors.index.json has no weight_map`, { path: indexFile });
  }
  const names = [...new Set(Object.values(map as Record<string, unknown>))];
  for (const n of names) {
    if (typeof n !== 'string' || !/^[A-Za-z0-9._-]+\.safetensors$/.test(n)) {
      throw new CheckpointError('corrupt-safetensors', `${label}: weight_map names ${JSON.stringify(n)}, not a safetensors file name`, { path: indexFile, name: String(n) });
    }
  }
  return (names as string[]).sort();
}

function writeAtomic(file: string, text: string): void {
  const part = `${file}.part`;
  writeFileSync(part, text);
  renameSync(part, file);
}

/** Bytes over all files of one download; the total grows once the index names the shards. */
interface Tally {
  done: number;
  total: number;
}

async function downloadFiles(
  client: HubClient, repo: string, commit: string, dir: string, files: RemoteFile[], options: HubDownloadOptions, label: string, tally: Tally,
): Promise<CompleteMarker['files']> {
  tally.total += files.reduce((a, f) => a + (f.size ?? 0), 0);
  const out: CompleteMarker['files'] = [];
  for (const f of files) {
    const target = join(dir, f.name);
    const report = (bytesDone: number, bytesTotal: number): void =>
      options.onProgress?.({ file: f.name, bytesDone, bytesTotal, allBytesDone: tally.done + bytesDone, allBytesTotal: Math.max(tally.total, tally.done + bytesTotal) });
    // A file without .part was checked when it arrived; one left by an earlier, unfinished
    // snapshot download is kept rather than fetched again.
    const kept = existsSync(target) && (f.size === undefined || statSync(target).size === f.size);
    const sha256 = kept ? await sha256File(target) : await client.downloadFile(repo, commit, f, target, report, label);
    const size = statSync(target).size;
    if (kept) report(size, size);
    else rememberSha256(target, sha256);
    out.push({ name: f.name, size, sha256 });
    tally.done += size;
  }
  return out;
}

function gitBlobSha1(size: number): Hash {
  return createHash('sha1').update(`blob ${size}\0`);
}

function unquote(etag: string | null): string | undefined {
  if (!etag) return undefined;
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '').toLowerCase();
}

class HubClient {
  constructor(private readonly endpoint: string, private readonly token: string | undefined, private readonly signal?: AbortSignal) {
    this.endpoint = endpoint.replace(/\/+$/, '');
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.token ? { ...extra, authorization: `Bearer ${this.token}` } : extra;
  }

  /** Never lets the token into a message. */
  private scrub(text: string): string {
    return this.token ? text.split(this.token).join('***') : text;
  }

  private fail(code: CheckpointErrorCode, message: string, name?: string, cause?: unknown): CheckpointError {
    return new CheckpointError(code, this.scrub(message), { name, cause: cause === undefined ? undefined : new Error(this.scrub(String((cause as Error)?.message ?? cause))) });
  }

  private async get(url: string, what: string, label: string, headers: Record<string, string> = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, { headers: this.headers(headers), signal: this.signal, redirect: 'follow' });
    } catch (e) {
      const reason = (e as Error).name === 'AbortError' ? 'cancelled' : `${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ''}`;
      throw this.fail('download-failed', `${label}: cannot fetch ${what} from ${this.endpoint}: ${reason}`, what, e);
    }
    if (res.ok || res.status === 416) return res;
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 401 || res.status === 403) {
      const hint = this.token ? 'the token was refused' : 'set a token (HF_TOKEN) for gated or private models';
      throw this.fail('auth-required', `${label}: ${what}: HTTP ${res.status} from ${this.endpoint}; ${hint}`, what);
    }
    if (res.status === 404) throw this.fail('not-found', `${label}: ${what} not found on ${this.endpoint} (HTTP 404)`, what);
    throw this.fail('download-failed', `${label}: ${what}: HTTP ${res.status} from ${this.endpoint}`, what);
  }

  async revisionInfo(src: HubSource, label: string): Promise<{ commit: string; files: RemoteFile[] }> {
    const url = `${this.endpoint}/api/models/${src.repo}/revision/${encodeURIComponent(src.revision)}?blobs=true`;
    const res = await this.get(url, `revision ${src.revision}`, label);
    let body: { sha?: unknown; siblings?: unknown };
    try {
      body = (await res.json()) as typeof body;
    } catch (e) {
      throw this.fail('download-failed', `${label}: the Hub answered with something that is not JSON`, 'revision', e);
    }
    if (typeof body.sha !== 'string' || !COMMIT.test(body.sha) || !Array.isArray(body.siblings)) {
      throw this.fail('download-failed', `${label}: the Hub's revision answer has no commit sha or file list`, 'revision');
    }
    const files: RemoteFile[] = [];
    for (const s of body.siblings as Array<Record<string, unknown>>) {
      if (typeof s.rfilename !== 'string') continue;
      const lfs = s.lfs as { sha256?: unknown; size?: unknown } | undefined;
      const size = typeof lfs?.size === 'number' ? lfs.size : typeof s.size === 'number' ? s.size : undefined;
      const sha256 = typeof lfs?.sha256 === 'string' && SHA256.test(lfs.sha256) ? lfs.sha256 : undefined;
      files.push({ name: s.rfilename, size, sha256 });
    }
    return { commit: body.sha, files };
  }

  /** Downloads one file to `target` through `target.part`; returns its sha256. */
  async downloadFile(repo: string, commit: string, f: RemoteFile, target: string, report: (done: number, total: number) => void, label: string): Promise<string> {
    const part = `${target}.part`;
    const url = `${this.endpoint}/${repo}/resolve/${commit}/${f.name.split('/').map(encodeURIComponent).join('/')}`;
    let offset = existsSync(part) ? statSync(part).size : 0;
    if (f.size !== undefined && offset > f.size) {
      rmSync(part);
      offset = 0;
    }
    const res = await this.get(url, f.name, label, offset > 0 ? { range: `bytes=${offset}-` } : {});
    let total = f.size;
    const linkedSize = Number(res.headers.get('x-linked-size') ?? NaN);
    const expectedSha = f.sha256 ?? [unquote(res.headers.get('x-linked-etag')), unquote(res.headers.get('etag'))].find((e) => e && SHA256.test(e));
    const gitOid = !f.sha256 && !res.headers.get('x-linked-etag') ? unquote(res.headers.get('etag')) : undefined;

    if (res.status === 416) {
      // The .part already holds every byte; the checks below decide whether it is right.
      await res.body?.cancel().catch(() => undefined);
    } else if (res.status === 206) {
      const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== offset) {
        await res.body?.cancel().catch(() => undefined);
        throw this.fail('download-failed', `${label}: ${f.name}: the server answered the resume request with the wrong range`, f.name);
      }
      if (range[3] !== '*') total ??= Number(range[3]);
    } else {
      // A full answer: start over, whatever the .part held.
      offset = 0;
      const length = Number(res.headers.get('content-length') ?? NaN);
      total ??= Number.isFinite(linkedSize) ? linkedSize : Number.isFinite(length) ? length : undefined;
    }

    const sha = createHash('sha256');
    const git = gitOid && COMMIT.test(gitOid) && total !== undefined ? gitBlobSha1(total) : undefined;
    if (offset > 0) {
      for await (const chunk of createReadStream(part)) {
        sha.update(chunk as Buffer);
        git?.update(chunk as Buffer);
      }
    }
    let done = offset;
    const reportTotal = total ?? 0;
    report(done, reportTotal);
    if (res.status !== 416) {
      const fh = await open(part, offset > 0 ? 'a' : 'w');
      try {
        if (res.body) {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            await fh.write(chunk);
            sha.update(chunk);
            git?.update(chunk);
            done += chunk.byteLength;
            if (total !== undefined && done > total) break;
            report(done, reportTotal);
          }
        }
      } catch (e) {
        const reason = (e as Error).name === 'AbortError' ? 'cancelled' : `${(e as Error).message}`;
        throw this.fail('download-failed', `${label}: ${f.name}: the transfer stopped after ${done} of ${total ?? '?'} bytes (${reason}); the next attempt resumes it`, f.name, e);
      } finally {
        await fh.close();
      }
    }

    const size = statSync(part).size;
    if (total !== undefined && size !== total) {
      rmSync(part, { force: true });
      throw this.fail('size-mismatch', `${label}: ${f.name}: received ${size} bytes but the Hub reports ${total}`, f.name);
    }
    const digest = sha.digest('hex');
    if (expectedSha && digest !== expectedSha) {
      rmSync(part, { force: true });
      throw this.fail('checksum-mismatch', `${label}: ${f.name}: sha256 ${digest} does not match the Hub's ${expectedSha}`, f.name);
    }
    if (git && gitOid) {
      const oid = git.digest('hex');
      if (oid !== gitOid) {
        rmSync(part, { force: true });
        throw this.fail('checksum-mismatch', `${label}: ${f.name}: git object id ${oid} does not match the Hub's ${gitOid}`, f.name);
      }
    }
    renameSync(part, target);
    report(size, size);
    return digest;
  }
}
