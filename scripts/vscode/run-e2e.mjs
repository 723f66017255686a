// `npm run test:e2e`: sets up code-server (cached) and the VSIX, then runs test/e2e with node's
// test runner. Outside CI a machine that cannot host code-server skips with a reason; under
// CI=true it fails.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, codeServerOrExit, packageExtension } from './code-server.mjs';

const t0 = Date.now();
const codeServerDir = codeServerOrExit('test:e2e');
const vsix = packageExtension();
const files = readdirSync(join(ROOT, 'test/e2e')).filter((f) => f.endsWith('.e2e.ts')).map((f) => join('test/e2e', f));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, KNOBE_E2E_CODE_SERVER: codeServerDir, KNOBE_E2E_VSIX: vsix },
});
console.log(`# e2e total ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in test-results/e2e/`);
process.exit(r.status ?? 1);
