/**
 * The outside programs the boards need — make and a C compiler (the virtual board is built on first
 * use), arm-none-eabi-gcc (the emulated board's firmware) and qemu-system-arm — and what to install
 * when one is missing: one line naming the Debian/Ubuntu package and the macOS way to get it, instead
 * of `spawn make ENOENT` or make's `cc: No such file or directory` among compiler output.
 */

export interface ToolHelp {
  /** What the tool is for, in the message. */
  role: string;
  debian: string;
  macos: string;
}

const TOOLS: Record<string, ToolHelp> = {
  make: {
    role: 'make (builds the board firmware)',
    debian: 'sudo apt-get install make',
    macos: 'xcode-select --install',
  },
  cc: {
    role: 'a C compiler, cc (builds the virtual board)',
    debian: 'sudo apt-get install gcc',
    macos: 'xcode-select --install',
  },
  'arm-none-eabi-gcc': {
    role: 'the Arm cross compiler, arm-none-eabi-gcc (builds the emulated Cortex-M3 firmware)',
    debian: 'sudo apt-get install gcc-arm-none-eabi',
    macos: 'brew install --cask gcc-arm-embedded',
  },
  'qemu-system-arm': {
    role: 'QEMU, qemu-system-arm (runs the emulated Cortex-M3 board)',
    debian: 'sudo apt-get install qemu-system-arm',
    macos: 'brew install qemu',
  },
};
// other names make may use for the same tools (CC=gcc or clang; the Arm binutils)
for (const cc of ['gcc', 'clang'])
  TOOLS[cc] = { ...TOOLS.cc, role: `a C compiler, ${cc} (builds the virtual board)` };
for (const t of ['arm-none-eabi-ar', 'arm-none-eabi-size', 'arm-none-eabi-objcopy'])
  TOOLS[t] = { ...TOOLS['arm-none-eabi-gcc'], role: `the Arm toolchain's ${t}` };

/** The tool's one-line message, e.g. "make is not installed: …". */
export function missingToolMessage(tool: string): string {
  const help = TOOLS[tool] ?? { role: tool, debian: `install ${tool}`, macos: `install ${tool}` };
  return `${help.role} is not installed: install it with "${help.debian}" (Debian/Ubuntu) or "${help.macos}" (macOS)`;
}

/** An error from spawning `tool` that means it is not on PATH. */
export function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/**
 * The tool a failed make run could not find, from its output: make's own "make: cc: No such file
 * or directory" (a recipe run without a shell) or the shell's "sh: 1: cc: not found" / "cc: command
 * not found". Only the tools above count: a missing source file is not a missing program.
 */
export function missingToolInMakeOutput(stderr: string): string | null {
  const patterns = [
    /^make(?:\[\d+\])?: ([\w.+-]+): (?:No such file or directory|Command not found)/m,
    /^(?:\/bin\/)?(?:ba|da)?sh: (?:\d+: |line \d+: )?([\w.+-]+): (?:command )?not found/m,
  ];
  for (const p of patterns) {
    const m = p.exec(stderr);
    if (m && m[1] in TOOLS) return m[1];
  }
  return null;
}
