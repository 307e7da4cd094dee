/**
 * Keeps a transcript file up to date while captioning runs, so a crash, a power cut or
 * `kill -9` loses at most the last few seconds of finished captions instead of the whole
 * session. Writes are debounced, never overlap, and each one replaces the file atomically
 * (writeTranscript writes a temporary file and renames it).
 */
import type { Segment } from '../../shared/captions.js';
import { toErrorInfo, type ErrorInfo } from '../../shared/errors.js';
import type { Clock, TimerHandle } from '../util/clock.js';

export interface TranscriptSaverOptions {
  clock: Clock;
  /** Longest time a finished caption waits before it is on disk. */
  delayMs?: number;
  /** Writes the whole transcript (atomically). */
  write(segments: readonly Segment[]): Promise<void>;
  /** The current final segments. */
  segments(): readonly Segment[];
  /** Told once per failure streak, so a full disk does not flood the terminal. */
  onError?(error: ErrorInfo): void;
}

export class TranscriptSaver {
  private timer: TimerHandle | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private failing = false;
  private readonly delayMs: number;

  constructor(private readonly o: TranscriptSaverOptions) {
    this.delayMs = o.delayMs ?? 2000;
  }

  /** Something final changed: write within delayMs. */
  changed(): void {
    this.dirty = true;
    if (this.timer === undefined) this.timer = this.o.clock.setTimeout(() => void this.run(), this.delayMs);
  }

  /** Writes now (end of run) and resolves when the file holds everything; rejects if that write fails. */
  async flush(): Promise<void> {
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    this.dirty = false;
    await this.o.write(this.o.segments().slice());
  }

  dispose(): void {
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    if (this.writing) {
      // A write is under way; go again once it is done.
      await this.writing;
      if (this.dirty && this.timer === undefined) this.changed();
      return;
    }
    this.dirty = false;
    this.writing = this.o.write(this.o.segments().slice()).then(
      () => {
        this.failing = false;
      },
      (err: unknown) => {
        if (!this.failing) this.o.onError?.(toErrorInfo(err));
        this.failing = true;
        this.dirty = true;
      },
    );
    await this.writing;
    this.writing = undefined;
  }
}
