/**
 * History for the history window: final segments are journaled to disk only while history
 * is on (main/captions/journal.ts, append-only, so a crash loses at most the open segment);
 * when it is off the window shows this session's finals from memory. Export renders through
 * main/captions/export.ts after the same search filter the window shows.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Segment } from '../../shared/captions.js';
import { toErrorInfo } from '../../shared/errors.js';
import { filterSegments } from '../../shared/history-filter.js';
import type { ExportFormat, ExportRequest, ExportResult, HistoryRunInfo, HistoryView, MainToRenderer, PageId } from '../../shared/ipc-contract.js';
import { writeTranscript } from '../captions/export.js';
import { HistoryJournal, replayJournal } from '../captions/journal.js';
import type { Unsubscribe } from '../util/clock.js';
import type { HistoryRunPort } from './app-controller.js';
import { HistoryRecorder, type HistorySink } from './history-recorder.js';
import type { PipelinePort } from './pipeline-port.js';

export interface HistoryServiceDeps {
  dir: string;
  pipeline: Pick<PipelinePort, 'on' | 'finals'>;
  send<K extends keyof MainToRenderer>(page: PageId, channel: K, payload: MainToRenderer[K]): void;
  /** Save dialog; null when the person cancels. */
  chooseExportPath(format: ExportFormat, defaultName: string): Promise<string | null>;
  now(): Date;
  /** Tells the person about journal write failures. */
  onError(message: string): void;
  /** Seconds of kept audio for a session, or null when there is none (Improve transcript). */
  keptAudioSeconds?(id: string): number | null;
}

/** Seconds between runs on the combined timeline, so cues of two runs never touch. */
const RUN_GAP_SECONDS = 1;

/** A recording transcribed while history was off: shown this session, never written. */
interface SessionRun { startedAt: string; info: Record<string, string>; segments: Segment[] }

export class HistoryService implements HistoryRunPort {
  readonly journalPath: string;
  private journal: HistoryJournal | null = null;
  private readonly sessionRuns: SessionRun[] = [];
  /** The live run in progress, kept in memory when history is off. */
  private live: { startedAt: string; info: Record<string, string> } | null = null;
  private enabled = false;
  private runOpen = false;
  private readonly recorder: HistoryRecorder;
  private readonly unsubscribe: Unsubscribe;

  constructor(private readonly deps: HistoryServiceDeps) {
    this.journalPath = join(deps.dir, 'history.jsonl');
    const sink: HistorySink = {
      append: (s) => this.write((j) => j.append(s)),
      appendRemoval: (id) => this.write((j) => j.appendRemoval(id)),
    };
    this.recorder = new HistoryRecorder(sink);
    this.unsubscribe = deps.pipeline.on('diff', (diff) => {
      const added = this.recorder.apply(diff);
      if (added.length) deps.send('history', 'history:appended', added);
    });
  }

  setEnabled(on: boolean): void {
    if (on === this.enabled) return;
    this.enabled = on;
    if (on) {
      try {
        this.journal = HistoryJournal.open(this.journalPath);
      } catch (err) {
        this.journal = null;
        this.deps.onError(toErrorInfo(err).detail ?? 'The history file could not be opened.');
      }
    } else {
      if (this.runOpen) this.write((j) => j.endRun(this.deps.now()));
      this.journal?.close();
      this.journal = null;
      this.runOpen = false;
    }
  }

  startRun(info: Record<string, string>): void {
    this.recorder.reset();
    const at = this.deps.now();
    this.live = { startedAt: at.toISOString(), info };
    if (!this.journal) return;
    this.write((j) => j.startRun(at, info));
    this.runOpen = true;
  }

  /** Something learnt while the run goes on (the language the service heard). */
  noteRunInfo(info: Record<string, string>): void {
    if (this.live) this.live.info = { ...this.live.info, ...info };
    if (this.runOpen) this.write((j) => j.noteRunInfo(info));
  }

  endRun(): void {
    // The next run's first diff clears the ended run's captions from the overlay; those
    // removals must not reach the journal, so the recorder forgets the ended run now.
    this.recorder.reset();
    const live = this.live;
    this.live = null;
    if (!this.journal && live) {
      const segments = this.deps.pipeline.finals();
      if (segments.length) this.sessionRuns.push({ ...live, segments: segments.slice() });
    }
    if (!this.journal || !this.runOpen) return;
    this.write((j) => j.endRun(this.deps.now()));
    this.runOpen = false;
  }

  /**
   * A transcribed recording becomes a run of its own, searchable and exportable like live
   * captions: in the journal when history is on, else in memory for this session.
   */
  addFileTranscript(info: Record<string, string>, segments: readonly Segment[]): void {
    const startedAt = this.deps.now();
    const finals = segments.map((s) => ({ ...s, final: true }));
    if (this.journal) {
      this.write((j) => {
        j.startRun(startedAt, info);
        for (const s of finals) j.append(s);
        j.endRun(this.deps.now());
      });
    } else {
      this.sessionRuns.push({ startedAt: startedAt.toISOString(), info, segments: finals });
    }
    this.deps.send('history', 'history:appended', finals);
  }

