/** Graph search (issue 19 item 6): which layers a query names, on the real person_detect model. */
import { describe, expect, it } from 'vitest';
import { summarize } from '../../src-main/core/model/summary.ts';
import { readTflite } from '../../src-main/core/model/tflite-reader.ts';
import { matchLayers } from '../../src-renderer/lib/graph-search.ts';
import { readFixture } from '../helpers/fixtures.ts';

const summary = summarize(readTflite(readFixture('models', 'person_detect.tflite')));

describe('matchLayers on person_detect (SOURCES.md: 14 CONV_2D, 14 DEPTHWISE_CONV_2D, 1 SOFTMAX)', () => {
  // rule: op type matches case-insensitively as a substring (CONV_2D is also inside DEPTHWISE_CONV_2D)
  it('op type', () => {
    expect(matchLayers(summary, 'softmax')).toEqual([summary.layers.length - 1]);
    expect(matchLayers(summary, 'depthwise')).toHaveLength(14);
    expect(matchLayers(summary, 'conv_2d')).toHaveLength(28);
  });
  // rule: digits (with or without #) name exactly one layer by index, not every name holding them
  it('index', () => {
    expect(matchLayers(summary, '#5')).toEqual([5]);
    expect(matchLayers(summary, '12')).toEqual([12]);
    expect(matchLayers(summary, '999')).toEqual([]);
  });
  // rule: a layer is also found by its output tensor's name
  it('layer name', () => {
    const name = summary.layers[3].outputs[0].name;
    expect(matchLayers(summary, name.toUpperCase())).toContain(3);
  });
  // rule: an empty query matches nothing (no highlight)
  it('empty', () => expect(matchLayers(summary, '  ')).toEqual([]));
});
