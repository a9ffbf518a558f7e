export * from './types.ts';
export { compareRun, type CompareInput } from './compare.ts';
export { firstStreamDivergence, streamCompare } from './stream.ts';
export { hostRun, hostEstimate, type HostRun } from './host-run.ts';
export {
  calibrateFromMeasurements,
  calibrationSummary,
  profileFor,
  profileLabel,
  ticksToTime,
  timingScales,
  type TimingScales,
  type Calibration,
  type FitError,
} from './timing.ts';
export { diffElements, dequantize, elementReader } from './elements.ts';
export { compareOutput } from './outputs.ts';
export { deviceDump } from './device-dump.ts';
export { hostSide, type HostSide, type HostSideSpec } from './host-side.ts';
export { explainDifference, binLabel, CLASS_WORDS, RULE, isSystematic } from './explain.ts';
export { applyTolerance, withTolerance, parseTolerance } from './tolerance.ts';
