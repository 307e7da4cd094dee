/**
 * "Transcribe a recording…" in the app: pick a file, send it to the pre-recorded service
 * with the progress shown in the history window, cancel on request, and keep the result as
 * a history run (with speakers when asked). One recording at a time. Electron-free: the
 * file dialog, the key and the upload come in through deps.
 */
import { basename } from 'node:path';
import type { Segment } from '../../shared/captions.js';
import { EarshotError, errorInfo, toErrorInfo } from '../../shared/errors.js';
import type { TranscribeRequest, TranscriptionProgress } from '../../shared/ipc-contract.js';
import type { JobStatus } from '../prerecorded/transcribe-job.js';
import type { FileTranscript, TranscribeOptions } from '../prerecorded/types.js';
import type { Clock } from '../util/clock.js';

export interface FileTranscriberDeps {
  /** The open-file dialog; null when the person cancels. */
  chooseFile(): Promise<string | null>;
  /** The Fireworks key (pre-recorded transcription is Fireworks' service). */
  apiKey(): string | undefined;
  /** Language ('' = detect) and prompt from settings. */
  preferences(): { language: string; prompt: string; model: string };
  transcribe(job: { path: string; options: TranscribeOptions; apiKey: string; signal: AbortSignal; onStatus(s: JobStatus): void }): Promise<FileTranscript>;
  addToHistory(info: Record<string, string>, segments: Segment[]): void;
  publish(progress: TranscriptionProgress): void;
  clock: Clock;
}

/** Upload progress is pushed at most this often (the upload reports every 64 KB). */
const PROGRESS_MS = 100;

export class FileTranscriber {
  private progress: TranscriptionProgress = { state: 'idle' };
  private controller: AbortController | null = null;
  private lastPush = -Infinity;

  constructor(private readonly deps: FileTranscriberDeps) {}

  status(): TranscriptionProgress {
    return this.progress;
  }

  get busy(): boolean {
    return this.controller !== null || this.progress.state === 'choosing';
  }

  async start(request: TranscribeRequest): Promise<TranscriptionProgress> {
    if (this.busy) return this.progress;
    const apiKey = this.deps.apiKey();
    if (!apiKey) {
      return this.set({ state: 'failed', file: '', error: errorInfo('KEY_MISSING', 'Recordings are transcribed by Fireworks AI: add a Fireworks key in settings.') });
    }
    this.set({ state: 'choosing' });
    let path: string | null;
    try {
      path = await this.deps.chooseFile();
    } catch (err) {
      return this.set({ state: 'failed', file: '', error: toErrorInfo(err) });
    }
    if (!path) return this.set({ state: 'idle' });
    const file = basename(path);
    const prefs = this.deps.preferences();
    const controller = new AbortController();
    this.controller = controller;
    try {
      const result = await this.deps.transcribe({
        path,
        apiKey,
        signal: controller.signal,
        options: {
          model: prefs.model, translate: request.translate, diarize: request.diarize && !request.translate,
          ...(prefs.language ? { language: prefs.language } : {}),
          ...(prefs.prompt ? { prompt: prefs.prompt } : {}),
        },
        onStatus: (s) => this.onStatus(file, s),
      });
      const segments: Segment[] = result.segments.map((s) => ({ id: s.id, text: s.text, start: s.start, end: s.end, final: true, ...(s.speaker ? { speaker: s.speaker } : {}) }));
      this.deps.addToHistory({ kind: 'file', file, task: result.task, model: prefs.model, ...(result.language ? { language: result.language } : {}) }, segments);
      const speakers = new Set(segments.map((s) => s.speaker).filter(Boolean)).size;
      return this.set({ state: 'done', file, segments: segments.length, speakers, ...(result.language ? { language: result.language } : {}) });
    } catch (err) {
      if (err instanceof EarshotError && err.code === 'CANCELLED') return this.set({ state: 'cancelled', file });
      return this.set({ state: 'failed', file, error: toErrorInfo(err) });
    } finally {
      this.controller = null;
    }
  }

  cancel(): void {
    this.controller?.abort();
  }

  private onStatus(file: string, s: JobStatus): void {
    if (s.phase === 'uploading') {
      const now = this.deps.clock.now();
      // Throttled, but the first and the last byte always show.
      if (this.progress.state === 'uploading' && s.sent < s.total && now - this.lastPush < PROGRESS_MS) return;
      this.lastPush = now;
      this.set({ state: 'uploading', file, sent: s.sent, total: s.total });
    } else if (s.phase === 'transcribing') {
      this.set({ state: 'transcribing', file });
    } else {
      this.set({ state: 'retrying', file, inMs: s.inMs, reason: s.reason });
    }
  }

  private set(p: TranscriptionProgress): TranscriptionProgress {
    this.progress = p;
    this.deps.publish(p);
    return p;
  }
}
