/**
 * docs/ops.md is generated from the interpreter core's own kernel registry (scripts/docs-ops.ts:
 * the WebAssembly core's registry and the native virtual-board and Cortex-M builds'), so it cannot
 * drift from the code; and the registry's dtype families cover what the core really runs: every op
 * of every model the core accepts among the goldens (TFLM's and the field's) uses a family its
 * entry declares.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import { BUILTIN_CUSTOM, CUSTOM_OP_CODES } from '../../../src-main/core/model/tflite-schema.ts';
import { CoreEngine } from '../../../src-main/core/simulate/engine/core-engine.ts';
import { coreRegistry } from '../../../src-main/core/simulate/engine/core-registry.ts';
import { builtFamilies, familyNames, familyOf } from '../../../src-main/core/simulate/op-families.ts';
import { OPS_DOC, readRegistries, renderOpsDoc } from '../../../scripts/docs-ops.ts';
import { goldenModelPath, listGoldens } from '../../helpers/golden-cases.ts';

describe('docs/ops.md', () => {
  it('is what the registries of the three builds say (npm run docs:ops regenerates it)', () => {
    // rule: the committed table equals a fresh rendering of the core's registry (host, virtual, Cortex-M)
    expect(readFileSync(OPS_DOC, 'utf8')).toBe(renderOpsDoc(readRegistries()));
  }, 120_000);

  it('shows the Cortex-M builds without float32 arithmetic', () => {
    // rule: QS_WITH_FLOAT=0 moves float32 kernels to "left out"; float32 data movement stays
    const doc = renderOpsDoc(readRegistries());
    const row = (op: string) =>
      doc
        .split('\n')
        .find((l) => l.startsWith(`| ${op} |`))!
        .split('|')
        .map((c) => c.trim())
        .slice(1, -1);
    // columns: op, code, int8 host/virtual/M, int16 host/virtual/M, float32 host/virtual/M
    expect(row('FULLY_CONNECTED').slice(8, 11)).toEqual(['✓', '✓', 'left out']);
    expect(row('RESHAPE').slice(8, 11)).toEqual(['✓', '✓', '✓']);
  }, 120_000);
});

describe('the registry covers what the core runs', () => {
  it('every op of every golden model the core accepts uses a family its registry entry declares', () => {
    // rule: an op the core runs on int8/int16/float32 data has that family in its entry's built mask
    const byCode = new Map(coreRegistry().ops.map((e) => [e.code, e.dtypes]));
    const paths = [...new Set(listGoldens().map((g) => goldenModelPath(g.path)))];
    const missing: string[] = [];
    let checked = 0;
    for (const path of paths) {
      const bytes = new Uint8Array(readFileSync(path));
      if (!CoreEngine.verdict(bytes).ok) continue; // a model the core refuses runs no kernel
      checked++;
      const sg = readTflite(bytes).subgraphs[0];
      for (const op of sg.operators) {
        // custom ops (the signal library's) under the core's code for their name
        const dtypes = byCode.get(
          op.builtinCode === BUILTIN_CUSTOM ? (CUSTOM_OP_CODES.get(op.op) ?? -1) : op.builtinCode,
        );
        if (!dtypes) continue; // not declared (0): docs/ops.md lists it as such
        const in0 = op.inputs[0] >= 0 ? sg.tensors[op.inputs[0]] : undefined;
        const used = (in0 ? familyOf(in0.dtype) : 0) | familyOf(sg.tensors[op.outputs[0]].dtype);
        for (const f of familyNames(used & ~builtFamilies(dtypes)))
          missing.push(`${basename(path)}: layer ${op.index} ${op.op} ${f}`);
      }
    }
    expect(checked).toBeGreaterThan(10); // the golden corpus really was read
    expect(missing).toEqual([]);
  }, 300_000);
});
