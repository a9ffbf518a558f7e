/**
 * Model Explorer node data: for every fixture model, a comparison (the TFLite Micro golden playing
 * the board, one layer altered) becomes one node-data file per figure whose ids follow the TFLite
 * adapter's rule (op index in subgraph 0, graph "main" or the subgraph/signature name), with a
 * value for every op node, valid against the schema derived from Model Explorer's docs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { compareRun } from '../../../src-main/core/compare/index.ts';
import { readTflite } from '../../../src-main/core/model/tflite-reader.ts';
import {
  modelExplorerGraphId,
  modelExplorerNodeData,
  NODE_DATA_FIGURES,
} from '../../../src-main/core/report/model-explorer.ts';
import { listFixtures, readFixture, REPO } from '../../helpers/fixtures.ts';
import { goldenCase } from '../compare/cases.ts';

const schema = JSON.parse(
  readFileSync(join(REPO, 'test/schemas/model-explorer-node-data.schema.json'), 'utf8'),
);
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

describe('Model Explorer node data on the fixture models', () => {
  it.each(listFixtures('models', '.tflite').map((f) => f.replace(/\.tflite$/, '')))(
    '%s: every op node has every figure, ids by the adapter rule, schema-valid',
    (name) => {
      // rule: node id = decimal op index in subgraph 0; graph id = subgraph name / signature key / "main"
      const model = readTflite(readFixture('models', `${name}.tflite`));
      const c = goldenCase(name);
      // one element of the first op's output off by 2, so max |Δ| and rmse have a non-zero value
      const d0 = c.device[0].bytes.slice();
      d0[0] ^= 2;
      c.device[0] = { ...c.device[0], bytes: d0 };
      const r = compareRun(c);
      const data = modelExplorerNodeData(r, model);
      const graph = modelExplorerGraphId(model, 0);
      const ids = model.subgraphs[0].operators.map((_, i) => String(i)).sort();
      const tensors = model.subgraphs[0].tensors;
      const intIds = model.subgraphs[0].operators
        .flatMap((op, i) => (tensors[op.outputs[0]].dtype === 'float32' ? [] : [String(i)]))
        .sort();
      expect(intIds.length).toBeGreaterThan(0);
      expect(Object.keys(data).sort()).toEqual([...NODE_DATA_FIGURES].sort());
      for (const figure of NODE_DATA_FIGURES) {
        const doc = data[figure]!;
        expect(validate(doc), `${figure}: ${JSON.stringify(validate.errors)}`).toBe(true);
        expect(Object.keys(doc)).toEqual([graph]);
        // every op has every figure, except rmse/scale (LSB) for ops with float outputs (no scale)
        const want = figure === 'rmse_lsb' ? intIds : ids;
        expect(Object.keys(doc[graph].results).sort(), figure).toEqual(want);
      }
      const diff = data.max_abs_diff_lsb![graph].results;
      expect(diff['0'].value).toBeGreaterThan(0);
      expect(
        Object.entries(diff)
          .filter(([k]) => k !== '0')
          .every(([, v]) => v.value === 0),
      ).toBe(true);
      // tensor bytes: the op's output elements x the element size
      const out0 = model.subgraphs[0].tensors[model.subgraphs[0].operators[0].outputs[0]];
      const size = { int8: 1, uint8: 1, int16: 2, int32: 4, float32: 4 }[out0.dtype as string] ?? 0;
      expect(data.tensor_bytes![graph].results['0'].value).toBe(out0.shape.reduce((a, b) => a * b, 1) * size);
    },
  );
});

describe('the graph id rule of the TFLite adapter', () => {
  // rule: subgraph name first, then the first signature on that subgraph (non-empty key), then main/subgraph_<i>
  it('name, signature key, default', () => {
    const m = readTflite(readFixture('models', 'hello_world_int8.tflite'));
    const sg = m.subgraphs[0];
    const named = { ...m, subgraphs: [{ ...sg, name: 'encoder' }], signatureDefs: [] };
    expect(modelExplorerGraphId(named, 0)).toBe('encoder');
    const sig = { signatureKey: 'serving_default', subgraphIndex: 0, inputs: [], outputs: [] };
    const signed = { ...m, subgraphs: [{ ...sg, name: '' }], signatureDefs: [sig] };
    expect(modelExplorerGraphId(signed, 0)).toBe('serving_default');
    const bare = {
      ...m,
      subgraphs: [
        { ...sg, name: '' },
        { ...sg, name: '' },
      ],
      signatureDefs: [],
    };
    expect(modelExplorerGraphId(bare, 0)).toBe('main');
    expect(modelExplorerGraphId(bare, 1)).toBe('subgraph_1');
    // the first signature on the subgraph decides, even with an empty key
    const emptyFirst = { ...signed, signatureDefs: [{ ...sig, signatureKey: '' }, sig] };
    expect(modelExplorerGraphId(emptyFirst, 0)).toBe('main');
  });
});
