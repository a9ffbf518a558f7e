/** Structural edits of the graph: op order, tensor indices, graph inputs/outputs, op codes, options. */
import {
  addTensor,
  activationReads,
  cloneOp,
  cloneSubgraph,
  main,
  pickOp,
  pickTensor,
  range,
  isConst,
  broken,
  writers,
  type Edit,
} from './edit-ir.ts';

/** Builtin codes: ones the core runs and ones it does not (SPLIT, TRANSPOSE_CONV, LSTM, GATHER, ...). */
const OP_CODES = [
  0, 1, 2, 3, 4, 6, 9, 14, 17, 18, 19, 21, 22, 25, 28, 34, 39, 40, 41, 43, 45, 49, 56, 67, 114, 36, 5,
];

export const GRAPH_EDITS: Record<string, Edit> = {
  /** A consumer moved before its producer: it reads a tensor nothing has written yet. */
  'reorder-ops'(m) {
    const sg = main(m);
    if (!sg) return null;
    for (let c = sg.operators.length - 1; c > 0; c--) {
      const reads = sg.operators[c].inputs;
      const p = sg.operators.findIndex((op, i) => i < c && reads.includes(op.outputs[0]));
      if (p < 0) continue;
      const read = sg.operators[p].outputs[0];
      const sole = read >= 0 && writers(sg, read).length === 1 && !sg.inputs.includes(read);
      const [op] = sg.operators.splice(c, 1);
      sg.operators.splice(p, 0, op);
      const what = `op${c}-before-op${p}`;
      return sole ? broken(what, 'reads a tensor before any op writes it') : what;
    }
    return null;
  },
  /** An op reads its own output or a later op's: a cycle in the graph. */
  cycle(m, r) {
    const sg = main(m);
    if (!sg) return null;
    const reads = activationReads(m, sg);
    if (!reads.length) return null;
    const a = r.pick(reads);
    const b = a.op + r.int(sg.operators.length - a.op);
    const t = sg.operators[b].outputs[0];
    // no earlier op writes it, it is no graph input: op a reads what only it or a later op writes
    const cycle = t >= 0 && writers(sg, t).every((w) => w >= a.op) && !sg.inputs.includes(t);
    sg.operators[a.op].inputs[a.slot] = t;
    const what = `op${a.op}.in${a.slot}=op${b}.out`;
    return cycle ? broken(what, 'cycle: reads its own or a later op output') : what;
  },
  /** A graph output that no op writes. */
  'output-unwritten'(m, r) {
    const sg = main(m);
    if (!sg || !sg.outputs.length) return null;
    const k = r.int(sg.outputs.length);
    const like = sg.tensors[sg.outputs[k]];
    if (!like) return null;
    sg.outputs[k] = addTensor(sg, like, `${like.name}_orphan`);
    return broken(`output${k}=new-tensor${sg.outputs[k]}`, 'graph output never written');
  },
  'write-constant'(m, r) {
    const sg = main(m);
    const c = pickTensor(sg, r, (t) => isConst(m, t));
    const op = pickOp(sg, r);
    if (!sg || !c || op === null) return null;
    sg.operators[op].outputs[0] = c.index;
    return broken(`op${op}.out=const-tensor${c.index}`, 'op writes a constant');
  },
  'write-graph-input'(m, r) {
    const sg = main(m);
    const op = pickOp(sg, r);
    if (!sg || op === null || !sg.inputs.length) return null;
    sg.operators[op].outputs[0] = sg.inputs[0];
    return broken(`op${op}.out=input-tensor${sg.inputs[0]}`, 'op writes a graph input');
  },
  'write-twice'(m, r) {
    const sg = main(m);
    if (!sg || sg.operators.length < 2) return null;
    const a = r.int(sg.operators.length);
    const b = (a + 1 + r.int(sg.operators.length - 1)) % sg.operators.length;
    const same = sg.operators[b].outputs[0] === sg.operators[a].outputs[0];
    sg.operators[b].outputs[0] = sg.operators[a].outputs[0];
    const what = `op${b}.out=op${a}.out`;
    return same ? what : broken(what, 'tensor written by two ops');
  },
  'swap-op-inputs'(m, r) {
    const sg = main(m);
    const i = pickOp(sg, r, 2);
    if (!sg || i === null) return null;
    const ins = sg.operators[i].inputs;
    const a = r.int(ins.length);
    const b = (a + 1 + r.int(ins.length - 1)) % ins.length;
    [ins[a], ins[b]] = [ins[b], ins[a]];
    return `op${i}-in${a}-in${b}`;
  },
  /** An op input replaced by another (valid) tensor index. */
  'swap-tensor-index'(m, r) {
    const sg = main(m);
    const i = pickOp(sg, r, 1);
    if (!sg || i === null) return null;
    const k = r.int(sg.operators[i].inputs.length);
    const t = r.int(sg.tensors.length);
    sg.operators[i].inputs[k] = t;
    return `op${i}.in${k}=tensor${t}`;
  },
  'index-out-of-range'(m, r) {
    const sg = main(m);
    if (!sg) return null;
    const n = sg.tensors.length;
    const op = pickOp(sg, r, 1);
    switch (r.int(6)) {
      case 0:
        if (op === null) return null;
        sg.operators[op].inputs[0] = r.pick([n, n + 100, -2, 40000]);
        return broken(`op${op}.in0=${sg.operators[op].inputs[0]}`, 'op input index out of range');
      case 1:
        if (op === null) return null;
        sg.operators[op].outputs[0] = r.pick([n, -1, 70000]);
        return broken(`op${op}.out=${sg.operators[op].outputs[0]}`, 'op output index out of range');
      case 2:
        if (!sg.inputs.length) return null;
        sg.inputs[0] = r.pick([n, -1]);
        return broken(`graph-input=${sg.inputs[0]}`, 'graph input index out of range');
      case 3:
        if (!sg.outputs.length) return null;
        sg.outputs[0] = r.pick([n, -5]);
        return broken(`graph-output=${sg.outputs[0]}`, 'graph output index out of range');
      case 4: {
        const t = pickTensor(sg, r);
        if (!t) return null;
        t.buffer = m.buffers.length + r.int(3);
        return broken(`tensor${t.index}.buffer=${t.buffer}`, 'buffer index out of range');
      }
      default:
        if (op === null) return null;
        sg.operators[op].opcodeIndex = m.operatorCodes.length + r.int(2);
        return broken(`op${op}.opcode=${sg.operators[op].opcodeIndex}`, 'opcode index out of range');
    }
  },
  empty(m, r) {
    const sg = main(m);
    if (!sg) return null;
    const what = r.pick(['operators', 'tensors', 'inputs', 'outputs', 'subgraphs', 'extra-subgraph']);
    if (what === 'operators') sg.operators = [];
    else if (what === 'tensors') sg.tensors = [];
    else if (what === 'inputs') sg.inputs = [];
    else if (what === 'outputs') sg.outputs = [];
    else if (what === 'subgraphs') m.subgraphs = [];
    else m.subgraphs.push(cloneSubgraph(sg));
    return what;
  },
  'drop-op'(m, r) {
    const sg = main(m);
    const i = pickOp(sg, r);
    if (!sg || i === null) return null;
    const out = sg.operators[i].outputs[0];
    const [dropped] = sg.operators.splice(i, 1);
    const read = sg.operators.some((op, k) => k >= i && op.inputs.includes(out)) || sg.outputs.includes(out);
    const sole =
      out >= 0 && dropped.outputs.length === 1 && !writers(sg, out).length && !sg.inputs.includes(out);
    // (a graph with no op left is refused as a whole, not at an op or tensor)
    const named = sg.operators.length > 0 && !isConst(m, sg.tensors[out]);
    return read && sole && named ? broken(`op${i}`, 'reads a tensor no op writes') : `op${i}`;
  },
  'duplicate-op'(m, r) {
    const sg = main(m);
    const i = pickOp(sg, r);
    if (!sg || i === null) return null;
    sg.operators.splice(i + 1, 0, cloneOp(sg.operators[i]));
    return `op${i}`;
  },
  /** An operator code changed to another builtin (one the core runs, or one it does not). */
  opcode(m, r) {
    if (!m.operatorCodes.length) return null;
    const k = r.int(m.operatorCodes.length);
    const c = m.operatorCodes[k];
    const to = r.pick(OP_CODES.filter((x) => x !== Math.max(c.builtinCode, c.deprecatedBuiltinCode)));
    c.builtinCode = to;
    c.deprecatedBuiltinCode = Math.min(to, 127);
    return `code${k}=${to}`;
  },
  /** One op's opcode index pointed at another of the model's operator codes. */
  'op-kind'(m, r) {
    const sg = main(m);
    const i = pickOp(sg, r);
    if (!sg || i === null || m.operatorCodes.length < 2) return null;
    const op = sg.operators[i];
    op.opcodeIndex = (op.opcodeIndex + 1 + r.int(m.operatorCodes.length - 1)) % m.operatorCodes.length;
    return `op${i}.opcode=${op.opcodeIndex}`;
  },
  /** A builtin option set to an odd value (zero stride, unknown padding enum, bad axis, ...). */
  option(m, r) {
    const sg = main(m);
    const ops = sg
      ? range(sg.operators.length).filter((i) => Object.keys(sg.operators[i].options).length)
      : [];
    if (!sg || !ops.length) return null;
    const i = r.pick(ops);
    const options = sg.operators[i].options;
    const name = r.pick(Object.keys(options).sort());
    const v = options[name];
    if (Array.isArray(v)) {
      if (!v.length) options[name] = [r.pick([0, -1, 7])];
      else v[r.int(v.length)] = r.pick([0, -1, 3, 1000]);
    } else if (typeof v === 'string') {
      options[name] = r.pick([4, 5, 9, 127]); // enums: raw numbers outside the schema's names
    } else if (typeof v === 'boolean') {
      options[name] = !v;
    } else {
      options[name] = r.pick([0, -1, 1, 2, 7, 1000, 0x7fffffff]);
    }
    return `op${i}.${name}=${JSON.stringify(options[name])}`;
  },
  version(m, r) {
    m.version = r.pick([0, 2, 4]);
    return `v${m.version}`;
  },
  'too-many-io'(m, r) {
    const sg = main(m);
    if (!sg || !sg.inputs.length) return null;
    if (r.int(2)) {
      sg.inputs = Array.from({ length: 9 }, () => sg.inputs[0]);
      return 'graph-inputs-9';
    }
    const i = pickOp(sg, r, 1);
    if (i === null) return null;
    const ins = sg.operators[i].inputs;
    while (ins.length < 9) ins.push(ins[0]);
    return `op${i}-inputs-9`;
  },
  /** An input marked absent (-1): fine for a bias, wrong for data or weights. */
  'optional-absent'(m, r) {
    const sg = main(m);
    const i = pickOp(sg, r, 1);
    if (!sg || i === null) return null;
    const k = r.int(sg.operators[i].inputs.length);
    sg.operators[i].inputs[k] = -1;
    return `op${i}.in${k}`;
  },
  'output-count'(m, r) {
    const sg = main(m);
    const i = pickOp(sg, r);
    if (!sg || i === null) return null;
    const op = sg.operators[i];
    if (r.int(2)) op.outputs = [];
    else op.outputs = [op.outputs[0], addTensor(sg, sg.tensors[op.outputs[0]], 'second_output')];
    return `op${i}-outputs-${op.outputs.length}`;
  },
  /** Graph output = graph input (a pass-through): valid as long as the rest is. */
  'output-is-input'(m) {
    const sg = main(m);
    if (!sg || !sg.inputs.length || !sg.outputs.length) return null;
    sg.outputs.push(sg.inputs[0]);
    return `tensor${sg.inputs[0]}`;
  },
  /** Harmless: new tensor names (the verdict must not change). */
  rename(m) {
    const sg = main(m);
    if (!sg) return null;
    for (const t of sg.tensors) t.name = `t${t.index}`;
    return 'all-tensors';
  },
};
