/**
 * Whole-model agreement of the int8 model with the float model on the same samples: RMSE, MAE,
 * relative L2 (‖q − f‖ / ‖f‖), cosine similarity, top-1 agreement, and accuracy of both when
 * labels (class indices) are given. Each array is one sample's output, flattened.
 */

export interface OutputMetrics {
  samples: number;
  rmse: number;
  mae: number;
  relative_l2: number;
  cosine_similarity: number;
  top1_agreement: number;
  accuracy_float?: number;
  accuracy_int8?: number;
}

export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

export function outputMetrics(float: Float32Array[], int8: Float32Array[], labels?: number[]): OutputMetrics {
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
  let diff2 = 0;
  let ref2 = 0;
  let dot = 0;
  let q2 = 0;
  let agree = 0;
  let rightF = 0;
  let rightQ = 0;
  float.forEach((f, s) => {
    const q = int8[s];
    if (q.length !== f.length)
      throw new Error(`Sample ${s}: float output has ${f.length} values, int8 ${q.length}`);
    for (let i = 0; i < f.length; i++, n++) {
      const d = q[i] - f[i];
      se += d * d;
      ae += Math.abs(d);
      diff2 += d * d;
      ref2 += f[i] * f[i];
      dot += f[i] * q[i];
      q2 += q[i] * q[i];
    }
    const [af, aq] = [argmax(f), argmax(q)];
    if (af === aq) agree++;
    if (labels) {
      if (af === labels[s]) rightF++;
      if (aq === labels[s]) rightQ++;
    }
  });
  const m: OutputMetrics = {
    samples: float.length,
    rmse: Math.sqrt(se / n),
    mae: ae / n,
    relative_l2: ref2 > 0 ? Math.sqrt(diff2 / ref2) : Math.sqrt(diff2),
    cosine_similarity: ref2 > 0 && q2 > 0 ? dot / Math.sqrt(ref2 * q2) : ref2 === q2 ? 1 : 0,
    top1_agreement: agree / float.length,
  };
  if (labels) {
    m.accuracy_float = rightF / float.length;
    m.accuracy_int8 = rightQ / float.length;
  }
  return m;
}
