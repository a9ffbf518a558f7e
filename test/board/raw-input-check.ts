/**
 * Shared by the raw-input board tests: the two models (rock_paper_scissors with mean/std and a
 * float32 input; image_example1 rewritten with samplewise_norm.rescale = 1/255 and an int8 input),
 * raw samples, and the host's expected input tensor (src-main/core/normalize/).
 */
import { expect } from 'vitest';
import { readTflite, withParameters, writeTflite } from '../../src-main/core/model/index.ts';
import type { Model } from '../../src-main/core/model/ir.ts';
import {
  normalizationOf,
  normalizeRaw,
  quantizeInt8,
  rawSamples,
  type RawDtype,
} from '../../src-main/core/normalize/normalize.ts';
import type { BoardSession, RawInput } from '../../src-main/services/board/session.ts';
import { RPS_QUANT, sampleData } from '../../firmware/tests/params_cases.ts';
import { readFixture } from '../helpers/fixtures.ts';

export interface RawModel {
  name: string;
  bytes: Uint8Array;
  model: Model;
}

export function rpsModel(): RawModel {
  const bytes = readFixture('models', 'rock_paper_scissors.tflite');
  return { name: 'rock_paper_scissors (mean_and_std, float32 input)', bytes, model: readTflite(bytes) };
}

/** image_example1 with its legacy keys replaced by samplewise_norm.rescale = 1/255 (float). */
export function rescaleModel(): RawModel {
  const base = readTflite(readFixture('models', 'image_example1.tflite'));
  const { ['samplewise_norm.mean']: _m, ['samplewise_norm.std']: _s, ...kept } = base.parameters;
  const model = withParameters(base, {
    ...kept,
    'samplewise_norm.rescale': { type: 'float', value: 1 / 255 },
  });
  const bytes = writeTflite(model);
  return { name: 'image_example1 + rescale 1/255 (int8 input)', bytes, model: readTflite(bytes) };
}

function inputTensor(m: Model) {
  const g = m.subgraphs[0];
  return g.tensors[g.inputs[0]];
}

export function elements(m: Model): number {
  return inputTensor(m).shape.reduce((a, b) => a * b, 1);
}

export function rawInput(m: Model, dtype: RawDtype, kind: string, seed = 1): RawInput {
  const a = sampleData(dtype, kind, elements(m), seed);
  return { dtype, data: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) };
}

/** The host's input tensor bytes for a raw input (what the board must hold after SET_INPUT_RAW). */
export function hostInputTensor(m: Model, raw: RawInput): Uint8Array {
  const t = inputTensor(m);
  const norm = normalizationOf(m.parameters);
  if (!norm) throw new Error('model has no normalization');
  const target =
    t.dtype === 'float32'
      ? { dtype: 'float32' as const }
      : { dtype: 'int8' as const, scale: t.quantization!.scale[0], zeroPoint: t.quantization!.zeroPoint[0] };
  const out = normalizeRaw(rawSamples(raw.data, raw.dtype), norm, target);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** rps: the QUANTIZE op's int8 output = the host's float32 input quantized the same way. */
export function hostQuantizedRps(m: Model, raw: RawInput): Uint8Array {
  const f = new Float32Array(hostInputTensor(m, raw).slice().buffer);
  const q = quantizeInt8(f, RPS_QUANT.scale!, RPS_QUANT.zeroPoint!);
  return new Uint8Array(q.buffer);
}

/** Sends the raw input, reads the board's input tensor back and compares it byte for byte. */
export async function expectBoardInput(board: BoardSession, m: RawModel, raw: RawInput): Promise<void> {
  await board.setRawInput(0, raw);
  const want = hostInputTensor(m.model, raw);
  const got = await board.readInput(0, want.length);
  const diff = got.findIndex((b, i) => b !== want[i]);
  expect(diff, `${m.name}, raw ${raw.dtype}: first differing byte`).toBe(-1);
}
