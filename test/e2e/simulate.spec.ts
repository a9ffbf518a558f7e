/**
 * Simulate view: run a model on the host through the UI (input file or seed) and see what the
 * CLI's `quantscope run --json` reports for the same model and input: one stats row per layer with
 * the same min/max, the same top class (by name when the model has classes), a histogram and
 * feature maps per layer, a cost estimate, and progress + cancel for a long run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { writeTflite } from '../../src-main/core/model/tflite-writer.ts';
import { fixturePath, readFixture } from '../helpers/fixtures.ts';
import { openApp, openModelFile, screenshot } from './app-page.ts';

const REPO = resolve(import.meta.dirname, '../..');

/**
 * A model that takes seconds to prepare and run: simple_add_model's 128×128 ADD chained `depth`
 * times (same quantization), written with the project's TFLite writer.
 */
function addChain(depth: number): string {
  const model = readTflite(readFixture('models', 'simple_add_model.tflite'));
  const sg = model.subgraphs[0];
  const add = sg.operators[0];
  const [a, b] = add.inputs;
  const template = sg.tensors[add.outputs[0]];
  const tensors = sg.tensors.slice();
  let previous = a;
  sg.operators = Array.from({ length: depth }, (_, i) => {
    const out = tensors.length;
    tensors.push({ ...template, index: out, name: `chain/add_${i}`, buffer: 0, data: null });
    const op = { ...add, index: i, inputs: [previous, b], outputs: [out] };
    previous = out;
    return op;
  });
  sg.tensors = tensors;
  sg.outputs = [previous];
  model.signatureDefs = [];
  const path = join(mkdtempSync(join(tmpdir(), 'qs-sim-')), `add_chain_${depth}.tflite`);
  writeFileSync(path, writeTflite(model, { allowLossy: true }));
  return path;
}

interface CliRun {
  layers: {
    index: number;
    op: string;
    shape: number[];
    stats: { min: number; max: number; real: { min: number; max: number } };
  }[];
  outputs: { top_k: { index: number }[] }[];
}

