/** A host run of a fixture model (seed 1) with the TFLite Micro golden playing the board. */
import { hostEstimate, hostRun, type CompareInput } from '../../../src-main/core/compare/index.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { cpuProfile } from '../../../src-main/core/simulate/cost-model.ts';
import { buildInputs } from '../../../src-main/core/simulate/inputs/load.ts';
import { invoke, prepare } from '../../../src-main/core/simulate/interpreter.ts';
import { goldenBytes, readFixture, readGolden } from '../../helpers/fixtures.ts';

export const testBoard = {
  name: 'test',
  cpu: 'cortex-m3',
  firmware: 't',
  cpuHz: 25e6,
  tickHz: 25e6,
  tickSource: 'SysTick',
  arenaBytes: 1 << 20,
};

export function goldenCase(name: string): CompareInput {
  const model = readTflite(readFixture('models', `${name}.tflite`));
  const pm = prepare(model);
  const inputs = buildInputs({ seed: 1 }, pm.inputs, model.parameters);
  const host = hostRun(pm, inputs, invoke(pm, inputs));
  const golden = readGolden(name);
  // Goldens list op outputs keyed by tensor (graph output first): put them in op order.
  const byTensor = new Map(golden.op_outputs.map((t) => [t.tensor, goldenBytes(t)]));
  const device = host.layers.map((h, i) => ({
    index: h.index,
    tensor: h.tensor,
    ticks: 1000 * (i + 1),
    bytes: byTensor.get(h.tensor)!,
  }));
  return {
    model: { name, sha256: '0'.repeat(64) },
    board: testBoard,
    input: 'seed 1',
    hostInputs: host.inputs,
    deviceInputs: golden.inputs.map(goldenBytes),
    host: host.layers,
    device,
    outputs: host.outputs,
    estimate: hostEstimate(pm, cpuProfile('cortex-m3', 25)),
  };
}
