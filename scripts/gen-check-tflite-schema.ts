/**
 * Check QuantScope's hand-written TFLite schema facts against an official schema.fbs:
 *   npx tsx scripts/gen-check-tflite-schema.ts path/to/schema.fbs
 * (tensorflow/tflite-micro: tensorflow/compiler/mlir/lite/schema/schema.fbs, or
 * tensorflow/tensorflow: tensorflow/lite/schema/schema.fbs). Compares builtin operator names,
 * the BuiltinOptions union order, every option table's fields (ids, types, defaults), tensor types
 * and option enums. Prints each difference and exits 1 if there is any. Nothing is generated or
 * copied from the schema; it is only read.
 */
import { readFileSync } from 'node:fs';
import { OPTION_TABLES } from '../src-main/core/model/tflite-options.ts';
import { ENUMS, TENSOR_TYPES, builtinName } from '../src-main/core/model/tflite-schema.ts';

const path = process.argv[2];
if (!path) {
  console.error('usage: tsx scripts/gen-check-tflite-schema.ts SCHEMA.fbs');
  process.exit(2);
}
const text = readFileSync(path, 'utf8')
  .replace(/\/\/[^\n]*/g, '')
  .replace(/\/\*[\s\S]*?\*\//g, '');

const problems: string[] = [];
const differ = (what: string, ours: unknown, schema: unknown) => {
  if (JSON.stringify(ours) !== JSON.stringify(schema))
    problems.push(`${what}: ours ${JSON.stringify(ours)}, schema ${JSON.stringify(schema)}`);
};

function enumValues(name: string): Map<string, number> {
  const m = new RegExp(`enum\\s+${name}\\s*:\\s*\\w+\\s*\\{([^}]*)\\}`).exec(text);
  if (!m) throw new Error(`enum ${name} not found`);
  const out = new Map<string, number>();
  let next = 0;
  for (const item of m[1]
    .split(',')
    .map((s) => s.replace(/\(.*?\)/g, '').trim())
    .filter(Boolean)) {
    const [k, v] = item.split('=').map((s) => s.trim());
    next = v !== undefined ? Number(v) : next;
    out.set(k, next++);
  }
  return out;
}

function unionMembers(name: string): string[] {
  const m = new RegExp(`union\\s+${name}\\s*\\{([^}]*)\\}`).exec(text);
  if (!m) throw new Error(`union ${name} not found`);
  return m[1]
    .split(',')
    .map((s) =>
      s
        .replace(/\(.*?\)/g, '')
        .split(':')
        .pop()!
        .trim(),
    )
    .filter(Boolean);
}

function tableFields(name: string): { name: string; type: string; dflt?: string; deprecated: boolean }[] {
  const m = new RegExp(`table\\s+${name}\\s*(?:\\([^)]*\\))?\\s*\\{([^}]*)\\}`).exec(text);
  if (!m) throw new Error(`table ${name} not found`);
  return m[1]
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((f) => {
      const deprecated = /\(\s*deprecated\s*\)/.test(f);
      const [decl, dflt] = f
        .replace(/\(.*?\)/g, '')
        .split('=')
        .map((s) => s.trim());
      const [fname, type] = decl.split(':').map((s) => s.trim());
      return { name: fname, type, dflt, deprecated };
    });
}

// Builtin operators.
for (const [name, code] of enumValues('BuiltinOperator'))
  differ(`BuiltinOperator ${code}`, builtinName(code), name);

// Tensor types (TensorType value order).
for (const [name, code] of enumValues('TensorType'))
  differ(`TensorType ${code}`, TENSOR_TYPES[code]?.toUpperCase() ?? null, name);

// Enums used in options.
for (const [enumName, ours] of Object.entries(ENUMS)) {
  if (enumName === 'TensorType') continue;
  const schema = [...enumValues(enumName)].sort((a, b) => a[1] - b[1]).map(([k]) => k);
  differ(`enum ${enumName}`, ours, schema);
}

// BuiltinOptions union order and every table's fields.
const union = unionMembers('BuiltinOptions');
differ('BuiltinOptions member count', OPTION_TABLES.length, union.length);
union.forEach((member, i) => {
  const ours = OPTION_TABLES[i];
  differ(`BuiltinOptions ${i + 1}`, ours?.name, member);
  if (!ours || ours.name !== member) return;
  const schemaFields = tableFields(member);
  schemaFields.forEach((f, id) => {
    const mine = ours.fields.find((x) => x.id === id);
    if (f.deprecated) {
      if (mine) problems.push(`${member}.${f.name}: deprecated in the schema but decoded as field ${id}`);
      return;
    }
    if (!mine) return void problems.push(`${member}.${f.name} (field ${id}) missing`);
    differ(`${member} field ${id} name`, mine.name, f.name);
    const type =
      {
        int: 'int',
        uint: 'uint',
        long: 'long',
        float: 'float',
        bool: 'bool',
        string: 'string',
        int32: 'int',
      }[f.type] ?? (f.type.startsWith('[') ? f.type.replace('int32', 'int') : f.type);
    differ(`${member}.${f.name} type`, mine.type, type);
    let dflt = 0;
    if (f.dflt === 'true') dflt = 1;
    else if (f.dflt !== undefined && f.dflt !== 'false') {
      dflt = Number.isNaN(Number(f.dflt)) ? (enumValues(f.type).get(f.dflt) ?? NaN) : Number(f.dflt);
    }
    differ(`${member}.${f.name} default`, mine.dflt, dflt);
  });
  differ(`${member} field count`, ours.fields.length, schemaFields.filter((f) => !f.deprecated).length);
});

if (problems.length) {
  console.log(problems.join('\n'));
  console.log(`${problems.length} difference(s) from ${path}`);
  process.exit(1);
}
console.log(
  `OK: ${OPTION_TABLES.length} option tables, operator names, tensor types and enums match ${path}`,
);
