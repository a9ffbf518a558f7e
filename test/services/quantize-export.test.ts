/**
 * Report exporters on a real report (hello_world quantized with x over [0, 2π]): CSV keeps MLTK's
 * 12 columns and quotes names with commas, HTML escapes untrusted names and is self-contained,
 * JSON carries local + accumulated error and flags that follow the thresholds.
 */
import { describe, expect, it } from 'vitest';
import { quantCsv } from '../../src-main/core/report/quant-csv.ts';
import { quantHtml } from '../../src-main/core/report/quant-html.ts';
import { quantJson } from '../../src-main/core/report/quant-json.ts';
import type { QuantizationReport } from '../../src-main/core/report/quant-types.ts';
import { quantizeTask } from '../../src-main/services/quantize/quantize-task.ts';
import { readFixture } from '../helpers/fixtures.ts';

const meta = { generatedAt: '2026-01-01T00:00:00Z', tool: 'QuantScope test' };

async function helloReport(): Promise<QuantizationReport> {
  const csv = Array.from({ length: 40 }, (_, i) => String(((i + 0.5) / 40) * 2 * Math.PI)).join('\n');
  const r = await quantizeTask(
    {
      model: { name: 'hello_world_float.tflite', bytes: readFixture('float', 'hello_world_float.tflite') },
      data: [{ name: 'x.csv', bytes: new TextEncoder().encode(csv) }],
      method: 'minmax',
      thresholds: { rmseOverScale: 0.3 },
    },
    { progress: () => undefined },
  );
  return r.report;
}

describe('quantization report exporters', () => {
  it('CSV, HTML and JSON of a real report', async () => {
    const r = await helloReport();
    expect(r.layers).toHaveLength(3);
    const hostile: QuantizationReport = {
      ...r,
      model: 'evil<script>.tflite',
      layers: r.layers.map((l, i) =>
        i === 0 ? { ...l, tensor_name: 'a,"b"<img src=x onerror=alert(1)>' } : l,
      ),
    };
    const csv = quantCsv(hostile).trim().split('\n');
    expect(csv).toHaveLength(4);
    expect(csv[1]).toContain('"a,""b""<img src=x onerror=alert(1)>"');

    const html = quantHtml(hostile, meta);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('evil&lt;script&gt;.tflite');
    expect(html).not.toMatch(/(src|href)=["']?https?:/); // self-contained (the SVG namespace is not a fetch)

    const doc = JSON.parse(quantJson(r, meta));
    expect(doc.thresholds).toEqual({ rmseOverScale: 0.3, range: 255 });
    for (const [i, l] of doc.layers.entries()) {
      const row = r.layers[i];
      expect(l.local.rmse).toBeCloseTo(Math.sqrt(row.mean_squared_error), 12);
      expect(l.accumulated.rmse).toBe(row.accumulated_rmse);
      expect(l.flags.rmse_over_scale).toBe(row.rmse_over_scale > 0.3);
      expect(l.flags.range).toBe(row.range > 255);
    }
    expect(
      doc.advice
        .filter((a: { kind: string }) => a.kind === 'rmse_over_scale')
        .map((a: { layer: number }) => a.layer),
    ).toEqual(r.layers.filter((l) => l.rmse_over_scale > 0.3).map((l) => l.op_index));
  }, 60_000);
});
