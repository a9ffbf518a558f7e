/** quantscope run on a TFLM field LSTM model: the gate-saturation lines of the run report. */
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.ts';
import { fixturePath } from '../helpers/fixtures.ts';

const MNIST_LSTM = fixturePath(
  'field',
  'models',
  'tensorflow__tensorflow_lite_micro_examples_mnist_lstm_trained_lstm_int8.tflite',
);

describe('run: LSTM gate saturation', () => {
  // Rule: the report names the gate that saturates most, with each gate's saturated share (mnist_lstm
  // int8 on the seed-1 input: its output gate sits at the rails for 29.1 % of steps x units).
  it('mnist_lstm int8: the output gate saturates most', async () => {
    const r = await cli('run', MNIST_LSTM, '--seed', '1');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(
      'LSTM #0 gates saturated over 28 steps x 20 units: forget 0.2 %, input 14.6 %, cell 8.4 %, output 29.1 %; most saturated: output gate',
    );
    const json = JSON.parse((await cli('run', MNIST_LSTM, '--seed', '1', '--json')).out);
    expect(json.lstm_gates).toHaveLength(1);
    expect(json.lstm_gates[0]).toMatchObject({ index: 0, steps: 28, units: 20, most_saturated: 'output' });
    expect(json.lstm_gates[0].saturation.output).toBeCloseTo(0.291, 3);
  });

  // Rule: a model without LSTM has no gate lines.
  it('no LSTM: no gate report', async () => {
    const r = await cli(
      'run',
      fixturePath(
        'field',
        'models',
        'tensorflow__tensorflow_lite_micro_examples_hello_world_models_hello_world_int8.tflite',
      ),
      '--seed',
      '1',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).not.toContain('LSTM #');
  });
});
