/**
 * Decides which in-band errors become warnings. Some servers repeat the same complaint on
 * every message (an error per audio frame); a person needs it once, with a count when it
 * keeps coming, not a line per message. Pure bookkeeping on an injected clock.
 */
import type { ErrorCode } from '../../shared/errors.js';
import type { Clock } from '../util/clock.js';

/** The same error is shown again at most this often, with how often it repeated meanwhile. */
export const IN_BAND_REPEAT_MS = 60_000;
const MAX_TRACKED = 32;

interface Seen {
  shownAt: number;
  /** Repeats since it was last shown. */
  repeats: number;
}

export class InBandWarnings {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly repeatMs = IN_BAND_REPEAT_MS,
  ) {}

  /** Call once per in-band error; true when this one should be shown. */
  shouldWarn(code: ErrorCode, detail: string): boolean {
    const key = `${code}\u0000${detail}`;
    const now = this.clock.now();
    const s = this.seen.get(key);
    if (s && now - s.shownAt < this.repeatMs) {
      s.repeats++;
      return false;
    }
    this.seen.delete(key);
    this.seen.set(key, { shownAt: now, repeats: s?.repeats ?? 0 });
    // Bounded: a server that varies its text (counters, ids) must not grow this forever.
    while (this.seen.size > MAX_TRACKED) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }

  /** The detail for the warning just allowed, saying how often it repeated since last shown. */
  describe(code: ErrorCode, detail: string): string {
    const s = this.seen.get(`${code}\u0000${detail}`);
    if (!s || s.repeats === 0) return detail;
    const repeats = s.repeats;
    s.repeats = 0;
    return `${detail} (${repeats} more time${repeats === 1 ? '' : 's'} since it was last shown)`;
  }
}
