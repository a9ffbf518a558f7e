/**
 * The outputs read back from a board in the golden JSON format (the same as `quantscope run
 * --dump` and ../shared/fixtures/golden/*.json), so a device dump diffs directly against either.
 * Names, dtypes and shapes come from the host's view of the same tensors.
 */
import { base64, type GoldenDump } from '../simulate/dump.ts';
import type { DeviceTensor, HostTensor } from './types.ts';

export function deviceDump(
  modelName: string,
  boardName: string,
  inputs: HostTensor[],
  host: HostTensor[],
  device: DeviceTensor[],
): GoldenDump {
  // by tensor: an op with several outputs (SPLIT, UNPACK) has one host row per output
  const meta = new Map(host.map((h) => [h.tensor, h]));
  return {
    model: modelName,
    reference: `QuantScope board '${boardName}' (outputs read back over the link)`,
    inputs: inputs.map((t) => ({
      tensor: t.tensor,
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      data_b64: base64(t.bytes),
    })),
    op_outputs: device.map((d) => {
      const h = meta.get(d.tensor);
      return {
        tensor: d.tensor,
        name: h?.name ?? `op ${d.index}`,
        dtype: h?.dtype ?? 'int8',
        shape: h?.shape ?? [d.bytes.length],
        data_b64: base64(d.bytes),
      };
    }),
  };
}
