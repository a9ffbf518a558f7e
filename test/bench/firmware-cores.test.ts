/**
 * The in-image core benchmark on the emulated cores other than the M3 (bench/firmware-cores.ts;
 * `npm run bench:boards` runs every core and both table models). In the normal run: the NUCLEO-F446RE
 * port on QEMU's netduinoplus2 runs person detection, every op output bit-exact with the golden.
 */
import { describe, expect, it } from 'vitest';
import { instrPerMac, parseCoreBench, runCoreBench } from '../../bench/firmware-m3.ts';
import { CORE_PEERS, TFLM_REFERENCE } from '../../bench/firmware-peers.ts';
import { gap, instructions } from '../../bench/firmware-cores.ts';

describe('core benchmark on the emulated cores', () => {
  // rule: the NUCLEO image's port (clocks, USART2, start-up, SysTick) runs person detection bit-exact
  // on netduinoplus2 — in-image, as its 300 KB model does not fit the board's 128 KiB of RAM
  it("NUCLEO-F446RE port on netduinoplus2: person_detect bit-exact, fewer instructions than TFLM reference on the M4; hello_world arena within TFLM's", async () => {
    const [person, hello, kws] = await runCoreBench('nucleo', [
      'NUCLEO_BENCH_MODELS=person_detect hello_world_int8 keyword_spotting_on_off',
    ]);
    expect(person.name).toBe('person_detect');
    expect(person.bitExact).toBe(true);
    expect(person.ops).toHaveLength(31);
    expect(person.insnPerTick).toBeCloseTo(1e9 / 168e6, 9); // SysTick on the 168 MHz SoC clock
    expect(person.ops.reduce((s, o) => s + o.ticks, 0)).toBe(person.totalTicks);
    const ref = CORE_PEERS.m4.reference.person_detect;
    expect(instructions(person)).toBeLessThan(ref.instructions!);
    expect(instrPerMac(person, 'CONV_2D')!).toBeLessThan(ref.conv!);
    expect(person.arena).toBeLessThan(ref.arena!);
    // rule: with the DSP kernels too, hello_world's arena is at or below TFLM's (ANCHORS.md: 676 B)
    expect(hello.name).toBe('hello_world_int8');
    expect(hello.bitExact).toBe(true);
    expect(hello.arena).toBeLessThanOrEqual(TFLM_REFERENCE.models.hello_world_int8.arena!);
    // rule: with the DSP kernels keyword_spotting's arena is at or below TFLM's reference (ANCHORS.md:
    // 6,516 B): CONV_2D #1 at the activation peak runs the lean DSP variant (one pixel's patch, 144 B,
    // instead of 416 B of two-pixel patch and requantization constants; docs/benchmarks.md)
    expect(kws.name).toBe('keyword_spotting_on_off');
    expect(kws.bitExact).toBe(true);
    expect(kws.arena).toBeLessThanOrEqual(CORE_PEERS.m4.reference.keyword_spotting_on_off.arena!);
    // rule: and that lean conv keeps keyword_spotting at or below TFLM + CMSIS-NN's instructions on the M4
    expect(instructions(kws)).toBeLessThanOrEqual(
      CORE_PEERS.m4.cmsisNn.keyword_spotting_on_off.instructions!,
    );
  }, 600_000);

  // rule: on the Cortex-M55 (Helium kernels) keyword_spotting's arena is at or below TFLM's
  // reference (ANCHORS.md: 6,516 B), every op bit-exact; hello_world's too (676 B)
  it("Cortex-M55: keyword_spotting and hello_world bit-exact, arenas within TFLM's", async () => {
    const [kws, hello] = await runCoreBench('m55', ['BENCH_MODELS=keyword_spotting_on_off hello_world_int8']);
    expect(kws.name).toBe('keyword_spotting_on_off');
    expect(kws.bitExact).toBe(true);
    // (TFLM's reference arena is the same on every core; ANCHORS.md lists it with the M4)
    expect(kws.arena).toBeLessThanOrEqual(CORE_PEERS.m4.reference.keyword_spotting_on_off.arena!);
    expect(hello.bitExact).toBe(true);
    expect(hello.arena).toBeLessThanOrEqual(TFLM_REFERENCE.models.hello_world_int8.arena!);
  }, 600_000);

  // rule: ticks convert to instructions with the core's own rate, read from the report's header
  it('reads each core instruction rate from the report', () => {
    const text = [
      'bench on cortex-m55: cpu_hz 1000000000 tick_hz 32000000',
      'hello_world_int8: arena 870',
      '  op 0 FULLY_CONNECTED ticks 32 macs 16',
      '  total ticks 32  bit-exact',
    ].join('\n');
    const [m] = parseCoreBench(text);
    expect(m.insnPerTick).toBe(31.25);
    expect(instructions(m)).toBe(1000);
    expect(instrPerMac(m, 'FULLY_CONNECTED')).toBe(62.5);
  });

  // rule: the table says how far we are from a peer, in both directions
  it('states the gap to a peer figure', () => {
    const mi = (n: number) => `${(n / 1e6).toFixed(2)} M`;
    expect(gap(38.39e6, 22.93e6, mi)).toBe('22.93 M (1.67x, +15.46 M)');
    expect(gap(20e6, 22.93e6, mi)).toBe('22.93 M (0.87x, −2.93 M)');
    expect(gap(1, undefined, mi)).toBe('–');
  });
});
