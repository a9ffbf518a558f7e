/**
 * Representative data for the quantize benchmarks, deterministic per seed (raw, before the
 * models' own normalization; the workflow applies it):
 * - image models: the two grey 96×96 photos in fixtures/data, resized to the input, with random
 *   crops (64–96 px, scaled back up), horizontal/vertical flips, contrast ×0.7–1.3, brightness
 *   ±30 and Gaussian-like noise (test/core/quantize/calibration-data.ts);
 * - hello_world: x uniform over [0, 2π];
 * - autoencoder (ECG5000-style heartbeats of 140 samples): synthetic beats — P, QRS and T waves as
 *   Gaussian bumps with jittered position, width and height, baseline wander and noise, min–max
 *   scaled to [0, 1] per beat (the model ends in a sigmoid).
 */
import { augmentedPhotos } from '../test/core/quantize/calibration-data.ts';

export interface BenchModel {
  name: string;
  /** Float models in fixtures/float (.tflite and, when present, .h5). */
  floats: string[];
  /** The official converter's int8 model (fixtures path relative to fixtures/). */
  official: string;
  /** Outputs are class scores (top-1 agreement is meaningful). */
  classifier: boolean;
  samples(count: number, seed: number): Float32Array[];
}

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function heartbeats(count: number, seed: number): Float32Array[] {
  const rand = xorshift(seed * 7919 + 13);
  const bump = (t: number, c: number, w: number) => Math.exp(-((t - c) ** 2) / (2 * w * w));
  return Array.from({ length: count }, () => {
    const shift = (rand() - 0.5) * 8;
    const p = 0.1 + rand() * 0.1;
    const r = 0.8 + rand() * 0.4;
    const s = 0.2 + rand() * 0.2;
    const t = 0.2 + rand() * 0.2;
    const wander = rand() * 0.1;
    const phase = rand() * 6.28;
    const x = Float32Array.from({ length: 140 }, (_, i) => {
      const n = (rand() + rand() + rand() - 1.5) * 0.04;
      return (
        p * bump(i, 30 + shift, 5) -
        0.1 * bump(i, 44 + shift, 2) +
        r * bump(i, 50 + shift, 2.5) -
        s * bump(i, 56 + shift, 2.5) +
        t * bump(i, 90 + shift, 9) +
        wander * Math.sin(i / 30 + phase) +
        n
      );
    });
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of x) ((lo = Math.min(lo, v)), (hi = Math.max(hi, v)));
    return x.map((v) => (v - lo) / (hi - lo));
  });
}

export const BENCH_MODELS: BenchModel[] = [
  {
    name: 'hello_world',
    classifier: false,
    floats: ['hello_world_float.tflite'],
    official: 'models/hello_world_int8.tflite',
    samples: (n, seed) => {
      const rand = xorshift(seed);
      return Array.from({ length: n }, () => Float32Array.of(rand() * 2 * Math.PI));
    },
  },
  {
    name: 'image_example1',
    classifier: true,
    floats: ['image_example1.float32.tflite', 'image_example1.h5'],
    official: 'float/image_example1.int8.tflite',
    samples: (n, seed) => augmentedPhotos(96, n, seed),
  },
  {
    name: 'rock_paper_scissors',
    classifier: true,
    floats: ['rock_paper_scissors.float32.tflite', 'rock_paper_scissors.h5'],
    official: 'models/rock_paper_scissors.tflite',
    samples: (n, seed) => augmentedPhotos(84, n, seed),
  },
  {
    name: 'autoencoder',
    classifier: false,
    floats: ['autoencoder_example.float32.tflite', 'autoencoder_example.h5'],
    official: 'models/autoencoder_example.tflite',
    samples: heartbeats,
  },
];
