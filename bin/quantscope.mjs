#!/usr/bin/env node
// The `quantscope` command: runs the TypeScript CLI through tsx (no build step needed).
import { register } from 'tsx/esm/api';

register();
const { EXIT, guardedRun, quietOnClosedPipe } = await import('../src-main/cli/exit.ts');
quietOnClosedPipe();
const { main } = await import('../src-main/cli/index.ts');
const code = await guardedRun(() => main(process.argv.slice(2)));
// `serve` keeps running (its server holds the event loop); everything else ends here.
if (code !== EXIT.OK) process.exit(code);
