/** Quantizer core (pure): calibration ranges, BatchNorm folding, int8/int32 parameters. */
export * from './params.ts';
export * from './bn-fold.ts';
export * from './ranges.ts';
