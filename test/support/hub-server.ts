// A local HTTP server laid out like the Hugging Face Hub, for download tests:
//   GET /api/models/{org}/{name}/revision/{rev}   → {id, sha, siblings: [{rfilename, size, lfs?}]}
//   GET /{org}/{name}/resolve/{rev}/{file}        → the bytes (LFS files: 302 to /cdn/{sha256})
//   GET /cdn/{sha256}                             → LFS bytes, with Range support
// It records every request and can cut a transfer midway, serve other bytes than it advertises,
// ignore Range headers, and require a token.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

interface StoredFile {
  content: Buffer;
  lfs: boolean;
  sha256: string;
  gitOid: string;
}

interface Repo {
  branches: Map<string, string>;
  commits: Map<string, Map<string, StoredFile>>;
}

export class HubServer {
  readonly requests: RecordedRequest[] = [];
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  requireToken?: string;
  /** Answer ranged requests with the whole file (200), as some proxies do. */
  ignoreRange = false;
  /** Redirect LFS downloads to another origin (localhost instead of 127.0.0.1), as the Hub
   *  redirects to its CDN; the CDN, like the Hub's signed URLs, needs no token. */
  crossOriginCdn = false;
  private readonly repos = new Map<string, Repo>();
  private readonly kills = new Map<string, number>();
  private readonly substitutes = new Map<string, Buffer>();
  private readonly advertisedSizes = new Map<string, number>();
  private server!: Server;
  url = '';

  static async start(): Promise<HubServer> {
    const hub = new HubServer();
    hub.server = createServer((req, res) => hub.handle(req, res));
    await new Promise<void>((resolve) => hub.server.listen(0, '127.0.0.1', resolve));
    hub.url = `http://127.0.0.1:${(hub.server.address() as AddressInfo).port}`;
    return hub;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Adds a commit with `files` to `repo` and points `branch` (default main) at it. */
  addCommit(repo: string, files: Record<string, Buffer | string>, branch = 'main'): string {
    let r = this.repos.get(repo);
    if (!r) this.repos.set(repo, (r = { branches: new Map(), commits: new Map() }));
    const stored = new Map<string, StoredFile>();
    const listing = createHash('sha1').update(`${repo}\n${r.commits.size}\n`);
    for (const [name, data] of Object.entries(files)) {
      const content = typeof data === 'string' ? Buffer.from(data) : data;
      const gitOid = createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
      stored.set(name, { content, lfs: name.endsWith('.safetensors') || name.endsWith('.bin'), sha256: createHash('sha256').update(content).digest('hex'), gitOid });
      listing.update(`${name} ${gitOid}\n`);
    }
    const commit = listing.digest('hex');
    r.commits.set(commit, stored);
    r.branches.set(branch, commit);
    return commit;
  }

  moveBranch(repo: string, branch: string, commit: string): void {
    this.repos.get(repo)?.branches.set(branch, commit);
  }

  /** The next transfer of `file` stops (connection destroyed) after `bytes` body bytes. */
  killAfter(file: string, bytes: number): void {
    this.kills.set(file, bytes);
  }

  /** Serve `content` for `file` while advertising the original's size and checksums. */
  serveInstead(file: string, content: Buffer): void {
    this.substitutes.set(file, content);
  }

  /** Report `size` for `file` in the revision API. */
  advertiseSize(file: string, size: number): void {
    this.advertisedSizes.set(file, size);
  }

  /** Back to serving every file faithfully. */
  resetFaults(): void {
    this.kills.clear();
    this.substitutes.clear();
    this.advertisedSizes.clear();
    this.ignoreRange = false;
    this.crossOriginCdn = false;
    this.requireToken = undefined;
  }

  requestsFor(pathPart: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.includes(pathPart));
  }

  private resolveRevision(repo: string, rev: string): Map<string, StoredFile> | undefined {
    const r = this.repos.get(repo);
    if (!r) return undefined;
    const commit = r.branches.get(rev) ?? rev;
    return r.commits.get(commit);
  }

