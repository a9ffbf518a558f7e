/**
 * Structural model edits through the graph IR: each takes a private copy of a model, changes one
 * thing about its graph (op order, tensor indices, dtypes, shapes, quantization, options, ...) and
 * returns a short description for the mutant's file name (with the rule it breaks when the mutant is
 * invalid by construction, edit-ir.ts `broken`), or null when the model has nothing the edit applies
 * to. Most of them make a broken graph; a few (renames, optional inputs, pass-through
 * outputs) keep it valid, so the corpus has both verdicts for the same kind of change.
 */
import type { Edit } from './edit-ir.ts';
import { GRAPH_EDITS } from './edits-graph.ts';
import { TENSOR_EDITS } from './edits-tensor.ts';

export { cloneModel } from './edit-ir.ts';

export const EDITS: Record<string, Edit> = { ...GRAPH_EDITS, ...TENSOR_EDITS };
