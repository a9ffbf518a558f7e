/**
 * Quantization advice, each item linked to a layer (MLTK "Model Quantization Tips" made checks):
 * - per layer: rmse/scale above a threshold (default 0.7; ≈ 0.289 is healthy) or range = 255·scale
 *   above a threshold (default 255);
 * - inputs: not centred in about [-1, 1], with the normalization to set;
 * - float (Keras) structure: an activation before BatchNorm (blocks folding), Conv/Dense without a
 *   following normalization, LayerNormalization after an activation.
 */
import type { KerasNode } from '../model/keras/graph.ts';
import type { LayerErrorRow } from './layer-error.ts';
import { INT16_OP_VERSIONS } from './quantize-model.ts';

/**
 * A change that follows the advice, applied by re-quantizing (the GUI shows it as a button; the CLI
 * names the flag in the message): another input normalization (`--norm`), or layers kept in int16x8
 * (when the op has an int16 kernel) or float (`--int16`, `--keep-float`; names as the report's tensor_name).
 */
export type AdviceAction =
  | { kind: 'norm'; norm: string; label: string }
  | { kind: 'layers'; int16?: string[]; keepFloat?: string[]; label: string };

export interface Advice {
  kind:
    | 'rmse_over_scale'
    | 'range'
    | 'input_range'
    | 'activation_before_bn'
    | 'no_normalization'
    | 'layernorm_after_activation';
  /** int8 op index (layer rows) or Keras layer path (structure advice); null for inputs. */
  layer: number | string | null;
  message: string;
  /** What applies the advice, best first (absent: a change to the float model itself). */
  actions?: AdviceAction[];
}

export interface AdviceThresholds {
  rmseOverScale?: number;
  range?: number;
}

export function layerAdvice(rows: LayerErrorRow[], t: AdviceThresholds = {}): Advice[] {
  const maxRatio = t.rmseOverScale ?? 0.7;
  const maxRange = t.range ?? 255;
  const out: Advice[] = [];
  for (const r of rows) {
    if (r.dtype !== undefined && r.dtype !== 'int8') continue; // MLTK's thresholds are int8 rules
    if (r.rmse_over_scale > maxRatio) {
      const int16 = r.op_name in INT16_OP_VERSIONS;
      out.push({
        kind: 'rmse_over_scale',
        layer: r.op_index,
        message: `${r.op_name} '${r.tensor_name}': rmse/scale = ${r.rmse_over_scale.toFixed(3)} > ${maxRatio} (healthy ≈ 0.289): this layer quantizes badly`,
        actions: [
          ...(int16
            ? [
                {
                  kind: 'layers' as const,
                  int16: [r.tensor_name],
                  label: 'Re-quantize with this layer in int16',
                },
              ]
            : []),
          { kind: 'layers', keepFloat: [r.tensor_name], label: 'Re-quantize with this layer kept in float' },
        ],
      });
    }
    if (r.range > maxRange) {
      out.push({
        kind: 'range',
        layer: r.op_index,
        message: `${r.op_name} '${r.tensor_name}': range = scale·255 = ${r.range.toFixed(1)} > ${maxRange}: values span too wide for 8 bits; add normalization before it`,
      });
    }
  }
  return out;
}

export interface InputStats {
  min: number;
  max: number;
  mean: number;
  std: number;
}

/** Advice when the model input is not roughly within [-1, 1], naming the `--norm` that fixes it. */
export function inputAdvice(name: string, s: InputStats): Advice[] {
  const span = Math.max(Math.abs(s.min), Math.abs(s.max));
  // Centred with about unit spread (a [-1, 1] rescale or per-sample mean/std z-scores) is fine.
  if (Math.abs(s.mean) <= 0.5 && s.std <= 1.5 && span <= 10) return [];
  let fix: string;
  const meanstd: AdviceAction = {
    kind: 'norm',
    norm: 'meanstd',
    label: 'Re-quantize with mean/std normalization',
  };
  let actions: AdviceAction[];
  if (s.min >= 0 && s.max > 1.5) {
    // Non-negative data (pixels, magnitudes): centring by mean/std uses the whole int8 range.
    const c = s.max <= 255 && s.max > 127 ? 255 : Math.ceil(s.max);
    fix = `--norm meanstd (samplewise_norm.mean_and_std = true), or --norm rescale:${c} for [0, 1]`;
    actions = [meanstd, { kind: 'norm', norm: `rescale:${c}`, label: `Re-quantize with input ÷ ${c}` }];
  } else if (Math.abs(s.mean) > 0.5 * Math.max(s.std, 1e-9)) {
    fix = '--norm meanstd (samplewise_norm.mean_and_std = true)';
    actions = [meanstd];
  } else {
    const c = Number(span.toPrecision(3));
    fix = `--norm rescale:${c} (samplewise_norm.rescale = ${Number((1 / span).toPrecision(3))})`;
    actions = [{ kind: 'norm', norm: `rescale:${c}`, label: `Re-quantize with input ÷ ${c}` }];
  }
  return [
    {
      kind: 'input_range',
      layer: null,
      message: `input '${name}' spans [${s.min.toPrecision(3)}, ${s.max.toPrecision(3)}] (mean ${s.mean.toPrecision(3)}), not about [-1, 1]: set ${fix}`,
      actions,
    },
  ];
}

