/**
 * Echo suppression on text. Without headphones the microphone hears the speakers, so the
 * others' words come back a few tens of milliseconds later, quieter, on the microphone's
 * stream, and the service transcribes them again. A microphone line whose words follow a
 * system-audio line close in time is that echo: it is never shown as the person's own words.
 *
 * Why text and not audio: acoustic echo cancellation needs the far-end signal sample-aligned
 * with the microphone, and the only maintained AEC (WebRTC's, inside Chromium) is not
 * available as a Node library; see the README's design notes. Text matching works on what
 * both streams already produce, whatever the room delay, device clocks or provider.
 *
 * How, per microphone segment:
 * - an open (non-final) segment that matches is hidden at once, and shown again if it stops
 *   matching;
 * - a final segment that matches is dropped and counted;
 * - a final segment that does not match yet is shown as open for `holdMs`, because the
 *   system stream's copy of the same words may still be on its way; then it is decided.
 *   So a finished line is only ever shown final once, and never jumps or disappears later.
 */
import type { Segment } from '../../shared/captions.js';
import type { CaptionChange } from '../stt/session-events.js';
import type { Clock, TimerHandle } from '../util/clock.js';

export interface EchoFilterOptions {
  clock: Clock;
  /** How long a final microphone line waits for the system stream's copy (ms). */
  holdMs?: number;
  /** System words this far (s) before or after a microphone line count as "close in time". */
  windowSeconds?: number;
  /** Share of a microphone line's words found, in order, in the system words near it. */
  threshold?: number;
  /** How much system speech (seconds of timeline) is remembered for matching. */
  memorySeconds?: number;
}

export const DEFAULT_ECHO_HOLD_MS = 1500;
export const DEFAULT_ECHO_WINDOW_SECONDS = 2;
export const DEFAULT_ECHO_THRESHOLD = 0.5;
/** Words of a microphone line compared (its newest); system words near it: four times that. */
const MAX_WORDS = 120;

interface TargetState {
  segment: Segment;
  /** What the output currently holds for this id: nothing, the open line, or the final one. */
  shown: 'none' | 'open' | 'final';
  timer?: TimerHandle;
  suppressed: boolean;
}

export class EchoFilter {
  private readonly reference = new Map<string, { start: number; end: number; words: string[] }>();
  private readonly targets = new Map<string, TargetState>();
  private suppressedLines = 0;
  private readonly holdMs: number;
  private readonly window: number;
  private readonly threshold: number;
  private readonly memory: number;

  constructor(
    private readonly options: EchoFilterOptions,
    private readonly out: (change: CaptionChange) => void,
    private readonly onSuppressed: (count: number) => void = () => undefined,
  ) {
    this.holdMs = options.holdMs ?? DEFAULT_ECHO_HOLD_MS;
    this.window = options.windowSeconds ?? DEFAULT_ECHO_WINDOW_SECONDS;
    this.threshold = options.threshold ?? DEFAULT_ECHO_THRESHOLD;
    this.memory = options.memorySeconds ?? 120;
  }

  /** Microphone lines dropped as echo so far. */
  get suppressed(): number {
    return this.suppressedLines;
  }

  /** A change on the system-audio stream: passed on as is, and remembered for matching. */
  fromReference(change: CaptionChange): void {
    this.out(change);
    if (change.kind === 'remove') {
      this.reference.delete(change.id);
      return;
    }
    const s = change.segment;
    this.reference.set(s.id, { start: s.start, end: s.end, words: wordsOf(s.text) });
    this.forget(s.end);
    // The system copy may arrive after the microphone's: look again at what is still undecided.
    for (const state of this.targets.values()) {
      if (state.shown !== 'final' && !state.suppressed) this.judge(state);
    }
  }

  /** A change on the microphone stream. */
  fromTarget(change: CaptionChange): void {
    if (change.kind === 'remove') {
      const state = this.targets.get(change.id);
      if (!state) return;
      this.options.clock.clearTimeout(state.timer);
      this.targets.delete(change.id);
      if (state.shown !== 'none') this.out(change);
      return;
    }
    const segment = change.segment;
    let state = this.targets.get(segment.id);
    if (state?.suppressed) return; // decided: a correction of an echo is still the echo
    if (!state) {
      state = { segment, shown: 'none', suppressed: false };
      this.targets.set(segment.id, state);
    }
    state.segment = segment;
    if (state.shown === 'final') {
      // Already committed as the person's own words: corrections pass through.
      this.out(change);
      return;
    }
    this.judge(state);
  }

