#!/usr/bin/env node
/**
 * Sets Electron's fuses for a production build on a PACKAGED Electron binary (the copy shipped
 * with the app, never node_modules/electron's dev binary, which stays unfused so `electron-vite
 * dev` and the Electron tests keep working). The project has no packager; whoever packages runs
 * this on the packaged executable as the last step before signing. See docs/security.md.
 *
 * Usage: node scripts/flip-fuses.mjs PATH_TO_PACKAGED_ELECTRON_EXECUTABLE [--asar]
 *   --asar  the app is packed into resources/app.asar with an integrity hash in Info.plist /
 *           the executable's resources: also require the asar and validate its integrity.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { FuseState, FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } from '@electron/fuses';

/** The fuses every production build gets, and why. */
export function productionFuses({ asar }) {
  return {
    version: FuseVersion.V1,
    // A shipped binary must not double as a Node.js interpreter (ELECTRON_RUN_AS_NODE).
    [FuseV1Options.RunAsNode]: false,
    // NODE_OPTIONS / NODE_EXTRA_CA_CERTS could inject code or certificates into the main process.
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    // --inspect and friends would open a debugger on the main process.
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    // Cookies and local storage encrypted at rest with an OS-protected key.
    [FuseV1Options.EnableCookieEncryption]: true,
    // Only when packaging makes an app.asar with its integrity hash; without one the app would not start.
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: asar,
    [FuseV1Options.OnlyLoadAppFromAsar]: asar,
    // GrantFileProtocolExtraPrivileges stays as Electron ships it: the window loads its built
    // files over file:// (loadFile) and its module scripts need them.
  };
}

async function main(argv) {
  const args = argv.filter((a) => !a.startsWith('--'));
  const asar = argv.includes('--asar');
  if (args.length !== 1 || argv.some((a) => a.startsWith('--') && a !== '--asar')) {
    console.error('usage: node scripts/flip-fuses.mjs PATH_TO_PACKAGED_ELECTRON_EXECUTABLE [--asar]');
    return 2;
  }
  const exe = resolve(args[0]);
  if (!existsSync(exe)) {
    console.error(`flip-fuses: no such file: ${exe}`);
    return 1;
  }
  if (exe.split(/[\\/]/).includes('node_modules')) {
    console.error(`flip-fuses: ${exe} is the development binary; fuse a packaged copy instead`);
    return 1;
  }
  await flipFuses(exe, {
    ...productionFuses({ asar }),
    resetAdHocDarwinSignature: process.platform === 'darwin',
  });
  const wire = await getCurrentFuseWire(exe);
  for (const [name, option] of Object.entries(FuseV1Options)) {
    if (typeof option !== 'number' || wire[option] === undefined) continue;
    console.log(`${name}: ${FuseState[wire[option]] ?? wire[option]}`);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
