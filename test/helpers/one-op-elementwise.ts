/**
 * One-op element-wise test models (see one-op-models.ts): QUANTIZE float32 -> int8, int8
 * ADD / SUB / MUL, int8 LOGISTIC / TANH.
 */
import {
  ACTS,
  type OneOpCase,
  Rng,
  addTensor,
  type Draft,
  int8Data,
  oneOpModel,
  q,
} from './one-op-models.ts';

/**
 * QUANTIZE float32 -> int8 with inputs that hit every branch of the rounding: exact ties
 * (k/2 times the scale), values past the int8 range and past 2^23 / 1e6, infinities, NaN, -0.
 */
export function randomQuantize(r: Rng): { c: OneOpCase; input: Uint8Array } {
  const d: Draft = { tensors: [], buffers: [new Uint8Array(0)] };
  const n = r.int(1, 70);
  const scale = r.chance(0.5) ? 2 ** -r.int(0, 10) : r.logUniform(1e-4, 10);
  const zp = r.pick([-128, 127, 0, r.int(-128, 127)]);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = r.pick([
      (r.int(-600, 600) / 2) * scale,
      (r.int(-2_000_000, 2_000_000) / 1000) * scale,
      r.pick([NaN, Infinity, -Infinity, -0, 2 ** 24 * scale, -(2 ** 30) * scale, 1e6 * scale]),
    ]);
  }
  const inputs = [addTensor(d, 'float32', [1, n], null)];
  const out = addTensor(d, 'int8', [1, n], q([scale], [zp]));
  const c = {
    name: `QUANTIZE n${n} scale ${scale} zp ${zp}`,
    model: oneOpModel('QUANTIZE', d, inputs, out, {}),
    inputBytes: 4 * n,
  };
  return { c, input: new Uint8Array(x.buffer) };
}

/**
 * int8 ADD / SUB / MUL: both inputs of the output's shape (sometimes one broadcast along the
 * last axis), random scales and zero points; the second input is a constant now and then.
 * Returns the case and its first input (the second is drawn here too when it is an input).
 */
export function randomElementwise(
  r: Rng,
  kind: 'ADD' | 'SUB' | 'MUL',
): { c: OneOpCase; inputs: Uint8Array[] } {
  const d: Draft = { tensors: [], buffers: [new Uint8Array(0)] };
  const n = r.chance(0.2) ? r.int(4000, 5000) : r.int(1, 70);
  const shape = r.chance(0.5) ? [1, n] : [1, 1, n];
  const broadcast = r.chance(0.15);
  // powers of two now and then: exact multipliers, so rounding ties are common
  const pow2 = r.chance(0.3);
  const scale = (lo: number, hi: number) =>
    pow2 ? 2 ** Math.round(Math.log2(r.logUniform(lo, hi))) : r.logUniform(lo, hi);
  const s1 = scale(1e-3, 1);
  const s2 = scale(1e-3, 1);
  const so = kind === 'MUL' ? (s1 * s2) / scale(2 ** -15, 2 ** 8) : Math.max(s1, s2) * scale(0.25, 8);
  const bytes = (len: number) => int8Data(r, len, r.chance(0.2));
  const constant = r.chance(0.2);
  const shape2 = broadcast ? [n] : shape;
  const i1 = addTensor(
    d,
    'int8',
    broadcast ? [2, n] : shape,
    q([s1], [r.pick([-128, 127, 0, r.int(-128, 127)])]),
  );
  const data2 = bytes(n);
  const i2 = addTensor(
    d,
    'int8',
    shape2,
    q([s2], [r.pick([-128, 127, 0, r.int(-128, 127)])]),
    constant ? data2 : null,
  );
  const out = addTensor(
    d,
    'int8',
    broadcast ? [2, n] : shape,
    q([so], [r.pick([-128, 127, 0, r.int(-128, 127)])]),
  );
  const act = r.pick(ACTS);
  const n1 = (broadcast ? 2 : 1) * n;
  const c = {
    name: `${kind} n${n}${broadcast ? ' broadcast' : ''}${constant ? ' const' : ''} ${act}`,
    model: oneOpModel(kind, d, [i1, i2], out, { fused_activation_function: act }, constant ? [i1] : [i1, i2]),
    inputBytes: n1,
  };
  return { c, inputs: constant ? [bytes(n1)] : [bytes(n1), data2] };
}

/** int8 LOGISTIC or TANH over all 256 input values, with a random input scale and zero point. */
export function randomSigmoid(r: Rng, kind: 'LOGISTIC' | 'TANH'): { c: OneOpCase; input: Uint8Array } {
  const d: Draft = { tensors: [], buffers: [new Uint8Array(0)] };
  const inputs = [addTensor(d, 'int8', [1, 256], q([r.logUniform(1e-3, 2)], [r.int(-128, 127)]))];
  const out = addTensor(d, 'int8', [1, 256], kind === 'LOGISTIC' ? q([1 / 256], [-128]) : q([1 / 128], [0]));
  const c = { name: `${kind} all inputs`, model: oneOpModel(kind, d, inputs, out, {}), inputBytes: 256 };
  return { c, input: Uint8Array.from({ length: 256 }, (_, i) => i) };
}
