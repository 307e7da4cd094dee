/**
 * Checks shared by the session tests of every provider: a recorder of SessionEvents that
 * notices broken caption promises as they happen (a final removed or rewritten, the same
 * audio shown twice; only a final's speaker may be revised, and that is counted), the comparison of final captions with the source tone words, and
 * the reconstruction of which source samples a server received over all its connections.
 */
import type { Segment } from '../../shared/captions.js';
import type { ErrorInfo } from '../../shared/errors.js';
import type { ConnectionStatus } from '../../shared/status.js';
import type { SessionEvent } from '../../main/stt/session-events.js';
import type { ToneWord } from './tone-asr.js';

export class CaptionRecorder {
  readonly events: SessionEvent[] = [];
  readonly shown = new Map<string, Segment>();
  readonly statuses: ConnectionStatus[] = [];
  readonly warnings: ErrorInfo[] = [];
  readonly fatals: ErrorInfo[] = [];
  /** Broken promises, as they happened. */
  readonly problems: string[] = [];
  removals = 0;
  /** Final segments whose speaker alone was revised. */
  relabels = 0;

  constructor(private readonly overlapToleranceS = 0.01) {}

  readonly listener = (e: SessionEvent): void => {
    this.events.push(e);
    if (e.type === 'status') this.statuses.push(e.status);
    else if (e.type === 'warning') this.warnings.push(e.error);
    else if (e.type === 'fatal') this.fatals.push(e.error);
    else if (e.type === 'caption') this.onCaption(e.change);
  };

  private onCaption(change: { kind: 'upsert'; segment: Segment } | { kind: 'remove'; id: string }): void {
    const id = change.kind === 'upsert' ? change.segment.id : change.id;
    const before = this.shown.get(id);
    if (before?.final && change.kind === 'upsert' && onlySpeakerDiffers(before, change.segment)) {
      this.relabels++;
      this.shown.set(id, change.segment);
      return;
    }
    if (before?.final) this.problems.push(`final segment ${id} "${before.text}" was ${change.kind === 'remove' ? 'removed' : 'changed'}`);
    if (change.kind === 'remove') {
      if (!before) this.problems.push(`removal of unknown segment ${id}`);
      this.shown.delete(id);
      this.removals++;
      return;
    }
    const s = change.segment;
    if (!(s.end >= s.start) || s.start < 0) this.problems.push(`segment ${id} has times ${s.start}-${s.end}`);
    if (s.text !== s.text.trim() || s.text === '') this.problems.push(`segment ${id} text "${s.text}" is empty or untrimmed`);
    this.shown.set(id, s);
    const sorted = [...this.shown.values()].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1]!;
      const b = sorted[i]!;
      if (a.end > b.start + this.overlapToleranceS) this.problems.push(`"${a.text}" (${a.id}) and "${b.text}" (${b.id}) cover the same audio`);
    }
  }

  /** Final segments in timeline order. */
  finals(): Segment[] {
    return [...this.shown.values()].filter((s) => s.final).sort((a, b) => a.start - b.start);
  }

  transcript(): string {
    return this.finals().map((s) => s.text).join(' ');
  }

  /** Everything that was emitted, as one string (to check that a secret never appears). */
  dump(): string {
    return JSON.stringify(this.events);
  }
}

function onlySpeakerDiffers(a: Segment, b: Segment): boolean {
  return a.speaker !== b.speaker && a.text === b.text && a.start === b.start && a.end === b.end && a.final === b.final;
}

/**
 * Each final segment must contain exactly the source words that lie within it, with its
 * start and end at the first word's start and the last word's end (± toleranceS); unless
 * `requireAllWords` is false, together they must hold every source word, in order.
 */
export function compareWithSpeech(segments: readonly Segment[], words: readonly ToneWord[], toleranceS = 0.02, requireAllWords = true): string[] {
  const problems: string[] = [];
  const text = segments.map((s) => s.text).join(' ');
  const expected = words.map((w) => w.text).join(' ');
  if (requireAllWords && text !== expected) problems.push(`transcript "${text}" != source "${expected}"`);
  for (const s of segments) {
    const inside = words.filter((w) => w.start >= s.start - toleranceS && w.start <= s.end + toleranceS);
    const first = inside[0];
    const last = inside[inside.length - 1];
    if (!first || !last) {
      problems.push(`segment "${s.text}" at ${s.start}-${s.end} covers no source word`);
      continue;
    }
    if (inside.map((w) => w.text).join(' ') !== s.text) problems.push(`segment "${s.text}" at ${s.start}-${s.end} holds "${inside.map((w) => w.text).join(' ')}"`);
    if (Math.abs(first.start - s.start) > toleranceS || Math.abs(last.end - s.end) > toleranceS) {
      problems.push(`segment "${s.text}" at ${s.start}-${s.end}, source ${first.start.toFixed(3)}-${last.end.toFixed(3)}`);
    }
  }
  return problems;
}

/** Position of `chunk` in `source` (the first `probe` samples must match), or -1. */
export function locate(chunk: Int16Array, source: Int16Array, probe = 400): number {
  const n = Math.min(probe, chunk.length);
  if (n === 0) return -1;
  outer: for (let i = 0; i + n <= source.length; i++) {
    for (let k = 0; k < n; k++) if (source[i + k] !== chunk[k]) continue outer;
    return i;
  }
  return -1;
}

export interface Coverage {
  /** Source offset of each connection's first sample (-1 = not found / no audio). */
  offsets: number[];
  problems: string[];
}

/**
 * Locates each connection's audio in the source, checks that it is a contiguous copy (only
 * zero padding may follow the source's end) and that together they cover every sample.
 */
export function checkCoverage(perConnection: readonly Int16Array[], source: Int16Array): Coverage {
  const problems: string[] = [];
  const offsets: number[] = [];
  const covered = new Uint8Array(source.length);
  perConnection.forEach((audio, c) => {
    if (audio.length === 0) {
      offsets.push(-1);
      return;
    }
    const at = locate(audio, source);
    offsets.push(at);
    if (at < 0) {
      problems.push(`connection ${c}: its audio is not in the source`);
      return;
    }
    const inSource = Math.min(audio.length, source.length - at);
    for (let k = 0; k < audio.length; k++) {
      if (k < inSource ? audio[k] !== source[at + k] : audio[k] !== 0) {
        problems.push(`connection ${c}: sample ${k} differs from the source (offset ${at})`);
        return;
      }
    }
    covered.fill(1, at, at + inSource);
  });
  const gap = covered.indexOf(0);
  if (gap >= 0) problems.push(`source sample ${gap} was never received`);
  return { offsets, problems };
}
