/**
 * The process entry of the `quantscope` command: the guards of exit.ts around main(). Built into
 * out/cli/quantscope.mjs by scripts/build-cli.mjs (bin/quantscope.mjs runs that build, or these
 * sources through tsx when it cannot be built).
 */
import { EXIT, guardedRun, quietOnClosedPipe } from './exit.ts';
import { main } from './index.ts';

quietOnClosedPipe();
const code = await guardedRun(() => main(process.argv.slice(2)));
// `serve` keeps running (its server holds the event loop); everything else ends here.
if (code !== EXIT.OK) process.exit(code);