  private commitOf(repo: string, rev: string): string | undefined {
    const r = this.repos.get(repo);
    const commit = r?.branches.get(rev) ?? rev;
    return r?.commits.has(commit) ? commit : undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers });
    const toCdn = url.pathname.startsWith('/cdn/');
    if (!toCdn && this.requireToken !== undefined && req.headers.authorization !== `Bearer ${this.requireToken}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"Invalid credentials in Authorization header"}');
      return;
    }
    const path = decodeURIComponent(url.pathname);
    let m = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/(.+)$/.exec(path);
    if (m) return this.revisionInfo(res, m[1], m[2]);
    m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (m) return this.resolve(res, m[1], m[2], m[3]);
    m = /^\/cdn\/([0-9a-f]{64})\/(.+)$/.exec(path);
    if (m) return this.cdn(req, res, m[1], m[2]);
    res.writeHead(404).end('not found');
  }

  private revisionInfo(res: ServerResponse, repo: string, rev: string): void {
    const commit = this.commitOf(repo, rev);
    const files = commit === undefined ? undefined : this.resolveRevision(repo, commit);
    if (!files || commit === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: this.repos.has(repo) ? 'Invalid rev id' : 'Repository not found' }));
      return;
    }
    const siblings = [...files].map(([name, f]) => {
      const size = this.advertisedSizes.get(name) ?? f.content.length;
      return f.lfs
        ? { rfilename: name, size, blobId: f.gitOid, lfs: { sha256: f.sha256, size, pointerSize: 134 } }
        : { rfilename: name, size, blobId: f.gitOid };
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: repo, sha: commit, siblings }));
  }

  private resolve(res: ServerResponse, repo: string, rev: string, name: string): void {
    const commit = this.commitOf(repo, rev);
    const f = commit === undefined ? undefined : this.resolveRevision(repo, commit)?.get(name);
    if (!f || commit === undefined) {
      res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('Entry not found');
      return;
    }
    if (f.lfs) {
      res.writeHead(302, {
        location: `${this.crossOriginCdn ? this.url.replace('127.0.0.1', 'localhost') : ''}/cdn/${f.sha256}/${encodeURIComponent(name)}`,
        'x-repo-commit': commit,
        'x-linked-etag': `"${f.sha256}"`, 'x-linked-size': String(f.content.length), etag: `"${f.gitOid}"`,
      }).end();
      return;
    }
    this.send(res, name, f, undefined, { etag: `"${f.gitOid}"`, 'x-repo-commit': commit });
  }

  private cdn(req: IncomingMessage, res: ServerResponse, sha256: string, name: string): void {
    for (const r of this.repos.values()) {
      for (const files of r.commits.values()) {
        const f = files.get(name);
        if (f && f.sha256 === sha256) return this.send(res, name, f, req.headers.range, { etag: `"${sha256}"` });
      }
    }
    res.writeHead(404).end();
  }

  private send(res: ServerResponse, name: string, f: StoredFile, range: string | undefined, headers: Record<string, string>): void {
    const body = this.substitutes.get(name) ?? f.content;
    let start = 0;
    let end = body.length - 1;
    let status = 200;
    const extra: Record<string, string> = { 'accept-ranges': 'bytes', ...headers };
    const m = range && !this.ignoreRange ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
    if (m) {
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      status = 206;
      extra['content-range'] = `bytes ${start}-${end}/${body.length}`;
    }
    const slice = body.subarray(start, end + 1);
    res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': String(slice.length), ...extra });
    const kill = this.kills.get(name);
    if (kill !== undefined && kill < slice.length) {
      this.kills.delete(name);
      // Send part of the body, then drop the connection as a failing network would. The pause
      // lets the client consume what it received: a fetch body stream that errors discards
      // chunks it has queued but not yet delivered.
      res.write(slice.subarray(0, kill), () => setTimeout(() => res.socket?.destroy(), 250));
      return;
    }
    res.end(slice);
  }
}
