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

/**
 * TFLM on each emulated core, from ../shared/ANCHORS.md ("On-device: TensorFlow Lite Micro on
 * emulated Cortex-M4, M7, M33, M55"; the M3 rows from the table above): tflite-micro 90b983c2,
 * CMSIS-NN 4ab83cc3, arm-none-eabi-gcc 12.2, QEMU 7.2 -icount shift=0, executed instructions of one
 * Invoke(). Per core: reference kernels and CMSIS-NN (Helium on the M55), per model.
 */
export interface CorePeers {
  reference: Record<string, PeerRow>;
  cmsisNn: Record<string, PeerRow>;
}

export const CORE_PEERS: Record<'m3' | 'm4' | 'm7' | 'm33' | 'm55', CorePeers> = {
  m3: {
    reference: TFLM_REFERENCE.models,
    cmsisNn: {
      ...CMSIS_NN.models,
      keyword_spotting_on_off: { instructions: 1_284_400, conv: 4.58, fc: 5.23, arena: 6_852 },
    },
  },
  m4: {
    reference: {
      person_detect: { instructions: 95_660_280, conv: 8.73, depthwise: 43.08, arena: 82_292 },
      keyword_spotting_on_off: { instructions: 4_097_800, conv: 14.64, fc: 8.36, arena: 6_516 },
    },
    cmsisNn: {
      person_detect: { instructions: 22_929_280, conv: 2.35, depthwise: 8.64, arena: 82_308 },
      keyword_spotting_on_off: { instructions: 1_038_480, conv: 3.7, fc: 3.2, arena: 6_852 },
    },
  },
  m7: {
    reference: {
      person_detect: { instructions: 96_136_120, conv: 8.67, depthwise: 43.99, arena: 82_292 },
    },
    cmsisNn: {
      person_detect: { instructions: 22_545_880, conv: 2.32, depthwise: 8.49, arena: 82_308 },
      keyword_spotting_on_off: { instructions: 1_063_880, conv: 3.79, fc: 3.2, arena: 6_852 },
    },
  },
  m33: {
    reference: {
      person_detect: { instructions: 94_929_150, conv: 8.74, depthwise: 42.29, arena: 82_292 },
    },
    cmsisNn: {
      person_detect: { instructions: 22_841_650, conv: 2.35, depthwise: 8.6, arena: 82_308 },
      keyword_spotting_on_off: { instructions: 1_038_700, conv: 3.7, fc: 3.12, arena: 6_852 },
    },
  },
  m55: {
    reference: {
      person_detect: { instructions: 91_474_469, conv: 7.76, depthwise: 44.97, arena: 82_292 },
    },
    cmsisNn: {
      person_detect: { instructions: 6_508_938, conv: 0.47, depthwise: 3.71, arena: 82_356 },
      keyword_spotting_on_off: { instructions: 301_750, conv: 1.07, fc: 1.53, arena: 6_900 },
    },
  },
};
