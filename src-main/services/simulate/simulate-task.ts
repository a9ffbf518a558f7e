/**
 * Worker task: run a .tflite model in the bit-exact host simulator with every layer tapped and
 * return per-layer statistics and the outputs (the data the Simulate view shows). Runs in a job
 * worker, so a large model never blocks the main process and `jobs.cancel` stops it.
 */
import type {
  SimulateInput,
  SimulateLayerTensor,
  SimulateLstmGates,
  SimulateResult,
} from '../../shared/api.ts';
import { ModelFormatError } from '../../core/model/errors.ts';
import { readTflite } from '../../core/model/tflite-reader.ts';
import { cpuProfile, estimateModel, type CpuProfileName } from '../../core/simulate/cost-model.ts';
import { layerReports, outputReports } from '../../core/simulate/dump.ts';
import { SimulateError } from '../../core/simulate/errors.ts';
import { buildInputFrames } from '../../core/simulate/inputs/frames.ts';
import { gateSaturation, type LstmGateTaps } from '../../core/simulate/gate-taps.ts';
import { invoke, prepare, resetState } from '../../core/simulate/interpreter.ts';
import { layerWork } from '../../core/simulate/layer-work.ts';
import { toBytes } from '../../core/simulate/tensor-data.ts';
import { ServiceError } from '../errors.ts';
import type { TaskContext } from '../jobs/messages.ts';

export interface SimulatePayload {
  name: string;
  bytes: Uint8Array;
  input: SimulateInput;
  cpu?: string;
  uint8Mode?: 'affine' | 'bytes';
}

/**
 * What the worker hands back: the report plus every layer's output bytes. The taps are views on
 * the invoke's one tap buffer, so posting them clones that buffer once; the main side keeps them
 * (see SimulateService) and the renderer fetches a layer at a time with `simulate.layer`.
 */
export interface SimulateTaskResult extends SimulateResult {
  taps: SimulateLayerTensor[];
}

function asServiceError(name: string, e: unknown): unknown {
  if (e instanceof ServiceError) return e;
  if (e instanceof ModelFormatError) return new ServiceError('MALFORMED_MODEL', `${name}: ${e.message}`);
  if (e instanceof SimulateError) {
    const code = e.code === 'INPUT' ? 'BAD_ARGUMENT' : 'UNSUPPORTED';
    return new ServiceError(code, `${name}: ${e.message}`, { simulate: e.code });
  }
  return e;
}

/** One LSTM layer's gate taps for the report: batch row 0, each gate [steps x units] time-major. */
function gateReport(t: LstmGateTaps): SimulateLstmGates {
  const rows = t.steps.filter((s) => s.batch === 0);
  const flat = (g: 'forget' | 'input' | 'cell' | 'output' | 'cellState') =>
    rows.flatMap((s) => Array.from(s[g]));
  return {
    index: t.opIndex,
    units: t.units,
    steps: rows.length,
    forget: flat('forget'),
    input: flat('input'),
    cell: flat('cell'),
    output: flat('output'),
    cellState: flat('cellState'),
    saturation: gateSaturation(t),
  };
}

export function simulateTask(p: SimulatePayload, ctx: TaskContext): SimulateTaskResult {
  try {
    ctx.progress(0, `Preparing ${p.name}`);
    const model = readTflite(p.bytes);
    const pm = prepare(model, 0, { bytes: p.bytes });
    const spec =
      'seed' in p.input ? { seed: p.input.seed } : { files: p.input.files, uint8Mode: p.uint8Mode };
    const frames = buildInputFrames(spec, pm.inputs, model.parameters);
    // a stream: every frame but the last runs lean (outputs only), the state kept between them
    resetState(pm);
    const streamOutputs = frames.slice(0, -1).map((f) => outputReports(pm, invoke(pm, f, { taps: false })));
    const inputs = frames[frames.length - 1];
    const total = pm.steps.length;
    let done = 0;
    const t0 = performance.now();
    const result = invoke(pm, inputs, {
      taps: true,
      gates: true,
      onLayer: (l) => ctx.progress(0.1 + (0.8 * ++done) / Math.max(1, total), `Layer ${l.opIndex} ${l.op}`),
    });
    const elapsed = performance.now() - t0;
    ctx.progress(0.9, 'Statistics');
    const layers: SimulateResult['layers'] = layerReports(pm, result);
    let estimate: SimulateResult['estimate'];
    if (p.cpu) {
      const [name, mhz] = p.cpu.split('@');
      const cost = estimateModel(
        cpuProfile(name as CpuProfileName, mhz ? Number(mhz) : undefined),
        layerWork(pm.subgraph),
      );
      for (const l of layers) l.est_cycles = cost.layers[l.index]?.cycles;
      estimate = { cpu: p.cpu, cycles: cost.cycles, ms: cost.ms };
    }
    const taps: SimulateLayerTensor[] = result.layers.map((l) => {
      const q = pm.subgraph.tensors[l.tensor].quantization;
      return {
        index: l.opIndex,
        tensor: l.tensor,
        dtype: l.dtype,
        shape: l.shape.slice(),
        data: toBytes(l.data),
        ...(q && q.scale.length === 1
          ? { quant: { scale: q.scale[0], zeroPoint: q.zeroPoint[0] ?? 0 } }
          : {}),
      };
    });
    const out: SimulateTaskResult = {
      model: p.name,
      taps,
      layers,
      outputs: outputReports(pm, result),
      elapsed_ms: elapsed,
      ...(estimate ? { estimate } : {}),
      ...(result.gates?.length ? { gates: result.gates.map(gateReport) } : {}),
    };
    if (frames.length > 1)
      out.stream = { invocations: frames.length, outputs: [...streamOutputs, out.outputs] };
    ctx.progress(1, 'Done');
    return out;
  } catch (e) {
    throw asServiceError(p.name, e);
  }
}
