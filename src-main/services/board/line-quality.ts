/**
 * What the link has learned about its line: how often frames arrive damaged (both directions),
 * how long a round trip takes, and how fast bytes move. The upload, the input writes and the
 * op-output stream size their frames from this, and BoardLink sizes its timeouts from it, instead
 * of fixed sizes and a fixed one-second wait.
 */

/**
 * Data bytes per frame that move the most data per byte sent on a line of byte error rate `p`,
 * each frame carrying `overhead` bytes besides its data and lost whole when any byte is damaged:
 * the L maximizing L/(L+h)·(1-p)^(L+h), where 1/L - 1/(L+h) = -ln(1-p), i.e.
 * L = (sqrt(h² + 4h/λ) - h)/2 with λ = -ln(1-p) (~sqrt(h/p) for small p). A multiple of 16
 * between `min` and `max`; `max` on a clean line. Around the optimum the curve is flat (at 1e-3
 * and 30 B of overhead, frames of 160 B deliver 70% of the bytes sent as data, 256 B 67%, 32 B 48%).
 */
export function bestFrameData(p: number, overhead: number, min: number, max: number): number {
  if (!(p > 0)) return max;
  const lambda = -Math.log1p(-Math.min(p, 0.5));
  const l = (Math.sqrt(overhead * overhead + (4 * overhead) / lambda) - overhead) / 2;
  return Math.max(min, Math.min(max, Math.max(16, Math.round(l / 16) * 16)));
}

/** Frames this likely to arrive intact are the goal when the line is noisy (see frameData). */
const TARGET_INTACT = 0.7;

export class LineQuality {
  /** Frames and their bytes, both directions: received intact or damaged, sent, and sent ones
   * the board could not read (it answers those with an unattributed error). Decayed together. */
  private bytes = 0;
  private good = 0;
  private bad = 0;
  private sent = 0;
  private sentBad = 0;
  /** Smoothed round trip and its variation (RFC 6298 style), ms; null until measured. */
  private srtt: number | null = null;
  private rttvar = 0;
  /** Fastest transfer rate seen (bytes per second), or 0 when unknown. */
  private rate = 0;
  /** Since the link opened: damaged frames, timeouts, the time spent waiting in those timeouts
   * (ms) and the timeouts per command name (where a noisy line's time goes). */
  readonly totals = { damaged: 0, timeouts: 0, timeoutMs: 0, timeoutsBy: {} as Record<string, number> };

  /** `n` bytes arrived from the board. */
  sawBytes(n: number): void {
    this.bytes += n;
    // Forget slowly: a burst of noise long ago should not keep frames small for ever.
    if (this.bytes > 1 << 20) {
      this.bytes /= 2;
      this.good /= 2;
      this.bad /= 2;
      this.sent /= 2;
      this.sentBad /= 2;
    }
  }

  /** `frames` frames of `bytes` in all were written to the board. */
  sawSent(frames: number, bytes: number): void {
    this.sent += frames;
    this.sawBytes(bytes);
  }

  /** A frame from the board arrived intact. */
  sawFrame(): void {
    this.good++;
  }

  /** A frame from the board arrived damaged (`received`), or the board said it could not read
   * one of ours (only counted in the totals: we cannot see how many of ours it never saw). */
  sawDamage(received = true): void {
    if (received) this.bad++;
    else this.sentBad++;
    this.totals.damaged++;
  }

  /** A request `cmd` waited `ms` for a reply that did not come. */
  sawTimeout(cmd: string, ms: number): void {
    this.totals.timeouts++;
    this.totals.timeoutMs += ms;
    this.totals.timeoutsBy[cmd] = (this.totals.timeoutsBy[cmd] ?? 0) + 1;
  }

  /** A request of `bytes` total (out + back) took `ms` from its first byte out to its reply. */
  sawRoundTrip(ms: number, bytes: number): void {
    if (bytes >= 2048 && ms > 0) this.rate = Math.max(this.rate, (bytes * 1000) / ms);
    if (bytes > 256) return; // big transfers are not round trips
    if (this.srtt === null) {
      this.srtt = ms;
      this.rttvar = ms / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - ms);
      this.srtt = 0.875 * this.srtt + 0.125 * ms;
    }
  }

  /** Estimated probability that a byte is damaged or dropped (0 until damage is seen). */
  get byteErrorRate(): number {
    const bad = this.bad + Math.min(this.sentBad, this.sent);
    if (bad === 0) return 0;
    // A frame of L bytes arrives intact with probability (1 - p)^L; L = the mean frame length.
    const frames = this.good + this.bad + this.sent;
    const intact = Math.max(frames - bad, 0.5) / frames;
    const meanLen = Math.max(16, this.bytes / frames);
    return Math.min(0.2, 1 - intact ** (1 / meanLen));
  }

  /**
   * Reply timeout: the measured round trip with margin, plus the transfer time of `bytes` at the
   * measured rate (or `minRate` until one is measured), never above `ceilingMs` + transfer time at
   * `minRate` (the configured worst case), never below `floorMs` (event-loop stalls on a loaded
   * machine reach 100+ ms; a spurious timeout costs a re-send, a long one only on a lost reply).
   */
  timeoutMs(bytes: number, minRate: number, ceilingMs: number, floorMs = 300): number {
    const worst = ceilingMs + (bytes / minRate) * 1000;
    if (this.srtt === null || this.rate === 0) return worst;
    const adaptive = 4 * (this.srtt + 4 * this.rttvar) + floorMs + ((3 * bytes) / this.rate) * 1000;
    return Math.min(worst, adaptive);
  }

  /**
   * Data bytes per frame: `max` on a clean line; on a noisy one, the largest size whose frames
   * (with `overhead` bytes of header, CRC and COBS) arrive intact with probability `intact`
   * (default TARGET_INTACT), a power of two between `min` and `max`.
   */
  frameData(max: number, overhead: number, min = 32, intact = TARGET_INTACT): number {
    const p = this.byteErrorRate;
    if (p === 0) return max;
    const fit = Math.log(intact) / Math.log(1 - p) - overhead;
    let s = min;
    while (s * 2 <= Math.min(max, fit)) s *= 2;
    return Math.min(max, s);
  }

  /** Longest frame (bytes on the wire) that arrives intact with probability `intact`
   * (Infinity on a line that has shown no damage). */
  frameBytes(intact: number): number {
    const p = this.byteErrorRate;
    return p === 0 ? Infinity : Math.log(intact) / Math.log(1 - p);
  }

  /** Probability that a frame of `bytes` on the wire arrives damaged (0 on a clean line). */
  lossOf(bytes: number): number {
    return 1 - (1 - this.byteErrorRate) ** bytes;
  }

  /** Share of frames (both directions) seen damaged, 0..1. */
  get damagedShare(): number {
    const frames = this.good + this.bad + this.sent;
    return frames ? (this.bad + Math.min(this.sentBad, this.sent)) / frames : 0;
  }

  describe(): string {
    const p = this.byteErrorRate;
    return `${this.totals.damaged} damaged frames, ${this.totals.timeouts} timeouts${p ? `, byte error rate ~${p.toExponential(0)} or more` : ''}`;
  }
}
