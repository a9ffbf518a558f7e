import { describe, expect, it } from 'vitest';
import { readFixture } from '../../helpers/fixtures.ts';
import { readTflite, writeTflite } from '../../../src-main/core/model/index.ts';
import { kerasToTflite, readKerasH5 } from '../../../src-main/core/model/keras/index.ts';
import { normalizationOf } from '../../../src-main/core/simulate/inputs/normalize.ts';
import { parseNormalization, withNormalization } from '../../../src-main/core/quantize/index.ts';

describe('input normalization parameters', () => {
  it('parses the --norm forms and rejects others by name', () => {
    expect(parseNormalization('none')).toEqual({ rescale: 0, meanAndStd: false });
    expect(parseNormalization('meanstd')).toEqual({ rescale: 0, meanAndStd: true });
    expect(parseNormalization('rescale:255')).toEqual({ rescale: 1 / 255, meanAndStd: false });
    expect(() => parseNormalization('rescale:0')).toThrow(/non-zero/);
    expect(() => parseNormalization('zscore')).toThrow(/--norm zscore: expected none/);
  });

  it('a converted Keras model carries them through write → read, as the simulator reads them', async () => {
    const model = kerasToTflite(await readKerasH5(readFixture('float', 'image_example1.h5')));
    for (const spec of ['meanstd', 'rescale:255']) {
      const norm = parseNormalization(spec);
      const reread = readTflite(writeTflite(withNormalization(model, norm)));
      expect(reread.parameters['samplewise_norm.mean_and_std']).toBe(norm.meanAndStd);
      expect(reread.parameters['samplewise_norm.rescale']).toBeCloseTo(norm.rescale, 7);
      const seen = normalizationOf(reread.parameters);
      expect(seen?.meanAndStd).toBe(norm.meanAndStd);
      expect(seen?.rescale).toBeCloseTo(norm.rescale, 7);
    }
  });

  it('keeps the other MLTK parameters of rock_paper_scissors', () => {
    const model = readTflite(readFixture('float', 'rock_paper_scissors.float32.tflite'));
    const next = readTflite(writeTflite(withNormalization(model, parseNormalization('rescale:255'))));
    expect(next.parameters.classes).toEqual(model.parameters.classes);
    expect(next.parameters.detection_threshold).toBe(model.parameters.detection_threshold);
    expect(next.parameters['samplewise_norm.mean_and_std']).toBe(false);
  });
});