function cliRun(model: string, args: string[]): CliRun {
  const out = execFileSync(
    process.execPath,
    [resolve(REPO, 'bin/quantscope.mjs'), 'run', model, ...args, '--json'],
    {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return JSON.parse(out) as CliRun;
}

async function expectSameAsCli(page: Page, cli: CliRun): Promise<void> {
  await expect(page.getByTestId('sim-row')).toHaveCount(cli.layers.length);
  for (const l of [cli.layers[0], cli.layers.at(-1)!]) {
    const row = page.locator(`[data-testid="sim-row"][data-index="${l.index}"]`);
    await expect(row).toContainText(l.op);
    await expect(row.locator('td').nth(3)).toHaveText(String(l.stats.min));
    await expect(row.locator('td').nth(4)).toHaveText(String(l.stats.max));
  }
  await expect(page.getByTestId('top-class')).toHaveAttribute(
    'data-index',
    String(cli.outputs[0].top_k[0].index),
  );
}

test('person_detect on a real image: stats per layer, top class, histogram, cycle estimate', async ({
  page,
}) => {
  const model = fixturePath('models', 'person_detect.tflite');
  const image = fixturePath('data', 'tflm_person_gray_u8_96x96.npy');
  // The app reads a uint8 .npy on an int8 input as int8 bytes by default (issue 19: TFLM's own
  // reading of these images); the CLI says so with --u8-bytes.
  const cli = cliRun(model, ['--input', image, '--u8-bytes']);

  await openApp(page); // starts on the bundled person_detect example
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');
  await page.keyboard.press('s');
  await expect(page.getByTestId('simulate-view')).toBeVisible();
  await page.getByTestId('sim-file-input').setInputFiles(image);
  await page.getByTestId('sim-cpu').selectOption('cortex-m4');
  await page.getByTestId('sim-run').click();
  await expectSameAsCli(page, cli);
  await expect(page.getByTestId('sim-estimate')).toContainText('cortex-m4');

  // Real units: scale · (q − zero point), 4 significant digits.
  await page.getByTestId('sim-real').check();
  const last = cli.layers.at(-1)!;
  const lastRow = page.locator(`[data-testid="sim-row"][data-index="${last.index}"]`);
  await expect(lastRow.locator('td').nth(4)).toHaveText(String(Number(last.stats.real.max.toPrecision(4))));

  await page.locator('[data-testid="sim-row"][data-index="3"]').click();
  await expect(page.getByTestId('histogram')).toBeVisible();
  await expect(page.getByTestId('histogram').locator('rect')).toHaveCount(256); // one bin per int8 value
  await screenshot(page, 'simulate-person_detect');

  // The model view keeps its state; the simulation result survives a look at it.
  await page.getByTestId('view-model').click();
  await expect(page.getByTestId('model-view')).toBeVisible();
  await page.getByTestId('view-simulate').click();
  await expect(page.getByTestId('sim-row')).toHaveCount(cli.layers.length);
});

// TFLite Micro's person_detection example: class 0 = no person, 1 = person; its test images hold
// the int8 input bytes stored as uint8 (the "int8 bytes" mode, CLI --u8-bytes).
test('person_detect: the person and no-person images get different top classes', async ({ page }) => {
  await openApp(page);
  await expect(page.getByTestId('header-model')).toHaveText('person_detect.tflite');
  await page.getByTestId('view-simulate').click();
  await page.getByTestId('sim-u8-mode').selectOption('bytes');
  const top: Record<string, string | null> = {};
  for (const [name, file] of [
    ['person', 'tflm_person_gray_u8_96x96.npy'],
    ['no_person', 'tflm_no_person_gray_u8_96x96.npy'],
  ]) {
    const cli = cliRun(fixturePath('models', 'person_detect.tflite'), [
      '--input',
      fixturePath('data', file),
      '--u8-bytes',
    ]);
    await page.getByTestId('sim-file-input').setInputFiles(fixturePath('data', file));
    await expect(page.getByTestId('sim-choose')).toHaveText(file);
    await page.getByTestId('sim-run').click();
    await expect(page.getByTestId('progress')).toHaveCount(0);
    await expectSameAsCli(page, cli);
    top[name] = await page.getByTestId('top-class').getAttribute('data-index');
    await expect(page.getByTestId('top-class')).toHaveText(top[name] === '1' ? 'class 1' : 'class 0');
    // A wide CONV_2D (6×6×128: "show more" past 64), then an early one (48×48×16) for the picture.
    await expectFeatureMaps(page, cli.layers.find((l) => l.op === 'CONV_2D' && l.shape[3] > 64)!);
    await expectFeatureMaps(page, cli.layers.find((l) => l.op === 'CONV_2D' && l.shape[1] === 48)!);
    await screenshot(page, `simulate-${name}`);
  }
  expect(top).toEqual({ person: '1', no_person: '0' });
});

/**
 * Select a CONV_2D layer: its output is fetched with simulate.layer and drawn as one map per
 * channel (64 at first, "show more" for the rest), with a legend and a value readout on hover that
 * agrees with the layer's min..max from the CLI.
 */
async function expectFeatureMaps(page: Page, conv: CliRun['layers'][number]): Promise<void> {
  const channels = conv.shape[3];
  await page.locator(`[data-testid="sim-row"][data-index="${conv.index}"]`).click();
  const maps = page.getByTestId('feature-maps');
  await expect(maps).toHaveAttribute('data-channels', String(channels));
  await expect(maps).toContainText(`${conv.shape[1]}×${conv.shape[2]} · ${channels} channels`);
  await expect(page.getByTestId('fm-cell')).toHaveCount(Math.min(64, channels));
  if (channels > 64) {
    await page.getByTestId('fm-more').click();
    await expect(page.getByTestId('fm-cell')).toHaveCount(Math.min(128, channels));
  }
  await expect(page.getByTestId('fm-legend')).toContainText(String(conv.stats.min));
  await expect(page.getByTestId('fm-legend')).toContainText(String(conv.stats.max));
  // Hover the top-left cell of channel 2: the readout names (y 0, x 0, c 2) and an in-range value.
  const cell = page.locator('[data-testid="fm-cell"][data-channel="2"] canvas');
  await cell.hover({ position: { x: 1, y: 1 } });
  const readout = page.getByTestId('fm-readout');
  await expect(readout).toContainText('(y 0, x 0, c 2) =');
  const q = Number((await readout.locator('b').textContent()) ?? 'NaN');
  expect(q).toBeGreaterThanOrEqual(conv.stats.min);
  expect(q).toBeLessThanOrEqual(conv.stats.max);
  await page.locator('[data-testid="fm-cell"][data-channel="2"]').click();
  await expect(page.getByTestId('fm-focus')).toHaveAttribute('data-channel', '2');
  // The enlarged map reads out the same channel.
  await page.getByTestId('fm-focus').hover({ position: { x: 100, y: 60 } });
  await expect(readout).toContainText(/\(y \d+, x \d+, c 2\) = -?\d+/);
}

test('a seeded run matches the CLI for the same seed', async ({ page }) => {
  const model = fixturePath('models', 'keyword_spotting_on_off.tflite');
  const cli = cliRun(model, ['--seed', '7']);
  await openApp(page);
  await openModelFile(page, model, 'keyword_spotting_on_off.tflite');
  await page.getByTestId('view-simulate').click();
  await page.getByTestId('sim-seed').fill('7');
  await page.getByTestId('sim-run').click();
  await expectSameAsCli(page, cli);
  // The model carries MLTK `classes`: the top class is shown by name.
  const labels = ['on', 'off', '_unknown_', '_silence_'];
  await expect(page.getByTestId('top-class')).toHaveText(labels[cli.outputs[0].top_k[0].index]);
  await expect(page.getByTestId('topk').locator('li').first()).toContainText(
    labels[cli.outputs[0].top_k[0].index],
  );
});

test('a one-value output (hello_world: y = sin x) shows its value, not a class', async ({ page }) => {
  const model = fixturePath('models', 'hello_world_int8.tflite');
  const cli = cliRun(model, ['--seed', '3']);
  const real = (cli.outputs[0] as unknown as { top_k: { real: number }[] }).top_k[0].real;
  await openApp(page);
  await openModelFile(page, model, 'hello_world_int8.tflite');
  await page.getByTestId('view-simulate').click();
  await page.getByTestId('sim-seed').fill('3');
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('sim-row')).toHaveCount(cli.layers.length);
  // rule: a regression output is a number: the headline is its real value (as the CLI computes it),
  // never "class 0" with a one-bar ranking
  await expect(page.getByTestId('output-value')).toHaveText(`value ${Number(real.toPrecision(6))}`);
  await expect(page.getByTestId('top-class')).toHaveCount(0);
  await expect(page.getByTestId('topk').locator('li')).toHaveCount(0);
});

test('a long run shows progress and can be cancelled; the next run completes', async ({ page }) => {
  const path = addChain(400);
  await openApp(page);
  await openModelFile(page, path, 'add_chain_400.tflite');
  await page.getByTestId('view-simulate').click();
  await page.getByTestId('sim-run').click();
  const progress = page.getByTestId('progress');
  await expect(progress).toBeVisible();
  await expect(page.getByTestId('sim-run')).toBeDisabled();
  await progress.getByRole('button', { name: 'Cancel' }).click();
  await expect(progress).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('error-banner')).toHaveCount(0); // cancelling is not an error
  await expect(page.getByTestId('sim-row')).toHaveCount(0);
  await expect(page.getByTestId('sim-run')).toBeEnabled();

  await page.getByTestId('sim-run').click();
  await expect(progress).toContainText(/Preparing|Layer|Statistics/, { timeout: 30_000 });
  await expect(page.getByTestId('sim-row')).toHaveCount(400, { timeout: 120_000 });
  await expect(progress).toHaveCount(0);
});

