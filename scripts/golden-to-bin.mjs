#!/usr/bin/env node
// Convert the golden per-layer JSON files (fixtures/golden/*.json) into a flat binary the C
// firmware tests read without a JSON parser:
//   "QSG1" | u32 len | model path (relative to fixtures) | u32 nIn | {i32 tensor, u32 n, bytes}*
//          | u32 nOut | {i32 tensor, u32 n, bytes}*            (little-endian)
// Usage: node scripts/golden-to-bin.mjs FIXTURES_DIR OUT_DIR [NAME.json ...]
//   (only the named files of FIXTURES_DIR/golden when given, e.g. one field golden)
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [fixtures, outDir, ...only] = process.argv.slice(2);
if (!fixtures || !outDir) {
  console.error('usage: golden-to-bin.mjs FIXTURES_DIR OUT_DIR [NAME.json ...]');
  process.exit(2);
}
const u32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const i32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};
const tensors = (list) => [
  u32(list.length),
  ...list.flatMap((t) => {
    const data = Buffer.from(t.data_b64, 'base64');
    return [i32(t.tensor), u32(data.length), data];
  }),
];

mkdirSync(outDir, { recursive: true });
const files = readdirSync(join(fixtures, 'golden'))
  .filter((f) => f.endsWith('.json') && (only.length === 0 || only.includes(f)))
  .sort();
for (const f of only) if (!files.includes(f)) throw new Error(`${join(fixtures, 'golden', f)} not found`);
if (files.length === 0) throw new Error(`no golden JSON files in ${join(fixtures, 'golden')}`);
for (const f of files) {
  const g = JSON.parse(readFileSync(join(fixtures, 'golden', f), 'utf8'));
  if (typeof g.model !== 'string' || !Array.isArray(g.inputs) || !Array.isArray(g.op_outputs)) {
    throw new Error(`${f}: not a golden file (model, inputs, op_outputs expected)`);
  }
  const name = Buffer.from(g.model, 'utf8');
  const out = Buffer.concat([
    Buffer.from('QSG1'),
    u32(name.length),
    name,
    ...tensors(g.inputs),
    ...tensors(g.op_outputs),
  ]);
  writeFileSync(join(outDir, f.replace(/\.json$/, '.bin')), out);
}
console.log(`golden-to-bin: ${files.length} files -> ${outDir}`);
