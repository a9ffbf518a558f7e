/**
 * `--cpu <profile[@MHz]>` and `--mhz N`: the cost-model CPU profile a command estimates for, as one
 * "cortex-m7@480" string (what compare and profile pass on). Unknown profiles and bad clocks are
 * refused with the list of profiles, before any work starts.
 */
import { CPU_PROFILES, cpuProfile, isCpuProfileName, type CpuProfile } from '../core/simulate/cost-model.ts';

export const CPU_HELP = `cost-model CPU profile, optionally @MHz: ${CPU_PROFILES.join(', ')} (e.g. cortex-m7@480)`;
export const MHZ_HELP = 'CPU clock for --cpu in MHz (estimated time = cycles / clock)';

export function cpuSpec(opts: { cpu?: string; mhz?: string }): string | undefined {
  if (opts.mhz !== undefined && !opts.cpu) throw new Error('--mhz sets the clock of --cpu: give --cpu too');
  if (!opts.cpu) return undefined;
  const [name, at, ...rest] = opts.cpu.toLowerCase().split('@');
  if (rest.length || !isCpuProfileName(name))
    throw new Error(`--cpu ${opts.cpu}: unknown CPU profile (${CPU_PROFILES.join(', ')}, optionally @MHz)`);
  if (at !== undefined && opts.mhz !== undefined && Number(at) !== Number(opts.mhz))
    throw new Error(`--cpu ${opts.cpu} and --mhz ${opts.mhz} give two clocks`);
  const mhz = opts.mhz ?? at;
  if (mhz !== undefined && !(Number(mhz) > 0 && Number(mhz) < 1e5))
    throw new Error(`--mhz ${mhz}: the clock is a positive number of MHz (e.g. 480)`);
  return mhz === undefined ? name : `${name}@${Number(mhz)}`;
}

/** The profile of a spec from cpuSpec (clock: the @MHz, else the profile's usual clock). */
export function cpuFromSpec(spec: string): CpuProfile {
  const [name, mhz] = spec.split('@');
  if (!isCpuProfileName(name)) throw new Error(`unknown CPU profile '${name}'`);
  return cpuProfile(name, mhz ? Number(mhz) : undefined);
}
