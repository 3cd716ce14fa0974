// Builds what production runs, into dist/:
//   the server  tsc -p tsconfig.build.json   src/**/*.ts → dist/**/*.js (src/web excluded)
//   the desk    vite build                  src/web     → dist/web/
// `node scripts/build.mjs --if-stale` (npm's prestart) builds only when something it reads
// changed since the last build, so a fresh clone's first `npm start` builds once and later
// starts run at once. Plain JavaScript on purpose: it runs before anything is compiled.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
/** Touched when a build succeeds, with the time the build started (edits made during it stay "newer"). */
const STAMP = join(DIST, '.build-stamp');
const LOCK = join(ROOT, '.build.lock');
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'vite.config.ts', 'package-lock.json', 'scripts/build.mjs'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const isFresh = () =>
  existsSync(STAMP) &&
  existsSync(join(DIST, 'main.js')) &&
  existsSync(join(DIST, 'web/index.html')) &&
  statSync(STAMP).mtimeMs >= Math.max(...INPUTS.map((p) => newestMtime(join(ROOT, p))));

function run(bin, args) {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', bin), ...args], { cwd: ROOT, stdio: 'inherit' });
}

function build() {
  const startedAt = new Date();
  // A clean dist/: files of deleted sources must not linger in what production runs.
  rmSync(DIST, { recursive: true, force: true });
  run('typescript/bin/tsc', ['-p', 'tsconfig.build.json']);
  run('vite/bin/vite.js', ['build', '--logLevel', 'warn']);
  writeFileSync(STAMP, '');
  utimesSync(STAMP, startedAt, startedAt);
}

/** One build at a time (several `npm start`s, or tests, may ask together); the others wait and reuse it. */
function withLock(fn) {
  const waitUntil = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than five minutes is from a killed build.
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 300_000) rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > waitUntil) throw new Error(`timed out waiting for another build (${LOCK})`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

const ifStale = process.argv.includes('--if-stale');
if (ifStale && isFresh()) process.exit(0);
withLock(() => {
  if (ifStale && isFresh()) return;
  if (ifStale) process.stdout.write('dist/ is missing or older than the sources: building it once (npm run build)\n');
  build();
});
