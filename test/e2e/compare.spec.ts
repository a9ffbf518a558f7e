/**
 * Board view end to end in Chromium via the web host: pick a board, profile a model on it, see
 * every layer match the host simulator, look at a layer, export the HTML report and open it
 * offline. The emulated Cortex-M3 (QEMU, a ~10-15 KB/s UART) runs micro_speech; the virtual
 * board runs person_detect.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import type { Operator } from '../../src-main/core/model/ir.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { fixturePath, readFixture, readGolden } from '../helpers/fixtures.ts';
import { expectVerdict, openApp, openModelFile, screenshot } from './app-page.ts';

const EXPORTS = resolve(import.meta.dirname, '../../test-results/exports');

async function profileOn(page: Page, board: string, timeout: number): Promise<void> {
  await page.getByTestId('view-board').click();
  const card = page.locator(`[data-testid="board-card"][data-board-id="${board}"]`);
  await expect(card).toBeVisible();
  await card.click();
  await expect(card).toHaveAttribute('aria-checked', 'true');
  await page.getByTestId('board-profile').click();
  await expectVerdict(page, timeout);
  await expect(page.getByTestId('progress')).toHaveCount(0);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
}

/** Every op of the golden run has a row, plus one row per model input; all of them match. */
async function expectAllMatch(page: Page, golden: string): Promise<number> {
  const ops = readGolden(golden).op_outputs.length;
  const inputs = readGolden(golden).inputs.length;
  await expect(page.getByTestId('compare-verdict')).toHaveText(`✓ All ${ops} layers match`);
  // The table is virtualized: it knows every row and renders those in view.
  await expect(page.getByTestId('compare-table')).toHaveAttribute('aria-rowcount', String(ops + inputs));
  const rows = page.getByTestId('compare-row');
  await expect(rows.first()).toBeVisible();
  for (const r of await rows.all()) await expect(r).toHaveAttribute('data-status', 'match');
  await expect(page.getByTestId('first-divergent')).toHaveCount(0);
  return ops;
}

/** Click an export button and keep the downloaded file; returns its path. */
async function download(page: Page, format: string): Promise<string> {
  const downloading = page.waitForEvent('download');
  await page.getByTestId(`export-${format}`).click();
  const d = await downloading;
  mkdirSync(EXPORTS, { recursive: true });
  const file = join(EXPORTS, d.suggestedFilename());
  await d.saveAs(file);
  return file;
}

/** Export the HTML report as a download, open the saved file in Chromium; it must request nothing remote. */
async function exportAndOpenHtml(page: Page, name: string): Promise<string> {
  const file = await download(page, 'html');
  expect(basename(file)).toBe(name);
  await expect(page.getByTestId('exported')).toContainText(name);

  const report = await page.context().newPage();
  const remote: string[] = [];
  report.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) remote.push(r.url());
  });
  await report.goto(`file://${file}`);
  await screenshot(report, `report-${name.replace(/\.html$/, '')}`);
  const text = await report.locator('body').innerText();
  await report.close();
  expect(remote, 'the report must open offline').toEqual([]);
  return text;
}

