/**
 * The fuzz campaign (`npm run fuzz`; CI runs a short one in test/core/simulate/mutants-app.test.ts):
 *   node --import tsx scripts/fuzz.ts [--count N] [--seed S] [--fixtures DIR] [--timeout MS] [--jobs J]
 * Every mutant of the corpus (scripts/mutants: byte flips, truncations, structural edits of the
 * fixture and field models) goes through what the app does with a model: the TypeScript reader +
 * summary (the model view), the interpreter core's verdict, and for a model the core accepts,
 * prepare + invoke on seeded inputs. Mutants run in worker threads, each with a time bound (default
 * 5 s): one over it is a hang, its worker is ended and a new one takes over. Prints the tally and
 * every problem; exits 1 on any crash, hang, or invalid-by-construction mutant (the generator tags
 * them) the core accepted or refused without naming an op or tensor.
 * `npm run fuzz:mutants` is the other campaign: the same corpus, verdicts compared across the core's
 * builds (WebAssembly, native, sanitizers, the virtual board).
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { namesRule, type Judged } from './mutants/judge.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    fixtures: { type: 'string', default: resolve(import.meta.dirname, '../../shared/fixtures') },
    timeout: { type: 'string', default: '5000' },
    jobs: { type: 'string', default: String(Math.max(1, Math.min(4, availableParallelism() - 1))) },
  },
});
const count = Number(values.count);
const timeout = Number(values.timeout);
const workerData = {
  fixtures: values.fixtures,
  seed: Number(values.seed),
  maxSeedBytes: 512 * 1024,
  entry: new URL('./mutants/judge-worker.ts', import.meta.url).href,
  // tsx's package exports map 'tsx/esm/api' per condition; the ESM build, resolved explicitly
  tsxApi: new URL('./esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx'))).href,
};
/** A worker cannot start from a .ts entry: register tsx in it, then import the entry (as
 * src-main/services/jobs/job-runner.ts does). */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((m) => { m.register(); return import(workerData.entry); });
`;

const tally = {
  ran: 0,
  runRefused: 0,
  runCrash: 0,
  readerOk: 0,
  readerRefused: 0,
  readerCrash: 0,
  readerOnly: 0,
  hangs: 0,
  invalid: 0,
  invalidAccepted: 0,
  invalidUnnamed: 0,
};
const statuses = new Map<string, number>();
/** Invalid-by-construction mutants, and those the core accepted, by the rule they break. */
const broken = new Map<string, number>();
const slipped = new Map<string, number>();
const problems: string[] = [];

function record(j: Judged): void {
  statuses.set(j.core.status, (statuses.get(j.core.status) ?? 0) + 1);
  if (j.reader === 'ok') tally.readerOk++;
  else if (j.reader === 'refused') tally.readerRefused++;
  else {
    tally.readerCrash++;
    problems.push(`reader CRASH ${j.file}\n  ${j.readerMessage}`);
  }
  if (j.core.status === 'OK' && j.reader !== 'ok') tally.readerOnly++;
  if (j.run === 'ran') tally.ran++;
  else if (j.run === 'refused') tally.runRefused++;
  else if (j.run === 'crash') {
    tally.runCrash++;
    problems.push(`prepare/invoke CRASH ${j.file}\n  ${j.runMessage}`);
  }
  if (j.breaks) {
    tally.invalid++;
    broken.set(j.breaks, (broken.get(j.breaks) ?? 0) + 1);
    if (j.core.status === 'OK') {
      tally.invalidAccepted++;
      slipped.set(j.breaks, (slipped.get(j.breaks) ?? 0) + 1);
      problems.push(`invalid (${j.breaks}) but accepted by the core: ${j.file} (run: ${j.run})`);
    } else if (!namesRule(j.core)) {
      tally.invalidUnnamed++;
      problems.push(
        `invalid (${j.breaks}) refused without naming op or tensor: ${j.file}: ${j.core.message}`,
      );
    }
  }
}

/** One worker thread working through the shared queue of indices; a mutant over the time bound ends
 * it (a hang) and a fresh worker carries on with the next index. */
async function lane(next: () => number | null): Promise<void> {
  let index = next();
  while (index !== null) {
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData });
    await new Promise<void>((ready, fail) => {
      const onReady = () => (worker.off('error', fail), ready());
      worker.once('message', onReady).once('error', (e) => (worker.off('message', onReady), fail(e)));
    });
    while (index !== null) {
      const at: number = index;
      const done = await new Promise<Judged | 'hang' | Error>((settle) => {
        const onMessage = (msg: { judged: Judged }) => end(msg.judged);
        const onError = (e: Error) => end(e);
        const timer = setTimeout(() => end('hang'), timeout);
        const end = (r: Judged | 'hang' | Error) => {
          clearTimeout(timer);
          worker.off('message', onMessage).off('error', onError);
          settle(r);
        };
        worker.on('message', onMessage).on('error', onError);
        worker.postMessage(at);
      });
      index = next();
      if (done === 'hang' || done instanceof Error) {
        if (done === 'hang') tally.hangs++;
        else tally.runCrash++;
        problems.push(
          done === 'hang'
            ? `HANG: mutant ${at} (seed ${workerData.seed}) took over ${timeout} ms`
            : `worker died on mutant ${at} (seed ${workerData.seed}): ${done.stack}`,
        );
        await worker.terminate();
        break;
      }
      record(done);
    }
    if (index === null) await worker.terminate();
  }
}

const started = performance.now();
let issued = 0;
const next = (): number | null => {
  if (issued % 500 === 0) process.stdout.write(`\r${issued} / ${count} mutants, ${problems.length} problems`);
  return issued < count ? issued++ : null;
};
await Promise.all(Array.from({ length: Number(values.jobs) }, () => lane(next)));

const seconds = ((performance.now() - started) / 1000).toFixed(0);
const split = [...statuses].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n}`);
const refused = count - (statuses.get('OK') ?? 0) - tally.hangs;
console.log(`\n
fuzz campaign: ${count} mutants (seed ${values.seed}) in ${seconds} s, ${values.jobs} workers, ${timeout} ms per mutant
  core verdict:        ${split.join(', ')}
  accepted, ran:       ${tally.ran} (prepare + invoke refused with a SimulateError: ${tally.runRefused}; reader refused: ${tally.readerOnly})
  refused by rule:     ${refused}
  reader + summary:    ok ${tally.readerOk}, refused ${tally.readerRefused}, CRASH ${tally.readerCrash}
  prepare + invoke:    CRASH ${tally.runCrash}
  hangs:               ${tally.hangs}
  invalid by construction: ${tally.invalid}, accepted ${tally.invalidAccepted}, refused without op/tensor ${tally.invalidUnnamed}`);
for (const [rule, n] of [...broken].sort((a, b) => b[1] - a[1]))
  console.log(`    ${rule}: ${n}, accepted ${slipped.get(rule) ?? 0}`);
for (const p of problems.slice(0, 50)) console.log(p);
if (problems.length > 50) console.log(`... and ${problems.length - 50} more`);
process.exit(problems.length ? 1 : 0);