export function inputStats(samples: ArrayLike<number>[]): InputStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (const s of samples)
    for (let i = 0; i < s.length; i++, n++) {
      const v = s[i];
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
      sq += v * v;
    }
  if (n === 0) throw new Error('No input values to analyse');
  const mean = sum / n;
  return { min, max, mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)) };
}

const WEIGHTED = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Dense', 'Conv1D']);
const NORMS = new Set(['BatchNormalization', 'LayerNormalization']);
const PASS = new Set(['Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);
const ACTIVATIONS = new Set([
  'Activation',
  'ReLU',
  'LeakyReLU',
  'PReLU',
  'ELU',
  'Softmax',
  'ThresholdedReLU',
]);

function hasActivation(n: KerasNode): boolean {
  if (ACTIVATIONS.has(n.className)) return true;
  const a = n.config.activation;
  return typeof a === 'string' && a !== 'linear';
}

/** Structure advice on a flattened Keras graph (BatchNorm is already fused away in a .tflite). */
export function structureAdvice(nodes: KerasNode[], outputs: string[]): Advice[] {
  const producerOf = new Map<string, KerasNode>();
  const readersOf = new Map<string, KerasNode[]>();
  for (const n of nodes) {
    n.outputs.forEach((o) => producerOf.set(o, n));
    n.inputs.forEach((i) => readersOf.set(i, [...(readersOf.get(i) ?? []), n]));
  }
  /** The layer feeding n, looking through Dropout-like layers. */
  const feeder = (n: KerasNode): KerasNode | undefined => {
    let p = producerOf.get(n.inputs[0]);
    while (p && PASS.has(p.className)) p = producerOf.get(p.inputs[0]);
    return p;
  };
  const next = (n: KerasNode): KerasNode[] => {
    const r = (readersOf.get(n.outputs[0]) ?? []).flatMap((x) => (PASS.has(x.className) ? next(x) : [x]));
    return r;
  };
  const out: Advice[] = [];
  for (const n of nodes) {
    const p = feeder(n);
    if (n.className === 'BatchNormalization' && p && hasActivation(p)) {
      out.push({
        kind: 'activation_before_bn',
        layer: n.path,
        message: `BatchNormalization '${n.path}' follows the activation of '${p.path}': move it between the ${WEIGHTED.has(p.className) ? p.className : 'Conv/Dense'} and the activation so it folds into the weights`,
      });
    }
    if (n.className === 'LayerNormalization' && p && hasActivation(p)) {
      out.push({
        kind: 'layernorm_after_activation',
        layer: n.path,
        message: `LayerNormalization '${n.path}' comes after the activation of '${p.path}': place it before the activation`,
      });
    }
    const isOutput = n.outputs.some((o) => outputs.includes(o));
    if (WEIGHTED.has(n.className) && !isOutput && !hasActivation(n)) {
      const after = next(n);
      // A classifier head (linear layer straight into softmax) needs no normalization.
      const head = after.some((x) => x.className === 'Softmax' || x.config.activation === 'softmax');
      if (after.length > 0 && !head && !after.some((x) => NORMS.has(x.className))) {
        out.push({
          kind: 'no_normalization',
          layer: n.path,
          message: `${n.className} '${n.path}' has no BatchNormalization after it: normalized activations quantize with smaller error`,
        });
      }
    } else if (
      WEIGHTED.has(n.className) &&
      !isOutput &&
      hasActivation(n) &&
      n.config.activation !== 'softmax'
    ) {
      out.push({
        kind: 'no_normalization',
        layer: n.path,
        message: `${n.className} '${n.path}' applies '${String(n.config.activation)}' with no normalization before it: use a linear ${n.className}, BatchNormalization, then the activation`,
      });
    }
  }
  return out;
}