test('emulated Cortex-M3: micro_speech profiles layer by layer, all layers match, HTML report opens offline', async ({
  page,
}) => {
  test.setTimeout(300_000); // QEMU boots and receives ~19 KB over an emulated UART
  await openApp(page);
  await openModelFile(
    page,
    fixturePath('models', 'micro_speech_quantized.tflite'),
    'micro_speech_quantized.tflite',
  );
  await page.getByTestId('view-board').click();
  await page
    .getByTestId('board-file-input')
    .setInputFiles(fixturePath('data', 'mltk_yes_features_int8_49x40.npy'));
  await profileOn(page, 'qemu', 240_000);

  const ops = await expectAllMatch(page, 'micro_speech_quantized');
  await expect(page.getByTestId('compare-summary')).toContainText('mps2-an385');
  await expect(page.getByTestId('compare-summary')).toContainText('mltk_yes_features_int8_49x40.npy');
  await expect(page.getByTestId('output-metrics')).toContainText('top-1 agrees');
  await expect(page.getByTestId('output-metrics')).toContainText('cos 1.000000');

  // The last op is selected: host and device histograms, identical values.
  const detail = page.getByTestId('layer-compare');
  await expect(detail).toHaveAttribute('data-index', String(ops - 1));
  await expect(detail.getByTestId('histogram')).toHaveCount(2);
  await expect(detail.getByTestId('identical')).toBeVisible();
  await expect(page.getByTestId('timing-chart').locator('g.layer')).toHaveCount(ops);
  // Honest timing (issue 19 #2): QEMU counts instructions (icount), the M3 cost model counts
  // instructions too (CPI 1): one scale, so the fit is offered, named by its clock, not "cortex-m3@1000".
  await expect(page.getByTestId('clock-source')).toContainText('QEMU icount');
  await expect(page.getByTestId('total-time')).toContainText('instructions');
  await expect(page.getByTestId('estimated-time')).toContainText('M3 instructions');
  await expect(page.getByTestId('estimated-time')).toContainText('cortex-m3 (QEMU icount)');
  await expect(page.getByTestId('compare-summary')).not.toContainText('@1000');
  await expect(page.getByTestId('not-comparable')).toHaveCount(0);
  await page.getByTestId('calibrate').click();
  await expect(page.getByTestId('calibration-fit')).toContainText(
    /fitted on measured instructions: per-layer error \d+\.\d% → \d+\.\d%/,
  );
  await screenshot(page, 'compare-micro_speech-qemu');

  const text = await exportAndOpenHtml(page, 'micro_speech_quantized-qemu.html');
  expect(text).toContain('micro_speech_quantized.tflite on mps2-an385');
  expect(text).toContain(`All ${ops} layers match bit for bit.`);
  for (const op of ['DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'SOFTMAX']) expect(text).toContain(op);
});

test('virtual board: person_detect profiles, all layers match; sort, inspect, honest timing, export', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await openApp(page); // starts on the bundled person_detect example
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');
  await page.getByTestId('view-board').click();
  await page
    .getByTestId('board-file-input')
    .setInputFiles(fixturePath('data', 'tflm_person_gray_u8_96x96.npy'));
  await profileOn(page, 'virtual', 60_000);
  const ops = await expectAllMatch(page, 'person_detect');
  await expect(page.getByTestId('output-metrics')).toContainText('top-1 agrees');

  // Sorting by measured time puts the slowest layer first.
  await page.getByTestId('compare-sort-measured').click();
  await expect(page.getByTestId('compare-sort-measured')).toContainText('▼');
  const shares = await page
    .getByTestId('compare-row')
    .evaluateAll((rows) => rows.map((r) => Number.parseFloat(r.children[9].textContent ?? '') || 0));
  expect(shares[0]).toBe(Math.max(...shares));
  await page.getByTestId('compare-sort-index').click();

  // The keyboard walks the table: Home is the model input, then op 0 (a conv), then op 1.
  const detail = page.getByTestId('layer-compare');
  await page.getByTestId('compare-table').focus();
  await page.keyboard.press('Home');
  await expect(detail).toHaveAttribute('data-index', '-1');
  await page.keyboard.press('ArrowDown');
  await expect(detail).toHaveAttribute('data-index', '0');
  await expect(detail.getByTestId('histogram')).toHaveCount(2);
  await expect(detail.getByTestId('identical')).toContainText('bit-identical');
  await expect(page.locator('[data-testid="compare-row"][data-index="0"]')).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await page.keyboard.press('ArrowDown');
  await expect(detail).toHaveAttribute('data-index', '1');

  // Honest timing (issue 19 #2): the virtual board measures host µs, the estimate is M4 cycles; each
  // carries its unit and clock, they are shown side by side as not comparable, and no "% error"
  // (calibration) is computed between them.
  const summary = page.getByTestId('compare-summary');
  await expect(page.getByTestId('total-time')).toContainText(/\d+(\.\d+)? (µs|ms|s) host time/);
  await expect(page.getByTestId('clock-source')).toContainText('host clock CLOCK_MONOTONIC');
  await expect(page.getByTestId('estimated-time')).toContainText('M4 cycles');
  await expect(page.getByTestId('not-comparable')).toHaveText('not comparable: host µs vs M4 cycles');
  await expect(page.getByTestId('calibrate')).toHaveCount(0);
  await expect(summary).not.toContainText('error');
  await expect(page.getByRole('columnheader', { name: 'Host µs' })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: 'Est. M4 cycles' })).toBeVisible();
  await expect(page.getByTestId('timing-chart').locator('g.layer')).toHaveCount(ops);
  await screenshot(page, 'compare-person_detect-virtual');

  const text = await exportAndOpenHtml(page, 'person_detect-virtual.html');
  expect(text).toContain('person_detect.tflite on');
  expect(text).toContain(`All ${ops} layers match bit for bit.`);
  // The HTML export says the same, and has no empty cycles column (issue 19 #8).
  expect(text).toContain('not comparable: host µs vs M4 cycles');
  expect(text).toContain('clock: host clock CLOCK_MONOTONIC');
  expect(text).not.toMatch(/% error|per-layer error/);
  expect(text).not.toMatch(/\tcycles\t/);

  // JSON (documented schema) and PDF of the same report.
  const json = JSON.parse(readFileSync(await download(page, 'json'), 'utf8')) as {
    schema: string;
    layers: { status: string }[];
  };
  expect(json.schema).toBe('quantscope.compare/1');
  expect(json.layers.filter((l) => l.status === 'match').length).toBe(json.layers.length);
  const pdf = readFileSync(await download(page, 'pdf'));
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  await expect(page.getByTestId('exported')).toContainText('person_detect-virtual.pdf');
});

