/**
 * Whole-model agreement of the quantized model with the float model on the same samples, the
 * metrics ST's model validation and AI Edge Quantizer report. Each array is one sample's (first)
 * output, flattened; f = float, q = quantized, over every value of every sample:
 * - RMSE √mean((q−f)²), MAE mean|q−f|, relative L2 ‖q−f‖ / ‖f‖, cosine similarity q·f / (‖q‖‖f‖);
 * - SNR = 10·log10(Σf² / Σ(q−f)²) dB (Infinity when q = f);
 * - NSE (Nash–Sutcliffe efficiency) = 1 − Σ(q−f)² / Σ(f − f̄)², f̄ the mean of all float values:
 *   1 is perfect, 0 is no better than predicting the mean (−Infinity/1 when f is constant);
 * - classifiers only (see `classifierOutput`): top-1 agreement (argmax q = argmax f) and a confusion
 *   matrix: rows are the true labels when labels are given, else the float model's top-1; columns
 *   the quantized model's top-1 (at most MAX_CONFUSION_CLASSES classes); with labels, the accuracy of
 *   both models. Regression outputs get no top-1: an argmax of a regression output means nothing.
 */
import type { Model } from '../model/ir.ts';

export interface ConfusionMatrix {
  /** What the rows are: the given labels, or the float model's top-1 class. */
  rows: 'label' | 'float';
  /** matrix[row class][quantized top-1 class] = number of samples. */
  matrix: number[][];
}

export interface OutputMetrics {
  samples: number;
  rmse: number;
  mae: number;
  relative_l2: number;
  cosine_similarity: number;
  snr_db: number;
  nse: number;
  /** Whether the output was treated as class scores (classifierOutput). */
  task: 'classification' | 'regression';
  /** Classifiers only. */
  top1_agreement?: number;
  confusion?: ConfusionMatrix;
  accuracy_float?: number;
  accuracy_int8?: number;
}

/** Confusion matrices beyond this many classes are left out (a 1000-class matrix is not a report). */
export const MAX_CONFUSION_CLASSES = 64;

const PASSIVE = new Set(['RESHAPE', 'QUANTIZE', 'DEQUANTIZE', 'SQUEEZE']);

/**
 * The classifier rule: the first graph output is class scores when the op that computes it
 * (looking through RESHAPE/SQUEEZE/QUANTIZE/DEQUANTIZE) is SOFTMAX or LOG_SOFTMAX and it has at
 * least 2 values. Logits straight out of a Dense layer are not recognised (a Dense layer is just as
 * often a regression head); give labels to score such a model as a classifier.
 */
export function classifierOutput(model: Model): boolean {
  const sg = model.subgraphs[0];
  if (!sg || sg.outputs.length === 0) return false;
  const out = sg.tensors[sg.outputs[0]];
  if (out.shape.reduce((a, b) => a * b, 1) < 2) return false;
  let t = sg.outputs[0];
  for (;;) {
    const op = sg.operators.find((o) => o.outputs.includes(t));
    if (!op) return false;
    if (op.op === 'SOFTMAX' || op.op === 'LOG_SOFTMAX') return true;
    if (!PASSIVE.has(op.op)) return false;
    t = op.inputs[0];
  }
}

export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

export interface OutputMetricOptions {
  /** Score as a classifier (default: when labels are given). */
  classifier?: boolean;
}

export function outputMetrics(
  float: Float32Array[],
  int8: Float32Array[],
  labels?: number[],
  options: OutputMetricOptions = {},
): OutputMetrics {
  if (float.length === 0 || float.length !== int8.length) {
    throw new Error(
      `Output metrics need the same non-zero number of float and int8 outputs (${float.length} vs ${int8.length})`,
    );
  }
  if (labels && labels.length !== float.length)
    throw new Error(`${labels.length} labels for ${float.length} samples`);
  let se = 0;
  let ae = 0;
  let n = 0;
  let ref2 = 0;
  let dot = 0;
  let q2 = 0;
  let sum = 0;
  float.forEach((f, s) => {
    const q = int8[s];
    if (q.length !== f.length)
      throw new Error(`Sample ${s}: float output has ${f.length} values, int8 ${q.length}`);
    for (let i = 0; i < f.length; i++, n++) {
      const d = q[i] - f[i];
      se += d * d;
      ae += Math.abs(d);
      ref2 += f[i] * f[i];
      dot += f[i] * q[i];
      q2 += q[i] * q[i];
      sum += f[i];
    }
  });
  const mean = sum / n;
  let spread = 0;
  for (const f of float) for (let i = 0; i < f.length; i++) spread += (f[i] - mean) ** 2;
  const m: OutputMetrics = {
    samples: float.length,
    rmse: Math.sqrt(se / n),
    mae: ae / n,
    relative_l2: ref2 > 0 ? Math.sqrt(se / ref2) : Math.sqrt(se),
    cosine_similarity: ref2 > 0 && q2 > 0 ? dot / Math.sqrt(ref2 * q2) : ref2 === q2 ? 1 : 0,
    snr_db: se === 0 ? Infinity : ref2 === 0 ? -Infinity : 10 * Math.log10(ref2 / se),
    nse: spread > 0 ? 1 - se / spread : se === 0 ? 1 : -Infinity,
    task: (options.classifier ?? labels !== undefined) ? 'classification' : 'regression',
  };
  if (m.task === 'classification') {
    const classes = float[0].length;
    const withMatrix = classes <= MAX_CONFUSION_CLASSES;
    const matrix = withMatrix
      ? Array.from({ length: classes }, () => new Array<number>(classes).fill(0))
      : [];
    let agree = 0;
    let rightF = 0;
    let rightQ = 0;
    float.forEach((f, s) => {
      const [af, aq] = [argmax(f), argmax(int8[s])];
      if (af === aq) agree++;
      const row = labels ? labels[s] : af;
      if (withMatrix && row >= 0 && row < classes) matrix[row][aq]++;
      if (labels) {
        if (af === labels[s]) rightF++;
        if (aq === labels[s]) rightQ++;
      }
    });
    m.top1_agreement = agree / float.length;
    if (withMatrix) m.confusion = { rows: labels ? 'label' : 'float', matrix };
    if (labels) {
      m.accuracy_float = rightF / float.length;
      m.accuracy_int8 = rightQ / float.length;
    }
  }
  return m;
}
