// `npm run app`: install the dependencies, then start QuantScope on the bundled example.
// The Electron binary is downloaded by electron's install step; where that cannot be done (no access
// to its download host) the install is retried without it, and `npm start` then serves the same UI
// on 127.0.0.1 for a browser. Uses only Node built-ins: it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (args, env = {}) =>
  spawnSync(npm, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, shell: false })
    .status ?? 1;

let code = run(['install', '--no-audit', '--no-fund']);
if (code !== 0) {
  console.log(
    '\nQuantScope: the Electron binary could not be downloaded; installing without it ' +
      '(the app will open in your browser instead).\n',
  );
  code = run(['install', '--no-audit', '--no-fund'], { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
}
if (code !== 0) {
  console.error('QuantScope: npm install failed (see above).');
  process.exit(code);
}
process.exit(run(['start', '--', ...process.argv.slice(2)]));