/** simple_add_model's int8 ADD repeated as a chain of `depth` layers (all runnable on a board). */
function addChain(depth: number): Uint8Array {
  const model = readTflite(readFixture('models', 'simple_add_model.tflite'));
  const sg = model.subgraphs[0];
  const add = sg.operators[0];
  const [a, b] = add.inputs;
  const template = sg.tensors[add.outputs[0]];
  const tensors = sg.tensors.slice();
  const operators: Operator[] = [];
  let previous = a;
  for (let i = 0; i < depth; i++) {
    const out = tensors.length;
    tensors.push({ ...template, index: out, name: `chain/add_${i}`, buffer: 0, data: null });
    operators.push({ ...add, index: i, inputs: [previous, b], outputs: [out] });
    previous = out;
  }
  sg.tensors = tensors;
  sg.operators = operators;
  sg.outputs = [previous];
  model.signatureDefs = [];
  return writeTflite(model, { allowLossy: true });
}

test('150 layers on the virtual board: the table renders only what is in view and stays responsive', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const DEPTH = 150;
  await openApp(page);
  const before = await page.getByTestId('model-view').getAttribute('data-model-id');
  await page.getByTestId('file-input').setInputFiles({
    name: 'add_chain.tflite',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from(addChain(DEPTH)),
  });
  await expect.poll(() => page.getByTestId('model-view').getAttribute('data-model-id')).not.toBe(before);
  await profileOn(page, 'virtual', 60_000);
  await expect(page.getByTestId('compare-verdict')).toHaveText(`✓ All ${DEPTH} layers match`);
  const table = page.getByTestId('compare-table');
  const inputs = Number(await table.getAttribute('aria-rowcount')) - DEPTH;
  expect(inputs).toBeGreaterThanOrEqual(1);
  expect(await page.getByTestId('compare-row').count()).toBeLessThan(60);

  // Keyboard to the far end and re-sort: each step answers (virtualized rows, not a frozen table).
  await table.focus();
  let t = Date.now();
  await page.keyboard.press('Home');
  await expect(page.getByTestId('layer-compare')).toHaveAttribute('data-index', '-1');
  await page.keyboard.press('End');
  await expect(page.getByTestId('layer-compare')).toHaveAttribute('data-index', String(DEPTH - 1));
  await expect(page.locator(`[data-testid="compare-row"][data-index="${DEPTH - 1}"]`)).toBeInViewport();
  const keys = Date.now() - t;
  t = Date.now();
  await page.getByTestId('compare-sort-share').click();
  await expect(page.getByTestId('compare-sort-share')).toContainText('▼');
  const sort = Date.now() - t;
  // Printed, not asserted tightly: speed is the benchmarks' business (a loaded CI machine took
  // 1.2 s to sort); the bound only catches a table that freezes (every row rendered at once).
  console.log(`[150 layers] Home/End ${keys} ms, sort ${sort} ms`);
  expect(keys, 'Home/End through 150 rows (ms)').toBeLessThan(10_000);
  expect(sort, 'sorting 150 rows (ms)').toBeLessThan(10_000);
  await expect(page.getByTestId('timing-chart').locator('g.layer')).toHaveCount(DEPTH);
  await screenshot(page, 'compare-150-layers');
});
