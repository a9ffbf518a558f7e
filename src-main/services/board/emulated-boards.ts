/**
 * The emulated boards: each a firmware port cross-built with arm-none-eabi-gcc (a make target of
 * firmware/port/ports.mk) and run under qemu-system-arm with `-icount shift=0`, so its ticks count
 * executed instructions. `qemu` is the Cortex-M3 (the first emulated board; its id stays).
 */
/** `make -C firmware <target>`: the virtual board, or an emulated board's image. */
export type FirmwareTarget =
  | 'host'
  | 'mps2'
  | 'mps2-an386'
  | 'mps2-an500'
  | 'mps2-an505'
  | 'mps3-an547'
  | 'nucleo-qemu';

export interface EmulatedBoard {
  /** What `--board` and `boards.profile({board})` take. */
  id: string;
  /** QEMU's `-M`. */
  machine: string;
  /** The core, as the cost model names it. */
  cpu: string;
  /** `make -C firmware <target>` builds its image. */
  target: FirmwareTarget;
  /** Which of the machine's serial ports carries the link (QEMU's `-serial` order). */
  serial: number;
  /** One line for board lists. */
  label: string;
}

export const EMULATED_BOARDS: readonly EmulatedBoard[] = [
  {
    id: 'qemu',
    machine: 'mps2-an385',
    cpu: 'cortex-m3',
    target: 'mps2',
    serial: 0,
    label: 'Emulated Cortex-M3 (QEMU mps2-an385)',
  },
  {
    id: 'qemu-m4',
    machine: 'mps2-an386',
    cpu: 'cortex-m4',
    target: 'mps2-an386',
    serial: 0,
    label: 'Emulated Cortex-M4F (QEMU mps2-an386)',
  },
  {
    id: 'qemu-m7',
    machine: 'mps2-an500',
    cpu: 'cortex-m7',
    target: 'mps2-an500',
    serial: 0,
    label: 'Emulated Cortex-M7 (QEMU mps2-an500)',
  },
  {
    id: 'qemu-m33',
    machine: 'mps2-an505',
    cpu: 'cortex-m33',
    target: 'mps2-an505',
    serial: 0,
    label: 'Emulated Cortex-M33 (QEMU mps2-an505)',
  },
  {
    id: 'qemu-m55',
    machine: 'mps3-an547',
    cpu: 'cortex-m55',
    target: 'mps3-an547',
    serial: 0,
    label: 'Emulated Cortex-M55 with Helium (QEMU mps3-an547)',
  },
  {
    // the NUCLEO-F446RE port (same Cortex-M4F, RCC, USART and SysTick family) on the STM32F405
    // QEMU models: its USART2 is the machine's second serial port
    id: 'qemu-nucleo',
    machine: 'netduinoplus2',
    cpu: 'cortex-m4',
    target: 'nucleo-qemu',
    serial: 1,
    label: 'NUCLEO-F446RE firmware on an emulated STM32F405 (QEMU netduinoplus2)',
  },
];

export function emulatedBoard(id: string): EmulatedBoard | undefined {
  return EMULATED_BOARDS.find((b) => b.id === id);
}

export const DEFAULT_EMULATED_BOARD = EMULATED_BOARDS[0];
