#!/usr/bin/env node
// Convert the golden per-layer JSON files the interpreter core must match (the MUST_RUN list,
// test/helpers/golden-must-run.txt, which the TypeScript golden tests read too) into a flat
// binary the C firmware tests read without a JSON parser:
//   "QSG1" | u32 len | model path (relative to fixtures) | u32 nIn | {i32 tensor, u32 n, bytes}*
//          | u32 nOut | {i32 tensor, u32 n, bytes}*            (little-endian)
// Usage: node scripts/golden-to-bin.mjs FIXTURES_DIR OUT_DIR MUST_RUN_LIST
//   Converts each golden of FIXTURES_DIR/golden/ and FIXTURES_DIR/field/golden/ whose id
//   ("golden/<file>.json", "field/<file>.json") matches a pattern of the list:
//   golden/NAME.json -> OUT_DIR/NAME.bin, field/golden/NAME.json -> OUT_DIR/field/NAME.bin.
//   .bin files of earlier runs in those two folders are removed first.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';

const [fixtures, outDir, listFile] = process.argv.slice(2);
if (!fixtures || !outDir || !listFile) {
  console.error('usage: golden-to-bin.mjs FIXTURES_DIR OUT_DIR MUST_RUN_LIST');
  process.exit(2);
}
// One regular expression per line; lines starting with # are comments (as golden-cases.ts reads it).
const patterns = readFileSync(listFile, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => new RegExp(l));

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

// [folder above golden/ (relative to fixtures), id prefix, output folder]
const folders = [
  ['', 'golden/', outDir],
  ['field', 'field/', join(outDir, 'field')],
];
const matched = new Set();
let count = 0;
for (const [base, prefix, out] of folders) {
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(out)) if (f.endsWith('.bin')) rmSync(join(out, f));
  const files = readdirSync(join(fixtures, base, 'golden'))
    .filter((f) => f.endsWith('.json'))
    .sort();
  for (const f of files) {
    const hits = patterns.filter((p) => p.test(prefix + f));
    if (hits.length === 0) continue;
    hits.forEach((p) => matched.add(p));
    const g = JSON.parse(readFileSync(join(fixtures, base, 'golden', f), 'utf8'));
    if (typeof g.model !== 'string' || !Array.isArray(g.inputs) || !Array.isArray(g.op_outputs)) {
      throw new Error(`${prefix}${f}: not a golden file (model, inputs, op_outputs expected)`);
    }
    const name = Buffer.from(base ? posix.join(base, g.model) : g.model, 'utf8');
    const bin = Buffer.concat([
      Buffer.from('QSG1'),
      u32(name.length),
      name,
      ...tensors(g.inputs),
      ...tensors(g.op_outputs),
    ]);
    writeFileSync(join(out, f.replace(/\.json$/, '.bin')), bin);
    count++;
  }
}
for (const p of patterns) if (!matched.has(p)) throw new Error(`${listFile}: ${p} matches no golden`);
console.log(`golden-to-bin: ${count} files -> ${outDir}`);
