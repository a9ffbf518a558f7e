/**
 * A noisy line between the app and the virtual board: every byte in both directions is flipped
 * or dropped with probability 1e-3 (seeded). Every profile must either return data identical to
 * the goldens or fail with a clear ProtocolError; nothing may hang.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src-main/core/protocol/errors.ts';
import { BoardLink } from '../../src-main/services/board/board-link.ts';
import { BoardSession } from '../../src-main/services/board/session.ts';
import { openSerialTransport, type ByteTransport } from '../../src-main/services/board/transport.ts';
import { VirtualBoard } from '../../src-main/services/board/virtual-board.ts';
import { expectMatchesGolden, goldenCase } from './golden-check.ts';

function noisy(inner: ByteTransport, rate: number, seed: number): ByteTransport & { damaged: () => number } {
  let x = seed;
  let damaged = 0;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const mangle = (b: Uint8Array): Uint8Array => {
    const out: number[] = [];
    for (const v of b) {
      if (rnd() >= rate) out.push(v);
      else if ((damaged++, rnd() < 0.5)) out.push(v ^ (1 << Math.floor(rnd() * 8)));
      // else: dropped
    }
    return Uint8Array.from(out);
  };
  return {
    description: `${inner.description} (noisy)`,
    write: (data) => inner.write(mangle(Buffer.concat(data instanceof Uint8Array ? [data] : [...data]))),
    onData: (cb) => inner.onData((b) => cb(mangle(b))),
    onClose: (cb) => inner.onClose(cb),
    close: () => inner.close(),
    damaged: () => damaged,
  };
}

describe('profiling over a line that corrupts and drops bytes (rate 1e-3)', () => {
  let vb: VirtualBoard;
  beforeAll(async () => {
    vb = await VirtualBoard.start();
  });
  afterAll(async () => {
    await vb?.stop();
  });

  it('micro_speech_quantized over 3 seeds: golden-exact data or a clear error, mostly data', async () => {
    const c = goldenCase('micro_speech_quantized');
    let ok = 0;
    for (const seed of [1, 2, 3]) {
      const line = noisy(await openSerialTransport(vb.portPath), 1e-3, seed * 7919);
      let link: BoardLink | undefined;
      try {
        link = await BoardLink.open(line, { timeoutMs: 300, retries: 8 });
        const s = new BoardSession(link);
        await s.reset(); // start from an empty board each time
        const r = await s.profile(c.model, c.inputs, { maxRefetch: 8 });
        expectMatchesGolden(r, 'micro_speech_quantized'); // never wrong data
        ok++;
      } catch (e) {
        console.log('noisy line seed', seed, 'failed:', (e as Error).message);
        // allowed outcome, but only as a typed, explained error
        expect(e).toBeInstanceOf(ProtocolError);
        expect((e as Error).message.length).toBeGreaterThan(10);
      } finally {
        await (link ? link.close() : line.close());
      }
      expect(line.damaged()).toBeGreaterThan(0);
    }
    // retries, shrinking chunks and per-op re-runs get through a 1e-3 line almost always
    expect(ok).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('at 1e-2 (1 byte in 100) person_detect and micro_speech complete golden-exact or fail with a clear message within 60 s', async () => {
    // Too noisy to move 300 KB in time: the handshake still gets through (damaged HELLO replies
    // are asked again at once), then the upload must stop with a message that says why — not hang
    // in timeouts, not accept anything wrong. micro_speech (19 KB) may complete: exact or explained.
    for (const [name, seed] of [
      ['person_detect', 5],
      ['micro_speech_quantized', 6],
    ] as const) {
      const c = goldenCase(name);
      const line = noisy(await openSerialTransport(vb.portPath), 1e-2, seed * 7919);
      const t0 = Date.now();
      let link: BoardLink | undefined;
      try {
        link = await BoardLink.open(line);
        const s = new BoardSession(link);
        await s.reset();
        // a 20 s noisy-line budget instead of the default 45 s keeps this test short; the bench
        // (npm run bench:link) measures the default at 1e-2
        expectMatchesGolden(
          await s.profile(c.model, c.inputs, { maxRefetch: 8, noisyLimitMs: 20_000 }),
          name,
        );
      } catch (e) {
        console.log(`1e-2 line, ${name}:`, (e as Error).message);
        expect(e).toBeInstanceOf(ProtocolError);
        expect((e as Error).message).toMatch(/noisy|damaged|could not|did not answer/);
        expect(Date.now() - t0).toBeLessThan(20_000 + 10_000); // the budget, plus the request under way
      } finally {
        await (link ? link.close() : line.close());
      }
      expect(Date.now() - t0).toBeLessThan(60_000);
    }
  }, 130_000);
});
