/** A worker of the fuzz campaign (scripts/fuzz.ts): makes mutant `index` of the campaign's corpus
 * and judges it (judge.ts), one message in, one out, so the parent can time each mutant and end a
 * worker that hangs. */
import { parentPort, workerData } from 'node:worker_threads';
import { MutantSource } from './generate.ts';
import { judgeMutant } from './judge.ts';
import { loadSeeds } from './seeds.ts';

const { fixtures, seed, maxSeedBytes } = workerData as {
  fixtures: string;
  seed: number;
  maxSeedBytes: number;
};
const source = new MutantSource(loadSeeds(fixtures, maxSeedBytes), seed);
parentPort!.on('message', (index: number) => {
  parentPort!.postMessage({ index, judged: judgeMutant(source.mutant(index)) });
});
parentPort!.postMessage({ ready: true });
