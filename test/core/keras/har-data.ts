/**
 * Inputs for har_lstm.keras ([128 steps, 9 channels]: body acc xyz, gyro xyz, total acc xyz, as in
 * UCI HAR). The fixture's X_test.npy was not available (SOURCES.md), so these are synthetic
 * windows: per "activity" a gait frequency and amplitude, gravity on one total-acc axis, seeded
 * noise. They exercise the LSTMs over realistic ranges; they are not labelled data.
 */
export function harWindows(count: number, seed: number): Float32Array[][] {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const out: Float32Array[][] = [];
  for (let n = 0; n < count; n++) {
    const activity = n % 6;
    const freq = [0.9, 1.1, 0.8, 0, 0, 0][activity] * (1 + 0.1 * rand()); // walking-like vs static
    const amp = [0.3, 0.4, 0.5, 0.02, 0.02, 0.01][activity];
    const gravityAxis = activity === 5 ? 2 : 0; // lying: gravity on z
    const x = new Float32Array(128 * 9);
    for (let t = 0; t < 128; t++) {
      const phase = (2 * Math.PI * freq * t) / 50 + n;
      for (let c = 0; c < 9; c++) {
        const wave = amp * Math.sin(phase + c) * (c >= 3 && c < 6 ? 2 : 1);
        const gravity = c === 6 + gravityAxis ? 1 : 0;
        x[t * 9 + c] = wave + gravity + (c >= 6 ? wave : 0) + 0.02 * rand();
      }
    }
    out.push([x]);
  }
  return out;
}

/** Keras' LSTM in float64 from its own weights (gates i, f, c, o as column blocks), the last h. */
export function kerasLstm(
  x: Float64Array | Float32Array,
  steps: number,
  features: number,
  kernel: Float32Array,
  recurrent: Float32Array,
  bias: Float32Array,
  units: number,
): Float64Array {
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  const h = new Float64Array(units);
  const c = new Float64Array(units);
  const seq = new Float64Array(steps * units);
  const z = new Float64Array(4 * units);
  for (let t = 0; t < steps; t++) {
    for (let j = 0; j < 4 * units; j++) {
      let a = bias[j];
      for (let d = 0; d < features; d++) a += x[t * features + d] * kernel[d * 4 * units + j];
      for (let d = 0; d < units; d++) a += h[d] * recurrent[d * 4 * units + j];
      z[j] = a;
    }
    for (let u = 0; u < units; u++) {
      const i = sig(z[u]);
      const f = sig(z[units + u]);
      const g = Math.tanh(z[2 * units + u]);
      const o = sig(z[3 * units + u]);
      c[u] = f * c[u] + i * g;
      h[u] = o * Math.tanh(c[u]);
      seq[t * units + u] = h[u];
    }
  }
  return seq;
}