test('Cancel answers at once: the bar says Cancelling… and its button is disabled until the job ends', async ({
  page,
}) => {
  // The host's messages are held once Cancel is clicked, so the job cannot end before the checks
  // (a board finishes its current run first: a cancelled QEMU profile can take many seconds to end).
  let hold = false;
  const held: (string | Buffer)[] = [];
  let release = (): void => {};
  await page.routeWebSocket(/\/api\?/, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((m) => (hold ? held.push(m) : ws.send(m)));
    release = () => {
      hold = false;
      for (const m of held.splice(0)) ws.send(m);
    };
  });
  const path = addChain(400);
  await openApp(page);
  await openModelFile(page, path, 'add_chain_400.tflite');
  await page.getByTestId('view-simulate').click();
  await page.getByTestId('sim-run').click();
  const progress = page.getByTestId('progress');
  const cancel = progress.getByRole('button', { name: 'Cancel' });
  await expect(cancel).toBeEnabled();
  hold = true;
  await cancel.click();
  // rule: a click on Cancel is acknowledged before the job ends — said in the bar, the button done
  await expect(progress).toContainText('Cancelling…');
  await expect(cancel).toBeDisabled();
  release();
  await expect(progress).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('error-banner')).toHaveCount(0); // cancelling is not an error
  await expect(page.getByTestId('sim-run')).toBeEnabled();
});

test('a wrong input shows the error banner naming the problem', async ({ page }) => {
  await openApp(page);
  await openModelFile(page, fixturePath('models', 'hello_world_int8.tflite'), 'hello_world_int8.tflite');
  await page.getByTestId('view-simulate').click();
  // A 96×96 image for a model whose input is [1, 1].
  await page
    .getByTestId('sim-file-input')
    .setInputFiles(fixturePath('data', 'tflm_person_gray_u8_96x96.npy'));
  await page.getByTestId('sim-run').click();
  await expect(page.getByTestId('error-banner')).toBeVisible();
  await expect(page.getByTestId('error-message')).toContainText(/shape|element|size/i);
  await screenshot(page, 'simulate-error');
});