  /** Decides every held line now (the run is ending): matches are dropped, the rest final. */
  flush(): void {
    for (const state of this.targets.values()) {
      this.options.clock.clearTimeout(state.timer);
      state.timer = undefined;
      if (state.segment.final && state.shown !== 'final' && !state.suppressed) this.decide(state);
    }
  }

  dispose(): void {
    for (const state of this.targets.values()) this.options.clock.clearTimeout(state.timer);
  }

  private judge(state: TargetState): void {
    const echo = this.isEcho(state.segment);
    if (state.segment.final) {
      if (echo) return this.suppress(state);
      this.show(state, { ...state.segment, final: false });
      if (state.timer === undefined) {
        state.timer = this.options.clock.setTimeout(() => {
          state.timer = undefined;
          if (this.targets.get(state.segment.id) === state) this.decide(state);
        }, this.holdMs);
      }
      return;
    }
    if (echo) this.hide(state);
    else this.show(state, state.segment);
  }

  private decide(state: TargetState): void {
    if (this.isEcho(state.segment)) return this.suppress(state);
    state.shown = 'final';
    this.out({ kind: 'upsert', segment: state.segment });
  }

  private suppress(state: TargetState): void {
    this.options.clock.clearTimeout(state.timer);
    state.timer = undefined;
    state.suppressed = true;
    this.hide(state);
    this.suppressedLines++;
    this.onSuppressed(this.suppressedLines);
  }

  private show(state: TargetState, segment: Segment): void {
    state.shown = 'open';
    this.out({ kind: 'upsert', segment });
  }

  private hide(state: TargetState): void {
    if (state.shown === 'none') return;
    state.shown = 'none';
    this.out({ kind: 'remove', id: state.segment.id });
  }

  private isEcho(segment: Segment): boolean {
    // Bounded work per check whatever the service sends (a runaway segment of thousands of
    // words): the newest words decide.
    const words = wordsOf(segment.text).slice(-MAX_WORDS);
    if (words.length === 0) return false;
    // A single word ("yes", "okay") is only echo when it sits right on the system word.
    const window = words.length === 1 ? Math.min(this.window, 0.6) : this.window;
    const near: { start: number; words: string[] }[] = [];
    for (const r of this.reference.values()) {
      if (r.end >= segment.start - window && r.start <= segment.end + window) near.push(r);
    }
    if (near.length === 0) return false;
    near.sort((a, b) => a.start - b.start);
    const heard = near.flatMap((r) => r.words).slice(-4 * MAX_WORDS);
    return commonInOrder(words, heard) / words.length >= this.threshold;
  }

  private forget(latestEnd: number): void {
    for (const [id, r] of this.reference) {
      if (r.end < latestEnd - this.memory) this.reference.delete(id);
    }
    for (const [id, t] of this.targets) {
      if ((t.shown === 'final' || t.suppressed) && t.segment.end < latestEnd - this.memory) this.targets.delete(id);
    }
  }
}

/** Lower-case words without punctuation, so "Hello," and "hello" are the same word. */
export function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/[^\p{L}\p{N}']/gu, '').replace(/^'+|'+$/g, ''))
    .filter((w) => w !== '');
}

/**
 * Longest common subsequence of two word lists, where words of four or more letters that
 * differ by one edit count as the same (two recognitions of the same audio differ like that:
 * "dashwood" / "dashwoods").
 */
export function commonInOrder(a: readonly string[], b: readonly string[]): number {
  let prev = new Uint16Array(b.length + 1);
  let row = new Uint16Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      row[j] = similarWords(a[i - 1]!, b[j - 1]!) ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
    }
    [prev, row] = [row, prev];
  }
  return prev[b.length]!;
}

function similarWords(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length < 4 || b.length < 4 || Math.abs(a.length - b.length) > 1) return false;
  return editDistanceAtMostOne(a, b);
}

function editDistanceAtMostOne(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}
