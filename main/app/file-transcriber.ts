/**
 * "Transcribe a recording…" in the app: pick a file, send it to the pre-recorded service
 * with the progress shown in the history window, cancel on request, and keep the result as
 * a history run (with speakers when asked). One recording at a time. Electron-free: the
 * file dialog, the key and the upload come in through deps.
 */
import { basename } from 'node:path';
import type { Segment } from '../../shared/captions.js';
import { EarshotError, errorInfo, toErrorInfo } from '../../shared/errors.js';
import type { ImproveChoice, TranscribeRequest, TranscriptionProgress } from '../../shared/ipc-contract.js';
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
  /** Improve transcript: a session's kept audio as a WAV file, and where it starts on its timeline. */
  keptAudio?: {
    toWav(id: string): Promise<{ path: string; offsetSeconds: number; dispose(): void }>;
    describe(id: string): string;
    remove(id: string): void;
  };
  /** Keeps the improved transcript in place of the live captions of that session. */
  replaceWithImproved?(audio: string, info: Record<string, string>, segments: Segment[]): void;
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
    const model = this.deps.preferences().model;
    return this.run(file, apiKey, async () => ({ path, offsetSeconds: 0 }), { model, translate: request.translate, diarize: request.diarize && !request.translate }, '', (result, segments) => {
      this.deps.addToHistory({ kind: 'file', file, task: result.task, model, ...(result.language ? { language: result.language } : {}) }, segments);
      return { state: 'done', file, segments: segments.length, speakers: speakersIn(segments), ...(result.language ? { language: result.language } : {}) };
    });
  }

  cancel(): void {
    this.controller?.abort();
  }

  /**
   * Improve transcript: the session's kept audio goes to pre-recorded transcription with
   * speakers (whisper-v3); the result waits for the person to choose it or the live captions.
   * Nothing is uploaded unless they kept the audio and pressed the button.
   */
  async improve(audio: string): Promise<TranscriptionProgress> {
    const kept = this.deps.keptAudio;
    if (this.busy) return this.progress;
    const file = kept?.describe(audio) ?? audio;
    const apiKey = this.deps.apiKey();
    if (!kept) return this.set({ state: 'failed', file, error: errorInfo('INTERNAL', 'kept audio is not available') });
    if (!apiKey) return this.set({ state: 'failed', file, error: errorInfo('KEY_MISSING', 'Improving a transcript uses Fireworks AI: add a Fireworks key in settings.') });
    // On the session's own timeline, so the two versions line up side by side.
    return this.run(file, apiKey, () => kept.toWav(audio), { model: 'whisper-v3', translate: false, diarize: true }, 'i', (result, segments) =>
      ({ state: 'improved', file, audio, segments, speakers: speakersIn(segments), ...(result.language ? { language: result.language } : {}) }));
  }

  /**
   * One recording through the service, cancellable, with progress: `input` gives the file (and
   * where it starts on a session's timeline), `done` turns the transcript into the end state.
   */
  private async run(
    file: string,
    apiKey: string,
    input: () => Promise<{ path: string; offsetSeconds: number; dispose?(): void }>,
    options: Pick<TranscribeOptions, 'model' | 'translate' | 'diarize'>,
    idPrefix: string,
    done: (result: FileTranscript, segments: Segment[]) => TranscriptionProgress,
  ): Promise<TranscriptionProgress> {
    const controller = new AbortController();
    this.controller = controller;
    let source: Awaited<ReturnType<typeof input>> | null = null;
    try {
      source = await input();
      const prefs = this.deps.preferences();
      const result = await this.deps.transcribe({
        path: source.path, apiKey, signal: controller.signal,
        options: { ...options, ...(prefs.language ? { language: prefs.language } : {}), ...(prefs.prompt ? { prompt: prefs.prompt } : {}) },
        onStatus: (s) => this.onStatus(file, s),
      });
      const offset = source.offsetSeconds;
      const segments: Segment[] = result.segments.map((s) => ({
        id: `${idPrefix}${s.id}`, text: s.text, start: s.start + offset, end: s.end + offset, final: true, ...(s.speaker ? { speaker: s.speaker } : {}),
      }));
      return this.set(done(result, segments));
    } catch (err) {
      if (err instanceof EarshotError && err.code === 'CANCELLED') return this.set({ state: 'cancelled', file });
      return this.set({ state: 'failed', file, error: toErrorInfo(err) });
    } finally {
      source?.dispose?.();
      this.controller = null;
    }
  }

  /** The person's choice after Improve transcript. The audio goes unless they keep it. */
  resolveImproved(choice: ImproveChoice): void {
    const p = this.progress;
    if (p.state !== 'improved' || p.audio !== choice.audio) return;
    if (choice.keep === 'improved') {
      this.deps.replaceWithImproved?.(p.audio, { kind: 'improved', of: p.audio, file: p.file, ...(p.language ? { language: p.language } : {}) }, p.segments);
    }
    if (!choice.keepAudio) this.deps.keptAudio?.remove(p.audio);
    this.set({ state: 'idle' });
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

function speakersIn(segments: readonly Segment[]): number {
  return new Set(segments.map((s) => s.speaker).filter(Boolean)).size;
}
