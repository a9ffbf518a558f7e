#!/usr/bin/env node
// Emit the assembly that links goldens into a firmware image (firmware/tests/golden_arm.c, make
// core-goldens-<core>): for each golden id ("golden/NAME.json" or "field/NAME.json", as
// test/helpers/golden-cases.ts names them) the model it runs on and its QSG1 golden
// (scripts/golden-to-bin.mjs: GOLDEN_DIR/NAME.bin or GOLDEN_DIR/field/NAME.bin) by .incbin, and the
// tables golden_count, golden_models, golden_model_lens, golden_bins, golden_ids.
// Usage: node scripts/golden-image-data.mjs FIXTURES_DIR GOLDEN_DIR ID... > golden_data.S
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const [fixtures, goldenDir, ...ids] = process.argv.slice(2);
if (!fixtures || !goldenDir || ids.length === 0) {
  console.error('usage: golden-image-data.mjs FIXTURES_DIR GOLDEN_DIR ID...');
  process.exit(2);
}
const quote = (p) => `"${p.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const lines = ['  .section .rodata'];
ids.forEach((id, i) => {
  const m = id.match(/^(golden|field)\/([^/]+)\.json$/);
  if (!m) throw new Error(`${id}: not a golden id (golden/NAME.json or field/NAME.json)`);
  const bin = resolve(goldenDir, m[1] === 'field' ? 'field' : '.', `${m[2]}.bin`);
  if (!existsSync(bin)) throw new Error(`${id}: no converted golden ${bin} (is it on the MUST_RUN list?)`);
  const b = readFileSync(bin);
  if (b.toString('latin1', 0, 4) !== 'QSG1') throw new Error(`${bin}: not a QSG1 golden`);
  const model = resolve(fixtures, b.toString('utf8', 8, 8 + b.readUInt32LE(4)));
  if (!existsSync(model)) throw new Error(`${id}: model ${model} not found`);
  lines.push(`  .balign 16\nm${i}: .incbin ${quote(model)}\nm${i}_end:`);
  lines.push(`  .balign 4\ng${i}: .incbin ${quote(bin)}`);
  lines.push(`s${i}: .asciz ${quote(id)}`);
});
const table = (name, f) => [`  .global ${name}\n${name}:`, ...ids.map((_, i) => `  .word ${f(i)}`)];
lines.push('  .balign 4', `  .global golden_count\ngolden_count: .word ${ids.length}`);
lines.push(...table('golden_models', (i) => `m${i}`));
lines.push(...table('golden_model_lens', (i) => `m${i}_end - m${i}`));
lines.push(...table('golden_bins', (i) => `g${i}`));
lines.push(...table('golden_ids', (i) => `s${i}`));
console.log(lines.join('\n'));
