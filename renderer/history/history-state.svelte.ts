/**
 * The history window's state: the final segments main keeps, the search (the same filter
 * main applies when exporting, so an export holds exactly what is shown), copy and export.
 */
import type { Segment } from '../../shared/captions.js';
import { filterSegments, formatClock } from '../../shared/history-filter.js';
import type { ExportFormat, HistoryBridge, HistoryRunInfo, TranscriptionProgress } from '../../shared/ipc-contract.js';

export type Message = { kind: 'ok' | 'error'; text: string } | null;

const RELOAD_DELAY_MS = 400;

export class HistoryState {
  enabled = $state(false);
  loaded = $state(false);
  segments = $state.raw<Segment[]>([]);
  runs = $state.raw<HistoryRunInfo[]>([]);
  skippedLines = $state(0);
  query = $state('');
  message = $state.raw<Message>(null);
  busy = $state(false);
  transcription = $state.raw<TranscriptionProgress>({ state: 'idle' });
  diarize = $state(true);
  translate = $state(false);

  readonly shown = $derived(filterSegments(this.segments, this.query));
  /** Index of the first segment of each run, for headings (only without a search). */
  readonly runStarts = $derived(new Map(this.runs.map((r) => [r.firstIndex, r])));

  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private off: (() => void) | null = null;
  private offProgress: (() => void) | null = null;

  constructor(private readonly bridge: HistoryBridge | null) {}

  async load(): Promise<void> {
    if (!this.bridge) {
      this.message = { kind: 'error', text: 'This page only works inside the Earshot app.' };
      return;
    }
    this.off ??= this.bridge.on('history:appended', () => {
      clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => { void this.load(); }, RELOAD_DELAY_MS);
    });
    this.offProgress ??= this.bridge.on('transcribe:progress', (p) => { this.transcription = p; });
    if (this.transcription.state === 'idle') this.transcription = await this.bridge.transcriptionStatus();
    const view = await this.bridge.get();
    this.enabled = view.enabled;
    this.segments = view.segments;
    this.runs = view.runs;
    this.skippedLines = view.skippedLines;
    this.loaded = true;
  }

  async exportAs(format: ExportFormat): Promise<void> {
    if (!this.bridge || this.busy) return;
    this.busy = true;
    try {
      const r = await this.bridge.exportAs({ format, query: this.query });
      if (r.ok) this.message = { kind: 'ok', text: `Saved ${r.segments} caption${r.segments === 1 ? '' : 's'} to ${r.path}` };
      else if (r.cancelled) this.message = null;
      else this.message = { kind: 'error', text: `${r.error.message}${r.error.detail ? ` (${r.error.detail})` : ''}` };
    } finally {
      this.busy = false;
    }
  }

  async copy(segments: readonly Segment[], withTimes: boolean): Promise<void> {
    if (!this.bridge || segments.length === 0) return;
    // Who said it stays with the words (meetings: "You: …"), as in the exports.
    const line = (s: Segment) => { const who = s.label ?? s.speaker; return who ? `${who}: ${s.text}` : s.text; };
    const text = segments.map((s) => (withTimes ? `[${formatClock(s.start)}] ${line(s)}` : line(s))).join('\n');
    await this.bridge.copy(text);
    this.message = { kind: 'ok', text: segments.length === 1 ? 'Copied.' : `Copied ${segments.length} captions.` };
  }

  /** Picks a recording in main's file dialog and sends it; progress arrives as pushes. */
  async transcribe(): Promise<void> {
    if (!this.bridge) return;
    this.transcription = await this.bridge.transcribeFile({ translate: this.translate, diarize: this.diarize && !this.translate });
  }

  /** Improve transcript: the session's kept audio goes to pre-recorded transcription. */
  async improve(audio: string): Promise<void> {
    if (!this.bridge) return;
    this.transcription = await this.bridge.improve(audio);
  }

  async resolveImproved(keep: 'improved' | 'live', keepAudio: boolean): Promise<void> {
    const p = this.transcription;
    if (!this.bridge || p.state !== 'improved') return;
    await this.bridge.resolveImproved({ audio: p.audio, keep, keepAudio });
    this.transcription = { state: 'idle' };
    await this.load();
  }

  async cancelTranscription(): Promise<void> {
    await this.bridge?.cancelTranscription();
  }

  dispose(): void {
    clearTimeout(this.reloadTimer);
    this.off?.();
    this.off = null;
    this.offProgress?.();
    this.offProgress = null;
  }
}