  async view(): Promise<HistoryView> {
    if (!this.enabled) {
      const current = this.live ? [{ ...this.live, segments: this.deps.pipeline.finals() }] : [];
      const runs = [...this.sessionRuns, ...current].sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
      return { enabled: false, ...this.combine(runs), skippedLines: 0 };
    }
    let text = '';
    try {
      text = await readFile(this.journalPath, 'utf8');
    } catch {
      // No journal yet: an empty history.
    }
    const replay = replayJournal(text);
    return { enabled: true, ...this.combine(replay.runs), skippedLines: replay.skippedLines };
  }

  /** Kept-audio ids the history can still offer Improve transcript for (the journal's runs). */
  async reachableAudio(): Promise<Set<string>> {
    if (!this.enabled) return new Set();
    let text = '';
    try { text = await readFile(this.journalPath, 'utf8'); } catch { return new Set(); }
    const runs = replayJournal(text).runs;
    const improved = new Set(runs.flatMap((r) => (r.info?.kind === 'improved' && typeof r.info.of === 'string' ? [r.info.of] : [])));
    return new Set(runs.flatMap((r) => (typeof r.info?.audio === 'string' && !improved.has(r.info.audio) ? [r.info.audio] : [])));
  }

  /** The improved transcript of a session takes the place of its live captions. */
  replaceWithImproved(audio: string, info: Record<string, string>, segments: readonly Segment[]): void {
    this.addFileTranscript({ ...info, of: audio }, segments);
  }

  /** Runs on one timeline; a session with an improved transcript shows that one instead. */
  private combine(runs: readonly RunLike[]): Pick<HistoryView, 'segments' | 'runs'> {
    const improved = new Set(runs.flatMap((r) => (r.info?.kind === 'improved' && typeof r.info.of === 'string' ? [r.info.of] : [])));
    const shown = runs.filter((r) => !(typeof r.info?.audio === 'string' && improved.has(r.info.audio)));
    return combineRuns(shown, (id) => this.deps.keptAudioSeconds?.(id) ?? null);
  }

  async exportAs(req: ExportRequest): Promise<ExportResult> {
    const { segments } = await this.view();
    const chosen = filterSegments(segments, req.query);
    const stamp = this.deps.now().toISOString().slice(0, 16).replace(/[T:]/g, '-');
    const path = await this.deps.chooseExportPath(req.format, `earshot-${stamp}.${req.format}`);
    if (!path) return { ok: false, cancelled: true };
    try {
      await writeTranscript(path, req.format, chosen);
      return { ok: true, path, segments: chosen.length };
    } catch (err) {
      return { ok: false, cancelled: false, error: toErrorInfo(err) };
    }
  }

  dispose(): void {
    this.unsubscribe();
    this.setEnabled(false);
  }

  private write(fn: (j: HistoryJournal) => void): void {
    if (!this.journal) return;
    try {
      fn(this.journal);
    } catch (err) {
      // A full disk must not stop captions: history turns itself off and says why.
      this.journal.close();
      this.journal = null;
      this.deps.onError(`History stopped: ${toErrorInfo(err).detail ?? 'the history file could not be written'}.`);
    }
  }
}

/**
 * Runs on one timeline: each run's times follow the previous run's end (plus a gap, so cues
 * of two runs never touch), and ids are made unique across runs.
 */
type RunLike = { startedAt: string; info?: Record<string, string | number | boolean>; segments: readonly Segment[] };

function combineRuns(runs: readonly RunLike[], keptSeconds: (id: string) => number | null = () => null): Pick<HistoryView, 'segments' | 'runs'> {
  const segments: Segment[] = [];
  const out: HistoryRunInfo[] = [];
  let offset = 0;
  runs.forEach((run, i) => {
    if (run.segments.length === 0) return;
    const title = run.info?.kind === 'file' && typeof run.info.file === 'string'
      ? `${run.info.file} (${run.info.task === 'translate' ? 'translated' : 'transcribed'})` : undefined;
    const language = typeof run.info?.language === 'string' ? run.info.language : undefined;
    const audioId = typeof run.info?.audio === 'string' ? run.info.audio : undefined;
    const seconds = audioId ? keptSeconds(audioId) : null;
    const improvedFrom = run.info?.kind === 'improved' && typeof run.info.of === 'string' ? run.info.of : undefined;
    out.push({
      startedAt: run.startedAt, firstIndex: segments.length, ...(title ? { title } : {}), ...(language ? { language } : {}),
      ...(audioId && seconds !== null ? { audio: { id: audioId, seconds } } : {}), ...(improvedFrom ? { improvedFrom, title: 'Improved transcript' } : {}),
    });
    let end = offset;
    for (const s of run.segments) {
      segments.push({ ...s, id: `${i}/${s.id}`, start: s.start + offset, end: s.end + offset });
      end = Math.max(end, s.end + offset);
    }
    offset = end + RUN_GAP_SECONDS;
  });
  return { segments, runs: out };
}
