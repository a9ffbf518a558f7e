/**
 * Peer numbers for bench:firmware, from ../shared/ANCHORS.md ("On-device: TensorFlow Lite Micro
 * on an emulated Cortex-M3"): tflite-micro 90b983c2, arm-none-eabi-gcc 12.2 -O2, QEMU mps2-an385
 * with -icount shift=0, one inference. Units: executed instructions, instructions per MAC, bytes.
 */
export interface PeerRow {
  instructions?: number;
  conv?: number;
  depthwise?: number;
  fc?: number;
  arena?: number;
}

export interface Peer {
  name: string;
  /** per-model rows where the anchors list the model */
  models: Record<string, PeerRow>;
  /** average instr/MAC over six real int8 models (used where no per-model row exists) */
  average: PeerRow;
}

export const TFLM_REFERENCE: Peer = {
  name: 'TFLM reference',
  models: {
    person_detect: { instructions: 94_433_600, conv: 8.66, depthwise: 42.29, arena: 82_292 },
    hello_world_int8: { instructions: 5_560, fc: 18.5, arena: 676 },
  },
  average: { conv: 9.06, depthwise: 42.3, fc: 7.41 },
};

export const CMSIS_NN: Peer = {
  name: 'TFLM + CMSIS-NN',
  models: {
    person_detect: { instructions: 30_330_000, conv: 3.36, depthwise: 9.85, arena: 82_308 },
  },
  average: { conv: 3.32, depthwise: 9.67, fc: 3.64 },
};
