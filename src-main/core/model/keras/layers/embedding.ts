/**
 * Embedding → CAST (float32 indices to int32, as Keras casts non-integer inputs) + GATHER of the
 * table's rows. The int8 model keeps the float32 index input and its CAST, and quantizes the table
 * (the GATHER passes the table's scale through).
 */
import type { LayerContext } from './context.ts';

export function embedding(ctx: LayerContext): void {
  const [table] = ctx.weights;
  if (!table || table.shape.length !== 2) ctx.fail('embeddings table missing or not 2-D');
  const idx = ctx.step(
    'CAST',
    [ctx.inputs[0]],
    ctx.inShapes[0],
    { in_data_type: 'FLOAT32', out_data_type: 'INT32' },
    'indices',
  );
  ctx.b.tensors[idx].dtype = 'int32';
  const t = ctx.constant('embeddings', table.shape, Float32Array.from(table.data));
  ctx.emit('GATHER', [t, idx], { axis: 0, batch_dims: 0 });
}
