// `npm run app`: install the dependencies, then start QuantScope on the bundled example.
// The Electron binary is downloaded by electron's install step; where that cannot be done (no access
// to its download host) the install is retried without it, and `npm start` then serves the same UI
// on 127.0.0.1 for a browser. Uses only Node built-ins: it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (args, env = {}, stderr = 'inherit') =>
  spawnSync(npm, args, {
    cwd: root,
    stdio: ['inherit', 'inherit', stderr],
    env: { ...process.env, ...env },
    shell: false,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });

/** "getaddrinfo ENOTFOUND github.com" from npm's error output, or a short generic reason. */
function reasonOf(stderr) {
  const m = /getaddrinfo \w+ [\w.-]+|\b(ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN)\b[^\n]*/.exec(
    stderr ?? '',
  );
  return m ? m[0].trim() : 'its download failed';
}

// The first attempt's errors are kept, not shown: when only the Electron download fails (no access
// to its download host) one line says so and the retry without it goes on quietly.
const first = run(['install', '--no-audit', '--no-fund'], {}, 'pipe');
let code = first.status ?? 1;
if (code !== 0) {
  console.log(
    `QuantScope: the Electron binary could not be downloaded (${reasonOf(first.stderr)}); ` +
      'installing without it — the UI is served in your browser instead.',
  );
  const retry = run(['install', '--no-audit', '--no-fund'], { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, 'pipe');
  code = retry.status ?? 1;
  if (code !== 0) {
    // Not (only) Electron: show npm's own messages, they name the real problem.
    process.stderr.write(retry.stderr ?? '');
    console.error('QuantScope: npm install failed (see above).');
    process.exit(code);
  }
}
process.exit(run(['start', '--', ...process.argv.slice(2)]).status ?? 1);
